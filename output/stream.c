/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stream.c: the tcp:// and unix: outputs (prefix stream_), behind sink.c.
 *
 * Delivery rules, the contract the README states:
 *
 *  - The backlog is a byte ring of whole NDJSON records. A record enters
 *    whole or not at all (dropped, counted in dropped_full); the writer
 *    only offers more than fits under --on-full drop or after it gave up at
 *    a stop, otherwise it waits for room (backpressure).
 *  - Bytes leave the ring by uv_try_write(), which says exactly how many
 *    bytes the kernel took. When the socket is full, the rest of the
 *    current record alone goes out with one uv_write(), whose completion
 *    resumes the uv_try_write() loop. So at most one record is ever in an
 *    asynchronous write, and at a break we know which record was cut.
 *  - A broken connection (write error, or end of file / error on the read
 *    side: a collector that closes its end is going away) rewinds to the
 *    start of the record that was cut, which is sent again whole on the
 *    next connection (counted in resent). A new connection therefore always
 *    starts at a record boundary; the old one may end with an unterminated
 *    fragment, which line-framed collectors drop at end of stream.
 *  - "written" means handed to the kernel whole. What the kernel had taken
 *    but the collector never read when it died is beyond what TCP can tell
 *    a sender; reading the socket lets us notice a collector that closed
 *    before we write into the void.
 *  - Connects are retried with exponential backoff from 100 ms to 10 s; a
 *    connection that stayed up 10 s resets it. A name is resolved again on
 *    every attempt, and each address it gives is tried in turn.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/stream.h"

#define BACKOFF_MIN_MS   100
#define BACKOFF_MAX_MS   10000
#define STABLE_MS        10000  /* a connection up this long resets the backoff */

/* One connection attempt; freed by its close callback. */
struct conn {
	union {
		uv_handle_t h;
		uv_stream_t s;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} u;
	uv_connect_t creq;
	uv_write_t wreq;
	size_t wlen;          /* bytes in the uv_write in flight */
	int writing;
	int up;               /* connected */
	uint64_t t_up;        /* uv_now() when it connected */
	struct stream *s;
};

/*
 * The backlog: absolute offsets start <= head <= tail into a ring of cap
 * bytes. [start, tail) is kept: whole records, except that [start, head)
 * is the part of the first record already sent on this connection (it has
 * no newline). Offsets only grow; the position is offset % cap.
 */
struct ring {
	char *buf;
	size_t cap;
	uint64_t start, head, tail;
	uint64_t nrec;        /* records in [start, tail) */
};

struct stream {
	struct stream_cfg cfg;
	const char *name;     /* the -o value */
	struct sink_stats *st;
	int is_unix;
	char host[256];       /* tcp: host; unix: path */
	char port[8];
	struct sockaddr_storage lit;  /* tcp: HOST as an address literal */
	int have_lit;
	uv_loop_t *loop;
	struct ring r;
	struct conn *conn;
	uv_timer_t retry;
	uv_getaddrinfo_t gai;
	struct addrinfo *ai, *ai_next;
	int resolving;
	unsigned backoff_ms;
	int ever_up;          /* a first connection was made */
	int down_logged;      /* this outage has been reported */
	int pumping;
	int finishing, give_up, done, nclosing;
	char rbuf[256];       /* what a collector sends us is read and ignored */
};

static void ctr_set(dr_ctr *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

/* ---- the backlog ring ---- */

static uint64_t ring_used(const struct ring *r)
{
	return r->tail - r->start;
}

/* [from, to) of the ring as at most two buffers. */
static unsigned ring_bufs(const struct ring *r, uint64_t from, uint64_t to, uv_buf_t b[2])
{
	size_t pos = (size_t)(from % r->cap), len = (size_t)(to - from);

	if (pos + len <= r->cap) {
		b[0] = uv_buf_init(r->buf + pos, (unsigned)len);
		return 1;
	}
	b[0] = uv_buf_init(r->buf + pos, (unsigned)(r->cap - pos));
	b[1] = uv_buf_init(r->buf, (unsigned)(len - (r->cap - pos)));
	return 2;
}

static void ring_put(struct ring *r, const char *p, size_t len)
{
	size_t pos = (size_t)(r->tail % r->cap), first = r->cap - pos < len ? r->cap - pos : len;

	memcpy(r->buf + pos, p, first);
	memcpy(r->buf, p + first, len - first);
	r->tail += len;
}

static void gauges(struct stream *s)
{
	ctr_set(&s->st->backlog_bytes, ring_used(&s->r));
	ctr_set(&s->st->backlog_records, s->r.nrec);
}

/* n more bytes went out from head: count the records they completed. */
static void ring_advance(struct stream *s, size_t n)
{
	struct ring *r = &s->r;
	uv_buf_t b[2];
	unsigned nb = ring_bufs(r, r->head, r->head + n, b);
	uint64_t recs = 0, last = 0, off = r->head;

	for (unsigned i = 0; i < nb; i++) {
		size_t end;
		uint32_t k = sink_count_lines(b[i].base, b[i].len, &end);

		if (k) {
			recs += k;
			last = off + end;
		}
		off += b[i].len;
	}
	r->head += n;
	if (recs) {
		dr_ctr_add(&s->st->records, recs);
		dr_ctr_add(&s->st->bytes, last - r->start);
		r->start = last;
		r->nrec -= recs;
	}
	gauges(s);
}

/* Where the record at head ends (the ring only holds whole records). */
static uint64_t ring_record_end(const struct ring *r)
{
	uv_buf_t b[2];
	unsigned nb = ring_bufs(r, r->head, r->tail, b);
	uint64_t off = r->head;

	for (unsigned i = 0; i < nb; i++) {
		const char *nl = memchr(b[i].base, '\n', b[i].len);

		if (nl)
			return off + (uint64_t)(nl - b[i].base) + 1;
		off += b[i].len;
	}
	return r->tail; /* not reached */
}

static void ring_take(struct stream *s, const struct sink_chunk *c)
{
	struct ring *r = &s->r;
	size_t room = r->cap - (size_t)ring_used(r);
	struct sink_chunk w = *c;

	w.len = sink_fit_records(c, room, &w.nrec);
	ring_put(r, w.buf, w.len);
	r->nrec += w.nrec;
	if (w.nrec < c->nrec) {
		dr_ctr_add(&s->st->dropped_full, c->nrec - w.nrec);
	}
}

/* ---- connections ---- */

static void stream_pump(struct stream *s);
static void stream_connect(struct stream *s);
static void stream_try_finish(struct stream *s);
static void connect_to(struct stream *s, const struct sockaddr *sa);

static const char *uverr(int err)
{
	return err == UV_EOF ? "closed by the collector" : uv_strerror(err);
}

static void on_conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	struct stream *s = c->s;

	dr_free(c);
	s->nclosing--;
	stream_try_finish(s);
}

static void on_retry_closed(uv_handle_t *h)
{
	struct stream *s = h->data;

	s->nclosing--;
	stream_try_finish(s);
}

/* Forget the current connection (its callbacks see c != s->conn from now on). */
static void conn_drop(struct stream *s)
{
	struct conn *c = s->conn;

	if (!c)
		return;
	s->conn = NULL;
	ctr_set(&s->st->connected, 0);
	s->nclosing++;
	uv_close(&c->u.h, on_conn_closed);
}

static void on_retry(uv_timer_t *t)
{
	stream_connect(t->data);
}

/* Is a connection still worth having? Not after giving up, nor when done. */
static int stream_wanted(const struct stream *s)
{
	return !s->give_up && !(s->finishing && ring_used(&s->r) == 0);
}

static void stream_schedule(struct stream *s)
{
	if (!stream_wanted(s)) {
		stream_try_finish(s);
		return;
	}
	uv_timer_start(&s->retry, on_retry, s->backoff_ms, 0);
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

static void connect_failed(struct stream *s, int err)
{
	if (s->ai) {
		uv_freeaddrinfo(s->ai);
		s->ai = s->ai_next = NULL;
	}
	if (!s->down_logged) {
		fprintf(stderr, "dnsring: output %s: cannot connect: %s; retrying (every %u ms, "
			"backing off to %u s)\n", s->name, uverr(err), BACKOFF_MIN_MS,
			BACKOFF_MAX_MS / 1000);
		s->down_logged = 1;
	}
	conn_drop(s);
	stream_schedule(s);
}

static void stream_broken(struct stream *s, int err)
{
	struct conn *c = s->conn;
	struct ring *r = &s->r;

	if (r->head > r->start || c->writing) {
		/* The record being sent was (or may have been) cut: send it
		 * again, whole, on the next connection. */
		r->head = r->start;
		dr_ctr_add(&s->st->resent, 1);
	}
	if (uv_now(s->loop) - c->t_up >= STABLE_MS)
		s->backoff_ms = BACKOFF_MIN_MS;
	fprintf(stderr, "dnsring: output %s: connection lost (%s); reconnecting, %" PRIu64
		" records in the backlog\n", s->name, uverr(err), r->nrec);
	s->down_logged = 1;
	conn_drop(s);
	gauges(s);
	stream_schedule(s);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct conn *c = h->data;

	(void)hint;
	*buf = uv_buf_init(c->s->rbuf, sizeof(c->s->rbuf));
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = st->data;

	(void)buf;
	if (nread < 0 && c == c->s->conn)
		stream_broken(c->s, (int)nread);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct conn *c = req->data;
	struct stream *s = c->s;
	struct addrinfo *next;

	if (c != s->conn)
		return;
	if (status < 0 && s->ai_next && stream_wanted(s)) {
		/* Try the name's next address. */
		next = s->ai_next;
		s->ai_next = next->ai_next;
		conn_drop(s);
		connect_to(s, next->ai_addr);
		return;
	}
	if (status < 0) {
		connect_failed(s, status);
		return;
	}
	if (s->ai) {
		uv_freeaddrinfo(s->ai);
		s->ai = s->ai_next = NULL;
	}
	c->up = 1;
	c->t_up = uv_now(s->loop);
	ctr_set(&s->st->connected, 1);
	if (s->ever_up) {
		dr_ctr_add(&s->st->reconnects, 1);
		fprintf(stderr, "dnsring: output %s: reconnected, %" PRIu64
			" records in the backlog\n", s->name, s->r.nrec);
	} else if (s->down_logged) {
		fprintf(stderr, "dnsring: output %s: connected, %" PRIu64
			" records in the backlog\n", s->name, s->r.nrec);
	}
	s->ever_up = 1;
	s->down_logged = 0;
	if (!s->is_unix)
		uv_tcp_keepalive(&c->u.tcp, 1, 30);
	uv_read_start(&c->u.s, on_alloc, on_read);
	stream_pump(s);
}

static struct conn *conn_new(struct stream *s)
{
	struct conn *c = dr_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->s = s;
	c->u.h.data = c;
	c->creq.data = c;
	c->wreq.data = c;
	return c;
}

static void connect_to(struct stream *s, const struct sockaddr *sa)
{
	int ret;

	if (!(s->conn = conn_new(s))) {
		connect_failed(s, UV_ENOMEM);
		return;
	}
	uv_tcp_init(s->loop, &s->conn->u.tcp);
	if ((ret = uv_tcp_connect(&s->conn->creq, &s->conn->u.tcp, sa, on_connect)) < 0)
		connect_failed(s, ret);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct stream *s = req->data;

	s->resolving = 0;
	if (!stream_wanted(s)) {
		uv_freeaddrinfo(res);
		stream_try_finish(s);
		return;
	}
	if (status < 0 || !res) {
		uv_freeaddrinfo(res);
		connect_failed(s, status < 0 ? status : UV_EAI_NONAME);
		return;
	}
	s->ai = res;
	s->ai_next = res->ai_next;
	connect_to(s, res->ai_addr);
}

static void stream_connect(struct stream *s)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	int ret;

	if (!stream_wanted(s)) {
		stream_try_finish(s);
		return;
	}
	if (s->is_unix) {
		if (!(s->conn = conn_new(s))) {
			connect_failed(s, UV_ENOMEM);
			return;
		}
		uv_pipe_init(s->loop, &s->conn->u.pipe, 0);
		uv_pipe_connect(&s->conn->creq, &s->conn->u.pipe, s->host, on_connect);
		return;
	}
	if (s->have_lit) {
		connect_to(s, (const struct sockaddr *)&s->lit);
		return;
	}
	s->gai.data = s;
	s->resolving = 1;
	if ((ret = uv_getaddrinfo(s->loop, &s->gai, on_resolved, s->host, s->port, &hints)) < 0) {
		s->resolving = 0;
		connect_failed(s, ret);
	}
}

static void on_write(uv_write_t *req, int status)
{
	struct conn *c = req->data;
	struct stream *s = c->s;

	if (c != s->conn) {
		c->writing = 0;
		return; /* an old connection's write, cancelled when it was dropped */
	}
	if (status < 0) {
		stream_broken(s, status); /* sees c->writing: the record may be cut */
		c->writing = 0;
		return;
	}
	c->writing = 0;
	ring_advance(s, c->wlen);
	stream_pump(s);
}

/* The socket is full: send the rest of the current record alone, asynchronously. */
static void write_one_record(struct stream *s, struct conn *c)
{
	uint64_t end = ring_record_end(&s->r);
	uv_buf_t b[2];
	unsigned nb = ring_bufs(&s->r, s->r.head, end, b);
	int ret;

	c->wlen = (size_t)(end - s->r.head);
	c->writing = 1;
	if ((ret = uv_write(&c->wreq, &c->u.s, b, nb, on_write)) < 0) {
		c->writing = 0;
		stream_broken(s, ret);
	}
}

static void stream_pump(struct stream *s)
{
	struct conn *c = s->conn;
	struct ring *r = &s->r;
	uint64_t before = r->start;

	if (!c || !c->up || c->writing || s->pumping)
		return;
	s->pumping = 1;
	while (r->head < r->tail) {
		uv_buf_t b[2];
		unsigned nb = ring_bufs(r, r->head, r->tail, b);
		int n = uv_try_write(&c->u.s, b, nb);

		if (n > 0) {
			ring_advance(s, (size_t)n);
			continue;
		}
		if (n < 0 && n != UV_EAGAIN) {
			s->pumping = 0;
			stream_broken(s, n);
			return;
		}
		write_one_record(s, c);
		break;
	}
	s->pumping = 0;
	if (r->start != before && s->cfg.on_room)
		s->cfg.on_room(s->cfg.arg);
	stream_try_finish(s);
}

/*
 * Finishing: once the backlog is delivered (or given up), close the
 * connection and the retry timer, then tell the writer.
 */
static void stream_try_finish(struct stream *s)
{
	struct ring *r = &s->r;

	if (!s->finishing || s->done)
		return;
	if (!s->give_up && ring_used(r) > 0)
		return; /* still delivering (or waiting to reconnect) */
	if (ring_used(r) > 0) {
		dr_ctr_add(&s->st->lost_exit, r->nrec);
		r->nrec = 0;
		r->start = r->head = r->tail;
		gauges(s);
	}
	/* close() sends what the kernel still holds, then FIN: nothing is cut. */
	conn_drop(s);
	if (s->resolving)
		uv_cancel((uv_req_t *)&s->gai);
	if (!uv_is_closing((uv_handle_t *)&s->retry)) {
		s->nclosing++;
		uv_close((uv_handle_t *)&s->retry, on_retry_closed);
	}
	if (s->nclosing || s->resolving)
		return;
	s->done = 1;
	if (s->cfg.on_done)
		s->cfg.on_done(s->cfg.arg);
}

/* ---- the interface ---- */

int stream_create(struct stream **out, const struct stream_cfg *cfg)
{
	struct stream *s = dr_calloc(1, sizeof(*s));
	int port;

	*out = s;
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->name = cfg->name;
	s->st = cfg->st;
	s->is_unix = cfg->is_unix;
	snprintf(s->host, sizeof(s->host), "%s", cfg->host);
	if (!s->is_unix) {
		snprintf(s->port, sizeof(s->port), "%s", cfg->port);
		port = (int)strtol(s->port, NULL, 10);
		s->have_lit = uv_ip4_addr(s->host, port, (struct sockaddr_in *)&s->lit) == 0 ||
			      uv_ip6_addr(s->host, port, (struct sockaddr_in6 *)&s->lit) == 0;
	}
	s->backoff_ms = BACKOFF_MIN_MS;
	s->r.cap = cfg->backlog_bytes;
	if (!(s->r.buf = dr_malloc(s->r.cap))) {
		fprintf(stderr, "dnsring: cannot allocate the %zu-byte backlog of %s\n",
			s->r.cap, s->name);
		return -ENOMEM;
	}
	return 0;
}

void stream_start(struct stream *s, uv_loop_t *loop)
{
	s->loop = loop;
	uv_timer_init(loop, &s->retry);
	s->retry.data = s;
	stream_connect(s);
}

void stream_destroy(struct stream *s)
{
	if (!s)
		return;
	if (s->ai)
		uv_freeaddrinfo(s->ai);
	dr_free(s->conn); /* only when the loop never ran */
	dr_free(s->r.buf);
	dr_free(s);
}

size_t stream_room(const struct stream *s)
{
	return s->r.cap - (size_t)ring_used(&s->r);
}

void stream_write(struct stream *s, const struct sink_chunk *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ring_take(s, &c[i]);
	gauges(s);
	stream_pump(s);
}

void stream_finish(struct stream *s, int give_up)
{
	if (!s->loop) {
		if (!s->done && s->cfg.on_done) {
			s->done = 1;
			s->cfg.on_done(s->cfg.arg);
		}
		return;
	}
	s->finishing = 1;
	s->give_up |= give_up;
	if (s->give_up)
		uv_timer_stop(&s->retry);
	stream_try_finish(s);
}
