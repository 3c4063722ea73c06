/* SPDX-License-Identifier: BSD-2-Clause */
/* test_match.c: the query/response table: rtt, endpoint symmetry, case
 * folding, unmatched responses, timeouts, retransmissions and eviction. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dns/match.h"

#define MS 1000000ull

static struct pkt_info flow(int response, uint16_t client_port)
{
	struct pkt_info pi;
	const uint8_t client[4] = { 192, 0, 2, 10 }, server[4] = { 192, 0, 2, 53 };

	memset(&pi, 0, sizeof(pi));
	pi.ip_version = 4;
	memcpy(response ? pi.dst : pi.src, client, 4);
	memcpy(response ? pi.src : pi.dst, server, 4);
	pi.sport = response ? 53 : client_port;
	pi.dport = response ? client_port : 53;
	return pi;
}

static struct dns_summary msg(int qr, uint16_t id, const char *wire_qname)
{
	struct dns_summary s;

	memset(&s, 0, sizeof(s));
	s.has_header = 1;
	s.qr = (uint8_t)qr;
	s.id = id;
	s.has_question = 1;
	s.qtype = 1;
	s.qclass = 1;
	s.qname_len = (uint8_t)(strlen(wire_qname) + 1);
	memcpy(s.qname, wire_qname, s.qname_len);
	return s;
}

static int64_t offer(struct match_table *t, int qr, uint16_t port, uint16_t id,
		     const char *name, uint64_t ts)
{
	struct pkt_info pi = flow(qr, port);
	struct dns_summary s = msg(qr, id, name);

	return match_offer(t, &pi, 17, &s, ts);
}

static void test_rtt_and_symmetry(void **state)
{
	struct match_table *t;
	(void)state;
	assert_int_equal(match_create(&t, 64, 5000 * MS), 0);
	assert_int_equal(offer(t, 0, 40000, 7, "\3www\7example\3com", 1000 * MS), -1);
	/* 0x20 mixed case in the response still matches */
	assert_int_equal(offer(t, 1, 40000, 7, "\3wWw\7ExAmple\3COM", 1000 * MS + 1234567), 1234);
	/* answered: a second response finds nothing */
	assert_int_equal(offer(t, 1, 40000, 7, "\3www\7example\3com", 1002 * MS), -1);
	assert_int_equal(dr_ctr_get(&match_stats(t)->matched), 1);
	assert_int_equal(dr_ctr_get(&match_stats(t)->unmatched), 1);
	match_destroy(t);
}

static void test_key_parts(void **state)
{
	struct match_table *t;
	(void)state;
	assert_int_equal(match_create(&t, 64, 5000 * MS), 0);
	offer(t, 0, 40000, 7, "\1a", 0);
	assert_int_equal(offer(t, 1, 40001, 7, "\1a", MS), -1); /* other port */
	assert_int_equal(offer(t, 1, 40000, 8, "\1a", MS), -1); /* other id */
	assert_int_equal(offer(t, 1, 40000, 7, "\1b", MS), -1); /* other name */
	assert_int_equal(offer(t, 1, 40000, 7, "\1a", MS), 1000);
	match_destroy(t);
}

static void test_timeout_and_flush(void **state)
{
	struct match_table *t;
	(void)state;
	assert_int_equal(match_create(&t, 64, 5000 * MS), 0);
	offer(t, 0, 1, 1, "\1a", 0);
	offer(t, 0, 2, 2, "\1a", 1000 * MS);
	/* at 5.5 s the first has expired, the second has not */
	match_expire(t, 5500 * MS);
	assert_int_equal(offer(t, 1, 1, 1, "\1a", 5500 * MS), -1);
	assert_int_equal(offer(t, 1, 2, 2, "\1a", 5500 * MS), 4500000);
	offer(t, 0, 3, 3, "\1a", 6000 * MS);
	match_flush(t);
	assert_int_equal(dr_ctr_get(&match_stats(t)->unanswered), 2);
	match_destroy(t);
}

static void test_retransmission_keeps_first(void **state)
{
	struct match_table *t;
	(void)state;
	assert_int_equal(match_create(&t, 64, 5000 * MS), 0);
	offer(t, 0, 1, 1, "\1a", 0);
	offer(t, 0, 1, 1, "\1a", 1000 * MS);
	assert_int_equal(dr_ctr_get(&match_stats(t)->duplicates), 1);
	assert_int_equal(offer(t, 1, 1, 1, "\1a", 1500 * MS), 1500000);
	match_destroy(t);
}

/* More queries than fit: the oldest are evicted and counted, the newest
 * still match, and the table never grows. */
static void test_eviction(void **state)
{
	struct match_table *t;
	uint64_t evicted, matched = 0;
	(void)state;
	assert_int_equal(match_create(&t, 100, 3600000 * MS), 0);
	for (uint16_t i = 0; i < 1000; i++)
		offer(t, 0, (uint16_t)(1000 + i), i, "\1a", i);
	evicted = dr_ctr_get(&match_stats(t)->evicted);
	assert_true(evicted >= 800 && evicted < 1000);
	for (uint16_t i = 0; i < 1000; i++)
		if (offer(t, 1, (uint16_t)(1000 + i), i, "\1a", 2000) >= 0)
			matched++;
	assert_int_equal(matched + evicted, 1000);
	assert_true(offer(t, 1, 1999, 999, "\1a", 3000) == -1); /* answered already */
	match_destroy(t);
}

/* Interleaved insert/answer churn far beyond capacity: stale FIFO entries
 * (answered queries) must not evict live ones. */
static void test_churn(void **state)
{
	struct match_table *t;
	(void)state;
	assert_int_equal(match_create(&t, 16, 3600000 * MS), 0);
	for (uint32_t i = 0; i < 100000; i++) {
		uint16_t id = (uint16_t)i;
		offer(t, 0, 5, id, "\1a", i);
		assert_int_equal(offer(t, 1, 5, id, "\1a", i + 1000), 1);
	}
	assert_int_equal(dr_ctr_get(&match_stats(t)->evicted), 0);
	assert_int_equal(dr_ctr_get(&match_stats(t)->matched), 100000);
	match_destroy(t);
}

/* --unanswered: expired and flushed queries come back whole, in order;
 * answered ones never do; a small ring evicts the oldest (counted). */
struct seen {
	int n;
	uint16_t ports[64];
	uint32_t lens[64];
	int bad;
};

static void on_unanswered(void *arg, const struct match_pending *q)
{
	struct seen *s = arg;

	if (s->n < 64) {
		s->ports[s->n] = q->sport;
		s->lens[s->n] = q->len;
	}
	for (uint32_t i = 0; i < q->len; i++)
		if (q->wire[i] != (uint8_t)(q->sport + i))
			s->bad = 1;
	s->n++;
}

static int64_t offer_wire(struct match_table *t, int qr, uint16_t port, uint16_t id,
			  uint32_t len, uint64_t ts)
{
	static uint8_t wire[4096];
	struct pkt_info pi = flow(qr, port);
	struct dns_summary s = msg(qr, id, "\1a");

	for (uint32_t i = 0; i < len; i++)
		wire[i] = (uint8_t)(port + i);
	return match_offer_msg(t, &pi, 17, &s, ts, wire, len, 0, 0);
}

static void test_keep_unanswered(void **state)
{
	struct match_table *t;
	struct seen seen = { 0 };
	(void)state;
	assert_int_equal(match_create(&t, 64, 5000 * MS), 0);
	assert_int_equal(match_keep_queries(t, 1 << 16, on_unanswered, &seen), 0);
	offer_wire(t, 0, 100, 1, 40, 0);
	offer_wire(t, 0, 101, 2, 300, 1 * MS);
	offer_wire(t, 0, 102, 3, 17, 2 * MS);
	assert_true(offer_wire(t, 1, 101, 2, 0, 3 * MS) >= 0); /* answered */
	match_expire(t, 5002 * MS);     /* only the first is older than 5 s */
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.ports[0], 100);
	assert_int_equal(seen.lens[0], 40);
	match_flush(t);                 /* end of input: the third */
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ports[1], 102);
	assert_int_equal(seen.lens[1], 17);
	assert_false(seen.bad);
	match_destroy(t);
}

static void test_keep_ring_wraps_and_evicts(void **state)
{
	struct match_table *t;
	struct seen seen = { 0 };
	uint64_t evicted;
	(void)state;
	assert_int_equal(match_create(&t, 4096, 3600000 * MS), 0);
	/* 8 KiB ring, entries of ~600 bytes: about a dozen fit */
	assert_int_equal(match_keep_queries(t, 8192, on_unanswered, &seen), 0);
	for (uint16_t i = 0; i < 200; i++) {
		offer_wire(t, 0, (uint16_t)(1000 + i), i, 500 + i % 7, i);
		if (i % 3 == 0) /* answer some, leaving holes in the ring */
			offer_wire(t, 1, (uint16_t)(1000 + i), i, 0, i);
	}
	evicted = dr_ctr_get(&match_stats(t)->evicted);
	assert_true(evicted > 100);
	match_flush(t);
	/* what is left comes back intact and in order */
	assert_true(seen.n > 0 && seen.n < 20);
	for (int i = 1; i < seen.n && i < 64; i++)
		assert_true(seen.ports[i] > seen.ports[i - 1]);
	assert_false(seen.bad);
	assert_int_equal(dr_ctr_get(&match_stats(t)->matched) + evicted +
			 dr_ctr_get(&match_stats(t)->unanswered), 200);
	match_destroy(t);
}

static void test_headerless_ignored(void **state)
{
	struct match_table *t;
	struct pkt_info pi = flow(0, 1);
	struct dns_summary s;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(match_create(&t, 16, 5000 * MS), 0);
	assert_int_equal(match_offer(t, &pi, 17, &s, 0), -1);
	assert_int_equal(dr_ctr_get(&match_stats(t)->queries), 0);
	match_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_and_symmetry),
		cmocka_unit_test(test_key_parts),
		cmocka_unit_test(test_timeout_and_flush),
		cmocka_unit_test(test_retransmission_keeps_first),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_keep_unanswered),
		cmocka_unit_test(test_keep_ring_wraps_and_evicts),
		cmocka_unit_test(test_headerless_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
