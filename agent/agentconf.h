/*
 * agentconf.h -- the agent's configuration file (agent.conf).
 *
 * An ini-style text file; scripts/agent.conf.example documents every key.
 *
 *   | element   | rule                                                     |
 *   |-----------|----------------------------------------------------------|
 *   | line      | at most FF_AGENTCONF_LINE_MAX bytes, '\n' or "\r\n"       |
 *   | comment   | a line whose first non-blank byte is '#' or ';'          |
 *   | blank     | empty or only spaces and tabs: ignored                   |
 *   | setting   | KEY = VALUE; blanks around both are removed; VALUE may   |
 *   |           | be empty only where the key says so; no inline comments |
 *   | section   | [profile NAME]: the settings after it, up to the next    |
 *   |           | section, describe one profile; NAME is [A-Za-z0-9_.-],   |
 *   |           | 1-64 bytes, unique.  Settings before the first section   |
 *   |           | are global ([agent] may be written for them)             |
 *   | file      | at most FF_AGENTCONF_FILE_MAX bytes, UTF-8 text, no NUL  |
 *
 * Unknown keys and sections, repeated keys, values out of range and
 * missing required keys are errors whose message names "file:line".
 */
#ifndef FF_AGENTCONF_H
#define FF_AGENTCONF_H

#include "agent/collapse.h"
#include "profile/err.h"
#include "profile/ffp.h"

#include <stddef.h>
#include <stdint.h>

#define FF_AGENTCONF_DEFAULT "/etc/flamefleet/agent.conf"
#define FF_AGENTCONF_SPOOL_DEFAULT "/var/spool/flamefleet"
#define FF_AGENTCONF_LINE_MAX 4096u
#define FF_AGENTCONF_FILE_MAX (1u << 20)
#define FF_AGENTCONF_PROFILES_MAX 32u
#define FF_AGENTCONF_NAME_MAX 64u

/* One [profile NAME] section.  All strings are owned by the config. */
typedef struct ff_agentconf_profile {
	char *name;
	unsigned line;            /* of its [profile] header, for messages */
	char *command;            /* run with /bin/sh -c */
	char *output;             /* a file the command writes; NULL = stdout */
	int folded;               /* the output is folded text already */
	ff_collapse_opts collapse; /* format, events, periods */
	char *type;               /* metadata type, default "cpu" */
	unsigned duration_s;      /* passed to the command, recorded */
	unsigned timeout_s;       /* the command is killed after this */
	char *labels_cmd;         /* prints key=value lines; may be NULL */
	unsigned nlabels;
	ff_label *labels;         /* static labels of this profile */
} ff_agentconf_profile;

/* The whole file.  Caller-owned: ff_agentconf_init cannot fail and sets
 * the defaults; ff_agentconf_free releases everything and leaves the
 * defaults again. */
typedef struct ff_agentconf {
	char *path;               /* the file read, for messages */
	char *server;             /* base URL, http:// or https:// */
	char *token_file;         /* NULL: no Authorization header */
	char *spool_dir;
	uint64_t spool_max_bytes;
	uint64_t spool_max_files;
	char *host;               /* NULL: the host name */
	char *build_cmd;          /* exactly one of build_cmd, build_file */
	char *build_file;
	unsigned splay_s;
	unsigned deadline_s;
	unsigned connect_timeout_s;
	unsigned upload_timeout_s;
	char *tls_ca;             /* CA bundle; NULL: the system's */
	char *tls_cert;           /* client certificate (PEM) */
	char *tls_key;            /* its private key (PEM) */
	int zstd_level;
	unsigned nlabels;
	ff_label *labels;         /* static labels of every profile */
	unsigned nprofiles;
	ff_agentconf_profile *profiles;
} ff_agentconf;

void ff_agentconf_init(ff_agentconf *c);
void ff_agentconf_free(ff_agentconf *c);

/* Read and check path (at most FF_AGENTCONF_FILE_MAX bytes).  On error c
 * is left with its defaults and err names the file and line. */
ff_rc ff_agentconf_load(ff_agentconf *c, const char *path, ff_err *err)
	FF_WUR;

/* The same on text[0..len) named `name` in messages (borrowed). */
ff_rc ff_agentconf_parse(ff_agentconf *c, const char *text, size_t len,
    const char *name, ff_err *err) FF_WUR;

/* The profile called name, or NULL. */
const ff_agentconf_profile *ff_agentconf_find(const ff_agentconf *c,
    const char *name);

/* Whether key is a valid label key ([A-Za-z0-9_.-], 1-64 bytes) and value
 * a valid label value (at most 255 bytes of printable UTF-8). */
int ff_agentconf_label_key_ok(const char *key, size_t len);
int ff_agentconf_label_value_ok(const char *value, size_t len);

/* Parse "k=v,k2=v2" (blanks around items removed) into labels[]
 * (*n entries, growing it), refusing bad keys or values and duplicates. */
ff_rc ff_agentconf_parse_labels(ff_label **labels, unsigned *n,
    const char *list, ff_err *err) FF_WUR;

/* Free n labels and the array. */
void ff_agentconf_free_labels(ff_label *labels, unsigned n);

#endif
