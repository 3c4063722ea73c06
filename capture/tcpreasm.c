/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpreasm.c: DNS-over-TCP stream reassembly (see tcpreasm.h for what it
 * handles and the memory bound).
 *
 * A stream's state is its window (tcpwin.h): `base`, the sequence number of
 * the first byte not yet delivered (a message boundary while in sync), and
 * the bytes held past it. The common case costs no copy: a segment that
 * starts at base while nothing is held is parsed in place, its whole
 * messages handed out as pointers into the payload, and only a trailing
 * partial message is held. Everything else (a held partial message,
 * out-of-order data, a cut capture) goes into the window, and messages are
 * drained from its front.
 *
 * Streams sit on a hash chain and on one of two lists (ixpool.h), least
 * recently active first: live streams, and tombstones. A stream closed by FIN or RST
 * stays as a tombstone for TOMB_NS, first in line for reuse: a
 * retransmission of the last segment then counts as retransmitted instead of
 * resyncing a fresh stream and logging the same message twice.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "capture/ixpool.h"
#include "capture/tcpreasm.h"

#define DNS_HDR 12u
#define MAX_MSG 65535u
#define SYNC_DEPTH 4          /* messages of a segment checked when syncing */
#define TOMB_NS (5ull * 1000000000ull)

#define DEF_STREAMS 4096u
#define DEF_BYTES (8u << 20)
#define DEF_TIMEOUT_NS (60ull * 1000000000ull)
#define MAX_STREAMS (1u << 22)
#define MIN_BYTES (2u * TCPR_WINDOW)
#define MAX_BYTES ((uint32_t)(UINT16_MAX - 1) * TCPR_CHUNK) /* just under 128 MiB */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

enum { L_LIVE, L_TOMB };
enum { S_UNSYNCED, S_SYNCED, S_CLOSED };

struct stream {
	/* key */
	uint8_t ver;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];

	uint8_t state;         /* S_* */
	uint8_t on;            /* L_*: which list; L_TOMB exactly when S_CLOSED */
	uint8_t probation;     /* synced by heuristic, first header unchecked */
	uint8_t have_isn;
	uint8_t fin;           /* FIN seen, at fin_seq */
	uint8_t has_lost;      /* bytes [lost_at, lost_to) will never come */
	uint32_t isn, fin_seq;
	uint32_t lost_at, lost_to;
	struct tcpw win;
};

/* A segment's data: sequence number of its first byte, captured and wire length. */
struct seg {
	uint32_t seq;
	const uint8_t *p;
	uint32_t n, w;
	uint64_t ts;
};

struct tcpr_table {
	struct tcpr_stats st;
	uint64_t timeout_ns;
	tcpr_msg_fn fn;          /* of the tcpr_add in progress */
	void *arg;

	struct stream *streams;
	struct ixp_ents ix;      /* free streams, hash chains */
	struct ixp_list live, tomb; /* by last activity, oldest first */
	struct tcpw_pool pool;

	uint8_t scratch[MAX_MSG];
};

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Sequence numbers wrap: a is after b when a - b is positive as int32. */
static inline int32_t sdiff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* ---- hashing and lists ------------------------------------------------------- */

/* Seeded per table: ports and addresses are the sender's to choose. */
static uint32_t key_hash(const struct tcpr_table *t, const struct stream *k)
{
	uint32_t h = ixp_mix(t->ix.seed ^ k->ver, (uint32_t)k->sport << 16 | k->dport);
	unsigned n = k->ver == 6 ? 16 : 4;

	for (unsigned i = 0; i < n; i += 4) {
		uint32_t a, b;
		memcpy(&a, k->src + i, 4);
		memcpy(&b, k->dst + i, 4);
		h = ixp_mix(ixp_mix(h, a), b);
	}
	return ixp_fmix(h);
}

static int key_equal(const struct stream *a, const struct stream *b)
{
	return a->ver == b->ver && a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

static void key_from_pi(struct stream *k, const struct pkt_info *pi, int reverse)
{
	unsigned n = pi->ip_version == 6 ? 16 : 4;

	memset(k->src, 0, sizeof(k->src));
	memset(k->dst, 0, sizeof(k->dst));
	k->ver = pi->ip_version;
	memcpy(k->src, reverse ? pi->dst : pi->src, n);
	memcpy(k->dst, reverse ? pi->src : pi->dst, n);
	k->sport = reverse ? pi->dport : pi->sport;
	k->dport = reverse ? pi->sport : pi->dport;
}

static uint32_t sidx(const struct tcpr_table *t, const struct stream *s)
{
	return (uint32_t)(s - t->streams);
}

static struct stream *stream_find(struct tcpr_table *t, const struct stream *k)
{
	for (uint32_t i = ixp_first(&t->ix, key_hash(t, k)); i != IXP_NIL; i = ixp_next(&t->ix, i))
		if (key_equal(&t->streams[i], k))
			return &t->streams[i];
	return NULL;
}

static struct ixp_list *list_of(struct tcpr_table *t, const struct stream *s)
{
	return s->on == L_TOMB ? &t->tomb : &t->live;
}

/* Move s to the newest end of list `which`. */
static void list_move(struct tcpr_table *t, struct stream *s, int which, uint64_t now_ns)
{
	ixp_list_del(&t->ix, list_of(t, s), sidx(t, s));
	s->on = (uint8_t)which;
	ixp_list_add(&t->ix, list_of(t, s), sidx(t, s), now_ns);
}

/* ---- room ------------------------------------------------------------------ */

static void stream_free(struct tcpr_table *t, struct stream *s);

/* Free the least recently active live stream other than stream keep. */
static int evict_one(struct tcpr_table *t, uint32_t keep)
{
	uint32_t i = ixp_oldest_but(&t->ix, &t->live, keep);

	if (i == IXP_NIL)
		return 0;
	if (t->streams[i].win.npieces)
		dr_ctr_add(&t->st.gaps, 1);
	stream_free(t, &t->streams[i]);
	dr_ctr_add(&t->st.evicted, 1);
	return 1;
}

/* The pool is dry: free the stream idle longest but keep's (tcpw_reclaim_fn). */
static int reclaim(void *arg, const struct tcpw *keep)
{
	struct tcpr_table *t = arg;
	const struct stream *ks = (const struct stream *)(const void *)
		((const char *)keep - offsetof(struct stream, win));

	return evict_one(t, sidx(t, ks));
}

/* ---- sync -------------------------------------------------------------------- */

/* The DNS header h plausibly starts a message of len bytes (see tcpreasm.h). */
static int header_ok(const uint8_t *h, uint32_t len)
{
	uint32_t qd = rd16(h + 4), rr = (uint32_t)rd16(h + 6) + rd16(h + 8) + rd16(h + 10);
	unsigned opcode = (h[2] >> 3) & 0x0f;

	if (len < DNS_HDR || qd > 1 || opcode == 3 || opcode > 6 || (h[3] & 0x40))
		return 0;
	return DNS_HDR + 5 * qd + 11 * rr <= len;
}

/*
 * May a message start at p (n bytes captured)? 0 no, 1 yes, 2 yes on
 * probation: the header is not in view yet.
 */
static int sync_check(const uint8_t *p, uint32_t n)
{
	uint32_t off = 0;

	if (n < 2 || rd16(p) < DNS_HDR)
		return 0;
	if (n < 2 + DNS_HDR)
		return 2;
	for (unsigned i = 0; i < SYNC_DEPTH && n - off >= 2; i++) {
		uint32_t len = rd16(p + off);
		if (len < DNS_HDR)
			return 0;
		if (n - off >= 2 + DNS_HDR && !header_ok(p + off + 2, len))
			return 0;
		if (n - off - 2 <= len)
			break;
		off += 2 + len;
	}
	return 1;
}

static void sync_at(struct tcpr_table *t, struct stream *s, uint32_t seq, int probation)
{
	s->state = S_SYNCED;
	s->probation = (uint8_t)probation;
	s->has_lost = 0;
	tcpw_reset(&t->pool, &s->win, seq);
}

/* Drop held bytes and wait for a plausible segment start. */
static void stream_unsync(struct tcpr_table *t, struct stream *s)
{
	s->state = S_UNSYNCED;
	s->probation = 0;
	s->has_lost = 0;
	tcpw_reset(&t->pool, &s->win, s->win.base);
}

static int try_resync(struct tcpr_table *t, struct stream *s, const struct seg *g)
{
	int v = sync_check(g->p, g->n);

	if (!v) {
		dr_ctr_add(&t->st.skipped_bytes, g->w);
		return 0;
	}
	dr_ctr_add(&t->st.resyncs, 1);
	sync_at(t, s, g->seq, v == 2);
	return 1;
}

/* ---- delivery ------------------------------------------------------------------ */

static void deliver(struct tcpr_table *t, const uint8_t *msg, uint32_t len, int multi,
		    uint64_t ts)
{
	dr_ctr_add(&t->st.messages, 1);
	if (multi)
		dr_ctr_add(&t->st.multi_segment_messages, 1);
	t->fn(t->arg, msg, len, multi, ts);
}

/* The message of len bytes at base is held whole: hand it out. */
static void deliver_held(struct tcpr_table *t, struct stream *s, const struct seg *g,
			 uint32_t len)
{
	uint32_t m0 = s->win.base, m1 = m0 + 2 + len;

	if (sdiff(m0, g->seq) >= 0 && sdiff(g->seq + g->n, m1) >= 0) {
		deliver(t, g->p + (m0 - g->seq) + 2, len, 0, g->ts);
		return;
	}
	tcpw_read(&t->pool, &s->win, m0 + 2, t->scratch, len);
	deliver(t, t->scratch, len, !tcpw_single(&s->win, m0, m1), g->ts);
}

static void consume(struct stream *s, uint32_t to)
{
	tcpw_consume(&s->win, to);
	if (s->has_lost && sdiff(to, s->lost_to) >= 0)
		s->has_lost = 0;
}

/*
 * After a loss, with the length of the message in progress unknown: held
 * bytes starting at `at` began a segment, so they are tried as a message
 * start just as a fresh segment would be. 1 when the stream goes on there.
 */
static int resync_held(struct tcpr_table *t, struct stream *s, uint32_t at)
{
	uint32_t n = tcpw_run_at(&s->win, at);
	int v;

	if (!n)
		return 0;
	n = min_u32(n, MAX_MSG);
	tcpw_read(&t->pool, &s->win, at, t->scratch, n);
	v = sync_check(t->scratch, n);
	if (!v)
		return 0;
	dr_ctr_add(&t->st.resyncs, 1);
	consume(s, at);
	s->probation = v == 2;
	return 1;
}

/*
 * Bytes from the contiguous end up to resume will never arrive. If the
 * length of the message in progress is known, skip to its end when that
 * lies past the loss; else try to go on at resume; else fall out of sync.
 */
static void stream_lose(struct tcpr_table *t, struct stream *s, uint32_t resume)
{
	uint32_t base = s->win.base;

	dr_ctr_add(&t->st.gaps, 1);
	if (tcpw_contig_end(&s->win) - base >= 2) {
		uint32_t end = base + 2 + tcpw_rd16(&t->pool, &s->win, base);
		if (sdiff(end, resume) >= 0) {
			consume(s, end);
			return;
		}
	}
	if (!resync_held(t, s, resume))
		stream_unsync(t, s);
}

/* First-message check of a stream synced on probation. 0 to go on. */
static int probation_check(struct tcpr_table *t, struct stream *s, const struct seg *g,
			   uint32_t len)
{
	uint8_t h[DNS_HDR];

	tcpw_read(&t->pool, &s->win, s->win.base + 2, h, DNS_HDR);
	if (header_ok(h, len)) {
		s->probation = 0;
		return 0;
	}
	/* The segment being added is counted on its own if it fails too. */
	dr_ctr_add(&t->st.skipped_bytes, tcpw_held_before(&s->win, g->seq));
	stream_unsync(t, s);
	return -1;
}

/*
 * Is a whole message held at base? 1 yes (its length in *len), 0 not yet,
 * -1 the stream fell out of sync (probation failed).
 */
static int next_msg(struct tcpr_table *t, struct stream *s, const struct seg *g, uint32_t *len)
{
	uint32_t c = tcpw_contig_end(&s->win) - s->win.base;

	if (c < 2)
		return 0;
	*len = tcpw_rd16(&t->pool, &s->win, s->win.base);
	if (s->probation) {
		if (c < 2 + DNS_HDR)
			return 0;
		if (probation_check(t, s, g, *len) < 0)
			return -1;
	}
	return c >= 2 + *len;
}

/*
 * Deliver every message held whole at the front of the window. When stuck
 * right where bytes are known lost, give them up and go on.
 */
static void drain(struct tcpr_table *t, struct stream *s, const struct seg *g)
{
	for (;;) {
		uint32_t len;
		int r = next_msg(t, s, g, &len);
		if (r < 0)
			return;
		if (r) {
			deliver_held(t, s, g, len);
			consume(s, s->win.base + 2 + len);
			continue;
		}
		if (!s->has_lost || tcpw_contig_end(&s->win) != s->lost_at)
			break;
		s->has_lost = 0;
		stream_lose(t, s, s->lost_to);
		if (s->state != S_SYNCED)
			return;
	}
	tcpw_gc(&t->pool, &s->win);
}

/* ---- segment data ------------------------------------------------------------- */

/* Cut what lies before base. 0 when nothing is left. */
static int seg_trim(struct tcpr_table *t, const struct stream *s, struct seg *g)
{
	int32_t d = sdiff(s->win.base, g->seq);

	if (d <= 0)
		return 1;
	if ((uint32_t)d >= g->w) {
		dr_ctr_add(&t->st.retransmitted_bytes, g->w);
		return 0;
	}
	dr_ctr_add(&t->st.retransmitted_bytes, (uint32_t)d);
	g->seq += (uint32_t)d;
	g->w -= (uint32_t)d;
	g->p += min_u32((uint32_t)d, g->n);
	g->n -= min_u32((uint32_t)d, g->n);
	return 1;
}

static int hold(struct tcpr_table *t, struct stream *s, uint32_t seq, const uint8_t *p,
		uint32_t n)
{
	uint32_t dup;
	int rc = tcpw_insert(&t->pool, &s->win, seq, p, n, &dup);

	dr_ctr_add(&t->st.retransmitted_bytes, dup);
	return rc;
}

/* Nothing held and the segment starts at base: parse it in place. */
static void fast_path(struct tcpr_table *t, struct stream *s, const struct seg *g)
{
	uint32_t off = 0;

	while (g->n - off >= 2) {
		uint32_t len = rd16(g->p + off);
		if (g->n - off - 2 < len)
			break;
		deliver(t, g->p + off + 2, len, 0, g->ts);
		off += 2 + len;
	}
	consume(s, g->seq + off);
	if (off < g->n && hold(t, s, g->seq + off, g->p + off, g->n - off) < 0) {
		dr_ctr_add(&t->st.gaps, 1);
		stream_unsync(t, s);
	}
}

/* Where the hole at the contiguous end stops: the next held or arriving byte. */
static uint32_t hole_end(const struct stream *s, const struct seg *g)
{
	uint32_t next = tcpw_next_start(&s->win, tcpw_contig_end(&s->win), g->seq);

	return sdiff(next, g->seq) < 0 ? next : g->seq;
}

static void note_lost(struct stream *s, uint32_t at, uint32_t to)
{
	if (s->has_lost && sdiff(at, s->lost_at) > 0)
		return; /* keep the nearer one; a later loss shows up again when reached */
	s->has_lost = 1;
	s->lost_at = at;
	s->lost_to = to;
}

/*
 * No room for the segment: give up the hole in front of the window and try
 * once more. 0 when the segment can now be held.
 */
static int make_room(struct tcpr_table *t, struct stream *s, struct seg *g)
{
	stream_lose(t, s, hole_end(s, g));
	if (s->state != S_SYNCED)
		return -1;
	drain(t, s, g);
	if (s->state != S_SYNCED || !seg_trim(t, s, g))
		return -1;
	if (!g->n || hold(t, s, g->seq, g->p, g->n) == 0)
		return 0;
	dr_ctr_add(&t->st.gaps, 1);
	stream_unsync(t, s);
	return -1;
}

static void synced_data(struct tcpr_table *t, struct stream *s, struct seg *g)
{
	if (!seg_trim(t, s, g))
		return;
	if (!s->win.npieces && g->seq == s->win.base && g->n == g->w && !s->probation) {
		fast_path(t, s, g);
		return;
	}
	if (sdiff(g->seq, tcpw_contig_end(&s->win)) > 0)
		dr_ctr_add(&t->st.out_of_order, 1);
	if (g->n && hold(t, s, g->seq, g->p, g->n) < 0 && make_room(t, s, g) < 0)
		return;
	if (g->n < g->w)
		note_lost(s, g->seq + g->n, g->seq + g->w);
	drain(t, s, g);
}

/*
 * A stream that falls out of sync while taking a segment gets one more try
 * at that segment's start, unless part of it was delivered already.
 */
static void stream_data(struct tcpr_table *t, struct stream *s, const struct seg *seg)
{
	struct seg g = *seg;
	uint64_t msgs = dr_ctr_get(&t->st.messages);
	int tried = 0;

	if (s->state == S_UNSYNCED) {
		if (!try_resync(t, s, &g))
			return;
		tried = 1;
	}
	synced_data(t, s, &g);
	if (s->state == S_SYNCED || tried || dr_ctr_get(&t->st.messages) != msgs)
		return;
	g = *seg;
	if (try_resync(t, s, &g))
		synced_data(t, s, &g);
}

/* ---- stream life -------------------------------------------------------------- */

static void stream_free(struct tcpr_table *t, struct stream *s)
{
	ixp_put(&t->ix, sidx(t, s), key_hash(t, s), list_of(t, s));
	tcpw_reset(&t->pool, &s->win, 0);
}

/* FIN or RST: keep the key as a tombstone, without its bytes. */
static void stream_close(struct tcpr_table *t, struct stream *s, uint64_t now_ns)
{
	if (s->win.npieces)
		dr_ctr_add(&t->st.gaps, 1);
	stream_unsync(t, s);
	s->state = S_CLOSED;
	list_move(t, s, L_TOMB, now_ns);
}

/* A fresh stream; the window must hold nothing (tcpw_reset done). */
static void stream_reset(struct stream *s)
{
	s->state = S_UNSYNCED;
	s->probation = s->have_isn = s->fin = s->has_lost = 0;
}

/* Tombstones go first (they are only a courtesy), then the least active stream. */
static struct stream *stream_new(struct tcpr_table *t, const struct stream *k, uint64_t now_ns)
{
	if (ixp_full(&t->ix)) {
		if (t->tomb.oldest != IXP_NIL)
			stream_free(t, &t->streams[t->tomb.oldest]);
		else
			evict_one(t, IXP_NIL);
	}
	struct stream *s = &t->streams[ixp_take(&t->ix, key_hash(t, k), &t->live, now_ns)];

	s->on = L_LIVE;
	s->ver = k->ver;
	s->sport = k->sport;
	s->dport = k->dport;
	memcpy(s->src, k->src, sizeof(s->src));
	memcpy(s->dst, k->dst, sizeof(s->dst));
	stream_reset(s);
	dr_ctr_add(&t->st.streams, 1);
	return s;
}

static void expire_list(struct tcpr_table *t, struct ixp_list *l, uint64_t timeout,
			uint64_t now_ns)
{
	uint32_t i;

	while ((i = ixp_due(&t->ix, l, now_ns, timeout)) != IXP_NIL) {
		struct stream *s = &t->streams[i];
		if (s->on == L_LIVE) {
			if (s->win.npieces)
				dr_ctr_add(&t->st.gaps, 1);
			dr_ctr_add(&t->st.timed_out, 1);
		}
		stream_free(t, s);
	}
}

void tcpr_expire(struct tcpr_table *t, uint64_t now_ns)
{
	expire_list(t, &t->tomb, TOMB_NS, now_ns);
	expire_list(t, &t->live, t->timeout_ns, now_ns);
}

/* SYN: the ISN fixes the first message boundary. Returns NULL to ignore the segment. */
static struct stream *on_syn(struct tcpr_table *t, struct stream *s, const struct stream *k,
			     uint32_t isn, uint64_t now_ns)
{
	if (s && s->have_isn && s->isn == isn)
		return s->state == S_CLOSED ? NULL : s; /* retransmitted SYN */
	if (!s) {
		s = stream_new(t, k, now_ns);
	} else {
		if (s->win.npieces)
			dr_ctr_add(&t->st.gaps, 1); /* a new connection on the same ports */
		stream_unsync(t, s);
		stream_reset(s);
		if (s->on == L_TOMB)
			list_move(t, s, L_LIVE, now_ns);
	}
	s->have_isn = 1;
	s->isn = isn;
	sync_at(t, s, isn + 1, 0);
	return s;
}

/* RST aborts the connection: both directions are done. */
static void on_rst(struct tcpr_table *t, struct stream *s, const struct pkt_info *pi,
		   uint64_t now_ns)
{
	struct stream k;

	if (s && s->state != S_CLOSED)
		stream_close(t, s, now_ns);
	key_from_pi(&k, pi, 1);
	s = stream_find(t, &k);
	if (s && s->state != S_CLOSED)
		stream_close(t, s, now_ns);
}

/* Every byte before the FIN is in (delivered, or held as a partial message). */
static int fin_reached(const struct stream *s)
{
	return s->state != S_SYNCED || sdiff(tcpw_contig_end(&s->win), s->fin_seq) >= 0;
}

static struct stream *lookup(struct tcpr_table *t, const struct pkt_info *pi, uint64_t now_ns)
{
	struct stream k, *s;

	key_from_pi(&k, pi, 0);
	s = stream_find(t, &k);
	if (pi->tcp_flags & TCP_RST) {
		on_rst(t, s, pi, now_ns);
		return NULL;
	}
	if (pi->tcp_flags & TCP_SYN)
		return on_syn(t, s, &k, pi->tcp_seq, now_ns);
	if (!s && pi->payload_wire_len)
		s = stream_new(t, &k, now_ns);
	return s;
}

int tcpr_add(struct tcpr_table *t, const struct pkt_info *pi, uint64_t now_ns,
	     tcpr_msg_fn fn, void *arg)
{
	uint8_t fl = pi->tcp_flags;

	dr_ctr_add(&t->st.segments, 1);
	if (pi->l4proto != 6 || (pi->ip_version != 4 && pi->ip_version != 6))
		return -EINVAL;
	if (!pi->payload_wire_len && !(fl & (TCP_SYN | TCP_FIN | TCP_RST)))
		return 0; /* pure ACK */
	t->fn = fn;
	t->arg = arg;
	tcpr_expire(t, now_ns);

	struct stream *s = lookup(t, pi, now_ns);
	if (!s)
		return 0;
	if (s->state == S_CLOSED) {
		dr_ctr_add(&t->st.retransmitted_bytes, pi->payload_wire_len);
		return 0;
	}
	ixp_touch(&t->ix, &t->live, sidx(t, s), now_ns); /* not closed, so live */
	struct seg g = {
		.seq = pi->tcp_seq + ((fl & TCP_SYN) ? 1 : 0),
		.p = pi->payload,
		.n = min_u32(pi->payload_len, pi->payload_wire_len),
		.w = pi->payload_wire_len,
		.ts = now_ns,
	};
	if (g.w)
		stream_data(t, s, &g);
	if (fl & TCP_FIN) {
		s->fin = 1;
		s->fin_seq = g.seq + g.w;
	}
	if (s->fin && fin_reached(s))
		stream_close(t, s, now_ns);
	return 0;
}

/* ---- table -------------------------------------------------------------------- */

static int limits_apply(struct tcpr_table *t, const struct tcpr_limits *lim, uint32_t *streams,
			uint32_t *bytes)
{
	uint32_t n = lim && lim->max_streams ? lim->max_streams : DEF_STREAMS;
	uint32_t b = lim && lim->max_bytes ? lim->max_bytes : DEF_BYTES;

	if (n > MAX_STREAMS || b < MIN_BYTES || b > MAX_BYTES)
		return -EINVAL;
	t->timeout_ns = lim && lim->timeout_ns ? lim->timeout_ns : DEF_TIMEOUT_NS;
	*streams = n;
	*bytes = b;
	return 0;
}

static void table_init(struct tcpr_table *t)
{
	for (uint32_t i = 0; i < t->ix.n; i++)
		tcpw_init(&t->streams[i].win);
	ixp_list_init(&t->live);
	ixp_list_init(&t->tomb);
}

int tcpr_create(struct tcpr_table **out, const struct tcpr_limits *lim)
{
	struct tcpr_table *t = dr_calloc(1, sizeof(*t));
	uint32_t streams, bytes;
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	err = limits_apply(t, lim, &streams, &bytes);
	if (err < 0)
		goto fail;
	err = tcpw_pool_init(&t->pool, bytes, reclaim, t);
	if (err < 0)
		goto fail;
	err = ixp_ents_init(&t->ix, streams);
	if (err < 0)
		goto fail;
	t->streams = dr_calloc(streams, sizeof(*t->streams));
	err = -ENOMEM;
	if (!t->streams)
		goto fail;
	table_init(t);
	*out = t;
	return 0;
fail:
	tcpr_destroy(t);
	return err;
}

void tcpr_destroy(struct tcpr_table *t)
{
	if (!t)
		return;
	tcpw_pool_fini(&t->pool);
	ixp_ents_fini(&t->ix);
	dr_free(t->streams);
	dr_free(t);
}

const struct tcpr_stats *tcpr_stats(const struct tcpr_table *t)
{
	return &t->st;
}

void tcpr_usage(const struct tcpr_table *t, uint32_t *streams, uint32_t *bytes)
{
	*streams = t->ix.used;
	*bytes = tcpw_pool_used(&t->pool);
}
