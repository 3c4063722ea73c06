/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter.c: parsing the filter options and judging a decoded message
 * against them (see filter.h for the semantics).
 *
 * Type and RCODE names are looked up through the very functions that write
 * them into records (dns_put_type_name, dns_put_rcode_name), by trying
 * every code once at startup: whatever a record calls a type, --qtype
 * accepts, and nothing else needs a second table kept in step.
 *
 * filter_keep() runs once per decoded message when a filter is set: bitmap
 * tests for type and RCODE, and for the name lists one pass over the
 * question name's labels comparing lengths first (a few compares per label
 * and listed name; the lists are short).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common.h"
#include "src/filter.h"

static int bad(const char *opt, const char *val, size_t n, const char *why)
{
	fprintf(stderr, "dnsring: invalid %s '%.*s': %s (see --help)\n", opt, (int)n, val, why);
	return -EINVAL;
}

static void bit_set(uint64_t *bits, unsigned i)
{
	bits[i >> 6] |= (uint64_t)1 << (i & 63);
}

static int bit_get(const uint64_t *bits, unsigned i)
{
	return (int)((bits[i >> 6] >> (i & 63)) & 1);
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Decimal digits only, at most max. @return the value or -1. */
static long parse_num(const char *s, size_t n, long max)
{
	long v = 0;

	if (n == 0 || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/*
 * A code from a token: decimal, PREFIXnnn (RFC 3597 style), or the name
 * put() writes for some code in [0, max], ignoring case.
 * @return the code, or -1.
 */
static long code_by_name(const char *tok, size_t n, const char *prefix, long max,
			 void (*put)(struct jbuf *, uint16_t))
{
	size_t plen = strlen(prefix);
	char buf[48];
	struct jbuf jb;

	if (tok[0] >= '0' && tok[0] <= '9')
		return parse_num(tok, n, max);
	if (n > plen && strncasecmp(tok, prefix, plen) == 0 && tok[plen] >= '0' &&
	    tok[plen] <= '9')
		return parse_num(tok + plen, n - plen, max);
	for (long code = 0; code <= max; code++) {
		jb_init(&jb, buf, sizeof(buf));
		put(&jb, (uint16_t)code);
		/* put() writes a quoted string: compare what is inside. */
		if (!jb.overflow && (size_t)(jb.p - buf) == n + 2 &&
		    strncasecmp(buf + 1, tok, n) == 0)
			return code;
	}
	return -1;
}

/* Call fn on each comma-separated token of arg; empty tokens are errors. */
static int each_token(const char *opt, const char *arg, struct dr_filter *f, int extra,
		      int (*fn)(const char *opt, const char *tok, size_t n,
				struct dr_filter *f, int extra))
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int ret;

		if (n == 0)
			return bad(opt, arg, strlen(arg), "empty list entry");
		if ((ret = fn(opt, p, n, f, extra)) < 0)
			return ret;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int add_qtype(const char *opt, const char *tok, size_t n, struct dr_filter *f, int extra)
{
	long code = code_by_name(tok, n, "TYPE", 65535, dns_put_type_name);

	(void)extra;
	if (code < 0)
		return bad(opt, tok, n, "expected a type such as A, AAAA, TYPE65280 or 28");
	bit_set(f->qtype, (unsigned)code);
	return 0;
}

static int add_rcode(const char *opt, const char *tok, size_t n, struct dr_filter *f, int extra)
{
	long code = code_by_name(tok, n, "RCODE", 4095, dns_put_rcode_name);

	(void)extra;
	if (code < 0)
		return bad(opt, tok, n, "expected an RCODE such as NXDOMAIN, SERVFAIL, RCODE23 or 0..4095");
	bit_set(f->rcode, (unsigned)code);
	return 0;
}

/*
 * Presentation form (trailing dot optional, \DDD and \X escapes) to
 * lower-case wire form. @return the wire length or -1.
 */
static int name_to_wire(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 1, lab = 0; /* out[lab] is the current label's length */

	if (n == 1 && s[0] == '.') {
		out[0] = 0;
		return 1;
	}
	while (i < n) {
		unsigned c = (uint8_t)s[i++];

		if (c == '.') {
			if (o - lab - 1 == 0)
				return -1; /* empty label */
			out[lab] = (uint8_t)(o - lab - 1);
			lab = o++;
			if (i == n)
				break; /* trailing dot */
			continue;
		}
		if (c == '\\') {
			if (i < n && s[i] >= '0' && s[i] <= '9') {
				long v = i + 3 <= n ? parse_num(s + i, 3, 255) : -1;
				if (v < 0)
					return -1;
				c = (unsigned)v;
				i += 3;
			} else if (i < n) {
				c = (uint8_t)s[i++];
			} else {
				return -1;
			}
		}
		if (o - lab - 1 == 63 || o >= 254)
			return -1; /* label or name too long */
		out[o++] = lower((uint8_t)c);
	}
	if (o - lab - 1 > 0) { /* no trailing dot: close the last label */
		out[lab] = (uint8_t)(o - lab - 1);
		lab = o++;
	}
	if (o > 255)
		return -1;
	out[lab] = 0;
	return (int)o;
}

static int add_suffix(const char *opt, const char *tok, size_t n, struct dr_filter *f,
		      int exclude)
{
	struct filter_names *l = exclude ? &f->excl : &f->incl;
	uint8_t wire[256];
	int len = name_to_wire(tok, n, wire);

	if (len < 0)
		return bad(opt, tok, n, "expected a domain name such as example.com");
	if (l->n == FILTER_MAX_SUFFIXES || l->used + len > FILTER_SUFFIX_POOL) {
		fprintf(stderr, "dnsring: %s: too many names (at most %u, %u bytes)\n",
			opt, FILTER_MAX_SUFFIXES, FILTER_SUFFIX_POOL);
		return -ENOSPC;
	}
	memcpy(l->pool + l->used, wire, (size_t)len);
	l->off[l->n] = l->used;
	l->len[l->n] = (uint8_t)len;
	l->used = (uint16_t)(l->used + len);
	l->n++;
	return 0;
}

int filter_parse_only(struct dr_filter *f, const char *arg)
{
	if (strcmp(arg, "queries") == 0 || strcmp(arg, "query") == 0)
		f->only = FILTER_ONLY_QUERIES;
	else if (strcmp(arg, "responses") == 0 || strcmp(arg, "response") == 0)
		f->only = FILTER_ONLY_RESPONSES;
	else
		return bad("--only", arg, strlen(arg), "expected queries or responses");
	f->active = 1;
	return 0;
}

int filter_parse_qtype(struct dr_filter *f, const char *arg)
{
	int ret = each_token("--qtype", arg, f, 0, add_qtype);

	if (ret == 0)
		f->active = f->has_qtype = 1;
	return ret;
}

int filter_parse_rcode(struct dr_filter *f, const char *arg)
{
	int ret = each_token("--rcode", arg, f, 0, add_rcode);

	if (ret == 0)
		f->active = f->has_rcode = 1;
	return ret;
}

int filter_parse_suffixes(struct dr_filter *f, const char *arg, int exclude)
{
	int ret = each_token(exclude ? "--exclude-suffix" : "--qname-suffix", arg, f,
			     exclude, add_suffix);

	if (ret == 0)
		f->active = 1;
	return ret;
}

int filter_parse_sample(struct dr_filter *f, const char *arg)
{
	char *end;
	unsigned long v;

	if (*arg < '0' || *arg > '9')
		return bad("--sample", arg, strlen(arg), "expected a whole number from 1");
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v < 1 || v > 1000000000ul)
		return bad("--sample", arg, strlen(arg), "must be between 1 and 1000000000");
	f->sample = (uint32_t)v;
	if (v > 1)
		f->active = 1;
	return 0;
}

/* ASCII case folding of a byte: a table, as the compare below runs per
 * candidate byte. */
static const uint8_t fold[256] = {
#define R4(i) (i), (i) + 1, (i) + 2, (i) + 3
#define R16(i) R4(i), R4((i) + 4), R4((i) + 8), R4((i) + 12)
	R16(0), R16(16), R16(32), R16(48),
	/* 'A'..'Z' (65..90) -> 'a'..'z' */
	64, R16(97), R4(113), R4(117), 121, 122, 91, 92, 93, 94, 95,
	R16(96), R16(112), R16(128), R16(144), R16(160), R16(176), R16(192),
	R16(208), R16(224), R16(240),
#undef R16
#undef R4
};

/* Listed names are folded already; only the message's bytes need it. */
static int tail_equal(const uint8_t *listed, const uint8_t *name, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (listed[i] != fold[name[i]])
			return 0;
	return 1;
}

int filter_suffix_match(const struct filter_names *l, const uint8_t *name, unsigned len)
{
	unsigned p = 0;

	if (len == 0 || len > 255)
		return 0;
	/* Each label start is a candidate suffix; the root label (the last
	 * octet, 0) is one too, so "." matches every name. Lengths are
	 * compared first: most candidates stop there. */
	for (;;) {
		unsigned rest = len - p;

		for (unsigned k = 0; k < l->n; k++)
			if (l->len[k] == rest && tail_equal(l->pool + l->off[k], name + p, rest))
				return 1;
		if (name[p] == 0 || name[p] > 63 || p + 1 + name[p] >= len)
			return 0;
		p += 1u + name[p];
	}
}

int filter_keep(const struct dr_filter *f, const struct dns_summary *sum)
{
	if (f->only || f->has_rcode) {
		if (!sum->has_header)
			return 0;
		if (f->only == FILTER_ONLY_QUERIES && sum->qr)
			return 0;
		if (f->only == FILTER_ONLY_RESPONSES && !sum->qr)
			return 0;
		if (f->has_rcode && (!sum->qr || !bit_get(f->rcode, sum->rcode & 0xfff)))
			return 0;
	}
	if (f->has_qtype && (!sum->has_question || !bit_get(f->qtype, sum->qtype)))
		return 0;
	if (f->incl.n && (!sum->has_question ||
			  !filter_suffix_match(&f->incl, sum->qname, sum->qname_len)))
		return 0;
	if (f->excl.n && sum->has_question &&
	    filter_suffix_match(&f->excl, sum->qname, sum->qname_len))
		return 0;
	return 1;
}
