/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink.h: where the records go (prefix sink_). One abstraction, four kinds:
 *
 *  - stdout ("-") and FILE: writev on the writer thread. A FILE, and stdout
 *    on a file or /dev/null, are written blocking (a slow disk is
 *    backpressure, as it should be). stdout on a pipe, FIFO, terminal or
 *    socket is written without blocking (sink.c says how, without touching
 *    fd 1's flags): when the reader stops reading, the sink keeps the
 *    writer's batches and finishes the gather from the event loop
 *    (sink_write() returns SINK_BUSY), so the backpressure is the same but
 *    the writer thread never waits in write(). A FILE is opened with
 *    O_APPEND | O_CLOEXEC; sink_reopen() (SIGHUP) switches to a freshly
 *    opened FILE between two writes, and size rotation renames FILE to
 *    FILE.1 ... FILE.K between two records. A failed write is fatal: the
 *    records written whole are counted, a torn last record is cut off the
 *    file again (ftruncate) and counted with the rest as failed.
 *  - tcp://HOST:PORT and unix:PATH: non-blocking libuv streams
 *    (output/stream.c). Records are copied into a bounded backlog ring
 *    (whole records only) and written from there; the sink connects, and
 *    reconnects after any error, with capped exponential backoff. See
 *    stream.c for the exact delivery rules.
 *
 * Every function runs on the writer thread, except sink_spec_check() (any
 * thread) and sink_create()/sink_destroy() (before / after that thread).
 */
#ifndef DR_SINK_H
#define DR_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <uv.h>

#include "src/common.h"

enum sink_kind { SINK_STDOUT, SINK_FILE, SINK_TCP, SINK_UNIX };

struct sink_cfg {
	const char *spec;         /* "-", FILE, tcp://HOST:PORT or unix:PATH */
	uint64_t rotate_bytes;    /* FILE: rotate before a record would pass this; 0 = never */
	unsigned rotate_keep;     /* FILE: keep FILE.1 .. FILE.K (>= 1) */
	size_t backlog_bytes;     /* streams: backlog capacity */
	void (*on_room)(void *arg);  /* streams: backlog space was freed */
	void (*on_done)(void *arg);  /* sink_finish() completed (maybe later) */
	void *arg;
};

/* Per-sink counters (writer thread writes, anyone reads). */
struct sink_stats {
	dr_ctr records;       /* records written whole (to the file, pipe or socket) */
	dr_ctr bytes;         /* bytes of those records */
	dr_ctr dropped_full;  /* streams: records dropped, backlog full (--on-full drop, stop) */
	dr_ctr lost_exit;     /* streams: records still in the backlog when dnsring gave up;
			       * stdout: records not written when it gave up on a stopped reader */
	dr_ctr failed;        /* stdout/FILE: records not written after a write error */
	dr_ctr reconnects;    /* streams: connections made after the first one */
	dr_ctr resent;        /* streams: records cut by a broken connection, sent again whole */
	dr_ctr reopens;       /* FILE: reopened on SIGHUP */
	dr_ctr rotations;     /* FILE: size rotations */
	dr_ctr backlog_bytes;   /* streams, now: bytes waiting in the backlog */
	dr_ctr backlog_records; /* streams, now: records waiting in the backlog */
	dr_ctr connected;     /* streams, now: 1 while connected */
};

/* A run of whole records (one batch, or its first records under -c). */
struct sink_chunk {
	const char *buf;
	size_t len;
	uint32_t nrec;
};

/* Records that end within the first len bytes of buf; *end: where the last one ends. */
static inline uint32_t sink_count_lines(const char *buf, size_t len, size_t *end)
{
	const char *p = buf, *stop = buf + len, *nl;
	uint32_t n = 0;

	*end = 0;
	while (p < stop && (nl = memchr(p, '\n', (size_t)(stop - p)))) {
		n++;
		p = nl + 1;
		*end = (size_t)(p - buf);
	}
	return n;
}

/* The whole records of c that fit in room bytes: @return their length, *k their count. */
static inline size_t sink_fit_records(const struct sink_chunk *c, size_t room, uint32_t *k)
{
	size_t end;

	if (c->len <= room) {
		*k = c->nrec;
		return c->len;
	}
	*k = sink_count_lines(c->buf, room, &end);
	return end;
}

struct sink;

/**
 * Check the syntax of an -o value (no I/O). @return its kind, or -EINVAL
 * with *why set to a short reason.
 */
int sink_spec_check(const char *spec, const char **why);

/**
 * Make a sink: opens stdout/FILE now (before privileges are dropped) and
 * allocates a stream's backlog. @return 0 or -errno (one line on stderr).
 */
int sink_create(struct sink **out, const struct sink_cfg *cfg);
/** Start a stream sink's connection on loop (no-op for files). @return 0 or -errno. */
int sink_start(struct sink *s, uv_loop_t *loop);
/** Free everything; the loop must have ended (all close callbacks ran). */
void sink_destroy(struct sink *s);

enum sink_kind sink_kind(const struct sink *s);
const char *sink_name(const struct sink *s);
const struct sink_stats *sink_stats(const struct sink *s);

/** Bytes a stream's backlog can take now (SIZE_MAX for stdout/FILE). */
size_t sink_room(const struct sink *s);
/**
 * 1 if the sink may wait in the event loop (streams; stdout on a pipe,
 * terminal or socket): a stop gives it the writer's grace, then it gives up.
 */
int sink_async(const struct sink *s);
/** 1 while stdout is still writing the chunks of a sink_write() that said SINK_BUSY. */
int sink_busy(const struct sink *s);
/** The -errno that broke a stdout/FILE sink, else 0. */
int sink_error(const struct sink *s);

#define SINK_BUSY 1
/**
 * Hand records over (n <= 64 chunks). stdout/FILE: written before this
 * returns, or, stdout without blocking, @return SINK_BUSY: the fd is full,
 * the sink keeps pointing into c's buffers (not the array) until it has
 * written them all, then calls on_room; no sink_write() before that. A
 * failure then shows in sink_error(). Streams: copied into the backlog,
 * whole records that do not fit are dropped and counted. @return 0 or
 * SINK_BUSY, or the -errno that broke a stdout/FILE sink (then and ever
 * after its records are counted as failed).
 */
int sink_write(struct sink *s, const struct sink_chunk *c, unsigned n);
/** SIGHUP: reopen FILE at its path (between two writes); others: no-op. */
void sink_reopen(struct sink *s);
/**
 * The stop's grace is over. stdout without blocking: a gather still
 * waiting is abandoned (the records not written whole count as lost_exit;
 * the output may end with a partial record), later records are written only
 * while the fd takes them, and after the first that it does not, nothing
 * more is written (all lost_exit). Others: no-op (streams give up in
 * sink_finish()). The caller sees SINK_BUSY cleared (no on_room call).
 */
void sink_give_up(struct sink *s);
/**
 * No more records will come: deliver the backlog, then close the stream
 * and call on_done. give_up: count what is left as lost_exit and close now.
 * May be called again with give_up = 1. stdout/FILE: give_up is ignored
 * (stdout gives up through sink_give_up() alone); on_done once nothing is
 * waiting to be written (at once, unless SINK_BUSY).
 */
void sink_finish(struct sink *s, int give_up);

#endif /* DR_SINK_H */
