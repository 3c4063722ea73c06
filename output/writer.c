/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * writer.c: the libuv writer thread. See writer.h for the data flow and
 * output/sink.h for what each sink does with the records.
 *
 * File writes (and stdout on a file or /dev/null) are plain blocking
 * writev() calls on this thread: the thread exists to absorb sink latency,
 * and a blocking write is exactly the backpressure we want (workers wait for
 * free batches, the kernel ring or the file reader waits for workers).
 * stdout on a pipe, terminal or socket is written without blocking: when
 * its reader stops, sink_write() says SINK_BUSY and the sink keeps the
 * pending batches (wr->inflight) until the fd has taken them; meanwhile the
 * writer pops nothing more (the same backpressure), but the loop keeps
 * running signals, timers and the other sinks. Stream sinks copy each batch into
 * their backlog, so the batch goes back to its worker at once; when a
 * backlog is full under --on-full block, the writer holds the batch it
 * popped (wr->held) and stops draining until the stream frees room.
 *
 * Ending: when every worker's last batch has been handed over, the async
 * handle closes and each sink is finished (streams deliver their backlog
 * first); when the last sink is done the remaining handles close and the
 * loop ends. A stop request (signal, -c, --duration, a failed sink) arms a
 * grace timer: after WRITER_GRACE_MS the streams give up, so a dead
 * collector cannot keep dnsring from exiting; so does a non-blocking stdout
 * whose reader stopped reading, but only after a signal or a failed sink
 * (-c and --duration wait for the reader, as a blocking write did).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "output/chan.h"
#include "output/sink.h"
#include "output/writer.h"

#define WRITER_IOV_MAX     64
#define WRITER_SIGNAL_AGAIN_MS 1000 /* a second SIGINT/SIGTERM sooner is the same stop */
#define WRITER_STOPCHK_MS  200   /* streams: how often to look for a stop request */

struct writer_q {
	struct spsc full;  /* worker -> writer */
	struct chan free;  /* writer -> worker */
	struct dr_batch *batches; /* the pool */
	struct dr_batch *spare;   /* --on-full drop: the worker's next batch (worker only) */
	dr_ctr onfull_batches;    /* --on-full drop: written by the worker */
	dr_ctr onfull_records;
	int done;          /* the last batch arrived (writer thread only) */
};

struct writer {
	struct writer_cfg cfg;
	struct sink *sinks[WRITER_MAX_SINKS];
	unsigned nsinks;
	unsigned sinks_open;  /* not yet finished (closing phase) */
	int has_streams;
	int has_async;        /* streams or non-blocking stdout: a stop arms the grace */
	int error;            /* first stdout/file error (-errno) */
	unsigned ndone;       /* workers whose last batch arrived */
	struct writer_q *q;
	struct writer_stats st;
	uint64_t accepted;    /* records handed to the sinks (what -c counts) */
	uv_loop_t loop;
	uv_async_t async;
	uv_signal_t sigint, sigterm, sighup;
	uv_timer_t tick, duration, stopchk, grace;
	pthread_t thread;
	int started;
	struct dr_batch *pend[WRITER_IOV_MAX];
	struct sink_chunk chunk[WRITER_IOV_MAX];
	unsigned npend;
	size_t pend_bytes;
	struct dr_batch *held;  /* popped, waiting for backlog room */
	int inflight;           /* a sink is still writing pend[]: wait for it */
	struct sink_chunk fc[WRITER_IOV_MAX]; /* pend[]'s non-empty chunks, as handed over */
	unsigned fn;            /* how many */
	unsigned fsink;         /* the next sink to hand them to */
	int flushing;           /* in flush_sinks(): a sink's on_room waits */
	int draining, closing, give_up, grace_armed;
	int stdout_given_up;    /* the grace gave up on stdout too (stdout_may_give_up) */
	unsigned signals;       /* SIGINT/SIGTERM received */
	uint64_t first_signal_ms; /* loop time of the first */
};

static void ctr_set(dr_ctr *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

static int alloc_pool(struct writer *wr, unsigned w)
{
	struct writer_q *q = &wr->q[w];
	unsigned n = wr->cfg.batches_per_worker;
	int ret;

	if ((ret = spsc_init(&q->full, n)) < 0 || (ret = chan_init(&q->free, n)) < 0)
		return ret;
	q->batches = dr_calloc(n, sizeof(*q->batches));
	if (!q->batches)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		struct dr_batch *b = &q->batches[i];

		b->buf = dr_malloc(wr->cfg.batch_size);
		if (!b->buf)
			return -ENOMEM;
		b->cap = wr->cfg.batch_size;
		b->worker = (uint16_t)w;
		chan_push(&q->free, b);
	}
	return 0;
}

static void on_room(void *arg);
static void on_sink_done(void *arg);

static int open_sinks(struct writer *wr)
{
	const struct writer_cfg *c = &wr->cfg;
	const char *one = c->path ? c->path : "-";
	const char *const *specs = c->noutputs ? c->outputs : &one;
	unsigned n = c->noutputs ? c->noutputs : 1;
	struct sink_cfg sc = {
		.rotate_bytes = c->rotate_bytes,
		.rotate_keep = c->rotate_keep ? c->rotate_keep : 1,
		/* A backlog takes whole batches: at least two, so one can
		 * drain while the next arrives. */
		.backlog_bytes = c->backlog_bytes > 2 * c->batch_size ? c->backlog_bytes
								     : 2 * c->batch_size,
		.on_room = on_room,
		.on_done = on_sink_done,
		.arg = wr,
	};
	int ret;

	if (n > WRITER_MAX_SINKS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		sc.spec = specs[i];
		ret = sink_create(&wr->sinks[i], &sc); /* says what failed itself */
		wr->nsinks = i + 1;
		if (ret < 0)
			return ret;
		if (sink_kind(wr->sinks[i]) == SINK_TCP || sink_kind(wr->sinks[i]) == SINK_UNIX)
			wr->has_streams = 1;
	}
	return 0;
}

int writer_create(struct writer **out, const struct writer_cfg *cfg)
{
	struct writer *wr = dr_calloc(1, sizeof(*wr));
	int ret;

	if (!wr)
		return -ENOMEM;
	wr->cfg = *cfg;
	wr->q = dr_calloc(cfg->nworkers, sizeof(*wr->q));
	if (!wr->q) {
		dr_free(wr);
		return -ENOMEM;
	}
	*out = wr;
	for (unsigned w = 0; w < cfg->nworkers; w++) {
		if ((ret = alloc_pool(wr, w)) < 0) {
			fprintf(stderr, "dnsring: cannot allocate output batches: %s\n", strerror(-ret));
			return ret;
		}
	}
	return open_sinks(wr);
}

void writer_destroy(struct writer *wr)
{
	if (!wr)
		return;
	for (unsigned w = 0; w < wr->cfg.nworkers && wr->q; w++) {
		struct writer_q *q = &wr->q[w];

		for (unsigned i = 0; q->batches && i < wr->cfg.batches_per_worker; i++)
			dr_free(q->batches[i].buf);
		dr_free(q->batches);
		if (q->full.slots)
			spsc_fini(&q->full);
		if (q->free.q.slots)
			chan_fini(&q->free);
	}
	for (unsigned i = 0; i < wr->nsinks; i++)
		sink_destroy(wr->sinks[i]);
	dr_free(wr->q);
	dr_free(wr);
}

/* ---- the worker side ---- */

struct dr_batch *writer_batch_get(struct writer *wr, unsigned w)
{
	struct writer_q *q = &wr->q[w];
	struct dr_batch *b = q->spare;

	if (b)
		q->spare = NULL;
	else
		b = chan_pop(&q->free);
	b->len = 0;
	b->nrec = 0;
	b->last = 0;
	return b;
}

void writer_batch_submit(struct writer *wr, struct dr_batch *b)
{
	struct writer_q *q = &wr->q[b->worker];

	if (wr->cfg.on_full_drop && !b->last) {
		struct dr_batch *next = q->spare ? q->spare : chan_trypop(&q->free);

		if (!next) {
			/* The writer is behind: drop this batch rather than wait. */
			dr_ctr_add(&q->onfull_batches, 1);
			dr_ctr_add(&q->onfull_records, b->nrec);
			b->len = 0;
			b->nrec = 0;
			q->spare = b;
			return;
		}
		q->spare = next;
	}
	/* Cannot fail: the ring holds the whole pool. */
	spsc_push(&q->full, b);
	uv_async_send(&wr->async);
}

/* ---- accessors ---- */

const struct writer_stats *writer_stats(const struct writer *wr)
{
	return &wr->st;
}

int writer_error(const struct writer *wr)
{
	return wr->error;
}

unsigned writer_nsinks(const struct writer *wr)
{
	return wr->nsinks;
}

const struct sink *writer_sink(const struct writer *wr, unsigned i)
{
	return i < wr->nsinks ? wr->sinks[i] : NULL;
}

uint64_t writer_onfull_dropped(const struct writer *wr, unsigned w, uint64_t *batches)
{
	*batches = dr_ctr_get(&wr->q[w].onfull_batches);
	return dr_ctr_get(&wr->q[w].onfull_records);
}

/* The totals in wr->st that are sums over sinks and workers. */
static void refresh(struct writer *wr)
{
	uint64_t v[9] = { 0 };

	for (unsigned i = 0; i < wr->nsinks; i++) {
		const struct sink_stats *s = sink_stats(wr->sinks[i]);

		v[0] += dr_ctr_get(&s->records);
		v[1] += dr_ctr_get(&s->bytes);
		v[2] += dr_ctr_get(&s->failed) + dr_ctr_get(&s->dropped_full) +
			dr_ctr_get(&s->lost_exit);
		v[3] += dr_ctr_get(&s->dropped_full);
		v[4] += dr_ctr_get(&s->lost_exit);
		v[5] += dr_ctr_get(&s->reconnects);
		v[6] += dr_ctr_get(&s->resent);
		v[7] += dr_ctr_get(&s->backlog_bytes);
	}
	ctr_set(&wr->st.records, v[0]);
	ctr_set(&wr->st.bytes, v[1]);
	ctr_set(&wr->st.sink_lost, v[2]);
	ctr_set(&wr->st.backlog_full, v[3]);
	ctr_set(&wr->st.lost_exit, v[4]);
	ctr_set(&wr->st.reconnects, v[5]);
	ctr_set(&wr->st.resent, v[6]);
	ctr_set(&wr->st.backlog_bytes, v[7]);
	v[0] = v[1] = 0;
	for (unsigned w = 0; w < wr->cfg.nworkers; w++) {
		v[0] += dr_ctr_get(&wr->q[w].onfull_batches);
		v[1] += dr_ctr_get(&wr->q[w].onfull_records);
	}
	ctr_set(&wr->st.onfull_batches, v[0]);
	ctr_set(&wr->st.onfull_records, v[1]);
}

/* ---- the writer thread ---- */

static void grace_start(struct writer *wr);

/*
 * A non-blocking stdout is given up (what its reader did not take counted
 * as lost) only after a signal or a failed output: -c and --duration wait
 * for a slow reader, as a blocking write did (`dnsring -c 1000 | less`).
 */
static int stdout_may_give_up(const struct writer *wr)
{
	return wr->signals || wr->error;
}

/* Any stop request (ours or another thread's) starts the streams' grace. */
static void note_stop(struct writer *wr)
{
	if (dr_should_stop())
		grace_start(wr);
}

static void sink_failed(struct writer *wr, int err)
{
	if (wr->error)
		return;
	wr->error = err; /* the sink said what failed */
	dr_ctr_add(&wr->st.write_errors, 1);
	dr_request_stop();
	note_stop(wr);
}

/*
 * Length of b's first k records (k < b->nrec): -c COUNT cuts the batch that
 * crosses the limit at a line boundary, once per run.
 */
static size_t first_records_len(const struct dr_batch *b, uint64_t k)
{
	const char *p = b->buf, *end = b->buf + b->len;

	while (k-- && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	return (size_t)(p - b->buf);
}

/* How many of b's records to hand to the sinks, honouring -c; counts the rest. */
static uint32_t records_wanted(struct writer *wr, const struct dr_batch *b)
{
	uint64_t max = wr->cfg.max_records, done = wr->accepted;
	uint32_t want;

	if (!max || done + b->nrec < max) {
		wr->accepted += b->nrec;
		return b->nrec;
	}
	want = done >= max ? 0 : (uint32_t)(max - done);
	dr_ctr_add(&wr->st.past_limit, b->nrec - want);
	wr->accepted += want;
	dr_request_stop();
	note_stop(wr);
	return want;
}

/* Give the pending batches back to their pools. */
static void recycle(struct writer *wr)
{
	for (unsigned i = 0; i < wr->npend; i++)
		chan_push(&wr->q[wr->pend[i]->worker].free, wr->pend[i]);
	wr->npend = 0;
	wr->pend_bytes = 0;
}

/*
 * Hand the chunks to the sinks from wr->fsink on, in order, then give the
 * batches back to their pools. A sink that is still writing them (stdout
 * whose reader is behind) makes the rest wait (inflight), as a blocking
 * write would: two outputs on the same pipe never interleave.
 */
static void flush_sinks(struct writer *wr)
{
	wr->flushing = 1;
	while (wr->fsink < wr->nsinks) {
		int ret = sink_write(wr->sinks[wr->fsink++], wr->fc, wr->fn);

		if (ret == SINK_BUSY) {
			wr->inflight = 1;
			break;
		}
		if (ret < 0)
			sink_failed(wr, ret);
	}
	wr->flushing = 0;
	if (!wr->inflight)
		recycle(wr);
}

static void flush_pending(struct writer *wr)
{
	unsigned n = 0;

	for (unsigned i = 0; i < wr->npend; i++)
		if (wr->chunk[i].len)
			wr->fc[n++] = wr->chunk[i];
	wr->fn = n;
	wr->fsink = n ? 0 : wr->nsinks;
	dr_ctr_add(&wr->st.batches, n);
	flush_sinks(wr);
}

/* The sink writing the batches in flight finished (or gave up): go on with the next ones. */
static void settle(struct writer *wr)
{
	struct sink *s = wr->sinks[wr->fsink - 1];
	int err;

	if (sink_busy(s))
		return;
	wr->inflight = 0;
	if ((err = sink_error(s)) < 0)
		sink_failed(wr, err);
	flush_sinks(wr);
}

/*
 * Take b into the pending gather. Under --on-full block every stream must
 * have room for it (and what is already pending); otherwise @return 0 and
 * b waits. So it does while stdout is still writing the gather before.
 * Once the streams gave up (stop + grace), nothing waits.
 */
static int place(struct writer *wr, struct dr_batch *b)
{
	uint32_t want;

	if (wr->inflight)
		return 0;
	if (wr->npend == WRITER_IOV_MAX) {
		flush_pending(wr);
		if (wr->inflight)
			return 0;
	}
	if (wr->has_streams && !wr->cfg.on_full_drop && !wr->give_up) {
		for (unsigned i = 0; i < wr->nsinks; i++)
			if (sink_room(wr->sinks[i]) < wr->pend_bytes + b->len)
				return 0;
	}
	want = records_wanted(wr, b);
	wr->pend[wr->npend] = b;
	wr->chunk[wr->npend++] = (struct sink_chunk){
		.buf = b->buf,
		.len = want == b->nrec ? b->len : first_records_len(b, want),
		.nrec = want,
	};
	wr->pend_bytes += b->len;
	return 1;
}

static void begin_close(struct writer *wr);

/* Pop every queue (fairly enough: worker by worker) until nothing moves. */
static void drain(struct writer *wr)
{
	if (wr->draining)
		return;
	wr->draining = 1;
	for (;;) {
		int progress = 0;

		if (wr->inflight)
			break; /* stdout's reader is behind: pop nothing more */
		if (wr->held && place(wr, wr->held)) {
			wr->held = NULL;
			progress = 1;
		}
		for (unsigned w = 0; w < wr->cfg.nworkers && !wr->held; w++) {
			struct dr_batch *b;

			while (!wr->held && (b = spsc_pop(&wr->q[w].full))) {
				if (b->last) {
					wr->q[w].done = 1;
					wr->ndone++;
				}
				progress = 1;
				if (!place(wr, b))
					wr->held = b;
			}
		}
		if (wr->npend && !wr->inflight)
			flush_pending(wr);
		if (!progress)
			break;
	}
	wr->draining = 0;
	refresh(wr);
	if (wr->ndone == wr->cfg.nworkers && !wr->held && !wr->inflight)
		begin_close(wr);
}

static void on_async(uv_async_t *h)
{
	drain(h->data);
}

/*
 * A stream freed backlog space: a held batch may fit now. Or stdout wrote
 * the batches in flight: recycle them and go on draining.
 */
static void on_room(void *arg)
{
	struct writer *wr = arg;

	if (wr->flushing)
		return; /* a stream, while flush_sinks() hands it a gather: drained next */
	if (wr->inflight) {
		settle(wr);
		if (!wr->inflight)
			drain(wr);
		return;
	}
	if (wr->held)
		drain(wr);
}

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void close_rest(struct writer *wr)
{
	uv_handle_t *hs[] = { (uv_handle_t *)&wr->sigint, (uv_handle_t *)&wr->sigterm,
			      (uv_handle_t *)&wr->sighup, (uv_handle_t *)&wr->tick,
			      (uv_handle_t *)&wr->duration, (uv_handle_t *)&wr->stopchk,
			      (uv_handle_t *)&wr->grace };

	refresh(wr);
	for (size_t i = 0; i < DR_ARRAY_SIZE(hs); i++)
		close_handle(hs[i]);
}

static void on_sink_done(void *arg)
{
	struct writer *wr = arg;

	if (wr->sinks_open && --wr->sinks_open == 0)
		close_rest(wr);
}

/* Every worker is done: finish the sinks (streams deliver their backlog). */
static void begin_close(struct writer *wr)
{
	if (wr->closing)
		return;
	wr->closing = 1;
	close_handle((uv_handle_t *)&wr->async);
	note_stop(wr);
	wr->sinks_open = wr->nsinks;
	for (unsigned i = 0; i < wr->nsinks; i++)
		sink_finish(wr->sinks[i], wr->give_up);
}

static void on_grace(uv_timer_t *t)
{
	struct writer *wr = t->data;

	wr->give_up = 1; /* streams */
	if (stdout_may_give_up(wr)) {
		wr->stdout_given_up = 1;
		for (unsigned i = 0; i < wr->nsinks; i++)
			sink_give_up(wr->sinks[i]); /* stdout: stop waiting for its reader */
	}
	if (wr->inflight)
		settle(wr);
	drain(wr); /* nothing waits for room any more */
	if (wr->closing)
		for (unsigned i = 0; i < wr->nsinks; i++)
			sink_finish(wr->sinks[i], 1);
}

static void grace_start(struct writer *wr)
{
	if (!wr->has_async || uv_is_active((uv_handle_t *)&wr->grace))
		return;
	/* Once fired, only for stdout: when a signal or an error comes after
	 * -c or --duration, its reader gets a grace of its own. */
	if (wr->grace_armed && (wr->stdout_given_up || !stdout_may_give_up(wr)))
		return;
	wr->grace_armed = 1;
	uv_timer_start(&wr->grace, on_grace, WRITER_GRACE_MS, 0);
}

static void on_stopchk(uv_timer_t *t)
{
	note_stop(t->data);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct writer *wr = h->data;

	uv_update_time(&wr->loop);
	/* A second signal means "out now", unless it came with the first:
	 * GNU timeout signals its child and then its process group, and a
	 * terminal's Ctrl-C reaches every process of the job, so one stop can
	 * arrive twice within microseconds. */
	if (wr->signals++ && uv_now(&wr->loop) - wr->first_signal_ms >= WRITER_SIGNAL_AGAIN_MS) {
		fprintf(stderr, "dnsring: %s again, exiting without flushing\n", strsignal(signum));
		_exit(1);
	}
	if (wr->signals > 1)
		return;
	wr->first_signal_ms = uv_now(&wr->loop);
	dr_request_stop();
	note_stop(wr);
}

/* SIGHUP: reopen output files (logrotate moved them); between two writes. */
static void on_sighup(uv_signal_t *h, int signum)
{
	struct writer *wr = h->data;

	(void)signum;
	for (unsigned i = 0; i < wr->nsinks; i++)
		sink_reopen(wr->sinks[i]);
}

static void on_tick(uv_timer_t *h)
{
	struct writer *wr = h->data;

	refresh(wr);
	wr->cfg.tick(wr->cfg.tick_arg);
}

static void on_duration(uv_timer_t *h)
{
	dr_request_stop();
	note_stop(h->data);
}

static void *writer_main(void *arg)
{
	struct writer *wr = arg;

	pthread_setname_np(pthread_self(), "dr-writer");
	uv_run(&wr->loop, UV_RUN_DEFAULT);
	refresh(wr);
	return NULL;
}

static int init_handles(struct writer *wr)
{
	uv_handle_t *unref[] = { (uv_handle_t *)&wr->tick, (uv_handle_t *)&wr->duration,
				 (uv_handle_t *)&wr->stopchk, (uv_handle_t *)&wr->grace,
				 (uv_handle_t *)&wr->sigint, (uv_handle_t *)&wr->sigterm,
				 (uv_handle_t *)&wr->sighup };
	int ret;

	if ((ret = uv_loop_init(&wr->loop)) < 0)
		return ret;
	uv_async_init(&wr->loop, &wr->async, on_async);
	uv_signal_init(&wr->loop, &wr->sigint);
	uv_signal_init(&wr->loop, &wr->sigterm);
	uv_signal_init(&wr->loop, &wr->sighup);
	uv_timer_init(&wr->loop, &wr->tick);
	uv_timer_init(&wr->loop, &wr->duration);
	uv_timer_init(&wr->loop, &wr->stopchk);
	uv_timer_init(&wr->loop, &wr->grace);
	for (size_t i = 0; i < DR_ARRAY_SIZE(unref); i++)
		unref[i]->data = wr;
	wr->async.data = wr;
	uv_signal_start(&wr->sigint, on_signal, SIGINT);
	uv_signal_start(&wr->sigterm, on_signal, SIGTERM);
	uv_signal_start(&wr->sighup, on_sighup, SIGHUP);
	if (wr->cfg.stats_interval && wr->cfg.tick) {
		uint64_t ms = (uint64_t)wr->cfg.stats_interval * 1000;
		uv_timer_start(&wr->tick, on_tick, ms, ms);
	}
	if (wr->cfg.duration > 0)
		uv_timer_start(&wr->duration, on_duration, (uint64_t)(wr->cfg.duration * 1000), 0);
	for (unsigned i = 0; i < wr->nsinks; i++) {
		if ((ret = sink_start(wr->sinks[i], &wr->loop)) < 0)
			return ret;
		wr->has_async |= sink_async(wr->sinks[i]);
	}
	/* Stop requests from other threads (a live capture error) start the
	 * grace too; a stream waiting for its collector, or stdout waiting
	 * for its reader, must not miss one. */
	if (wr->has_async)
		uv_timer_start(&wr->stopchk, on_stopchk, WRITER_STOPCHK_MS, WRITER_STOPCHK_MS);
	/* Timers and signals must not keep the loop alive on their own: it
	 * ends when the async handle and the sinks have closed. */
	for (size_t i = 0; i < DR_ARRAY_SIZE(unref); i++)
		uv_unref(unref[i]);
	return 0;
}

int writer_start(struct writer *wr)
{
	int ret;

	/* A closed pipe or socket is a write error (EPIPE) handled above, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	if ((ret = init_handles(wr)) < 0)
		return ret;
	ret = pthread_create(&wr->thread, NULL, writer_main, wr);
	if (ret)
		return -ret;
	wr->started = 1;
	return 0;
}

void writer_join(struct writer *wr)
{
	if (!wr->started)
		return;
	pthread_join(wr->thread, NULL);
	uv_loop_close(&wr->loop);
	wr->started = 0;
}

/* ---- reporting ---- */

static int is_stream(const struct sink *s)
{
	return sink_kind(s) == SINK_TCP || sink_kind(s) == SINK_UNIX;
}

void writer_print_summary(FILE *f, const struct writer *wr)
{
	for (unsigned i = 0; i < wr->nsinks; i++) {
		const struct sink *s = wr->sinks[i];
		const struct sink_stats *t = sink_stats(s);

		if (is_stream(s)) {
			fprintf(f, "  output:      %s: %" PRIu64 " written (%" PRIu64 " bytes), %" PRIu64
				" dropped (backlog full), %" PRIu64 " lost at exit, %" PRIu64
				" reconnects, %" PRIu64 " resent whole after a break\n", sink_name(s),
				dr_ctr_get(&t->records), dr_ctr_get(&t->bytes),
				dr_ctr_get(&t->dropped_full), dr_ctr_get(&t->lost_exit),
				dr_ctr_get(&t->reconnects), dr_ctr_get(&t->resent));
			continue;
		}
		if (wr->nsinks == 1 && !dr_ctr_get(&t->reopens) && !dr_ctr_get(&t->rotations) &&
		    !dr_ctr_get(&t->lost_exit))
			continue; /* the records line says it all */
		fprintf(f, "  output:      %s: %" PRIu64 " written (%" PRIu64 " bytes)", sink_name(s),
			dr_ctr_get(&t->records), dr_ctr_get(&t->bytes));
		if (dr_ctr_get(&t->reopens))
			fprintf(f, ", %" PRIu64 " reopened (SIGHUP)", dr_ctr_get(&t->reopens));
		if (dr_ctr_get(&t->rotations))
			fprintf(f, ", %" PRIu64 " rotations", dr_ctr_get(&t->rotations));
		if (dr_ctr_get(&t->failed))
			fprintf(f, ", %" PRIu64 " not written (output failed)", dr_ctr_get(&t->failed));
		if (dr_ctr_get(&t->lost_exit))
			fprintf(f, ", %" PRIu64 " lost at exit (not read)", dr_ctr_get(&t->lost_exit));
		fputc('\n', f);
	}
	if (wr->cfg.on_full_drop) {
		uint64_t recs = 0, batches = 0, b;

		for (unsigned w = 0; w < wr->cfg.nworkers; w++) {
			recs += writer_onfull_dropped(wr, w, &b);
			batches += b;
		}
		fprintf(f, "  on-full:     %" PRIu64 " records dropped in %" PRIu64
			" batches (--on-full drop: the writer was behind)\n", recs, batches);
	}
}

void writer_print_tick(FILE *f, const struct writer *wr)
{
	for (unsigned i = 0; i < wr->nsinks; i++) {
		const struct sink *s = wr->sinks[i];
		const struct sink_stats *t = sink_stats(s);

		if (!is_stream(s))
			continue;
		fprintf(f, "dnsring: output %s %s written=%" PRIu64 " dropped=%" PRIu64
			" reconnects=%" PRIu64 " backlog=%" PRIu64 " bytes (%" PRIu64 " records)\n",
			sink_name(s), dr_ctr_get(&t->connected) ? "connected" : "DISCONNECTED",
			dr_ctr_get(&t->records), dr_ctr_get(&t->dropped_full),
			dr_ctr_get(&t->reconnects), dr_ctr_get(&t->backlog_bytes),
			dr_ctr_get(&t->backlog_records));
	}
	if (wr->cfg.on_full_drop)
		fprintf(f, "dnsring: on-full drop: dropped=%" PRIu64 " records in %" PRIu64 " batches\n",
			dr_ctr_get(&wr->st.onfull_records), dr_ctr_get(&wr->st.onfull_batches));
}
