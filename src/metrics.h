/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.h: the counters as machine-readable files (prefix metrics_).
 *
 *   --stats-json FILE  one JSON object per line, appended each stats
 *                      interval and once at exit ("final":true): per-worker
 *                      and total counters, the writer's and the input's.
 *                      The file is opened for each line (O_APPEND) and the
 *                      line written with one write(), so logrotate can move
 *                      it at any time and readers never see half a line.
 *   --metrics FILE     Prometheus text exposition format (0.0.4) for
 *                      node_exporter's textfile collector, rewritten each
 *                      interval and at exit as FILE.tmp then rename(), so
 *                      the collector never reads a partial file. Counters are
 *                      dnsring_<name>_total with worker="N" (and reason="..."
 *                      for malformed messages and skipped frames); sum over
 *                      workers in PromQL.
 *
 * Both come from one table of counters (metrics.c), so a counter added
 * there appears in both with the same name (the JSON key is the Prometheus
 * name without "dnsring_" and "_total"). Runs on the writer thread (the
 * stats timer) and once on the main thread after the writer has ended:
 * never concurrently.
 */
#ifndef DR_METRICS_H
#define DR_METRICS_H

struct dr_opts;
struct stats_src;
struct metrics;

/**
 * Check that the files can be written (an initial --metrics file is
 * written at once, with zero counters). Prints one line on failure.
 * @return 0 (and *out NULL when neither option is given) or -errno.
 */
int metrics_open(struct metrics **out, const struct dr_opts *o, const struct stats_src *s);

/**
 * Write one interval (final = 0) or the exit state (final = 1). A failure
 * prints one warning line (once until writes work again) and is counted;
 * capture goes on.
 */
void metrics_write(struct metrics *m, const struct stats_src *s, int final);

void metrics_close(struct metrics *m);

#endif /* DR_METRICS_H */
