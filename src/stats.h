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
#include "src/worker.h"

struct stats_src {
	struct worker *workers;
	unsigned nworkers;
	struct writer *wr;
	struct pcapin_stats *file;   /* NULL for live input */
	struct livein_stats *live;   /* NULL for file input */
	double t_start;              /* monotonic seconds at start */
};

/** Monotonic clock in seconds. */
double stats_now(void);

/** One-line progress report (writer thread timer). */
void stats_tick(void *src);

/** The exit summary. */
void stats_summary(FILE *f, const struct stats_src *s);

#endif /* DR_STATS_H */
