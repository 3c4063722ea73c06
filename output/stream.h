/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stream.h: the tcp:// and unix: outputs (prefix stream_), used by sink.c
 * only: a bounded backlog of whole records written to a non-blocking libuv
 * stream that reconnects with backoff. The delivery rules are in stream.c.
 * Everything runs on the writer thread, except create/destroy (before and
 * after it).
 */
#ifndef DR_STREAM_H
#define DR_STREAM_H

#include <stddef.h>
#include <uv.h>

#include "output/sink.h"

struct stream_cfg {
	const char *name;         /* the -o value (messages); must outlive the stream */
	int is_unix;              /* unix:PATH, else tcp */
	const char *host;         /* tcp: name or address literal; unix: the path */
	const char *port;         /* tcp: decimal port */
	size_t backlog_bytes;
	struct sink_stats *st;    /* counters to keep (the sink's) */
	void (*on_room)(void *arg);  /* backlog space was freed */
	void (*on_done)(void *arg);  /* stream_finish() completed */
	void *arg;
};

struct stream;

/** Allocate the backlog. @return 0 or -ENOMEM (one line on stderr); *out is set either way. */
int stream_create(struct stream **out, const struct stream_cfg *cfg);
/** Start connecting on loop. */
void stream_start(struct stream *s, uv_loop_t *loop);
/** Free it; the loop must have ended. NULL is fine. */
void stream_destroy(struct stream *s);
/** Backlog bytes free now. */
size_t stream_room(const struct stream *s);
/** Copy whole records into the backlog (those that do not fit: dropped, counted) and send. */
void stream_write(struct stream *s, const struct sink_chunk *c, unsigned n);
/** See sink_finish(). */
void stream_finish(struct stream *s, int give_up);

#endif /* DR_STREAM_H */
