/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-decoder.c: time the DNS decoders alone, ns per message.
 *
 *   bench-decoder [-n ROUNDS] [-d ldns,fast] CAPTURE...
 *
 * Loads every UDP DNS payload of the captures into memory first
 * (tests/msgload.h, the pipeline's own pkt_decode), so only the decoder's
 * render() is timed: no I/O, no L2-L4, no record envelope. Output is
 * appended to a 1 MiB batch buffer that starts over when less than 64 KiB
 * is left, as the pipeline's batches do. Each decoder runs ROUNDS passes
 * over all messages; the fastest pass is reported (the least disturbed by
 * the other processes on the machine), with the median beside it.
 * Built and run by scripts/bench-decoder.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/dns.h"
#include "tests/msgload.h"

#define BATCH (1u << 20)
#define BATCH_LOW (64u << 10)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One pass over all messages; ns per message. The sink keeps the
 * compiler from dropping the work. */
static double pass(const struct dns_decoder_ops *ops, struct dns_decoder *dec,
		   const struct msgs *m, char *batch, uint64_t *sink)
{
	struct dns_summary sum;
	struct jbuf jb;
	double t0;

	jb_init(&jb, batch, BATCH);
	t0 = now_ns();
	for (size_t i = 0; i < m->n; i++) {
		if (jb_room(&jb) < BATCH_LOW) {
			*sink += (uint64_t)(jb.p - batch);
			jb_init(&jb, batch, BATCH);
		}
		*sink += ops->render(dec, msgs_data(m, i), m->len[i], &jb, &sum);
	}
	*sink += (uint64_t)(jb.p - batch);
	return (now_ns() - t0) / (double)m->n;
}

static int bench(const char *name, const struct msgs *m, int rounds, char *batch)
{
	const struct dns_decoder_ops *ops = dns_decoder_find(name);
	struct dns_decoder *dec;
	double *t = calloc((size_t)rounds, sizeof(*t));
	uint64_t sink = 0, bytes = 0;
	struct dns_summary sum;

	if (!ops && strcmp(name, "fast") == 0)
		ops = &dns_fast_decoder; /* before it is registered */
	if (!ops || !t || ops->create(&dec) != 0) {
		fprintf(stderr, "bench-decoder: no decoder %s\n", name);
		free(t);
		return -1;
	}
	for (size_t i = 0; i < m->n; i++) { /* output size, and a warm-up */
		struct jbuf jb;

		jb_init(&jb, batch, BATCH);
		ops->render(dec, msgs_data(m, i), m->len[i], &jb, &sum);
		bytes += (uint64_t)(jb.p - batch);
	}
	for (int r = 0; r < rounds; r++)
		t[r] = pass(ops, dec, m, batch, &sink);
	qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
	printf("%-5s %8.1f ns/msg (median %7.1f)  %6.2f M msgs/s  %5.0f B JSON/msg\n",
	       name, t[0], t[rounds / 2], 1e3 / t[0], (double)bytes / (double)m->n);
	ops->destroy(dec);
	free(t);
	return sink == 42 ? 1 : 0; /* never: only uses the sink */
}

int main(int argc, char **argv)
{
	const char *decoders = "ldns,fast";
	struct msgs m = { 0 };
	int rounds = 20, i, rc = 0;
	char *batch, *list, *name, *next;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			rounds = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			decoders = argv[++i];
		else
			break;
	}
	if (i >= argc || rounds < 1) {
		fputs("usage: bench-decoder [-n ROUNDS] [-d ldns,fast] CAPTURE...\n",
		      stderr);
		return 2;
	}
	for (; i < argc; i++)
		if (msgs_load(&m, argv[i]) != 0)
			return 1;
	if (m.n == 0) {
		fputs("bench-decoder: no DNS messages\n", stderr);
		return 1;
	}
	printf("%zu UDP DNS messages (%.0f B avg), %d rounds, best round:\n",
	       m.n, (double)m.used / (double)m.n, rounds);
	batch = malloc(BATCH);
	list = strdup(decoders);
	if (!batch || !list)
		return 1;
	for (name = list; name; name = next) { /* "ldns,fast" */
		next = strchr(name, ',');
		if (next)
			*next++ = 0;
		if (bench(name, &m, rounds, batch) != 0)
			rc = 1;
	}
	free(list);
	free(batch);
	msgs_free(&m);
	return rc;
}
