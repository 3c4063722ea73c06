/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tcpreasm.c: unit tests for capture/tcpreasm.c, DNS-over-TCP stream
 * reassembly.
 *
 * A stream of length-prefixed DNS messages is built, cut into segments and
 * sent as IPv4/IPv6 + TCP frames through pkt_decode() (from an exact-size
 * heap copy, so the pkt_info is real and ASan/valgrind see any stray read).
 * A recorder keeps what the callback got: the bytes, multi_segment, the
 * timestamp, and whether the message pointed into the frame (zero copy).
 * The last tests feed random cuts, orders, duplicates and losses of a valid
 * stream, and random junk, checking the bounds and that what comes out is
 * always an in-order subsequence of what went in.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/tcpreasm.h"

#define SEC 1000000000ull
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

static const uint8_t A4[4] = { 192, 0, 2, 1 };
static const uint8_t B4[4] = { 198, 51, 100, 53 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };

/* ---- streams of messages -------------------------------------------------- */

struct buf {
	uint8_t b[300000];
	uint32_t n;
};

static void put8(struct buf *f, uint8_t v)
{
	assert_true(f->n < sizeof(f->b));
	f->b[f->n++] = v;
}

static void put16(struct buf *f, uint32_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put32(struct buf *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void putn(struct buf *f, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put8(f, p[i]);
}

/*
 * Append a prefixed message of len bytes (>= 12): id, flags, QD=1, other
 * counts 0, then 0xa5 filler. No run of its bytes past the id looks like a
 * message start to the resync heuristic, so tests never sync by accident.
 */
static void put_msg(struct buf *s, uint16_t id, uint32_t len)
{
	put16(s, len);
	put16(s, id);
	put16(s, 0x0100);
	put16(s, 1);
	put16(s, 0);
	put16(s, 0);
	put16(s, 0);
	for (uint32_t i = 12; i < len; i++)
		put8(s, 0xa5);
}

/* ---- frames ----------------------------------------------------------------- */

static int ip6; /* send IPv6 frames instead of IPv4 */

/* dir 0: client A:40000 -> server B:53; dir 1 the reverse. */
static void make_seg(struct buf *f, int dir, uint32_t seq, uint8_t flags,
		     const uint8_t *data, uint32_t n)
{
	f->n = 0;
	if (ip6) {
		put32(f, 0x60000000);
		put16(f, 20 + n);
		put8(f, 6);
		put8(f, 64);
		putn(f, dir ? B6 : A6, 16);
		putn(f, dir ? A6 : B6, 16);
	} else {
		put8(f, 0x45);
		put8(f, 0);
		put16(f, 40 + n);
		put16(f, 1);
		put16(f, 0x4000);
		put8(f, 64);
		put8(f, 6);
		put16(f, 0);
		putn(f, dir ? B4 : A4, 4);
		putn(f, dir ? A4 : B4, 4);
	}
	put16(f, dir ? 53 : 40000);
	put16(f, dir ? 40000 : 53);
	put32(f, seq);
	put32(f, 0);
	put8(f, 0x50);
	put8(f, flags);
	put16(f, 65535);
	put16(f, 0);
	put16(f, 0);
	putn(f, data, n);
}

/* ---- recording ---------------------------------------------------------------- */

#define MAXREC 4096

struct rec {
	uint32_t len;
	int multi, zero_copy;
	uint64_t ts;
	uint16_t id;
	uint8_t head[64]; /* first bytes */
	uint32_t sum;     /* of all bytes */
};

static struct rec recs[MAXREC];
static unsigned nrec;
static uint8_t *copy;
static uint32_t copy_len;

static uint32_t bytesum(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void on_msg(void *arg, const uint8_t *msg, uint32_t len, int multi, uint64_t ts)
{
	struct rec *r = &recs[nrec];

	assert_ptr_equal(arg, &nrec);
	assert_true(nrec < MAXREC);
	nrec++;
	r->len = len;
	r->multi = multi;
	r->ts = ts;
	r->zero_copy = msg >= copy && msg + len <= copy + copy_len;
	r->id = len >= 2 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0;
	memcpy(r->head, msg, len < sizeof(r->head) ? len : sizeof(r->head));
	r->sum = bytesum(msg, len);
}

static struct tcpr_table *T;

/* Decode frame f, less its last `cut` bytes, from an exact-size copy and add it. */
static void tx_frame(const struct buf *f, uint32_t cut, uint64_t ts)
{
	struct pkt_info pi;
	struct dr_pkt p = { .linktype = DR_LINK_RAW };

	p.caplen = f->n - cut;
	p.wirelen = f->n;
	free(copy);
	copy = malloc(p.caplen);
	assert_non_null(copy);
	memcpy(copy, f->b, p.caplen);
	copy_len = p.caplen;
	p.data = copy;
	assert_int_equal(pkt_decode(&p, &pi), PKT_OK);
	assert_int_equal(tcpr_add(T, &pi, ts, on_msg, &nrec), 0);
}

static void tx_cut(int dir, uint32_t seq, uint8_t flags, const uint8_t *data, uint32_t n,
		   uint32_t cut, uint64_t ts)
{
	static struct buf f;

	make_seg(&f, dir, seq, flags, data, n);
	tx_frame(&f, cut, ts);
}

static void tx(int dir, uint32_t seq, uint8_t flags, const uint8_t *data, uint32_t n, uint64_t ts)
{
	tx_cut(dir, seq, flags, data, n, 0, ts);
}

/* Send stream bytes [off, off + n) of s, whose first byte has sequence number isn + 1. */
static void tx_s(int dir, uint32_t isn, const struct buf *s, uint32_t off, uint32_t n,
		 uint8_t flags, uint64_t ts)
{
	tx(dir, isn + 1 + off, flags | ACK, s->b + off, n, ts);
}

#define ST(field) dr_ctr_get(&tcpr_stats(T)->field)

static void assert_usage(uint32_t streams, uint32_t bytes)
{
	uint32_t s, b;

	tcpr_usage(T, &s, &b);
	assert_int_equal(s, streams);
	assert_int_equal(b, bytes);
}

/* Message i of the stream has id i and len bytes. */
static void assert_rec(unsigned i, uint16_t id, uint32_t len, int multi)
{
	assert_true(i < nrec);
	assert_int_equal(recs[i].id, id);
	assert_int_equal(recs[i].len, len);
	assert_int_equal(recs[i].multi, multi);
}

static int setup_limits(uint32_t streams, uint32_t bytes)
{
	struct tcpr_limits lim = { streams, bytes, 0 };

	nrec = 0;
	ip6 = 0;
	return tcpr_create(&T, &lim);
}

static int setup(void **state)
{
	(void)state;
	return setup_limits(0, 0);
}

static int teardown(void **state)
{
	(void)state;
	tcpr_destroy(T);
	T = NULL;
	free(copy);
	copy = NULL;
	return 0;
}

/* ---- basic shapes ------------------------------------------------------------- */

static void test_one_per_segment(void **state)
{
	static struct buf q, r;

	(void)state;
	put_msg(&q, 1, 29);
	put_msg(&r, 2, 45);
	tx(0, 1000, SYN, NULL, 0, 1);
	tx(1, 5000, SYN | ACK, NULL, 0, 2);
	tx_s(0, 1000, &q, 0, q.n, PSH, 3);
	tx_s(1, 5000, &r, 0, r.n, PSH, 4);
	assert_int_equal(nrec, 2);
	assert_rec(0, 1, 29, 0);
	assert_rec(1, 2, 45, 0);
	assert_true(recs[0].zero_copy && recs[1].zero_copy);
	assert_int_equal(recs[1].ts, 4);
	assert_int_equal(ST(messages), 2);
	assert_int_equal(ST(multi_segment_messages), 0);
	assert_int_equal(ST(resyncs), 0);
	assert_usage(2, 0);
}

static void test_two_in_one(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 40);
	put_msg(&s, 2, 300);
	tx(0, 77, SYN, NULL, 0, 1);
	tx_s(0, 77, &s, 0, s.n, PSH, 2);
	assert_int_equal(nrec, 2);
	assert_rec(0, 1, 40, 0);
	assert_rec(1, 2, 300, 0);
	assert_true(recs[0].zero_copy && recs[1].zero_copy);
	assert_usage(1, 0);
}

static void test_one_over_three(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 9, 3000);
	tx(0, 0, SYN, NULL, 0, 1);
	tx_s(0, 0, &s, 0, 1000, 0, 2);
	tx_s(0, 0, &s, 1000, 1000, 0, 3);
	assert_int_equal(nrec, 0);
	assert_usage(1, TCPR_CHUNK);
	tx_s(0, 0, &s, 2000, 1002, PSH, 4);
	assert_int_equal(nrec, 1);
	assert_rec(0, 9, 3000, 1);
	assert_int_equal(recs[0].zero_copy, 0);
	assert_int_equal(recs[0].ts, 4);
	assert_int_equal(recs[0].sum, bytesum(s.b + 2, 3000));
	assert_int_equal(ST(multi_segment_messages), 1);
	assert_usage(1, 0);
}

static void test_prefix_split(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 3, 100);
	put_msg(&s, 4, 20);
	tx(0, 500, SYN, NULL, 0, 1);
	tx_s(0, 500, &s, 0, 1, 0, 2);
	tx_s(0, 500, &s, 1, 1, 0, 3);
	assert_int_equal(nrec, 0);
	/* The rest of message 3, then message 4 whole in the same segment. */
	tx_s(0, 500, &s, 2, s.n - 2, PSH, 4);
	assert_int_equal(nrec, 2);
	assert_rec(0, 3, 100, 1);
	assert_rec(1, 4, 20, 0);
	assert_true(recs[1].zero_copy);
	assert_usage(1, 0);
}

/* A big message in MSS-sized pieces, as a zone transfer sends them. */
static void test_max_message(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 65535);
	put_msg(&s, 2, 65535);
	put_msg(&s, 3, 12);
	tx(1, 1, SYN | ACK, NULL, 0, 1);
	for (uint32_t off = 0; off < s.n; off += 1448)
		tx_s(1, 1, &s, off, s.n - off < 1448 ? s.n - off : 1448, 0, 2);
	assert_int_equal(nrec, 3);
	assert_rec(0, 1, 65535, 1);
	assert_rec(1, 2, 65535, 1);
	assert_rec(2, 3, 12, 0);
	assert_int_equal(recs[1].sum, bytesum(s.b + 65537 + 2, 65535));
	assert_usage(1, 0);
}

/* ---- order and repetition ---------------------------------------------------- */

static void test_out_of_order(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 50);  /* segment A: [0, 52) */
	put_msg(&s, 2, 60);  /* segment B: [52, 114) */
	put_msg(&s, 3, 500); /* C, D: [114, 364), [364, 616) */
	tx(0, 10, SYN, NULL, 0, 1);
	tx_s(0, 10, &s, 52, 62, 0, 2);
	tx_s(0, 10, &s, 364, 252, 0, 3);
	assert_int_equal(nrec, 0);
	assert_int_equal(ST(out_of_order), 2);
	tx_s(0, 10, &s, 0, 52, 0, 4);
	assert_int_equal(nrec, 2);
	assert_rec(0, 1, 50, 0);
	assert_true(recs[0].zero_copy);
	assert_rec(1, 2, 60, 0); /* whole in one held segment */
	assert_int_equal(recs[1].ts, 4);
	tx_s(0, 10, &s, 114, 250, 0, 5);
	assert_int_equal(nrec, 3);
	assert_rec(2, 3, 500, 1);
	assert_int_equal(recs[2].sum, bytesum(s.b + 116, 500));
	assert_usage(1, 0);
}

static void test_retransmission(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 100);
	put_msg(&s, 2, 100);
	put_msg(&s, 3, 100);
	tx(0, 0, SYN, NULL, 0, 1);
	tx(0, 0, SYN, NULL, 0, 1); /* retransmitted SYN */
	tx_s(0, 0, &s, 0, 102, 0, 2);
	tx_s(0, 0, &s, 0, 102, 0, 3);
	assert_int_equal(nrec, 1);
	assert_int_equal(ST(retransmitted_bytes), 102);
	/* Overlaps old bytes and brings message 2 and half of 3. */
	tx_s(0, 0, &s, 50, 200, 0, 4);
	assert_int_equal(nrec, 2);
	assert_rec(1, 2, 100, 0);
	assert_int_equal(ST(retransmitted_bytes), 102 + 52);
	/*
	 * Overlaps held bytes (the first copy wins) and carries all of 3: one
	 * segment held the whole message, so it comes from there, uncopied.
	 */
	tx_s(0, 0, &s, 200, 106, 0, 5);
	assert_int_equal(nrec, 3);
	assert_rec(2, 3, 100, 0);
	assert_true(recs[2].zero_copy);
	assert_int_equal(recs[2].sum, bytesum(s.b + 206, 100));
	assert_int_equal(ST(retransmitted_bytes), 102 + 52 + 50);
	assert_usage(1, 0);
}

/* Sequence numbers wrap inside a message and inside the held window. */
static void test_seq_wrap(void **state)
{
	static struct buf s;
	uint32_t isn = 0xffffff00u;

	(void)state;
	put_msg(&s, 1, 200);
	put_msg(&s, 2, 5000);
	put_msg(&s, 3, 30);
	tx(0, isn, SYN, NULL, 0, 1);
	tx_s(0, isn, &s, 100, 3000, 0, 2);
	tx_s(0, isn, &s, 3100, s.n - 3100, 0, 3);
	tx_s(0, isn, &s, 0, 100, 0, 4);
	assert_int_equal(nrec, 3);
	assert_rec(0, 1, 200, 1);
	assert_rec(1, 2, 5000, 1);
	assert_rec(2, 3, 30, 0);
	assert_int_equal(recs[1].sum, bytesum(s.b + 204, 5000));
	assert_usage(1, 0);
}

static void test_pure_ack(void **state)
{
	(void)state;
	tx(0, 1, ACK, NULL, 0, 1);
	tx(1, 1, ACK, NULL, 0, 1);
	assert_usage(0, 0);
	assert_int_equal(ST(segments), 2);
	assert_int_equal(ST(streams), 0);
}

static void test_ipv6(void **state)
{
	static struct buf s;

	(void)state;
	ip6 = 1;
	put_msg(&s, 6, 1200);
	tx(1, 42, SYN | ACK, NULL, 0, 1);
	tx_s(1, 42, &s, 0, 700, 0, 2);
	tx_s(1, 42, &s, 700, s.n - 700, FIN, 3);
	assert_int_equal(nrec, 1);
	assert_rec(0, 6, 1200, 1);
	assert_int_equal(ST(gaps), 0);
	assert_usage(1, 0); /* a tombstone */
}

/* ---- joining mid-stream ------------------------------------------------------- */

static void test_midstream_resync(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 1000);
	put_msg(&s, 2, 80);
	put_msg(&s, 3, 80);
	/* No SYN; the first segment seen starts inside message 1. */
	tx(1, 7000, ACK, s.b + 500, 502, 1);
	assert_int_equal(nrec, 0);
	assert_int_equal(ST(skipped_bytes), 502);
	tx(1, 7502, ACK, s.b + 1002, s.n - 1002, 2);
	assert_int_equal(nrec, 2);
	assert_rec(0, 2, 80, 0);
	assert_rec(1, 3, 80, 0);
	assert_int_equal(ST(resyncs), 1);
	assert_usage(1, 0);
}

/* A client that writes the length and the message separately. */
static void test_probation(void **state)
{
	static struct buf s, bad;

	(void)state;
	put_msg(&s, 1, 100);
	put_msg(&s, 2, 100);
	tx(0, 100, ACK, s.b, 2, 1);
	assert_int_equal(ST(resyncs), 1);
	tx(0, 102, ACK, s.b + 2, s.n - 2, 2);
	assert_int_equal(nrec, 2);
	assert_rec(0, 1, 100, 1);
	assert_rec(1, 2, 100, 0);

	/* The same start, but what follows is no DNS header: back out. */
	put_msg(&bad, 5, 100);
	bad.b[6] = 0x77; /* QDCOUNT 0x7701 */
	tx(1, 900, ACK, bad.b, 2, 3);
	tx(1, 902, ACK, bad.b + 2, 100, 4);
	assert_int_equal(nrec, 2);
	assert_int_equal(ST(resyncs), 2);
	assert_int_equal(ST(skipped_bytes), 102);
	assert_usage(2, 0);
}

/*
 * Bytes >= 0x80 never look like a message start: every QDCOUNT is > 1. A
 * segment under 14 bytes syncs on probation, held until the header shows.
 */
static void test_junk_never_syncs(void **state)
{
	static uint8_t junk[1400];
	unsigned seed = 7;
	uint32_t seq = 1, s, b;

	(void)state;
	for (unsigned i = 0; i < 500; i++) {
		for (unsigned k = 0; k < sizeof(junk); k++)
			junk[k] = (uint8_t)(rand_r(&seed) | 0x80);
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % (i % 5 ? sizeof(junk) : 13);
		tx(0, seq, ACK, junk, n, i);
		seq += n;
		tcpr_usage(T, &s, &b);
		assert_int_equal(s, 1);
		assert_true(b <= 2 * TCPR_CHUNK); /* under 14 bytes, maybe across a chunk edge */
	}
	assert_int_equal(nrec, 0);
	assert_int_equal(ST(messages), 0);
	assert_true(ST(skipped_bytes) >= seq - 1 - 13 && ST(skipped_bytes) <= seq - 1);
}

/* ---- ends, losses and limits --------------------------------------------------- */

static void test_fin_after_partial(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 30);
	put_msg(&s, 2, 300);
	tx(0, 0, SYN, NULL, 0, 1);
	tx_s(0, 0, &s, 0, 100, 0, 2);
	assert_int_equal(nrec, 1);
	assert_usage(1, TCPR_CHUNK);
	tx(0, 101, FIN | ACK, NULL, 0, 3);
	assert_int_equal(ST(gaps), 1);
	assert_usage(1, 0);
	/* Late data for a closed stream is a retransmission, not a new stream. */
	tx_s(0, 0, &s, 0, 100, 0, 4);
	assert_int_equal(nrec, 1);
	assert_int_equal(ST(streams), 1);
	/* The tombstone goes quietly. */
	tcpr_expire(T, 10 * SEC);
	assert_usage(0, 0);
	assert_int_equal(ST(timed_out), 0);
}

/* FIN before the data in front of it: the stream waits for that data. */
static void test_fin_out_of_order(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 30);
	put_msg(&s, 2, 30);
	tx(1, 0, SYN | ACK, NULL, 0, 1);
	tx_s(1, 0, &s, 32, 32, FIN, 2);
	assert_int_equal(nrec, 0);
	tx_s(1, 0, &s, 0, 32, 0, 3);
	assert_int_equal(nrec, 2);
	assert_int_equal(ST(gaps), 0);
	/* The response + FIN retransmitted: no second record. */
	tx_s(1, 0, &s, 32, 32, FIN, 4);
	assert_int_equal(nrec, 2);
	assert_usage(1, 0);
}

static void test_rst_both_directions(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 300);
	tx(0, 0, SYN, NULL, 0, 1);
	tx(1, 0, SYN | ACK, NULL, 0, 1);
	tx_s(0, 0, &s, 0, 100, 0, 2);
	tx_s(1, 0, &s, 0, 100, 0, 2);
	assert_usage(2, 2 * TCPR_CHUNK);
	tx(1, 101, RST, NULL, 0, 3);
	assert_int_equal(ST(gaps), 2);
	assert_usage(2, 0);
	/* A new connection on the same ports starts clean. */
	tx(0, 9999, SYN, NULL, 0, 4);
	tx_s(0, 9999, &s, 0, s.n, 0, 5);
	assert_int_equal(nrec, 1);
	assert_rec(0, 1, 300, 0);
}

static void test_syn_new_isn(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 300);
	tx(0, 0, SYN, NULL, 0, 1);
	tx_s(0, 0, &s, 0, 100, 0, 2);
	/* Port reuse without a FIN seen: the partial message is a gap. */
	tx(0, 50000, SYN, NULL, 0, 3);
	assert_int_equal(ST(gaps), 1);
	tx_s(0, 50000, &s, 0, s.n, 0, 4);
	assert_int_equal(nrec, 1);
	assert_usage(1, 0);
}

static void test_timeout(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 300);
	tx(0, 0, SYN, NULL, 0, 1 * SEC);
	tx_s(0, 0, &s, 0, 100, 0, 2 * SEC);
	tx(1, 0, SYN | ACK, NULL, 0, 30 * SEC);
	tx(1, 1, ACK, NULL, 0, 70 * SEC); /* pure ACK: not even a lookup */
	assert_int_equal(ST(timed_out), 0);
	tx(1, 1, ACK | PSH, s.b, 20, 62 * SEC);
	assert_int_equal(ST(timed_out), 1);
	assert_int_equal(ST(gaps), 1);
	assert_usage(1, TCPR_CHUNK);
	tcpr_expire(T, UINT64_MAX);
	assert_int_equal(ST(timed_out), 2);
	assert_int_equal(ST(gaps), 2);
	assert_usage(0, 0);
}

/* Each stream a different client address, each holding a partial message. */
static void tx_client(unsigned client, uint32_t seq, const uint8_t *data, uint32_t n,
		      uint64_t ts)
{
	static struct buf f;

	ip6 = 1;
	make_seg(&f, 0, seq, ACK, data, n);
	f.b[8 + 15] = (uint8_t)client;
	tx_frame(&f, 0, ts);
}

static void test_eviction(void **state)
{
	static struct buf s;

	teardown(state);
	assert_int_equal(setup_limits(16, 0), 0);
	put_msg(&s, 1, 300);
	for (unsigned i = 0; i < 20; i++)
		tx_client(i, 1000, s.b, 100, i);
	assert_int_equal(ST(streams), 20);
	assert_int_equal(ST(resyncs), 20);
	assert_int_equal(ST(evicted), 4);
	assert_int_equal(ST(gaps), 4);
	assert_usage(16, 16 * TCPR_CHUNK);
	/* The 4 oldest went: client 0's rest is junk to a fresh stream. */
	tx_client(0, 1100, s.b + 100, s.n - 100, 30);
	tx_client(19, 1100, s.b + 100, s.n - 100, 31);
	assert_int_equal(nrec, 1);
	assert_rec(0, 1, 300, 1);
}

/* A pool just big enough for two windows: holding more evicts the idlest. */
static void test_pool_eviction(void **state)
{
	static struct buf s;

	(void)state;
	teardown(state);
	assert_int_equal(setup_limits(0, 2 * TCPR_WINDOW), 0);
	put_msg(&s, 1, 65535);
	put_msg(&s, 2, 65535);
	/* Each stream holds a window's worth behind a hole: 64 chunks. */
	for (unsigned i = 0; i < 3; i++)
		for (uint32_t off = 0; off < 130000; off += 1000)
			if (off != 1000)
				tx_client(i, 1 + off, s.b + off, 1000, i);
	assert_int_equal(ST(evicted), 1);
	assert_int_equal(ST(gaps), 1);
	uint32_t ns, nb;
	tcpr_usage(T, &ns, &nb);
	assert_int_equal(ns, 2);
	assert_true(nb <= 2 * TCPR_WINDOW);
}

/*
 * The snap length cuts a segment inside message 2: message 1 comes out, 2 is
 * lost, and since its length was seen the stream skips to message 3.
 */
static void test_snaplen_cut(void **state)
{
	static struct buf s;

	(void)state;
	put_msg(&s, 1, 100);  /* [0, 102) */
	put_msg(&s, 2, 2000); /* [102, 2104) */
	put_msg(&s, 3, 40);   /* [2104, 2146) */
	tx(1, 0, SYN | ACK, NULL, 0, 1);
	tx_cut(1, 1, ACK, s.b, 1400, 1400 - 300, 2); /* 300 bytes captured */
	assert_int_equal(nrec, 1);
	assert_int_equal(ST(gaps), 1);
	tx_s(1, 0, &s, 1400, s.n - 1400, 0, 3);
	assert_int_equal(nrec, 2);
	assert_rec(1, 3, 40, 0);

	/* Cut inside the length prefix: out of sync, back on the next start. */
	static struct buf s2;
	put_msg(&s2, 1, 100);
	put_msg(&s2, 2, 100);
	put_msg(&s2, 3, 100);
	tx(0, 0, SYN, NULL, 0, 4);
	tx_cut(0, 1, ACK, s2.b, 204, 204 - 103, 5); /* cut after 1 byte of message 2's prefix */
	assert_int_equal(nrec, 3);
	assert_int_equal(ST(gaps), 2);
	tx_s(0, 0, &s2, 204, 102, 0, 6);
	assert_int_equal(nrec, 4);
	assert_rec(3, 3, 100, 0);
	assert_int_equal(ST(resyncs), 1);
}

/*
 * A hole that never fills while data keeps coming: when the window is full
 * the hole is given up, and as the held data after it starts a message (one
 * message per segment, the common case), the stream goes on from there.
 */
static void test_window_overflow(void **state)
{
	static struct buf s;

	(void)state;
	for (unsigned i = 0; i < 250; i++)
		put_msg(&s, (uint16_t)i, 1000);
	tx(0, 0, SYN, NULL, 0, 1);
	for (uint32_t off = 1002; off < s.n; off += 1002) /* message 0 never arrives */
		tx_s(0, 0, &s, off, 1002, 0, 2);
	assert_int_equal(ST(gaps), 1);
	assert_int_equal(ST(resyncs), 1);
	assert_int_equal(nrec, 249);
	/* multi_segment is not checked: held pieces were merged to stay within
	 * TCPR_MAX_PIECES, and a merged piece counts as several segments. */
	for (unsigned i = 0; i < nrec; i++) {
		assert_int_equal(recs[i].id, i + 1);
		assert_int_equal(recs[i].len, 1000);
		assert_int_equal(recs[i].sum, bytesum(s.b + (i + 1) * 1002 + 2, 1000));
	}
	assert_usage(1, 0);
}

/* The same when segments do not start messages: no way back in, but bounded. */
static void test_window_overflow_unaligned(void **state)
{
	static struct buf s;
	uint32_t ns, nb;

	(void)state;
	for (unsigned i = 0; i < 250; i++)
		put_msg(&s, (uint16_t)i, 1000);
	tx(0, 0, SYN, NULL, 0, 1);
	for (uint32_t off = 1448; off < s.n; off += 1448)
		tx_s(0, 0, &s, off, s.n - off < 1448 ? s.n - off : 1448, 0, 2);
	assert_int_equal(nrec, 0);
	assert_int_equal(ST(gaps), 1);
	assert_true(ST(skipped_bytes) > 0);
	tcpr_usage(T, &ns, &nb);
	assert_true(nb <= TCPR_WINDOW + 2 * TCPR_CHUNK);
}

static void test_limits(void **state)
{
	struct tcpr_limits lim = { .max_bytes = 1000 };
	struct tcpr_table *t = (struct tcpr_table *)1;

	(void)state;
	assert_int_equal(tcpr_create(&t, &lim), -EINVAL);
	assert_null(t);
	lim.max_bytes = 200u << 20;
	assert_int_equal(tcpr_create(&t, &lim), -EINVAL);
	tcpr_destroy(NULL);
}

/* ---- adversarial ----------------------------------------------------------------- */

struct cut {
	uint32_t off, n;
};

/*
 * A valid stream (SYN seen) cut at random, then sent with local reordering
 * and duplicates; with lose set some segments never arrive. Everything
 * delivered must be an in-order subsequence of the messages, byte for byte;
 * without losses, all of them.
 */
static void run_shuffled(unsigned seed, int lose)
{
	static struct buf s;
	static struct cut cuts[4096];
	static uint32_t len_of[1000], off_of[1000];
	unsigned nc = 0, nmsg = 0;

	s.n = 0;
	while (s.n < 100000 && nmsg < 1000) {
		uint32_t len = 12 + (uint32_t)rand_r(&seed) % (nmsg % 17 ? 300 : 9000);
		len_of[nmsg] = len;
		off_of[nmsg] = s.n;
		put_msg(&s, (uint16_t)nmsg++, len);
	}
	for (uint32_t off = 0; off < s.n; nc++) {
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % (rand_r(&seed) % 8 ? 1448 : 3);
		n = s.n - off < n ? s.n - off : n;
		cuts[nc] = (struct cut){ off, n };
		off += n;
	}
	/* Swap neighbours now and then: a short reordering distance. */
	for (unsigned i = 0; i + 1 < nc; i++) {
		if (rand_r(&seed) % 4 == 0) {
			struct cut x = cuts[i];
			cuts[i] = cuts[i + 1];
			cuts[i + 1] = x;
		}
	}
	uint32_t isn = (uint32_t)rand_r(&seed) * 2654435761u;
	nrec = 0;
	tx(0, isn, SYN, NULL, 0, 0);
	for (unsigned i = 0; i < nc; i++) {
		if (lose && rand_r(&seed) % 50 == 0)
			continue;
		tx_s(0, isn, &s, cuts[i].off, cuts[i].n, 0, i);
		if (rand_r(&seed) % 10 == 0)
			tx_s(0, isn, &s, cuts[i].off, cuts[i].n, 0, i);
	}
	uint32_t ns, nb;
	tcpr_usage(T, &ns, &nb);
	assert_true(nb <= TCPR_WINDOW + 2 * TCPR_CHUNK);
	for (unsigned i = 0; i < nrec; i++) {
		assert_true(recs[i].id < nmsg);
		assert_true(i == 0 || recs[i].id > recs[i - 1].id);
		assert_int_equal(recs[i].len, len_of[recs[i].id]);
		assert_int_equal(recs[i].sum, bytesum(s.b + off_of[recs[i].id] + 2, recs[i].len));
	}
	if (!lose)
		assert_int_equal(nrec, nmsg);
	tcpr_expire(T, UINT64_MAX);
	assert_usage(0, 0);
}

static void test_random_shuffled(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 20; seed++)
		run_shuffled(seed, 0);
	assert_int_equal(ST(gaps), 0);
	for (unsigned seed = 100; seed <= 120; seed++)
		run_shuffled(seed, 1);
}

/* Random segments on a few streams: flags, sequence numbers, bytes. */
static void test_random_junk(void **state)
{
	static uint8_t data[2000];
	unsigned seed = 99;
	uint32_t seqs[2][8] = { { 0 } };

	(void)state;
	teardown(state);
	assert_int_equal(setup_limits(6, 2 * TCPR_WINDOW), 0);
	for (unsigned i = 0; i < 100000; i++) {
		static struct buf f;
		int dir = rand_r(&seed) & 1;
		unsigned k = (unsigned)rand_r(&seed) % 8;
		uint32_t n = (uint32_t)rand_r(&seed) % (rand_r(&seed) % 4 ? 200 : sizeof(data));
		uint8_t flags = (uint8_t)(rand_r(&seed) % 30 ? ACK : rand_r(&seed));
		for (uint32_t j = 0; j < n; j++)
			data[j] = (uint8_t)(rand_r(&seed) % 3 ? 0 : rand_r(&seed));
		if (n >= 2 && rand_r(&seed) % 3 == 0) {
			data[0] = 0;
			data[1] = (uint8_t)(12 + rand_r(&seed) % 200);
		}
		switch (rand_r(&seed) % 4) {
		case 0:
			seqs[dir][k] += n;
			break;
		case 1:
			seqs[dir][k] -= (uint32_t)rand_r(&seed) % 3000;
			break;
		case 2:
			seqs[dir][k] += (uint32_t)rand_r(&seed) % 200000;
			break;
		default:
			seqs[dir][k] = (uint32_t)rand_r(&seed);
		}
		make_seg(&f, dir, seqs[dir][k], flags, data, n);
		f.b[19] = (uint8_t)k; /* one of 8 servers */
		nrec = 0;
		tx_frame(&f, rand_r(&seed) % 20 ? 0 : (uint32_t)rand_r(&seed) % (n + 1),
			 i * 1000000ull);
		uint32_t ns, nb;
		tcpr_usage(T, &ns, &nb);
		assert_true(ns <= 6 && nb <= 2 * TCPR_WINDOW);
	}
	assert_true(ST(messages) > 0);
	assert_true(ST(resyncs) > 0);
	tcpr_expire(T, UINT64_MAX);
	assert_usage(0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_per_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_in_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_over_three, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retransmission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pure_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junk_never_syncs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_after_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_both_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_new_isn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snaplen_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_overflow_unaligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_shuffled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_junk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
