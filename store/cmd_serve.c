/*
 * cmd_serve.c -- ffstore serve: options of the ingest daemon.
 */
#include "store/cmd.h"
#include "store/server.h"
#include "store/web.h"

#include <getopt.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffstore serve --db PATH [options]\n"
"\n"
"Receive profiles over HTTP (POST /v1/profiles) and answer queries\n"
"(GET /v1/builds, /v1/profiles, /v1/aggregate, /healthz, /metrics).  The\n"
"page at / lists the builds and compares two of them: /compare?base=SEL&\n"
"new=SEL[&type=T][&format=html|json|junit|svg|negated.svg|cpi.svg|\n"
"cpi-diff.svg|folded] is a comparison's permalink (/v1/compare answers\n"
"JSON by default).\n"
"SIGHUP reloads the tokens file; SIGTERM stores what is queued and exits.\n"
"\n"
"  --db PATH                 the store (created when missing)\n"
"  --listen HOST:PORT        address to listen on (default 127.0.0.1:8080;\n"
"                            port 0 picks a free one, see --port-file)\n"
"  --port-file FILE          write the port listened on to FILE\n"
"  --tokens FILE             'TOKEN HOST-GLOB' per line; without it only\n"
"                            loopback clients may upload\n"
"  --max-upload BYTES        largest upload (default 64M)\n"
"  --max-decompressed BYTES  largest inflated upload (default 512M)\n"
"  --threads N               HTTP threads (default 4)\n"
"  --queue N                 profiles waiting for the writer before 503\n"
"                            (default 256)\n"
"  --batch N                 profiles per transaction (default 64)\n"
"  --timeout SECONDS         close idle connections (default 30)\n"
"  --max-connections N       open connections (default 4096)\n"
"  --max-connections-per-ip N\n"
"                            open connections from one address (default:\n"
"                            no limit; agents behind one NAT or proxy\n"
"                            share an address)\n"
"  --request-timeout SECONDS\n"
"                            close an upload whose body is not in after\n"
"                            SECONDS (default 300), however steadily it\n"
"                            trickles\n"
"  --tls-cert FILE --tls-key FILE   serve HTTPS (PEM files)\n");
}

struct opt_num {
	int c;
	uint64_t lo, hi;
	unsigned *dst;
};

int
ff_cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "tokens", required_argument, NULL, 'T' },
		{ "max-upload", required_argument, NULL, 'u' },
		{ "max-decompressed", required_argument, NULL, 'z' },
		{ "threads", required_argument, NULL, 't' },
		{ "queue", required_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "max-connections-per-ip", required_argument, NULL, 'P' },
		{ "request-timeout", required_argument, NULL, 'R' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "no-sync", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	ff_server_opts o;
	ff_web *web;
	struct opt_num nums[] = {
		{ 't', 1, 256, &o.threads }, { 'q', 1, 100000, &o.queue_max },
		{ 'b', 1, 4096, &o.batch_max }, { 'o', 1, 3600, &o.timeout_s },
		{ 'm', 16, 1000000, &o.max_conns },
		{ 'P', 1, 1000000, &o.per_ip }, { 'R', 1, 86400, &o.request_s },
	};
	size_t i;
	uint64_t v;
	ff_err err;
	ff_rc rc = FF_OK;
	int c;

	memset(&o, 0, sizeof o);
	ff_err_init(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		for (i = 0; i < sizeof nums / sizeof *nums; i++)
			if (nums[i].c == c) {
				rc = ff_cmd_uint(optarg, nums[i].lo, nums[i].hi,
				    &v, &err);
				*nums[i].dst = (unsigned)v;
			}
		switch (c) {
		case 'd': o.db = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'p': o.port_file = optarg; break;
		case 'T': o.tokens = optarg; break;
		case 'C': o.tls_cert = optarg; break;
		case 'K': o.tls_key = optarg; break;
		case 'n': o.nosync = 1; break;
		case 'u': rc = ff_cmd_size(optarg, &o.max_upload, &err); break;
		case 'z':
			rc = ff_cmd_size(optarg, &o.max_decompressed, &err);
			break;
		case 'h': usage(stdout); return 0;
		case '?': usage(stderr); return 2;
		default: break;
		}
		if (rc != FF_OK)
			return ff_cmd_usage_error("serve", "%s", ff_err_msg(&err));
	}
	if (o.db == NULL)
		return ff_cmd_usage_error("serve", "--db PATH is required");
	if (optind != argc)
		return ff_cmd_usage_error("serve", "unexpected argument '%s'",
		    argv[optind]);
	if ((o.tls_cert == NULL) != (o.tls_key == NULL))
		return ff_cmd_usage_error("serve", "--tls-cert and --tls-key "
		    "go together");
	if ((web = ff_web_new()) == NULL)
		return ff_cmd_usage_error("serve", "out of memory");
	o.web.known = ff_web_known;
	o.web.get = ff_web_get;
	o.web.ctx = web;
	rc = ff_server_run(&o, &err);
	ff_web_free(web);
	if (rc != FF_OK)
		return ff_cmd_fail(&err);
	return 0;
}
