/*
 * test_agentconf.c -- agent.conf: every key, defaults, and errors that
 * name file:line.
 */
#include "testutil.h"

#include "agent/agentconf.h"
#include "profile/mem.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ff_rc
parse(ff_agentconf *c, const char *text, ff_err *err)
{
	ff_err_init(err);
	return ff_agentconf_parse(c, text, strlen(text), "agent.conf", err);
}

static const char full[] =
"# a comment\n"
"; another\n"
"server = https://store.example.net:8443/ff/\n"
"token_file = /etc/flamefleet/token\n"
"spool_dir = /var/spool/ff\n"
"spool_max_bytes = 64M\n"
"spool_max_files = 50\n"
"host = cache-017\n"
"build_cmd = cat /etc/release\n"
"splay_s = 60\n"
"deadline_s = 300\n"
"connect_timeout_s = 5\n"
"upload_timeout_s = 30\n"
"tls_ca_file = /etc/ssl/ca.pem\n"
"tls_cert_file = /etc/ssl/c.pem\n"
"tls_key_file = /etc/ssl/c.key\n"
"zstd_level = 9\n"
"labels = site=ams2, rack = r12\n"
"labels = tier=edge\n"
"\r\n"
"[profile cpu]\n"
"command = /usr/local/share/flamefleet/profilers/perf-cpu.sh\n"
"format = perf\n"
"type = cpu\n"
"duration_s = 30\n"
"timeout_s = 90\n"
"labels_cmd = /usr/local/bin/labels\n"
"\n"
"[ profile cpi ]\n"
"command = perf-cpi.sh\n"
"format = perf\n"
"type = cpi\n"
"events = cycles,instructions\n"
"periods = 100000,100000\n"
"labels = kind=cpi\n"
"output = /var/tmp/cpi.txt\n"
"[profile off]\n"
"command = procstat-offcpu.sh\n"
"format = procstat\n"
"type = offcpu\n"
"periods = 100\n"
"[profile f]\n"
"command = cat x.folded\n"
"format = folded\n";

static void
test_full(void **state)
{
	ff_agentconf c;
	const ff_agentconf_profile *p;
	ff_err err;

	(void)state;
	ff_agentconf_init(&c);
	assert_int_equal(parse(&c, full, &err), FF_OK);
	assert_string_equal(c.server, "https://store.example.net:8443/ff");
	assert_string_equal(c.token_file, "/etc/flamefleet/token");
	assert_string_equal(c.spool_dir, "/var/spool/ff");
	assert_int_equal(c.spool_max_bytes, 64u << 20);
	assert_int_equal(c.spool_max_files, 50);
	assert_string_equal(c.host, "cache-017");
	assert_string_equal(c.build_cmd, "cat /etc/release");
	assert_null(c.build_file);
	assert_int_equal(c.splay_s, 60);
	assert_int_equal(c.deadline_s, 300);
	assert_int_equal(c.connect_timeout_s, 5);
	assert_int_equal(c.upload_timeout_s, 30);
	assert_string_equal(c.tls_ca, "/etc/ssl/ca.pem");
	assert_string_equal(c.tls_cert, "/etc/ssl/c.pem");
	assert_string_equal(c.tls_key, "/etc/ssl/c.key");
	assert_int_equal(c.zstd_level, 9);
	assert_int_equal(c.nlabels, 3);
	assert_string_equal(c.labels[1].key, "rack");
	assert_string_equal(c.labels[1].value, "r12");
	assert_int_equal(c.nprofiles, 4);
	p = ff_agentconf_find(&c, "cpu");
	assert_non_null(p);
	assert_int_equal(p->collapse.format, FF_COLLAPSE_PERF);
	assert_int_equal(p->duration_s, 30);
	assert_int_equal(p->timeout_s, 90);
	assert_string_equal(p->labels_cmd, "/usr/local/bin/labels");
	assert_null(p->output);
	p = ff_agentconf_find(&c, "cpi");
	assert_non_null(p);
	assert_int_equal(p->collapse.nevents, 2);
	assert_string_equal(p->collapse.events[1], "instructions");
	assert_int_equal(p->collapse.periods[0], 100000);
	assert_string_equal(p->type, "cpi");
	assert_string_equal(p->output, "/var/tmp/cpi.txt");
	assert_int_equal(p->nlabels, 1);
	p = ff_agentconf_find(&c, "off");
	assert_int_equal(p->collapse.format, FF_COLLAPSE_PROCSTAT);
	assert_int_equal(p->collapse.periods[0], 100);
	p = ff_agentconf_find(&c, "f");
	assert_true(p->folded);
	assert_string_equal(p->type, "cpu");           /* default */
	assert_int_equal(p->timeout_s, 120);           /* default */
	assert_null(ff_agentconf_find(&c, "nope"));
	ff_agentconf_free(&c);
	assert_null(c.server);
}

static void
test_defaults(void **state)
{
	ff_agentconf c;
	ff_err err;

	(void)state;
	ff_agentconf_init(&c);
	assert_int_equal(parse(&c, "server=http://127.0.0.1:1", &err), FF_OK);
	assert_string_equal(c.spool_dir, FF_AGENTCONF_SPOOL_DEFAULT);
	assert_int_equal(c.spool_max_files, 1000);
	assert_int_equal(c.splay_s, 300);
	assert_int_equal(c.deadline_s, 600);
	assert_null(c.host);
	assert_int_equal(c.nprofiles, 0);
	ff_agentconf_free(&c);
}

/* text must fail with a message that contains want. */
static void
bad(const char *text, const char *want)
{
	ff_agentconf c;
	ff_err err;

	ff_agentconf_init(&c);
	if (parse(&c, text, &err) == FF_OK)
		fail_msg("accepted: %s", text);
	if (strstr(err.msg, want) == NULL)
		fail_msg("for %s: message '%s' lacks '%s'", text, err.msg,
		    want);
	assert_null(c.server);
	assert_int_equal(c.nprofiles, 0);
	ff_agentconf_free(&c);
}

#define S "server = http://h\n"
#define B "build_file = /etc/release\n"

static void
test_errors_name_the_line(void **state)
{
	(void)state;
	bad(S "bogus = 1\n", "agent.conf:2: unknown key 'bogus'");
	bad(S "splay_s = 1\nsplay_s = 2\n", "agent.conf:3: 'splay_s' is set "
	    "twice");
	bad(S "splay_s = -1\n", "agent.conf:2: '-1' is not a number");
	bad(S "splay_s = 99999999\n", "agent.conf:2: splay_s must be between");
	bad(S "deadline_s = 0\n", ":2: deadline_s must be between 1");
	bad(S "spool_max_bytes = 12Q\n", ":2: '12Q' is not a byte count");
	bad(S "spool_max_bytes = 99999999999999999999\n", "too large");
	bad(S "spool_dir = relative/dir\n", ":2: spool_dir must be an "
	    "absolute path");
	bad("server = ftp://h\n", ":1: server must be an http:// or https://");
	bad("server = http://\n", ":1: server 'http://' is not a valid URL");
	bad("server = http://h/?q=1\n", "query");
	bad(S "host = \n", ":2: host must be 1-255 bytes");
	bad(S "labels = site\n", ":2: label 'site' is not KEY=VALUE");
	bad(S "labels = a b=1\n", ":2: label key 'a b' must be");
	bad(S "labels = a=1,a=2\n", ":2: label 'a' is given twice");
	bad(S "[profile]\n", ":2: unknown section '[profile]'");
	bad(S "[profile a b]\n", ":2: profile name 'a b' must be");
	bad(S "[bogus]\n", ":2: unknown section '[bogus]'");
	bad(S "[profile x\n", ":2: a section header must end with ']'");
	bad(S B "[profile x]\ncommand=a\n[profile x]\ncommand=b\n",
	    ":5: profile 'x' is defined twice (first on line 3)");
	bad(S B "[profile x]\nformat = perf\n", "agent.conf:3: profile 'x' "
	    "has no command");
	bad(S B "[profile x]\ncommand=a\nformat = gprof\n", ":5: unknown "
	    "format 'gprof'");
	bad(S B "[profile x]\ncommand=a\nevents = a,,b\n", ":5: empty event");
	bad(S B "[profile x]\ncommand=a\nevents = a;b\n", ":5: event 'a;b' has "
	    "a character");
	bad(S B "[profile x]\ncommand=a\nevents=a,b\nperiods = 1\n",
	    "agent.conf:6: profile 'x' has 1 periods for 2 events");
	bad(S B "[profile x]\ncommand=a\nperiods = 0\n", ":5: period '0'");
	bad(S B "[profile x]\ncommand=a\ntype = c p u\n", ":5: type must be");
	bad(S B "[profile x]\ncommand=a\nserver = http://x\n", ":5: unknown "
	    "key 'server' in a [profile] section");
	bad(S B "[profile x]\ncommand=a\n[agent]\n", ":5: [agent] must come "
	    "before");
	bad(S "just words\n", ":2: expected KEY = VALUE");
	bad(S "command = \x01\n", ":2: unknown key");
	bad(S B "[profile x]\ncommand = a\x01b\n", ":4: command has control "
	    "characters");
	bad(S "host = \xff\xfe\n", ":2: host has control characters or "
	    "invalid UTF-8");
	bad("splay_s = 1\n", "agent.conf: 'server' is required");
	bad(S B "build_cmd = x\n", "set build_cmd or build_file, not both");
	bad(S "[profile x]\ncommand=a\n", "profiles need build_cmd or "
	    "build_file");
	bad(S "tls_cert_file = /c\n", "tls_cert_file and tls_key_file go "
	    "together");
}

static void
test_bounds(void **state)
{
	char *text, *p;
	size_t i, n = 64 * FF_AGENTCONF_LINE_MAX;
	ff_agentconf c;
	ff_err err;

	(void)state;
	ff_agentconf_init(&c);
	text = malloc(n);
	/* An over-long line. */
	p = text + sprintf(text, S "build_cmd = ");
	memset(p, 'x', FF_AGENTCONF_LINE_MAX);
	strcpy(p + FF_AGENTCONF_LINE_MAX, "\n");
	assert_int_equal(parse(&c, text, &err), FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "agent.conf:2: line longer than"));
	/* A NUL byte. */
	assert_int_equal(ff_agentconf_parse(&c, S "a\0b\n", sizeof S + 3,
	    "agent.conf", &err), FF_ERR_PARSE);
	assert_non_null(strstr(err.msg, "agent.conf:2: NUL byte"));
	/* Too many profiles. */
	p = text + sprintf(text, S B);
	for (i = 0; i <= FF_AGENTCONF_PROFILES_MAX; i++)
		p += sprintf(p, "[profile p%zu]\ncommand = c\n", i);
	assert_int_equal(parse(&c, text, &err), FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "at most 32 profiles"));
	/* Too many labels. */
	p = text + sprintf(text, S);
	for (i = 0; i <= 64; i++)
		p += sprintf(p, "labels = k%zu=v\n", i);
	assert_int_equal(parse(&c, text, &err), FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, ":66: at most 64 labels"));
	free(text);
	ff_agentconf_free(&c);
}

static void
test_load_file(void **state)
{
	const char *path = ff_test_fmt("%s/agent.conf", ff_test_tmpdir());
	char *big;
	ff_agentconf c;
	ff_err err;

	(void)state;
	ff_agentconf_init(&c);
	assert_int_equal(ff_test_write(path, full, strlen(full)), 0);
	ff_err_init(&err);
	assert_int_equal(ff_agentconf_load(&c, path, &err), FF_OK);
	assert_string_equal(c.path, path);
	assert_int_equal(c.nprofiles, 4);
	assert_int_equal(ff_agentconf_load(&c, "/nonexistent/agent.conf",
	    &err), FF_ERR_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/agent.conf"));
	assert_null(c.server);
	big = calloc(1, FF_AGENTCONF_FILE_MAX + 10);
	memset(big, '#', FF_AGENTCONF_FILE_MAX + 9);
	assert_int_equal(ff_test_write(path, big, FF_AGENTCONF_FILE_MAX + 9),
	    0);
	assert_int_equal(ff_agentconf_load(&c, path, &err), FF_ERR_LIMIT);
	free(big);
	ff_agentconf_free(&c);
}

/* Every allocation failure ends in a clean error and no leak. */
static void
test_out_of_memory(void **state)
{
	unsigned long i, need;
	ff_agentconf c;
	ff_err err;
	ff_rc rc;

	(void)state;
	ff_agentconf_init(&c);
	ff_mem_fail_at(ULONG_MAX, 0);
	assert_int_equal(parse(&c, full, &err), FF_OK);
	need = ff_mem_fail_at(0, 0);
	ff_agentconf_free(&c);
	for (i = 1; i <= need; i++) {
		ff_mem_fail_at(i, 1);
		rc = parse(&c, full, &err);
		ff_mem_fail_at(0, 0);
		assert_int_equal(rc, FF_ERR_NOMEM);
		assert_null(c.server);
	}
	ff_agentconf_free(&c);
}

/* The documented example is a valid configuration. */
static void
test_example(void **state)
{
	ff_agentconf c;
	ff_err err;

	(void)state;
	ff_agentconf_init(&c);
	ff_err_init(&err);
	if (ff_agentconf_load(&c, ff_test_source("scripts/agent.conf.example"),
	    &err) != FF_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(c.nprofiles, 3);
	assert_int_equal(c.nlabels, 3);
	assert_non_null(ff_agentconf_find(&c, "offcpu"));
	ff_agentconf_free(&c);
}

static void
test_labels_list(void **state)
{
	ff_label *l = NULL;
	unsigned n = 0;
	ff_err err;

	(void)state;
	assert_int_equal(ff_agentconf_parse_labels(&l, &n, " a=1 , b = two "
	    "words ,, ", &err), FF_OK);
	assert_int_equal(n, 2);
	assert_string_equal(l[1].value, "two words");
	assert_true(ff_agentconf_label_key_ok("a.b-c_D9", 8));
	assert_false(ff_agentconf_label_key_ok("a/b", 3));
	assert_false(ff_agentconf_label_value_ok("a\tb", 3));
	ff_agentconf_free_labels(l, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_labels_list),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
