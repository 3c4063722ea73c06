/* SPDX-License-Identifier: BSD-2-Clause */
/* test_filter.c: the record filters: suffix matching on label boundaries
 * (case, escapes, the root), type and RCODE names through the record
 * tables, option errors, the verdict on decoded summaries, and the flow
 * sample (symmetric, about 1 in N, 1 keeps all). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "src/filter.h"

static struct dr_filter f;

static int setup(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	return 0;
}

/* Presentation name (no escapes) to wire form, for the tests. */
static unsigned wire(const char *name, uint8_t *out)
{
	unsigned o = 0;

	if (strcmp(name, ".") != 0) {
		while (*name) {
			const char *dot = strchr(name, '.');
			size_t n = dot ? (size_t)(dot - name) : strlen(name);

			out[o++] = (uint8_t)n;
			memcpy(out + o, name, n);
			o += (unsigned)n;
			name += n + (dot ? 1 : 0);
		}
	}
	out[o++] = 0;
	return o;
}

static int matches(const struct filter_names *l, const char *name)
{
	uint8_t w[256];
	unsigned n = wire(name, w);

	return filter_suffix_match(l, w, n);
}

static void test_suffix_boundaries(void **state)
{
	(void)state;
	assert_int_equal(filter_parse_suffixes(&f, "example.com", 0), 0);
	assert_true(matches(&f.incl, "a.example.com."));
	assert_true(matches(&f.incl, "example.com."));
	assert_true(matches(&f.incl, "x.y.z.example.com."));
	assert_false(matches(&f.incl, "badexample.com."));
	assert_false(matches(&f.incl, "example.com.evil."));
	assert_false(matches(&f.incl, "com."));
	assert_false(matches(&f.incl, "."));
	/* case on either side */
	assert_true(matches(&f.incl, "WWW.ExAmPlE.CoM."));
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_suffixes(&f, "EXAMPLE.Com.,example.net", 0), 0);
	assert_int_equal(f.incl.n, 2);
	assert_true(matches(&f.incl, "a.example.com."));
	assert_true(matches(&f.incl, "b.example.net."));
	assert_false(matches(&f.incl, "example.org."));
	assert_true(f.active);
}

static void test_suffix_root_and_escapes(void **state)
{
	uint8_t name[] = { 3, 'a', '.', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };

	(void)state;
	assert_int_equal(filter_parse_suffixes(&f, ".", 0), 0);
	assert_true(matches(&f.incl, "."));
	assert_true(matches(&f.incl, "anything.at.all."));
	memset(&f, 0, sizeof(f));
	/* "a\.b.example": a label holding a dot; \046 is the same byte. */
	assert_int_equal(filter_parse_suffixes(&f, "a\\.b.example", 0), 0);
	assert_true(filter_suffix_match(&f.incl, name, sizeof(name)));
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_suffixes(&f, "a\\046b.example", 0), 0);
	assert_true(filter_suffix_match(&f.incl, name, sizeof(name)));
	/* "b.example" is not a suffix of it on a label boundary */
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_suffixes(&f, "b.example", 0), 0);
	assert_false(filter_suffix_match(&f.incl, name, sizeof(name)));
}

/* Every byte value: a listed \DDD byte matches itself and, for letters, the
 * other case; nothing else. */
static void test_fold_all_bytes(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		char spec[16];
		unsigned lo = b >= 'A' && b <= 'Z' ? b + 32 : b;

		memset(&f, 0, sizeof(f));
		snprintf(spec, sizeof(spec), "\\%03u.x", b);
		assert_int_equal(filter_parse_suffixes(&f, spec, 0), 0);
		for (unsigned c = 0; c < 256; c++) {
			uint8_t name[] = { 1, (uint8_t)c, 1, 'x', 0 };
			unsigned clo = c >= 'A' && c <= 'Z' ? c + 32 : c;
			int want = clo == lo;

			if (filter_suffix_match(&f.incl, name, sizeof(name)) != want)
				fail_msg("listed %u, name byte %u", b, c);
		}
	}
}

static void test_suffix_errors(void **state)
{
	char big[80];

	(void)state;
	assert_int_equal(filter_parse_suffixes(&f, "", 0), -EINVAL);
	assert_int_equal(filter_parse_suffixes(&f, "a..b", 0), -EINVAL);
	assert_int_equal(filter_parse_suffixes(&f, ".a", 0), -EINVAL);
	assert_int_equal(filter_parse_suffixes(&f, "a,,b", 0), -EINVAL);
	assert_int_equal(filter_parse_suffixes(&f, "a\\", 0), -EINVAL);
	assert_int_equal(filter_parse_suffixes(&f, "a\\25", 0), -EINVAL);
	assert_int_equal(filter_parse_suffixes(&f, "a\\256", 0), -EINVAL);
	memset(big, 'x', 64);
	big[64] = 0;
	assert_int_equal(filter_parse_suffixes(&f, big, 0), -EINVAL); /* label of 64 */
	big[63] = 0;
	assert_int_equal(filter_parse_suffixes(&f, big, 0), 0);
	/* 255 octets at most: 4 labels of 63 = 256 with the root */
	char name[300];
	memset(name, 'x', 4 * 64);
	for (int i = 1; i < 4; i++)
		name[i * 64 - 1] = '.';
	name[4 * 64 - 1] = 0;
	assert_int_equal(filter_parse_suffixes(&f, name, 0), -EINVAL);
	name[4 * 64 - 3] = 0; /* last label 61: 255 octets */
	assert_int_equal(filter_parse_suffixes(&f, name, 1), 0);
	assert_int_equal(f.excl.n, 1);
	assert_int_equal(f.excl.len[0], 255);
}

static void test_qtype_names(void **state)
{
	(void)state;
	assert_int_equal(filter_parse_qtype(&f, "a,AAAA,28,TYPE65280,https,NSEC3PARAM,any,type1"), 0);
	assert_true(f.has_qtype);
	for (unsigned t = 0; t < 65536; t++) {
		int want = t == 1 || t == 28 || t == 65280 || t == 65 || t == 51 || t == 255;
		if (((f.qtype[t >> 6] >> (t & 63)) & 1) != (uint64_t)want)
			fail_msg("type %u", t);
	}
	assert_int_equal(filter_parse_qtype(&f, "NOPE"), -EINVAL);
	assert_int_equal(filter_parse_qtype(&f, "65536"), -EINVAL);
	assert_int_equal(filter_parse_qtype(&f, "TYPE"), -EINVAL);
	assert_int_equal(filter_parse_qtype(&f, "TYPE70000"), -EINVAL);
	assert_int_equal(filter_parse_qtype(&f, "-1"), -EINVAL);
}

static void test_rcode_names(void **state)
{
	(void)state;
	assert_int_equal(filter_parse_rcode(&f, "nxdomain,SERVFAIL,badcookie,RCODE4095,0"), 0);
	for (unsigned r = 0; r < 4096; r++) {
		int want = r == 3 || r == 2 || r == 23 || r == 4095 || r == 0;
		if (((f.rcode[r >> 6] >> (r & 63)) & 1) != (uint64_t)want)
			fail_msg("rcode %u", r);
	}
	assert_int_equal(filter_parse_rcode(&f, "4096"), -EINVAL);
	assert_int_equal(filter_parse_rcode(&f, "NXDOMAINX"), -EINVAL);
}

static struct dns_summary summary(int qr, uint16_t rcode, uint16_t qtype, const char *qname)
{
	struct dns_summary s;

	memset(&s, 0, sizeof(s));
	s.has_header = 1;
	s.qr = (uint8_t)qr;
	s.rcode = rcode;
	if (qname) {
		s.has_question = 1;
		s.qtype = qtype;
		s.qclass = 1;
		s.qname_len = (uint8_t)wire(qname, s.qname);
	}
	return s;
}

static void test_keep(void **state)
{
	struct dns_summary q = summary(0, 0, 28, "www.example.com.");
	struct dns_summary nx = summary(1, 3, 1, "nope.example.org.");
	struct dns_summary noq = summary(1, 0, 0, NULL);
	struct dns_summary nohdr;

	(void)state;
	memset(&nohdr, 0, sizeof(nohdr));
	assert_int_equal(filter_parse_only(&f, "queries"), 0);
	assert_true(filter_keep(&f, &q));
	assert_false(filter_keep(&f, &nx));
	assert_false(filter_keep(&f, &nohdr));
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_only(&f, "both"), -EINVAL);
	assert_int_equal(filter_parse_rcode(&f, "NXDOMAIN"), 0);
	assert_false(filter_keep(&f, &q)); /* queries never pass --rcode */
	assert_true(filter_keep(&f, &nx));
	assert_false(filter_keep(&f, &noq));
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_qtype(&f, "AAAA"), 0);
	assert_true(filter_keep(&f, &q));
	assert_false(filter_keep(&f, &nx));
	assert_false(filter_keep(&f, &noq)); /* no question: selecting filters fail */
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_parse_suffixes(&f, "example.com", 1), 0);
	assert_false(filter_keep(&f, &q));
	assert_true(filter_keep(&f, &nx));
	assert_true(filter_keep(&f, &noq)); /* ... and --exclude-suffix passes */
	assert_true(filter_keep(&f, &nohdr));
	/* all together */
	assert_int_equal(filter_parse_suffixes(&f, "org", 0), 0);
	assert_int_equal(filter_parse_only(&f, "responses"), 0);
	assert_true(filter_keep(&f, &nx));
	assert_false(filter_keep(&f, &q));
	assert_false(filter_keep(&f, &noq));
}

static struct pkt_info flow(uint32_t i, int reverse)
{
	struct pkt_info pi;
	uint8_t client[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	uint8_t server[4] = { 192, 0, 2, 53 };

	memset(&pi, 0, sizeof(pi));
	pi.ip_version = 4;
	pi.l4proto = 17;
	memcpy(reverse ? pi.dst : pi.src, client, 4);
	memcpy(reverse ? pi.src : pi.dst, server, 4);
	pi.sport = reverse ? 53 : (uint16_t)(1024 + i % 60000);
	pi.dport = reverse ? (uint16_t)(1024 + i % 60000) : 53;
	return pi;
}

static void test_sample(void **state)
{
	unsigned kept = 0, n = 100000;

	(void)state;
	assert_int_equal(filter_parse_sample(&f, "0"), -EINVAL);
	assert_int_equal(filter_parse_sample(&f, "x"), -EINVAL);
	assert_int_equal(filter_parse_sample(&f, "1"), 0);
	assert_false(f.active); /* 1 keeps everything: no filter */
	assert_int_equal(filter_parse_sample(&f, "10"), 0);
	assert_true(f.active);
	for (uint32_t i = 0; i < n; i++) {
		struct pkt_info a = flow(i, 0), b = flow(i, 1);
		int k = filter_flow_keep(&f, &a);

		assert_int_equal(k, filter_flow_keep(&f, &b)); /* both directions */
		kept += (unsigned)k;
	}
	/* 1 in 10 of 100000: 10000 +- 3 sd (95) */
	assert_in_range(kept, 9700, 10300);
	/* independent of the worker choice (pkt_flow_hash % workers) */
	kept = 0;
	unsigned on_w0 = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct pkt_info a = flow(i, 0);
		if (pkt_flow_hash(&a) % 2 == 0) {
			on_w0++;
			kept += (unsigned)filter_flow_keep(&f, &a);
		}
	}
	assert_in_range(kept * 10, on_w0 * 9 / 10, on_w0 * 11 / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_suffix_boundaries, setup),
		cmocka_unit_test_setup(test_suffix_root_and_escapes, setup),
		cmocka_unit_test_setup(test_fold_all_bytes, setup),
		cmocka_unit_test_setup(test_suffix_errors, setup),
		cmocka_unit_test_setup(test_qtype_names, setup),
		cmocka_unit_test_setup(test_rcode_names, setup),
		cmocka_unit_test_setup(test_keep, setup),
		cmocka_unit_test_setup(test_sample, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
