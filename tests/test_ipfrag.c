/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipfrag.c: unit tests for capture/ipfrag.c, IP fragment reassembly.
 *
 * An original datagram (IPv4 or IPv6 + UDP + payload) is built byte by byte,
 * cut into fragments the way a sender would, and each fragment is decoded by
 * pkt_decode() from an exact-size heap copy, so the pkt_info is real and
 * ASan/valgrind catch any read past it. Reassembly must give back the
 * original bytes exactly. The last test throws random fragments at a small
 * table and checks the bounds hold.
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

#include "capture/ipfrag.h"

#define SEC 1000000000ull

static const uint8_t A4[4] = { 192, 0, 2, 1 };
static const uint8_t B4[4] = { 198, 51, 100, 53 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x00, [15] = 0x53 };

/* ---- building ------------------------------------------------------------ */

struct buf {
	uint8_t b[70000];
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

static uint16_t csum(const uint8_t *h)
{
	uint32_t s = 0;

	for (unsigned i = 0; i < 20; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put_ip4(struct buf *f, uint32_t total, uint16_t id, uint16_t ff)
{
	uint32_t at = f->n;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, total);
	put16(f, id);
	put16(f, ff);
	put8(f, 64);
	put8(f, 17);
	put16(f, 0);
	putn(f, A4, 4);
	putn(f, B4, 4);
	uint16_t c = csum(f->b + at);
	f->b[at + 10] = (uint8_t)(c >> 8);
	f->b[at + 11] = (uint8_t)c;
}

static void put_ip6(struct buf *f, uint32_t plen, uint8_t nh)
{
	put32(f, 0x60012345);
	put16(f, plen);
	put8(f, nh);
	put8(f, 64);
	putn(f, A6, 16);
	putn(f, B6, 16);
}

/* UDP + n payload bytes derived from seed: what gets fragmented. */
static void put_udp_payload(struct buf *f, uint32_t n, uint32_t seed)
{
	put16(f, 53);
	put16(f, 40000);
	put16(f, 8 + n);
	put16(f, 0);
	for (uint32_t i = 0; i < n; i++)
		put8(f, (uint8_t)(i * 7 + seed));
}

/* The unfragmented datagram. */
static void make_orig(struct buf *o, int ver, uint32_t udp_payload, uint16_t id, uint32_t seed)
{
	o->n = 0;
	if (ver == 4)
		put_ip4(o, 20 + 8 + udp_payload, id, 0);
	else
		put_ip6(o, 8 + udp_payload, 17);
	put_udp_payload(o, udp_payload, seed);
}

/*
 * One fragment of orig: payload bytes [off, off + n) after the IP header,
 * with MF as given (not inferred, so tests can lie).
 */
static void make_frag(struct buf *f, const struct buf *orig, int ver, uint32_t id,
		      uint32_t off, uint32_t n, int mf)
{
	uint32_t h = ver == 4 ? 20 : 40;

	f->n = 0;
	if (ver == 4) {
		put_ip4(f, 20 + n, (uint16_t)id, (uint16_t)((mf ? 0x2000 : 0) | off / 8));
	} else {
		put_ip6(f, 8 + n, 44);
		put8(f, 17);
		put8(f, 0);
		put16(f, (off & 0xfff8) | (mf ? 1 : 0));
		put32(f, id);
	}
	putn(f, orig->b + h + off, n);
}

/* ---- feeding ------------------------------------------------------------- */

static uint8_t *copy;
static struct pkt_info pi;

/* Decode a fragment from an exact-size heap copy; it stays alive until the next call. */
static void decode_frag(const struct buf *f, uint32_t caplen)
{
	struct dr_pkt p = { .caplen = caplen, .wirelen = f->n, .linktype = DR_LINK_RAW };

	free(copy);
	copy = malloc(caplen ? caplen : 1);
	assert_non_null(copy);
	memcpy(copy, f->b, caplen);
	p.data = copy;
	assert_int_equal(pkt_decode(&p, &pi), PKT_FRAG);
}

static const uint8_t *out;
static uint32_t outlen;

static int add_cut(struct ipfrag_table *t, const struct buf *f, uint32_t caplen, uint64_t now)
{
	decode_frag(f, caplen);
	return ipfrag_add(t, &pi, now, &out, &outlen);
}

static int add(struct ipfrag_table *t, const struct buf *f, uint64_t now)
{
	return add_cut(t, f, f->n, now);
}

/*
 * Fragment orig into pieces of `step` payload bytes (a multiple of 8) and
 * add them in the order idx[] gives. Returns what the last add returned and
 * asserts every earlier one held its fragment.
 */
static int feed_order(struct ipfrag_table *t, const struct buf *orig, int ver, uint32_t id,
		      uint32_t step, const unsigned *idx, unsigned nfrag, uint64_t now)
{
	uint32_t plen = orig->n - (ver == 4 ? 20 : 40);
	static struct buf f;
	int rc = 0;

	for (unsigned i = 0; i < nfrag; i++) {
		uint32_t off = idx[i] * step;
		uint32_t n = plen - off < step ? plen - off : step;
		make_frag(&f, orig, ver, id, off, n, off + n < plen);
		rc = add(t, &f, now);
		if (i + 1 < nfrag)
			assert_int_equal(rc, 0);
	}
	return rc;
}

static unsigned nfrags(const struct buf *orig, int ver, uint32_t step)
{
	uint32_t plen = orig->n - (ver == 4 ? 20 : 40);
	return (plen + step - 1) / step;
}

static void assert_original(const struct buf *orig)
{
	assert_int_equal(outlen, orig->n);
	assert_memory_equal(out, orig->b, orig->n);
}

static void assert_usage(const struct ipfrag_table *t, uint32_t dgrams, uint32_t bytes)
{
	uint32_t d, b;

	ipfrag_usage(t, &d, &b);
	assert_int_equal(d, dgrams);
	assert_int_equal(b, bytes);
}

#define ST(t, field) dr_ctr_get(&ipfrag_stats(t)->field)

static struct ipfrag_table *table(uint32_t dgrams, uint32_t bytes, uint64_t timeout)
{
	struct ipfrag_limits lim = { dgrams, bytes, timeout };
	struct ipfrag_table *t;

	assert_int_equal(ipfrag_create(&t, &lim), 0);
	return t;
}

static int teardown(void **state)
{
	(void)state;
	free(copy);
	copy = NULL;
	return 0;
}

static void shuffle(unsigned *a, unsigned n, unsigned *seed)
{
	for (unsigned i = 0; i < n; i++)
		a[i] = i;
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)rand_r(seed) % i;
		unsigned x = a[i - 1];
		a[i - 1] = a[j];
		a[j] = x;
	}
}

/* The IPv4 id is in the header the result is compared with: set it there too. */
static void set_ip4_id(struct buf *o, uint16_t id)
{
	uint16_t c;

	o->b[4] = (uint8_t)(id >> 8);
	o->b[5] = (uint8_t)id;
	o->b[10] = o->b[11] = 0;
	c = csum(o->b);
	o->b[10] = (uint8_t)(c >> 8);
	o->b[11] = (uint8_t)c;
}

/* ---- orderings ----------------------------------------------------------- */

static void check_orders(int ver)
{
	static struct buf orig;
	struct ipfrag_table *t = table(0, 0, 0);
	unsigned idx[64] = { 0 }, seed = 1;

	make_orig(&orig, ver, 3000, 0x1234, 5);
	unsigned n = nfrags(&orig, ver, 1480);
	assert_int_equal(n, 3);

	for (unsigned i = 0; i < n; i++)
		idx[i] = i;
	assert_int_equal(feed_order(t, &orig, ver, 0x1234, 1480, idx, n, 0), 1);
	assert_original(&orig);

	for (unsigned i = 0; i < n; i++)
		idx[i] = n - 1 - i;
	assert_int_equal(feed_order(t, &orig, ver, 0x1234, 1480, idx, n, 0), 1);
	assert_original(&orig);

	/* Small fragments in many random orders, a new id each time. */
	make_orig(&orig, ver, 9000, 0x1234, 9);
	n = nfrags(&orig, ver, 256);
	for (unsigned round = 0; round < 50; round++) {
		shuffle(idx, n, &seed);
		assert_int_equal(feed_order(t, &orig, ver, 100 + round, 256, idx, n, 0), 1);
		if (ver == 4)
			set_ip4_id(&orig, (uint16_t)(100 + round));
		assert_original(&orig);
	}
	assert_int_equal(ST(t, reassembled), 52);
	assert_int_equal(ST(t, fragments), 3 + 3 + 50 * n);
	assert_usage(t, 0, 0);

	/* The result decodes to the original UDP payload. */
	struct pkt_info d;
	assert_int_equal(pkt_decode_ip(out, outlen, &d), PKT_OK);
	assert_int_equal(d.is_frag, 0);
	assert_int_equal(d.sport, 53);
	assert_int_equal(d.payload_len, 9000);
	assert_memory_equal(d.payload, orig.b + (ver == 4 ? 28 : 48), 9000);
	ipfrag_destroy(t);
}

static void test_ipv4_orders(void **state)
{
	(void)state;
	check_orders(4);
}

static void test_ipv6_orders(void **state)
{
	(void)state;
	check_orders(6);
}

/* Hop-by-hop options before the fragment header are dropped from the result. */
static void test_ipv6_ext_before_frag(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 6, 2000, 0, 3);
	for (uint32_t off = 0; off < 2008; off += 1232) {
		uint32_t n = 2008 - off < 1232 ? 2008 - off : 1232;
		f.n = 0;
		put_ip6(&f, 8 + 8 + n, 0); /* hop-by-hop, then fragment */
		put8(&f, 44);
		put8(&f, 0);
		put16(&f, 0x0104); /* PadN, 4 bytes */
		put32(&f, 0);
		put8(&f, 17);
		put8(&f, 0);
		put16(&f, off | (off + n < 2008));
		put32(&f, 77);
		putn(&f, orig.b + 40 + off, n);
		assert_int_equal(add(t, &f, 0), off ? 1 : 0);
	}
	assert_original(&orig);
	ipfrag_destroy(t);
}

/* ---- duplicates and overlaps ---------------------------------------------- */

static void test_duplicates(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 4, 3000, 7, 1);
	make_frag(&f, &orig, 4, 7, 0, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	assert_int_equal(add(t, &f, 0), -EALREADY);
	make_frag(&f, &orig, 4, 7, 1480, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	/* Inside the run [0, 2960) built by appending: a duplicate too. */
	make_frag(&f, &orig, 4, 7, 1000, 800, 1);
	assert_int_equal(add(t, &f, 0), -EALREADY);
	make_frag(&f, &orig, 4, 7, 2960, 48, 0);
	assert_int_equal(add(t, &f, 0), 1);
	assert_original(&orig);
	/* A late copy after completion starts a new datagram that times out. */
	assert_int_equal(add(t, &f, 0), 0);
	ipfrag_expire(t, 30 * SEC);
	assert_int_equal(ST(t, duplicates), 2);
	assert_int_equal(ST(t, timed_out), 1);
	assert_int_equal(ST(t, overlap_dropped), 0);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
}

static void test_overlap_dropped(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	for (int ver = 4; ver <= 6; ver += 2) {
		make_orig(&orig, ver, 3000, 9, 1);
		make_frag(&f, &orig, ver, 9, 0, 1480, 1);
		assert_int_equal(add(t, &f, 0), 0);
		make_frag(&f, &orig, ver, 9, 1472, 1480, 1); /* 8 bytes overlap */
		assert_int_equal(add(t, &f, 0), -EPROTO);
		assert_usage(t, 0, 0);
		/* The rest starts afresh and can never complete. */
		make_frag(&f, &orig, ver, 9, 2952, 56, 0);
		assert_int_equal(add(t, &f, 0), 0);
		ipfrag_expire(t, UINT64_MAX);
	}
	assert_int_equal(ST(t, overlap_dropped), 2);
	assert_int_equal(ST(t, timed_out), 2);
	assert_int_equal(ST(t, reassembled), 0);
	ipfrag_destroy(t);
}

/*
 * Linux keeps out-of-order fragments as separate runs even when they touch,
 * so a fragment straddling two of them is an overlap, not a duplicate; the
 * same bytes inside one appended run are a duplicate (test_duplicates).
 */
static void test_overlap_across_runs(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 6, 3000, 0, 2);
	make_frag(&f, &orig, 6, 5, 1480, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 6, 5, 0, 1480, 1); /* below: a run of its own */
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 6, 5, 1000, 800, 1);
	assert_int_equal(add(t, &f, 0), -EPROTO);
	assert_int_equal(ST(t, overlap_dropped), 1);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
}

/* ---- inconsistent and oversized -------------------------------------------- */

static void test_bad_ends(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 4, 3000, 0, 1);
	/* Two last fragments that disagree on the end. */
	make_frag(&f, &orig, 4, 1, 2960, 48, 0);
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 4, 1, 2960, 40, 0);
	assert_int_equal(add(t, &f, 0), -EPROTO);
	/* A non-last fragment past a known end. */
	make_frag(&f, &orig, 4, 2, 1480, 48, 0);
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 4, 2, 1480, 1480, 1);
	assert_int_equal(add(t, &f, 0), -EPROTO);
	/* A last fragment ending before bytes already seen. */
	make_frag(&f, &orig, 4, 3, 1480, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 4, 3, 8, 1000, 0);
	assert_int_equal(add(t, &f, 0), -EPROTO);
	/* IPv4 rounds an unaligned non-last fragment down; under 8 bytes it is empty. */
	make_frag(&f, &orig, 4, 4, 0, 5, 1);
	assert_int_equal(add(t, &f, 0), -EPROTO);
	/* IPv6 refuses it outright. */
	make_orig(&orig, 6, 3000, 0, 1);
	make_frag(&f, &orig, 6, 4, 0, 1001, 1);
	assert_int_equal(add(t, &f, 0), -EINVAL);
	assert_int_equal(ST(t, bad), 5);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
}

/* IPv4: an unaligned non-last fragment is rounded down, its tail ignored. */
static void test_ipv4_rounds_down(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 4, 2000, 0x77, 1);
	make_frag(&f, &orig, 4, 0x77, 0, 1005, 1); /* keeps [0, 1000) */
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 4, 0x77, 1000, 1008, 0);
	assert_int_equal(add(t, &f, 0), 1);
	assert_original(&orig);
	ipfrag_destroy(t);
}

static void test_too_big(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 4, 3000, 0, 1);
	make_frag(&f, &orig, 4, 1, 0, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	f.n = 0;
	put_ip4(&f, 20 + 600, 1, 65000 / 8); /* 65000 + 600 > 65515 */
	for (int i = 0; i < 600; i++)
		put8(&f, 0);
	assert_int_equal(add(t, &f, 0), -EMSGSIZE);
	assert_usage(t, 0, 0); /* IPv4: the whole datagram goes */

	make_orig(&orig, 6, 3000, 0, 1);
	make_frag(&f, &orig, 6, 1, 0, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	f.n = 0;
	put_ip6(&f, 8 + 16, 44);
	put32(&f, 0x11000000 | 65528);
	put32(&f, 1);
	put32(&f, 0);
	put32(&f, 0);
	put32(&f, 0);
	put32(&f, 0);
	assert_int_equal(add(t, &f, 0), -EMSGSIZE);
	assert_usage(t, 1, 2 * IPFRAG_CHUNK); /* IPv6: only the fragment goes */
	assert_int_equal(ST(t, too_big), 2);
	ipfrag_destroy(t);
}

/* The largest IPv4 datagram, 65535 bytes, still goes through. */
static void test_ipv4_max_size(void **state)
{
	static struct buf orig;
	struct ipfrag_table *t = table(0, 0, 0);
	unsigned idx[64] = { 0 };

	(void)state;
	make_orig(&orig, 4, 65535 - 28, 0x4242, 4);
	unsigned n = nfrags(&orig, 4, 1480);
	for (unsigned i = 0; i < n; i++)
		idx[i] = n - 1 - i;
	assert_int_equal(feed_order(t, &orig, 4, 0x4242, 1480, idx, n, 0), 1);
	assert_original(&orig);
	ipfrag_destroy(t);
}

static void test_truncated_capture(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 4, 3000, 0, 1);
	make_frag(&f, &orig, 4, 3, 1480, 1480, 1);
	assert_int_equal(add(t, &f, 0), 0);
	make_frag(&f, &orig, 4, 3, 0, 1480, 1);
	assert_int_equal(add_cut(t, &f, 200, 0), -ENODATA);
	assert_int_equal(ST(t, truncated), 1);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
}

/* ---- limits ----------------------------------------------------------------- */

static void test_timeout(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(0, 0, 0);

	(void)state;
	make_orig(&orig, 4, 3000, 0, 1);
	make_frag(&f, &orig, 4, 1, 0, 1480, 1);
	assert_int_equal(add(t, &f, 100 * SEC), 0);
	make_frag(&f, &orig, 4, 1, 1480, 1480, 1);
	assert_int_equal(add(t, &f, 129 * SEC), 0); /* timer not refreshed */
	make_frag(&f, &orig, 4, 2, 0, 1480, 1);
	assert_int_equal(add(t, &f, 130 * SEC), 0); /* expires datagram 1 */
	assert_int_equal(ST(t, timed_out), 1);
	assert_usage(t, 1, 2 * IPFRAG_CHUNK);
	/* Its last fragment now starts a datagram of its own: no output. */
	make_frag(&f, &orig, 4, 1, 2960, 48, 0);
	assert_int_equal(add(t, &f, 130 * SEC), 0);
	/* Time going backwards expires nothing. */
	ipfrag_expire(t, 1 * SEC);
	assert_usage(t, 2, 3 * IPFRAG_CHUNK);
	ipfrag_expire(t, UINT64_MAX);
	assert_int_equal(ST(t, timed_out), 3);
	assert_int_equal(ST(t, reassembled), 0);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
}

static void test_table_full(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(4, 0, 0);

	(void)state;
	make_orig(&orig, 4, 3000, 0, 1);
	for (uint32_t id = 1; id <= 6; id++) {
		make_frag(&f, &orig, 4, id, 0, 1480, 1);
		assert_int_equal(add(t, &f, id), 0);
	}
	assert_int_equal(ST(t, evicted), 2);
	assert_usage(t, 4, 4 * 2 * IPFRAG_CHUNK);
	/* Datagram 1 was evicted: its rest does not complete; 3 still does. */
	make_frag(&f, &orig, 4, 1, 1480, 1528, 0);
	assert_int_equal(add(t, &f, 10), 0);
	assert_int_equal(ST(t, evicted), 3);
	make_frag(&f, &orig, 4, 4, 1480, 1528, 0);
	assert_int_equal(add(t, &f, 10), 1);
	ipfrag_destroy(t);
}

/* A pool of one full datagram: a second big one evicts the first. */
static void test_pool_full(void **state)
{
	static struct buf a, b;
	struct ipfrag_table *t = table(0, 65536, 0);
	unsigned idx[64] = { 0 };

	(void)state;
	make_orig(&a, 6, 40000, 0, 1);
	make_orig(&b, 6, 40000, 0, 2);
	for (unsigned i = 0; i < 30; i++)
		idx[i] = i;
	/* 30 fragments of 1232 bytes hold 37 chunks: two such exceed 64. */
	assert_int_equal(feed_order(t, &a, 6, 1, 1232, idx, 30, 0), 0);
	assert_int_equal(feed_order(t, &b, 6, 2, 1232, idx, 30, 0), 0);
	assert_int_equal(ST(t, evicted), 1);
	unsigned n = nfrags(&b, 6, 1232);
	for (unsigned i = 0; i < n - 30; i++)
		idx[i] = 30 + i;
	assert_int_equal(feed_order(t, &b, 6, 2, 1232, idx, n - 30, 0), 1);
	assert_original(&b);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
}

static void test_limits(void **state)
{
	struct ipfrag_limits lim = { .max_bytes = 1000 };
	struct ipfrag_table *t = (struct ipfrag_table *)1;

	(void)state;
	assert_int_equal(ipfrag_create(&t, &lim), -EINVAL);
	assert_null(t);
	lim.max_bytes = 0;
	lim.max_datagrams = 1u << 30;
	assert_int_equal(ipfrag_create(&t, &lim), -EINVAL);
	assert_int_equal(ipfrag_create(&t, NULL), 0);
	assert_usage(t, 0, 0);
	ipfrag_destroy(t);
	ipfrag_destroy(NULL);
}

/* ---- adversarial --------------------------------------------------------------- */

/*
 * Random fragments over a few keys, random offsets, lengths, MF bits and
 * timestamps, some cut by the snap length. Nothing may crash or leak past
 * the limits, every datagram returned must be well formed, and the
 * counters must account for every fragment.
 */
static void test_random_fragments(void **state)
{
	static struct buf orig, f;
	struct ipfrag_table *t = table(16, 128 * 1024, 2 * SEC);
	unsigned seed = 12345;
	uint64_t now = 0, nrc[256] = { 0 };

	(void)state;
	make_orig(&orig, 6, 65000, 0, 7);
	for (unsigned i = 0; i < 200000; i++) {
		int ver = rand_r(&seed) & 1 ? 6 : 4;
		uint32_t id = (uint32_t)rand_r(&seed) % 24;
		uint32_t off = ((uint32_t)rand_r(&seed) % (i & 1 ? 8192 : 16)) * 8;
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % (i & 2 ? 1400 : 64);
		int mf = rand_r(&seed) % 4 != 0 || off == 0; /* else not a fragment */
		/* Stay inside orig, yet reach past 65535 now and then. */
		if (off > 65400)
			off = 65400;
		if (off + n > 66100)
			n = 66100 - off;
		if (rand_r(&seed) & 1)
			n = (n + 7) & ~7u; /* aligned, so IPv6 takes it */
		make_frag(&f, &orig, ver, id, off, n, mf);
		uint32_t cap = rand_r(&seed) % 50 ? f.n : f.n - 1;
		now += (uint64_t)(rand_r(&seed) % 1000) * 100000;
		int rc = add_cut(t, &f, cap, now);
		switch (rc) {
		case 1: case 0: case -EALREADY: case -EPROTO: case -EMSGSIZE:
		case -ENODATA: case -ENOBUFS: case -EINVAL:
			break;
		default:
			fail_msg("unexpected return %d", rc);
		}
		nrc[rc == 1 ? 255 : -rc]++;
		if (rc == 1) {
			struct pkt_info d;
			assert_true(outlen <= 65535 + 40);
			enum pkt_status st = pkt_decode_ip(out, outlen, &d);
			assert_true(st == PKT_OK || st == PKT_BAD_L4 || st == PKT_BAD_IP ||
				    st == PKT_SKIP_L4);
		}
		uint32_t ud, ub;
		ipfrag_usage(t, &ud, &ub);
		assert_true(ud <= 16 && ub <= 128 * 1024);
	}
	/* Every dropped fragment is counted once, under its reason. */
	assert_int_equal(nrc[EALREADY], ST(t, duplicates));
	assert_int_equal(nrc[EMSGSIZE], ST(t, too_big));
	assert_int_equal(nrc[ENODATA], ST(t, truncated));
	assert_int_equal(nrc[EPROTO] + nrc[EINVAL], ST(t, overlap_dropped) + ST(t, bad));
	assert_int_equal(nrc[255], ST(t, reassembled));
	ipfrag_expire(t, UINT64_MAX);
	assert_usage(t, 0, 0);
	assert_true(ST(t, reassembled) > 0);
	assert_true(ST(t, overlap_dropped) > 0);
	assert_true(ST(t, duplicates) > 0);
	ipfrag_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ipv4_orders, teardown),
		cmocka_unit_test_teardown(test_ipv6_orders, teardown),
		cmocka_unit_test_teardown(test_ipv6_ext_before_frag, teardown),
		cmocka_unit_test_teardown(test_duplicates, teardown),
		cmocka_unit_test_teardown(test_overlap_dropped, teardown),
		cmocka_unit_test_teardown(test_overlap_across_runs, teardown),
		cmocka_unit_test_teardown(test_bad_ends, teardown),
		cmocka_unit_test_teardown(test_ipv4_rounds_down, teardown),
		cmocka_unit_test_teardown(test_too_big, teardown),
		cmocka_unit_test_teardown(test_ipv4_max_size, teardown),
		cmocka_unit_test_teardown(test_truncated_capture, teardown),
		cmocka_unit_test_teardown(test_timeout, teardown),
		cmocka_unit_test_teardown(test_table_full, teardown),
		cmocka_unit_test_teardown(test_pool_full, teardown),
		cmocka_unit_test_teardown(test_limits, teardown),
		cmocka_unit_test_teardown(test_random_fragments, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
