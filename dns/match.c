/* SPDX-License-Identifier: BSD-2-Clause */
/* match.c: the query table; see match.h for the design and its bounds. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dns/match.h"

struct slot {
	uint64_t key;   /* 0 = empty (a real key of 0 is remapped to 1) */
	uint64_t ts_ns; /* capture time of the query */
	uint32_t fifo;  /* its FIFO entry, cleared when the query is answered */
};

struct fifo_ent {
	uint64_t key;   /* 0 once answered */
	uint64_t ts_ns;
	uint32_t off;   /* its match_pending in the ring, or NO_OFF */
};

#define NO_OFF UINT32_MAX

struct match_table {
	struct slot *slots;
	uint32_t mask;          /* capacity - 1 */
	uint32_t count;         /* slots in use */
	uint32_t limit;         /* max in use: 3/4 of the slots keeps probes short */
	struct fifo_ent *fifo;  /* insertions in time order, limit entries */
	uint32_t head, tail;    /* fifo positions (mod limit) */
	uint64_t timeout_ns;
	struct match_stats st;
	/* --unanswered: pending queries in FIFO order in a byte ring */
	uint8_t *ring;
	uint32_t ring_size, ring_head, ring_tail;
	match_unanswered_fn on_unanswered;
	void *arg;
};

int match_create(struct match_table **out, uint32_t capacity, uint64_t timeout_ns)
{
	struct match_table *t = dr_calloc(1, sizeof(*t));
	uint32_t slots = 16;

	if (!t)
		return -ENOMEM;
	while (slots < capacity + capacity / 3 && slots < (1u << 30))
		slots <<= 1;
	t->slots = dr_calloc(slots, sizeof(*t->slots));
	t->limit = slots / 4 * 3;
	t->fifo = dr_calloc(t->limit, sizeof(*t->fifo));
	if (!t->slots || !t->fifo) {
		match_destroy(t);
		return -ENOMEM;
	}
	t->mask = slots - 1;
	t->timeout_ns = timeout_ns;
	*out = t;
	return 0;
}

void match_destroy(struct match_table *t)
{
	if (!t)
		return;
	dr_free(t->slots);
	dr_free(t->fifo);
	dr_free(t->ring);
	dr_free(t);
}

int match_keep_queries(struct match_table *t, uint32_t ring_bytes, match_unanswered_fn fn,
		       void *arg)
{
	t->ring = dr_malloc(ring_bytes);
	if (!t->ring)
		return -ENOMEM;
	t->ring_size = ring_bytes;
	t->on_unanswered = fn;
	t->arg = arg;
	return 0;
}

const struct match_stats *match_stats(const struct match_table *t)
{
	return &t->st;
}

/* ---- the key ---- */

static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

static uint64_t mix_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	uint64_t v;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		h = mix(h, v);
	}
	v = 0;
	memcpy(&v, p, n);
	return mix(h, v ^ ((uint64_t)n << 56));
}

/* The question name, ASCII letters folded to lower case: resolvers using
 * 0x20 randomisation echo the case, but a tap may see the two differ. */
static uint64_t mix_qname(uint64_t h, const struct dns_summary *sum)
{
	uint8_t low[255];

	for (unsigned i = 0; i < sum->qname_len; i++) {
		uint8_t c = sum->qname[i];
		low[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
	}
	return mix_bytes(h, low, sum->qname_len);
}

/* Key of the exchange: client first, so query and response agree. */
static uint64_t exchange_key(const struct pkt_info *pi, uint8_t transport,
			     const struct dns_summary *sum)
{
	const uint8_t *client = sum->qr ? pi->dst : pi->src;
	const uint8_t *server = sum->qr ? pi->src : pi->dst;
	uint16_t cport = sum->qr ? pi->dport : pi->sport;
	uint16_t sport = sum->qr ? pi->sport : pi->dport;
	size_t alen = pi->ip_version == 6 ? 16 : 4;
	uint64_t h = 0x6a09e667f3bcc908ull;

	h = mix_bytes(h, client, alen);
	h = mix_bytes(h, server, alen);
	h = mix(h, (uint64_t)cport | (uint64_t)sport << 16 | (uint64_t)transport << 32 |
		   (uint64_t)sum->id << 40);
	h = mix(h, (uint64_t)sum->has_question | (uint64_t)sum->qtype << 8 |
		   (uint64_t)sum->qclass << 24);
	h = mix_qname(h, sum);
	return h ? h : 1;
}

/* ---- open addressing with backward-shift deletion ---- */

static uint32_t find(const struct match_table *t, uint64_t key)
{
	uint32_t i = (uint32_t)key & t->mask;

	while (t->slots[i].key && t->slots[i].key != key)
		i = (i + 1) & t->mask;
	return i;
}

static void remove_at(struct match_table *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->slots[j].key)
			break;
		uint32_t home = (uint32_t)t->slots[j].key & t->mask;
		/* Move j back into the hole at i unless its home lies in (i, j]. */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].key = 0;
	t->count--;
}

/*
 * Drop the FIFO's oldest entry; counted in *ctr when its query is still
 * waiting. Answered queries cleared their entry (key 0), so the common
 * case costs no probe of the (cache-cold) table.
 */
static uint32_t pending_size(uint32_t len)
{
	return (uint32_t)((sizeof(struct match_pending) + len + 7) & ~(size_t)7);
}

/* The entry at ring offset off. Offsets are multiples of 8 (pending_size)
 * into a malloc'd ring, so the entry is aligned: the void * cast says so
 * to -Wcast-align. */
static struct match_pending *pending_at(const struct match_table *t, uint32_t off)
{
	return (struct match_pending *)(void *)(t->ring + off);
}

/* The FIFO head leaves: its ring bytes are the oldest, so the ring's head
 * moves past them (entries are allocated and freed in the same order). */
static void ring_release(struct match_table *t, const struct fifo_ent *e)
{
	if (e->off == NO_OFF)
		return;
	t->ring_head = e->off + pending_size(pending_at(t, e->off)->len);
}

static void advance_head(struct match_table *t)
{
	t->head = t->head + 1 == t->limit ? 0 : t->head + 1;
	if (t->head == t->tail)
		t->ring_head = t->ring_tail = 0; /* empty: start the ring afresh */
}

/*
 * Drop the FIFO's oldest entry; counted in *ctr when its query is still
 * waiting (and reported when unanswered queries are kept). Answered
 * queries cleared their entry (key 0), so the common case costs no probe of
 * the (cache-cold) table.
 */
static void pop_oldest(struct match_table *t, dr_ctr *ctr, int report)
{
	struct fifo_ent *e = &t->fifo[t->head];
	uint32_t i;

	if (e->key) {
		i = find(t, e->key);
		/* A slot with the same key but another time is a later query
		 * that reused the key after this one was answered: leave it. */
		if (t->slots[i].key == e->key && t->slots[i].ts_ns == e->ts_ns) {
			remove_at(t, i);
			dr_ctr_add(ctr, 1);
			if (report && t->on_unanswered && e->off != NO_OFF)
				t->on_unanswered(t->arg, pending_at(t, e->off));
		}
	}
	ring_release(t, e);
	advance_head(t);
}

/* Room for n bytes in the ring, or NO_OFF. Allocations are contiguous: when
 * the end is too short the next one starts at 0 (the rest of the end is
 * skipped, and freed with the entry before it). */
static uint32_t ring_alloc(struct match_table *t, uint32_t n)
{
	uint32_t h = t->ring_head, tl = t->ring_tail;

	if (tl >= h) {
		if (n <= t->ring_size - tl) {
			t->ring_tail = tl + n;
			return tl;
		}
		if (n < h) {
			t->ring_tail = n;
			return 0;
		}
		return NO_OFF;
	}
	if (n < h - tl) {
		t->ring_tail = tl + n;
		return tl;
	}
	return NO_OFF;
}

static uint32_t fifo_len(const struct match_table *t)
{
	return t->tail >= t->head ? t->tail - t->head : t->limit - t->head + t->tail;
}

void match_expire(struct match_table *t, uint64_t now_ns)
{
	while (t->head != t->tail && t->fifo[t->head].ts_ns + t->timeout_ns < now_ns)
		pop_oldest(t, &t->st.unanswered, 1);
}

void match_flush(struct match_table *t)
{
	while (t->head != t->tail)
		pop_oldest(t, &t->st.unanswered, 1);
}

/* Keep the query for --unanswered; NO_OFF when not kept. May evict. */
static uint32_t keep_query(struct match_table *t, const struct pkt_info *pi, uint8_t transport,
			   uint64_t ts_ns, const uint8_t *wire, uint32_t len, uint8_t defrag,
			   uint8_t reasm)
{
	uint32_t need = pending_size(len), off;
	struct match_pending *q;

	if (!t->ring || !wire || len > MATCH_KEEP_MAX || need >= t->ring_size / 2)
		return NO_OFF;
	while ((off = ring_alloc(t, need)) == NO_OFF && t->head != t->tail)
		pop_oldest(t, &t->st.evicted, 0);
	if (off == NO_OFF)
		return NO_OFF;
	q = pending_at(t, off);
	q->ts_ns = ts_ns;
	memcpy(q->src, pi->src, 16);
	memcpy(q->dst, pi->dst, 16);
	q->sport = pi->sport;
	q->dport = pi->dport;
	q->ip_version = pi->ip_version;
	q->transport = transport;
	q->nvlan = pi->nvlan;
	memcpy(q->vlan, pi->vlan, sizeof(q->vlan));
	q->ip_defragmented = defrag;
	q->tcp_reassembled = reasm;
	q->len = len;
	memcpy(q->wire, wire, len);
	return off;
}

static void remember(struct match_table *t, uint64_t key, uint64_t ts_ns, uint32_t off)
{
	uint32_t i = find(t, key);

	if (t->slots[i].key) {
		dr_ctr_add(&t->st.duplicates, 1);
		return;
	}
	/* The FIFO holds one entry per live slot at most, plus stale ones;
	 * keep one free so head == tail means empty. */
	if (fifo_len(t) + 1 >= t->limit) {
		/* Every live slot has a FIFO entry, so room in the FIFO is room
		 * in the table; stale entries (answered queries) free nothing. */
		while (fifo_len(t) + 1 >= t->limit)
			pop_oldest(t, &t->st.evicted, 0);
		i = find(t, key);
	}
	t->slots[i].key = key;
	t->slots[i].ts_ns = ts_ns;
	t->slots[i].fifo = t->tail;
	t->count++;
	t->fifo[t->tail] = (struct fifo_ent){ key, ts_ns, off };
	t->tail = t->tail + 1 == t->limit ? 0 : t->tail + 1;
	dr_ctr_add(&t->st.queries, 1);
}

int64_t match_offer_msg(struct match_table *t, const struct pkt_info *pi, uint8_t transport,
			const struct dns_summary *sum, uint64_t ts_ns, const uint8_t *wire,
			uint32_t len, uint8_t ip_defragmented, uint8_t tcp_reassembled)
{
	uint64_t key;
	uint32_t i;

	if (!sum->has_header)
		return -1;
	key = exchange_key(pi, transport, sum);
	i = find(t, key);
	if (!sum->qr) {
		if (t->slots[i].key) {
			dr_ctr_add(&t->st.duplicates, 1);
			return -1;
		}
		/* Keep first (it may evict, moving slots), then insert. */
		uint32_t off = keep_query(t, pi, transport, ts_ns, wire, len, ip_defragmented,
					  tcp_reassembled);
		remember(t, key, ts_ns, off);
		return -1;
	}
	if (!t->slots[i].key) {
		dr_ctr_add(&t->st.unmatched, 1);
		return -1;
	}
	uint64_t q_ts = t->slots[i].ts_ns;
	t->fifo[t->slots[i].fifo].key = 0; /* answered: expiry skips it */
	remove_at(t, i);
	dr_ctr_add(&t->st.matched, 1);
	/* Clocks step and captures get merged: never report a negative time. */
	return ts_ns >= q_ts ? (int64_t)((ts_ns - q_ts) / 1000) : 0;
}

int64_t match_offer(struct match_table *t, const struct pkt_info *pi, uint8_t transport,
		    const struct dns_summary *sum, uint64_t ts_ns)
{
	return match_offer_msg(t, pi, transport, sum, ts_ns, NULL, 0, 0, 0);
}
