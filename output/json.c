/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.c: the out-of-line parts of the JSON writer: numbers without printf,
 * string escaping with UTF-8 validation, IP addresses and timestamps.
 * These run several times per record, so they avoid libc formatting.
 */
#include "config.h"

#include <arpa/inet.h>
#include <time.h>

#include "output/json.h"

void jb_u64(struct jbuf *jb, uint64_t v)
{
	char tmp[20];
	char *q = tmp + sizeof(tmp);

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jb_raw(jb, q, (size_t)(tmp + sizeof(tmp) - q));
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

void jb_ip(struct jbuf *jb, int version, const uint8_t *addr)
{
	char tmp[INET6_ADDRSTRLEN];

	jb_char(jb, '"');
	if (version == 4) {
		put_ipv4(jb, addr);
	} else if (inet_ntop(AF_INET6, addr, tmp, sizeof(tmp))) {
		jb_raw(jb, tmp, strlen(tmp));
	}
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
