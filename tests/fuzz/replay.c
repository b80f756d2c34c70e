/*
 * replay.c -- run a fuzz target over saved inputs, without libFuzzer.
 *
 *     fuzz_NAME_replay DIR_OR_FILE...
 *
 * Feeds every file (of each directory, in name order) to
 * LLVMFuzzerTestOneInput, so the corpus is an ordinary regression test:
 * a crash, a sanitizer report or a leak fails it.  A missing directory
 * is an error: the corpus belongs to the repository.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (n == cap) {
			unsigned char *b = realloc(buf, cap = cap * 2 + 65536);

			if (b == NULL) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = b;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; returns how many ran, or
 * -1. */
static int
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, i;
	int ran = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof *names);
		if (nn == NULL || (nn[n] = strdup(e->d_name)) == NULL) {
			free(nn != NULL ? nn : names);
			closedir(d);
			return -1;
		}
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (run_file(path) == 0)
			ran++;
		free(names[i]);
	}
	free(names);
	return ran;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, total = 0, ran;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? run_dir(argv[i]) :
		    run_file(argv[i]) == 0 ? 1 : -1;
		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("%s: %d inputs replayed\n", argv[0], total);
	return total > 0 ? 0 : 1;
}
