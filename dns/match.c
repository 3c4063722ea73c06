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
	uint64_t key;
	uint64_t ts_ns;
};

struct match_table {
	struct slot *slots;
	uint32_t mask;          /* capacity - 1 */
	uint32_t count;         /* slots in use */
	uint32_t limit;         /* max in use: 3/4 of the slots keeps probes short */
	struct fifo_ent *fifo;  /* insertions in time order, limit entries */
	uint32_t head, tail;    /* fifo positions (mod limit) */
	uint64_t timeout_ns;
	struct match_stats st;
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
	dr_free(t);
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
static void pop_oldest(struct match_table *t, dr_ctr *ctr)
{
	struct fifo_ent *e = &t->fifo[t->head];
	uint32_t i;

	if (!e->key) {
		t->head = t->head + 1 == t->limit ? 0 : t->head + 1;
		return;
	}
	i = find(t, e->key);
	/* A slot with the same key but another time is a later query that
	 * reused the key after this one was answered: leave it. */
	if (t->slots[i].key == e->key && t->slots[i].ts_ns == e->ts_ns) {
		remove_at(t, i);
		dr_ctr_add(ctr, 1);
	}
	t->head = t->head + 1 == t->limit ? 0 : t->head + 1;
}

static uint32_t fifo_len(const struct match_table *t)
{
	return t->tail >= t->head ? t->tail - t->head : t->limit - t->head + t->tail;
}

void match_expire(struct match_table *t, uint64_t now_ns)
{
	while (t->head != t->tail && t->fifo[t->head].ts_ns + t->timeout_ns < now_ns)
		pop_oldest(t, &t->st.unanswered);
}

void match_flush(struct match_table *t)
{
	while (t->head != t->tail)
		pop_oldest(t, &t->st.unanswered);
}

static void remember(struct match_table *t, uint64_t key, uint64_t ts_ns)
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
			pop_oldest(t, &t->st.evicted);
		i = find(t, key);
	}
	t->slots[i].key = key;
	t->slots[i].ts_ns = ts_ns;
	t->slots[i].fifo = t->tail;
	t->count++;
	t->fifo[t->tail] = (struct fifo_ent){ key, ts_ns };
	t->tail = t->tail + 1 == t->limit ? 0 : t->tail + 1;
	dr_ctr_add(&t->st.queries, 1);
}

int64_t match_offer(struct match_table *t, const struct pkt_info *pi, uint8_t transport,
		    const struct dns_summary *sum, uint64_t ts_ns)
{
	uint64_t key;
	uint32_t i;

	if (!sum->has_header)
		return -1;
	match_expire(t, ts_ns);
	key = exchange_key(pi, transport, sum);
	if (!sum->qr) {
		remember(t, key, ts_ns);
		return -1;
	}
	i = find(t, key);
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
