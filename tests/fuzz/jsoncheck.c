/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jsoncheck.c: strict JSON validation for the fuzz targets; see jsoncheck.h.
 *
 * Recursive descent over a (cursor, end) pair with a sticky failure: each
 * rule returns 0 or -1 and leaves the cursor where it stopped, which is
 * where the report points. Depth is capped, so no input can exhaust the
 * stack. Duplicate keys are found by comparing each key's raw (escaped)
 * text with the earlier keys of its object: dnsring writes every key
 * unescaped, so raw equality is equality.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/fuzz/jsoncheck.h"

#define MAX_KEYS 128 /* keys per object checked for duplicates */

struct jc {
	const unsigned char *p, *start, *end;
	const char *why;
	int depth;
};

static const char *last_why = "";

static int fail(struct jc *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return -1;
}

static void skip_ws(struct jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The 4 hex digits of a \u escape; the cursor is past the 'u'. */
static int hex4(struct jc *c, unsigned *out)
{
	unsigned v = 0;

	if (c->end - c->p < 4)
		return fail(c, "\\u escape cut short");
	for (int i = 0; i < 4; i++) {
		int h = hexval(c->p[i]);
		if (h < 0)
			return fail(c, "bad hex digit in \\u escape");
		v = v << 4 | (unsigned)h;
	}
	c->p += 4;
	*out = v;
	return 0;
}

/* A \u escape; a high surrogate must be followed by an escaped low one. */
static int esc_u(struct jc *c)
{
	unsigned u, lo;

	if (hex4(c, &u) < 0)
		return -1;
	if (u >= 0xdc00 && u <= 0xdfff)
		return fail(c, "lone low surrogate escape");
	if (u < 0xd800 || u > 0xdbff)
		return 0;
	if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
		return fail(c, "high surrogate escape not followed by a low one");
	c->p += 2;
	if (hex4(c, &lo) < 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(c, "high surrogate escape not followed by a low one");
	return 0;
}

/* One UTF-8 sequence starting at a byte >= 0x80 (RFC 3629 table 4). */
static int utf8_seq(struct jc *c)
{
	const unsigned char *p = c->p;
	size_t room = (size_t)(c->end - p);
	unsigned char b0 = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (b0 >= 0xc2 && b0 <= 0xdf)
		n = 2;
	else if (b0 >= 0xe0 && b0 <= 0xef)
		n = 3;
	else if (b0 >= 0xf0 && b0 <= 0xf4)
		n = 4;
	else
		return fail(c, "invalid UTF-8 lead byte");
	if (b0 == 0xe0)
		lo = 0xa0;      /* overlong */
	else if (b0 == 0xed)
		hi = 0x9f;      /* surrogates */
	else if (b0 == 0xf0)
		lo = 0x90;      /* overlong */
	else if (b0 == 0xf4)
		hi = 0x8f;      /* past U+10FFFF */
	if (room < n)
		return fail(c, "UTF-8 sequence cut short");
	if (p[1] < lo || p[1] > hi)
		return fail(c, "invalid UTF-8 continuation");
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return fail(c, "invalid UTF-8 continuation");
	c->p += n;
	return 0;
}

/* A string; the cursor is on the opening quote. */
static int string(struct jc *c)
{
	c->p++;
	while (c->p < c->end) {
		unsigned char ch = *c->p;

		if (ch == '"') {
			c->p++;
			return 0;
		}
		if (ch < 0x20)
			return fail(c, "control character in string");
		if (ch >= 0x80) {
			if (utf8_seq(c) < 0)
				return -1;
			continue;
		}
		c->p++;
		if (ch != '\\')
			continue;
		if (c->p >= c->end)
			return fail(c, "escape cut short");
		ch = *c->p++;
		if (ch == 'u') {
			if (esc_u(c) < 0)
				return -1;
		} else if (!strchr("\"\\/bfnrt", ch) || ch == 0) {
			c->p--;
			return fail(c, "invalid escape");
		}
	}
	return fail(c, "unterminated string");
}

static int digits(struct jc *c)
{
	const unsigned char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s ? 0 : fail(c, "digit expected");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct jc *c)
{
	if (*c->p == '-')
		c->p++;
	if (c->p >= c->end)
		return fail(c, "number cut short");
	if (*c->p == '0') {
		c->p++;
		if (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			return fail(c, "leading zero");
	} else if (digits(c) < 0) {
		return -1;
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (digits(c) < 0)
			return -1;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (digits(c) < 0)
			return -1;
	}
	return 0;
}

static int literal(struct jc *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return fail(c, "invalid literal");
	c->p += n;
	return 0;
}

static int value(struct jc *c);

/* The separator after a member or element: 1 more follow, 0 closed. */
static int next_or_close(struct jc *c, unsigned char close)
{
	skip_ws(c);
	if (c->p >= c->end)
		return fail(c, "unterminated object or array");
	if (*c->p == ',') {
		c->p++;
		skip_ws(c);
		return 1;
	}
	if (*c->p == close) {
		c->p++;
		return 0;
	}
	return fail(c, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
}

static int key(struct jc *c, const unsigned char **keys, size_t *klen, unsigned *nkeys)
{
	const unsigned char *k = c->p;
	size_t n;

	if (c->p >= c->end || *c->p != '"')
		return fail(c, "key expected");
	if (string(c) < 0)
		return -1;
	n = (size_t)(c->p - k);
	for (unsigned i = 0; i < *nkeys; i++) {
		if (klen[i] == n && memcmp(keys[i], k, n) == 0) {
			c->p = k;
			return fail(c, "duplicate key");
		}
	}
	if (*nkeys < MAX_KEYS) {
		keys[*nkeys] = k;
		klen[(*nkeys)++] = n;
	}
	skip_ws(c);
	if (c->p >= c->end || *c->p != ':')
		return fail(c, "':' expected");
	c->p++;
	return 0;
}

static int object(struct jc *c)
{
	const unsigned char *keys[MAX_KEYS];
	size_t klen[MAX_KEYS];
	unsigned nkeys = 0;
	int more;

	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	do {
		if (key(c, keys, klen, &nkeys) < 0 || value(c) < 0)
			return -1;
	} while ((more = next_or_close(c, '}')) > 0);
	return more;
}

static int array(struct jc *c)
{
	int more;

	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	do {
		if (value(c) < 0)
			return -1;
	} while ((more = next_or_close(c, ']')) > 0);
	return more;
}

static int value(struct jc *c)
{
	int ret;

	skip_ws(c);
	if (c->p >= c->end)
		return fail(c, "value expected");
	switch (*c->p) {
	case '{':
	case '[':
		if (++c->depth > JSONC_MAX_DEPTH)
			return fail(c, "nested too deep");
		ret = *c->p == '{' ? object(c) : array(c);
		c->depth--;
		return ret;
	case '"':
		return string(c);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return number(c);
		return fail(c, "value expected");
	}
}

static int done(struct jc *c, size_t *err_off, int ret)
{
	if (ret < 0) {
		last_why = c->why ? c->why : "invalid";
		if (err_off)
			*err_off = (size_t)(c->p - c->start);
	}
	return ret;
}

int jsonc_check(const char *s, size_t n, int top_object, size_t *err_off)
{
	struct jc c = { (const unsigned char *)s, (const unsigned char *)s,
			(const unsigned char *)s + n, NULL, 0 };
	int ret;

	skip_ws(&c);
	if (top_object && (c.p >= c.end || *c.p != '{'))
		return done(&c, err_off, fail(&c, "object expected"));
	ret = value(&c);
	if (ret == 0) {
		skip_ws(&c);
		if (c.p != c.end)
			ret = fail(&c, "bytes after the value");
	}
	return done(&c, err_off, ret);
}

int jsonc_ndjson(const char *s, size_t n, uint32_t *nlines, size_t *err_off)
{
	size_t off = 0;
	uint32_t lines = 0;

	while (off < n) {
		const char *nl = memchr(s + off, '\n', n - off);
		size_t len, e;

		if (!nl) {
			last_why = "last line has no newline";
			if (err_off)
				*err_off = n;
			return -1;
		}
		len = (size_t)(nl - (s + off));
		if (jsonc_check(s + off, len, 1, &e) < 0) {
			if (err_off)
				*err_off = off + e;
			return -1;
		}
		/* a record is compact: no whitespace around it either */
		if (len == 0 || s[off] != '{' || s[off + len - 1] != '}') {
			last_why = "line is not exactly one object";
			if (err_off)
				*err_off = off;
			return -1;
		}
		off += len + 1;
		lines++;
	}
	*nlines = lines;
	return 0;
}

const char *jsonc_why(void)
{
	return last_why;
}

void jsonc_report(const char *what, const char *s, size_t n, size_t err_off)
{
	size_t from = err_off > 200 ? err_off - 200 : 0;
	size_t to = n - err_off > 200 ? err_off + 200 : n;

	fprintf(stderr, "%s: invalid JSON at byte %zu of %zu (%s):\n", what, err_off, n,
		jsonc_why());
	for (size_t i = from; i < to; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == err_off)
			fputs(">>>", stderr);
		if (ch >= 0x20 && ch < 0x7f)
			fputc(ch, stderr);
		else
			fprintf(stderr, "\\x%02x", ch);
	}
	fputc('\n', stderr);
}
