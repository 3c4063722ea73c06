/* SPDX-License-Identifier: BSD-2-Clause */
/* test_json.c: the JSON writer on hand-picked bytes: escaping, UTF-8
 * validation, numbers, addresses, timestamps and the overflow flag. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "output/json.h"

static char out[4096];

static struct jbuf fresh(void)
{
	struct jbuf jb;

	jb_init(&jb, out, sizeof(out));
	return jb;
}

static void expect(struct jbuf *jb, const char *want)
{
	assert_false(jb->overflow);
	assert_int_equal((size_t)(jb->p - out), strlen(want));
	assert_memory_equal(out, want, strlen(want));
}

static void test_plain_and_escapes(void **state)
{
	struct jbuf jb = fresh();
	(void)state;
	jb_str(&jb, "a\"b\\c\n\r\t\x01\x1f\x7f", 11);
	expect(&jb, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\\u007f\"");
}

static void test_utf8_valid_passes(void **state)
{
	struct jbuf jb = fresh();
	/* é (2 bytes), € (3 bytes), 😀 (4 bytes) */
	const char s[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	(void)state;
	jb_str(&jb, s, sizeof(s) - 1);
	expect(&jb, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

static void test_utf8_invalid_escaped(void **state)
{
	struct jbuf jb = fresh();
	/* lone continuation, overlong "/", surrogate, truncated 3-byte, > U+10FFFF */
	const uint8_t s[] = { 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82, 0xf4, 0x90, 0x80, 0x80 };
	(void)state;
	jb_str(&jb, s, sizeof(s));
	expect(&jb, "\"\\u0080\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00e2\\u0082"
		    "\\u00f4\\u0090\\u0080\\u0080\"");
}

static void test_nul_byte(void **state)
{
	struct jbuf jb = fresh();
	(void)state;
	jb_str(&jb, "a\0b", 3);
	expect(&jb, "\"a\\u0000b\"");
}

static void test_numbers(void **state)
{
	struct jbuf jb = fresh();
	(void)state;
	jb_u64(&jb, 0);
	jb_char(&jb, ' ');
	jb_u64(&jb, UINT64_MAX);
	jb_char(&jb, ' ');
	jb_i64(&jb, INT64_MIN);
	jb_char(&jb, ' ');
	jb_i64(&jb, -1);
	expect(&jb, "0 18446744073709551615 -9223372036854775808 -1");
}

static void test_ip(void **state)
{
	struct jbuf jb = fresh();
	const uint8_t v4[4] = { 192, 0, 2, 255 };
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	(void)state;
	jb_ip(&jb, 4, v4);
	jb_ip(&jb, 6, v6);
	expect(&jb, "\"192.0.2.255\"\"2001:db8::1\"");
}

/* jb_ip's own IPv6 formatter against glibc's inet_ntop (the oracle): edge
 * cases plus random addresses biased to zero groups, where "::" placement
 * is decided. */
static void check_v6(const uint8_t *a)
{
	char want[INET6_ADDRSTRLEN + 2] = "\"";
	struct jbuf jb = fresh();

	assert_non_null(inet_ntop(AF_INET6, a, want + 1, INET6_ADDRSTRLEN));
	strcat(want, "\"");
	jb_ip(&jb, 6, a);
	expect(&jb, want);
}

static void test_ipv6_vs_inet_ntop(void **state)
{
	static const char *fixed[] = {
		"00000000000000000000000000000000", "00000000000000000000000000000001",
		"00000000000000000000ffffc0000201", "000000000000000000000000c0000201",
		"20010db8000000000000000000000000", "20010db8000000010000000000000001",
		"20010db8000000000001000000000001", "fe800000000000000000000000000001",
		"00000000000000000000ffff00000000", "0000000000000000000100000000ffff",
		"ffffffffffffffffffffffffffffffff", "20010db8000100000001000000010000",
	};
	uint8_t a[16];
	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		for (int j = 0; j < 16; j++) {
			unsigned v;
			sscanf(fixed[i] + 2 * j, "%2x", &v);
			a[j] = (uint8_t)v;
		}
		check_v6(a);
	}
	srand(7);
	for (int n = 0; n < 200000; n++) {
		for (int g = 0; g < 8; g++) {
			int r = rand();
			unsigned v = (r & 3) ? 0 : (unsigned)(r >> 2) & ((r & 4) ? 0xffff : 0xf);
			if (g == 5 && (r & 0x100))
				v = 0xffff;
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		check_v6(a);
	}
}

static void test_u64_every_width(void **state)
{
	uint64_t v = 1;
	(void)state;
	for (int d = 1; d <= 20; d++) {
		char want[32];
		uint64_t vals[3] = { v, v - 1, v * 10 - 1 };
		for (int k = 0; k < 3; k++) {
			struct jbuf jb = fresh();
			if (d == 20 && k == 2)
				vals[k] = UINT64_MAX;
			snprintf(want, sizeof(want), "%llu", (unsigned long long)vals[k]);
			jb_u64(&jb, vals[k]);
			expect(&jb, want);
		}
		if (d < 20)
			v *= 10;
	}
}

static void test_hex(void **state)
{
	struct jbuf jb = fresh();
	const uint8_t b[] = { 0x00, 0xab, 0xff };
	(void)state;
	jb_hex(&jb, b, sizeof(b));
	expect(&jb, "\"00abff\"");
}

static void test_ts(void **state)
{
	struct jbuf jb = fresh();
	struct jb_tscache c;
	(void)state;
	jb_tscache_init(&c);
	/* 2026-11-27T08:09:10.123456Z = 1795766950 s */
	jb_ts(&jb, &c, 1795766950ull * 1000000000ull + 123456789ull);
	jb_ts(&jb, &c, 1795766950ull * 1000000000ull + 999ull);  /* cached second */
	jb_ts(&jb, &c, 0);
	expect(&jb, "\"2026-11-27T08:09:10.123456Z\"\"2026-11-27T08:09:10.000000Z\""
		    "\"1970-01-01T00:00:00.000000Z\"");
}

static void test_overflow_sticky(void **state)
{
	char small[8];
	struct jbuf jb;
	(void)state;
	jb_init(&jb, small, sizeof(small));
	jb_lit(&jb, "1234");
	assert_false(jb.overflow);
	jb_str(&jb, "abcdef", 6);
	assert_true(jb.overflow);
	assert_true(jb.p <= jb.end);
	jb_u64(&jb, 7);
	jb_char(&jb, 'x');
	assert_true(jb.overflow);
	assert_true(jb.p <= jb.end);
	assert_memory_equal(small, "1234", 4);
}

/* Every output length up to the buffer size: never writes past the end. */
static void test_overflow_every_size(void **state)
{
	char buf[64];
	(void)state;
	for (size_t cap = 0; cap < 48; cap++) {
		struct jbuf jb;
		memset(buf, 'Z', sizeof(buf));
		jb_init(&jb, buf, cap);
		jb_str(&jb, "x\"\xc3\xa9\x01y", 6);
		jb_u64(&jb, 12345);
		jb_hex(&jb, (const uint8_t *)"\x01\x02", 2);
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'Z');
		/* full output is 14 + 5 + 6 = 25 bytes */
		if (cap >= 25)
			assert_false(jb.overflow);
		else
			assert_true(jb.overflow);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_escapes),
		cmocka_unit_test(test_utf8_valid_passes),
		cmocka_unit_test(test_utf8_invalid_escaped),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_ipv6_vs_inet_ntop),
		cmocka_unit_test(test_u64_every_width),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_ts),
		cmocka_unit_test(test_overflow_sticky),
		cmocka_unit_test(test_overflow_every_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
