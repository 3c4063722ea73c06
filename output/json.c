/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.c: the out-of-line parts of the JSON writer: numbers without printf,
 * string escaping with UTF-8 validation, IP addresses and timestamps.
 * These run several times per record, so they avoid libc formatting.
 */
#include "config.h"

#include <time.h>

#include "output/json.h"

#define DR_JB_UNLIKELY(x) __builtin_expect(!!(x), 0)

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Decimal digits of v (1..20). */
static inline unsigned count_digits(uint64_t v)
{
	unsigned n = 1;

	for (;;) {
		if (v < 10) return n;
		if (v < 100) return n + 1;
		if (v < 1000) return n + 2;
		if (v < 10000) return n + 3;
		v /= 10000;
		n += 4;
	}
}

/*
 * Runs several times per record (ports, counts, TTLs): two digits per
 * division, written straight into the buffer.
 */
void jb_u64(struct jbuf *jb, uint64_t v)
{
	unsigned n = count_digits(v);
	char *q;

	if (DR_JB_UNLIKELY(jb_room(jb) < n)) {
		jb->overflow = 1;
		jb->p = jb->end;
		return;
	}
	q = jb->p + n;
	jb->p = q;
	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		*--q = digit_pairs[i + 1];
		*--q = digit_pairs[i];
	}
	if (v >= 10) {
		*--q = digit_pairs[v * 2 + 1];
		*--q = digit_pairs[v * 2];
	} else {
		*--q = (char)('0' + v);
	}
}

void jb_i64(struct jbuf *jb, int64_t v)
{
	if (v < 0) {
		jb_char(jb, '-');
		jb_u64(jb, (uint64_t)0 - (uint64_t)v);
	} else {
		jb_u64(jb, (uint64_t)v);
	}
}

/*
 * Length of the valid UTF-8 sequence starting at s (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), or 0 when it is not one.
 */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_u00(struct jbuf *jb, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	jb_raw(jb, esc, sizeof(esc));
}

static void put_escaped(struct jbuf *jb, uint8_t c)
{
	switch (c) {
	case '"':  jb_lit(jb, "\\\""); break;
	case '\\': jb_lit(jb, "\\\\"); break;
	case '\n': jb_lit(jb, "\\n"); break;
	case '\r': jb_lit(jb, "\\r"); break;
	case '\t': jb_lit(jb, "\\t"); break;
	default:   put_u00(jb, c); break;
	}
}

/* 1 for bytes that can be copied as they are: printable ASCII but '"', '\\'. */
static inline int plain_byte(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void jb_str(struct jbuf *jb, const void *sv, size_t n)
{
	const uint8_t *s = sv;
	size_t i = 0;

	jb_char(jb, '"');
	while (i < n) {
		size_t run = i;

		while (run < n && plain_byte(s[run]))
			run++;
		if (run > i) {
			jb_raw(jb, s + i, run - i);
			i = run;
			continue;
		}
		if (s[i] < 0x80) {
			put_escaped(jb, s[i]);
			i++;
			continue;
		}
		size_t l = utf8_seq_len(s + i, n - i);
		if (l) {
			jb_raw(jb, s + i, l);
			i += l;
		} else {
			put_u00(jb, s[i]);
			i++;
		}
	}
	jb_char(jb, '"');
}

void jb_hex(struct jbuf *jb, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	jb_char(jb, '"');
	if (jb_room(jb) < 2 * n) {
		jb->overflow = 1;
		jb->p = jb->end;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		*jb->p++ = hex[s[i] >> 4];
		*jb->p++ = hex[s[i] & 15];
	}
	jb_char(jb, '"');
}

static void put_ipv4(struct jbuf *jb, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			jb_char(jb, '.');
		jb_u64(jb, a[i]);
	}
}

static void put_hex16(struct jbuf *jb, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[4];
	int n = 0;

	for (int shift = 12; shift >= 0; shift -= 4)
		if (n || (v >> shift) & 15 || shift == 0)
			tmp[n++] = hex[(v >> shift) & 15];
	jb_raw(jb, tmp, (size_t)n);
}

/*
 * RFC 5952 text of an IPv6 address, the same as glibc's inet_ntop (which
 * costs a vfprintf per group): the longest run of two or more zero groups
 * (the first on a tie) becomes "::"; ::ffff:0:0/96 and ::/96 addresses
 * other than :: and ::1-style end in dotted IPv4, as inet_ntop prints them.
 */
static void put_ipv6(struct jbuf *jb, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			if (++cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				jb_char(jb, ':');
			continue;
		}
		if (i)
			jb_char(jb, ':');
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			put_ipv4(jb, a + 12);
			return;
		}
		put_hex16(jb, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		jb_char(jb, ':');
}

void jb_ip(struct jbuf *jb, int version, const uint8_t *addr)
{
	jb_char(jb, '"');
	if (version == 4)
		put_ipv4(jb, addr);
	else
		put_ipv6(jb, addr);
	jb_char(jb, '"');
}

void jb_tscache_init(struct jb_tscache *c)
{
	c->sec = INT64_MIN;
	memset(c->prefix, 0, sizeof(c->prefix));
}

static void put_2d(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* Format the "YYYY-MM-DDTHH:MM:SS" part of a second; runs once per second. */
static void tscache_fill(struct jb_tscache *c, int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char *p = c->prefix;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	int year = tm.tm_year + 1900;
	if (year < 0 || year > 9999)
		year = 0;
	put_2d(p, year / 100);
	put_2d(p + 2, year % 100);
	p[4] = '-';
	put_2d(p + 5, tm.tm_mon + 1);
	p[7] = '-';
	put_2d(p + 8, tm.tm_mday);
	p[10] = 'T';
	put_2d(p + 11, tm.tm_hour);
	p[13] = ':';
	put_2d(p + 14, tm.tm_min);
	p[16] = ':';
	put_2d(p + 17, tm.tm_sec);
	c->sec = sec;
}

void jb_ts(struct jbuf *jb, struct jb_tscache *c, uint64_t ts_ns)
{
	int64_t sec = (int64_t)(ts_ns / 1000000000u);
	uint32_t us = (uint32_t)(ts_ns % 1000000000u / 1000u);
	char frac[9] = { '.', 0, 0, 0, 0, 0, 0, 'Z', '"' };

	if (sec != c->sec)
		tscache_fill(c, sec);
	for (int i = 6; i >= 1; i--) {
		frac[i] = (char)('0' + us % 10);
		us /= 10;
	}
	jb_char(jb, '"');
	jb_raw(jb, c->prefix, 19);
	jb_raw(jb, frac, sizeof(frac));
}
