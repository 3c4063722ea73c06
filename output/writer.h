/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * writer.h: the libuv writer thread and the output batches (prefix writer_).
 *
 * Workers format records into batches (plain byte buffers of whole NDJSON
 * lines). A full batch goes to the writer over the worker's SPSC queue,
 * followed by uv_async_send(): the only libuv call a worker makes. The
 * writer thread runs a libuv loop: its async callback drains every queue
 * (wakeups coalesce, so it always drains everything), writes the batches to
 * the sink with writev, and returns them to their worker's free pool. That
 * pool is bounded (batches_per_worker), so a slow sink makes workers wait
 * for a free batch: backpressure, never unbounded memory.
 *
 * The same loop owns the signal handles (SIGINT/SIGTERM: stop and flush
 * everything in flight), the stats timer and the --duration timer.
 */
#ifndef DR_WRITER_H
#define DR_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "src/common.h"

struct dr_batch {
	char *buf;
	size_t cap;      /* bytes at buf */
	size_t len;      /* bytes of whole records at buf */
	uint32_t nrec;   /* records in it */
	uint16_t worker; /* owner */
	uint8_t last;    /* the worker's final batch: it submits nothing after */
};

struct writer_cfg {
	const char *path;             /* NULL or "-": stdout; else a file, appended */
	unsigned nworkers;
	size_t batch_size;            /* bytes per batch */
	unsigned batches_per_worker;  /* pool size per worker (>= 2) */
	uint64_t max_records;         /* -c: 0 = no limit */
	double duration;              /* --duration seconds: 0 = none */
	unsigned stats_interval;      /* seconds between tick() calls: 0 = none */
	void (*tick)(void *arg);      /* called on the writer thread */
	void *tick_arg;
};

struct writer_stats {
	dr_ctr records;        /* records written to the sink */
	dr_ctr bytes;          /* bytes written to the sink */
	dr_ctr batches;
	dr_ctr past_limit;     /* records formatted after -c was reached: not wanted */
	dr_ctr sink_lost;      /* records not written because the sink failed */
	dr_ctr write_errors;
};

struct writer;

/** Open the sink and allocate the pools. @return 0 or -errno (message on stderr). */
int writer_create(struct writer **out, const struct writer_cfg *cfg);
/** Start the writer thread. @return 0 or -errno. */
int writer_start(struct writer *wr);
/** Wait for the writer to finish: every worker has submitted its last batch. */
void writer_join(struct writer *wr);
void writer_destroy(struct writer *wr);

/**
 * Get an empty batch for worker w, waiting while the writer is behind
 * (backpressure). Called only by worker w.
 */
struct dr_batch *writer_batch_get(struct writer *wr, unsigned w);
/** Hand a batch to the writer (worker w's thread only). */
void writer_batch_submit(struct writer *wr, struct dr_batch *b);

const struct writer_stats *writer_stats(const struct writer *wr);
/** 0 if the sink worked to the end, else the -errno that broke it. */
int writer_error(const struct writer *wr);

#endif /* DR_WRITER_H */
