/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.h: adding up the per-thread counters and printing them (prefix stats_).
 * Readers run on other threads than the counters' writers; see dr_ctr.
 */
#ifndef DR_STATS_H
#define DR_STATS_H

#include <stdio.h>

#include "capture/livein.h"
#include "capture/pcapin.h"
#include "output/writer.h"
#include "src/metrics.h"
#include "src/worker.h"

struct stats_src {
	struct worker *workers;
	unsigned nworkers;
	struct writer *wr;
	struct pcapin_stats *file;   /* NULL for live input */
	struct livein_stats *live;   /* NULL for file input */
	double t_start;              /* monotonic seconds at start */
	const struct dr_opts *opts;  /* set by stats_start; NULL: stats line only */
	struct metrics *metrics;     /* --stats-json / --metrics, src/metrics.h */
};

/** Monotonic clock in seconds. */
double stats_now(void);

/**
 * Open the --stats-json / --metrics files (an initial --metrics file is
 * written). Call after the workers are set up and before the writer thread
 * starts. @return 0, or -errno after printing one line.
 */
int stats_start(struct stats_src *s, const struct dr_opts *o);

/**
 * The periodic report (writer thread timer): the stats line on stderr
 * (unless opts->stats_line is 0) and the --stats-json / --metrics files.
 */
void stats_tick(void *src);

/**
 * The exit report to --stats-json ("final":true) and --metrics
 * (dnsring_running 0), then close. Call once every worker has finished
 * and the writer thread has ended (writer_join). Safe to call twice or
 * without stats_start.
 */
void stats_stop(struct stats_src *s);

/** The exit summary. */
void stats_summary(FILE *f, const struct stats_src *s);

#endif /* DR_STATS_H */
