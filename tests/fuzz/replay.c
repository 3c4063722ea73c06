/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c: run a fuzz target over files, without libFuzzer.
 *
 *   replay_TARGET FILE|DIR...
 *
 * Linked with one fuzz target in place of libFuzzer's driver, so the seeds
 * and the regression inputs (tests/fuzz/regress/TARGET/: crashes found and
 * fixed) run in every build under `make check` (tests/fuzz/replay.sh), and
 * a crash file can be debugged with gdb or valgrind in a plain build. Each
 * file is passed to LLVMFuzzerTestOneInput() once, from a heap block of
 * exactly its size. A broken invariant aborts (FUZZ_CHECK). Directories are
 * read one level deep, in name order; dot files are skipped.
 * Exit: 0 all ran, 1 a file could not be read.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!nb) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		return -1;
	}
	/* exactly n bytes, so that ASan sees a read one past the end */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int run_dir(const char *dir, unsigned *count)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, not_dot, by_name), rc = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat sb;

		if (snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name) >=
		    (int)sizeof(path)) {
			rc = -1;
		} else if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (run_file(path) < 0)
				rc = -1;
			else
				(*count)++;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				rc = 1;
		} else if (run_file(argv[i]) < 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("replay: %u inputs run\n", count);
	return rc;
}
