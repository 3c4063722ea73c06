/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * writer.c: the libuv writer thread. See writer.h for the data flow.
 *
 * Sink writes are plain blocking writev() calls on this thread: the thread
 * exists to absorb sink latency, and a blocking write is exactly the
 * backpressure we want (workers wait for free batches, the kernel ring or
 * the file reader waits for workers). Stream sinks with reconnects belong
 * to the operations work and will be non-blocking libuv streams.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#include "output/chan.h"
#include "output/writer.h"

#define WRITER_IOV_MAX 64

struct writer_q {
	struct spsc full;  /* worker -> writer */
	struct chan free;  /* writer -> worker */
	struct dr_batch *batches; /* the pool */
	int done;          /* the last batch arrived (writer thread only) */
};

struct writer {
	struct writer_cfg cfg;
	int fd;
	int own_fd;
	int error;            /* first sink error (-errno) */
	unsigned ndone;       /* workers whose last batch arrived */
	struct writer_q *q;
	struct writer_stats st;
	uv_loop_t loop;
	uv_async_t async;
	uv_signal_t sigint, sigterm;
	uv_timer_t tick, duration;
	pthread_t thread;
	int started;
	struct dr_batch *pend[WRITER_IOV_MAX];
	unsigned npend;
};

static int open_sink(struct writer *wr)
{
	const char *path = wr->cfg.path;

	if (!path || strcmp(path, "-") == 0) {
		wr->fd = STDOUT_FILENO;
		wr->own_fd = 0;
		return 0;
	}
	wr->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (wr->fd < 0) {
		int err = -errno;
		fprintf(stderr, "dnsring: cannot open output %s: %s\n", path, strerror(errno));
		return err;
	}
	wr->own_fd = 1;
	return 0;
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

int writer_create(struct writer **out, const struct writer_cfg *cfg)
{
	struct writer *wr = dr_calloc(1, sizeof(*wr));
	int ret;

	if (!wr)
		return -ENOMEM;
	wr->cfg = *cfg;
	wr->fd = -1;
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
	return open_sink(wr);
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
	if (wr->own_fd && wr->fd >= 0)
		close(wr->fd);
	dr_free(wr->q);
	dr_free(wr);
}

struct dr_batch *writer_batch_get(struct writer *wr, unsigned w)
{
	struct dr_batch *b = chan_pop(&wr->q[w].free);

	b->len = 0;
	b->nrec = 0;
	b->last = 0;
	return b;
}

void writer_batch_submit(struct writer *wr, struct dr_batch *b)
{
	/* Cannot fail: the ring holds the whole pool. */
	spsc_push(&wr->q[b->worker].full, b);
	uv_async_send(&wr->async);
}

const struct writer_stats *writer_stats(const struct writer *wr)
{
	return &wr->st;
}

int writer_error(const struct writer *wr)
{
	return wr->error;
}

/* ---- the writer thread ---- */

static void sink_failed(struct writer *wr, int err)
{
	if (wr->error)
		return;
	wr->error = err;
	dr_ctr_add(&wr->st.write_errors, 1);
	if (err != -EPIPE)
		fprintf(stderr, "dnsring: output write failed: %s; stopping\n", strerror(-err));
	dr_request_stop();
}

/* Write iov[0..n) completely; on failure record the error and return it. */
static int write_all(struct writer *wr, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t r = writev(wr->fd, iov, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			sink_failed(wr, -errno);
			return wr->error;
		}
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
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

/*
 * How many of b's records to write, honouring -c; counts the rest.
 * queued: records already taken for the write in progress.
 */
static uint32_t records_wanted(struct writer *wr, const struct dr_batch *b, uint64_t queued)
{
	uint64_t max = wr->cfg.max_records;
	uint64_t done = dr_ctr_get(&wr->st.records) + queued;
	uint32_t want;

	if (wr->error) {
		dr_ctr_add(&wr->st.sink_lost, b->nrec);
		return 0;
	}
	if (!max || done + b->nrec < max)
		return b->nrec;
	want = done >= max ? 0 : (uint32_t)(max - done);
	dr_ctr_add(&wr->st.past_limit, b->nrec - want);
	dr_request_stop();
	return want;
}

/* Write the pending batches in one writev and give them back to their pools. */
static void flush_pending(struct writer *wr)
{
	struct iovec iov[WRITER_IOV_MAX];
	int n = 0;
	uint64_t recs = 0, bytes = 0;

	for (unsigned i = 0; i < wr->npend; i++) {
		struct dr_batch *b = wr->pend[i];
		uint32_t want = records_wanted(wr, b, recs);
		size_t len = want == b->nrec ? b->len : first_records_len(b, want);

		if (!len)
			continue;
		iov[n].iov_base = b->buf;
		iov[n++].iov_len = len;
		bytes += len;
		recs += want;
	}
	if (n && write_all(wr, iov, n) == 0) {
		dr_ctr_add(&wr->st.records, recs);
		dr_ctr_add(&wr->st.bytes, bytes);
		dr_ctr_add(&wr->st.batches, (uint64_t)n);
	} else if (n) {
		/* We cannot know how much of a failed writev reached the sink
		 * intact, so the whole gather counts as lost. */
		dr_ctr_add(&wr->st.sink_lost, recs);
	}
	for (unsigned i = 0; i < wr->npend; i++)
		chan_push(&wr->q[wr->pend[i]->worker].free, wr->pend[i]);
	wr->npend = 0;
}

static void close_all(struct writer *wr);

static void drain(struct writer *wr)
{
	int more;

	do {
		more = 0;
		for (unsigned w = 0; w < wr->cfg.nworkers; w++) {
			struct dr_batch *b;

			while ((b = spsc_pop(&wr->q[w].full))) {
				if (b->last) {
					wr->q[w].done = 1;
					wr->ndone++;
				}
				wr->pend[wr->npend++] = b;
				more = 1;
				if (wr->npend == WRITER_IOV_MAX)
					flush_pending(wr);
			}
		}
		if (wr->npend)
			flush_pending(wr);
	} while (more);
	if (wr->ndone == wr->cfg.nworkers)
		close_all(wr);
}

static void on_async(uv_async_t *h)
{
	drain(h->data);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct writer *wr = h->data;

	(void)wr;
	if (dr_should_stop()) {
		/* Second signal: the user wants out now. */
		fprintf(stderr, "dnsring: %s again, exiting without flushing\n", strsignal(signum));
		_exit(1);
	}
	dr_request_stop();
}

static void on_tick(uv_timer_t *h)
{
	struct writer *wr = h->data;

	wr->cfg.tick(wr->cfg.tick_arg);
}

static void on_duration(uv_timer_t *h)
{
	(void)h;
	dr_request_stop();
}

static void close_all(struct writer *wr)
{
	uv_handle_t *hs[] = { (uv_handle_t *)&wr->async, (uv_handle_t *)&wr->sigint,
			      (uv_handle_t *)&wr->sigterm, (uv_handle_t *)&wr->tick,
			      (uv_handle_t *)&wr->duration };

	for (size_t i = 0; i < DR_ARRAY_SIZE(hs); i++)
		if (!uv_is_closing(hs[i]))
			uv_close(hs[i], NULL);
}

static void *writer_main(void *arg)
{
	struct writer *wr = arg;

	pthread_setname_np(pthread_self(), "dr-writer");
	uv_run(&wr->loop, UV_RUN_DEFAULT);
	drain(wr); /* nothing should be left; be sure */
	return NULL;
}

static int init_handles(struct writer *wr)
{
	int ret;

	if ((ret = uv_loop_init(&wr->loop)) < 0)
		return ret;
	uv_async_init(&wr->loop, &wr->async, on_async);
	uv_signal_init(&wr->loop, &wr->sigint);
	uv_signal_init(&wr->loop, &wr->sigterm);
	uv_timer_init(&wr->loop, &wr->tick);
	uv_timer_init(&wr->loop, &wr->duration);
	wr->async.data = wr->sigint.data = wr->sigterm.data = wr;
	wr->tick.data = wr->duration.data = wr;
	uv_signal_start(&wr->sigint, on_signal, SIGINT);
	uv_signal_start(&wr->sigterm, on_signal, SIGTERM);
	if (wr->cfg.stats_interval && wr->cfg.tick) {
		uint64_t ms = (uint64_t)wr->cfg.stats_interval * 1000;
		uv_timer_start(&wr->tick, on_tick, ms, ms);
	}
	if (wr->cfg.duration > 0)
		uv_timer_start(&wr->duration, on_duration, (uint64_t)(wr->cfg.duration * 1000), 0);
	/* Timers must not keep the loop alive on their own: the loop ends
	 * when the async handle closes after the last batch. */
	uv_unref((uv_handle_t *)&wr->tick);
	uv_unref((uv_handle_t *)&wr->duration);
	uv_unref((uv_handle_t *)&wr->sigint);
	uv_unref((uv_handle_t *)&wr->sigterm);
	return 0;
}

int writer_start(struct writer *wr)
{
	int ret;

	/* A closed pipe is a write error (EPIPE) handled above, not a kill. */
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
