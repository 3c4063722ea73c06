/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * writer.h: the libuv writer thread and the output batches (prefix writer_).
 *
 * Workers format records into batches (plain byte buffers of whole NDJSON
 * lines). A full batch goes to the writer over the worker's SPSC queue,
 * followed by uv_async_send(): the only libuv call a worker makes. The
 * writer thread runs a libuv loop: its async callback drains every queue
 * (wakeups coalesce, so it always drains everything), hands the batches to
 * the sinks (output/sink.h: stdout and files are written with writev, on a
 * pipe, terminal or socket without blocking; streams copy them into their
 * backlog) and returns them to their worker's free pool (a stdout whose
 * reader is behind keeps them until it has written them). That pool is bounded (batches_per_worker), so a slow sink makes
 * workers wait for a free batch: backpressure, never unbounded memory.
 *
 * --on-full block (default): a stream whose backlog is full makes the writer
 * hold the next batch until there is room, so workers wait too (live
 * capture: the kernel ring absorbs bursts and counts its drops; file input
 * never drops: the reader waits). --on-full drop: a worker that finds no
 * free batch empties its current one instead of waiting (its records are
 * counted per worker), and streams drop whole records that do not fit in
 * the backlog (counted per sink). Either way every record is accounted for:
 *   formed = written + sink_lost + past_limit + onfull_records   (one -o;
 * with several -o each sink accounts for every record on its own).
 *
 * The same loop owns the signal handles (SIGINT/SIGTERM: stop and flush
 * everything in flight; SIGHUP: reopen output files), the stats timer and
 * the --duration timer. After a stop request, streams get WRITER_GRACE_MS
 * to deliver their backlog, and a non-blocking stdout as long for its
 * reader; then what is left is counted as lost at exit.
 */
#ifndef DR_WRITER_H
#define DR_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "src/common.h"

struct dr_batch {
	char *buf;
	size_t cap;      /* bytes at buf */
	size_t len;      /* bytes of whole records at buf */
	uint32_t nrec;   /* records in it */
	uint16_t worker; /* owner */
	uint8_t last;    /* the worker's final batch: it submits nothing after */
};

#define WRITER_MAX_SINKS 8
#define WRITER_GRACE_MS  5000   /* after a stop, streams and stdout get this long to deliver */

struct writer_cfg {
	const char *path;             /* no outputs: NULL or "-" = stdout, else a file */
	const char *const *outputs;   /* -o values (sink.h), noutputs of them */
	unsigned noutputs;            /* 0..WRITER_MAX_SINKS */
	uint64_t rotate_bytes;        /* files: size rotation, 0 = off */
	unsigned rotate_keep;         /* files: FILE.1 .. FILE.K */
	size_t backlog_bytes;         /* streams: backlog (at least 2 batches) */
	int on_full_drop;             /* --on-full drop (live capture only) */
	unsigned nworkers;
	size_t batch_size;            /* bytes per batch */
	unsigned batches_per_worker;  /* pool size per worker (>= 2) */
	uint64_t max_records;         /* -c: 0 = no limit */
	double duration;              /* --duration seconds: 0 = none */
	unsigned stats_interval;      /* seconds between tick() calls: 0 = none */
	void (*tick)(void *arg);      /* called on the writer thread */
	void *tick_arg;
};

/*
 * Totals. Written by the writer thread only: the sums over sinks and
 * workers are refreshed at every wakeup and right before each tick, and
 * are exact once writer_join() returned.
 */
struct writer_stats {
	dr_ctr records;        /* records written whole (sum over sinks) */
	dr_ctr bytes;          /* bytes of those records (sum over sinks) */
	dr_ctr batches;        /* batches handed to the sinks */
	dr_ctr past_limit;     /* records formatted after -c was reached: not wanted */
	dr_ctr sink_lost;      /* records a sink did not deliver: failed + backlog_full + lost_exit */
	dr_ctr write_errors;   /* stdout/file write errors (fatal) */
	dr_ctr backlog_full;   /* streams: records dropped, backlog full */
	dr_ctr lost_exit;      /* streams: records left in the backlog at exit; stdout: not read */
	dr_ctr reconnects;     /* streams: reconnections */
	dr_ctr resent;         /* streams: records cut by a break and sent again whole */
	dr_ctr backlog_bytes;  /* streams, now: bytes waiting (sum over sinks) */
	dr_ctr onfull_batches; /* --on-full drop: batches emptied by workers */
	dr_ctr onfull_records; /* --on-full drop: their records */
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
 * (backpressure; under --on-full drop it never waits, see submit). Called
 * only by worker w.
 */
struct dr_batch *writer_batch_get(struct writer *wr, unsigned w);
/**
 * Hand a batch to the writer (worker w's thread only). Under --on-full
 * drop, when no free batch is left for the worker's next get, b is emptied
 * instead (its records counted as dropped) and becomes that next batch;
 * the last batch is always handed over.
 */
void writer_batch_submit(struct writer *wr, struct dr_batch *b);

const struct writer_stats *writer_stats(const struct writer *wr);
/** 0 if the sinks worked to the end, else the -errno that broke stdout or a file. */
int writer_error(const struct writer *wr);

struct sink;
unsigned writer_nsinks(const struct writer *wr);
/** Sink i (0 .. writer_nsinks()-1): sink_name() and sink_stats() describe it. */
const struct sink *writer_sink(const struct writer *wr, unsigned i);
/** --on-full drop losses of worker w: @return records; *batches gets batches. */
uint64_t writer_onfull_dropped(const struct writer *wr, unsigned w, uint64_t *batches);

/**
 * Summary lines for the sinks (stream counters, reopens, rotations, several
 * -o) and for --on-full drop; nothing for a plain stdout/file run.
 */
void writer_print_summary(FILE *f, const struct writer *wr);
/** Stats-line companion: one line per stream sink, one for --on-full drop. */
void writer_print_tick(FILE *f, const struct writer *wr);

#endif /* DR_WRITER_H */
