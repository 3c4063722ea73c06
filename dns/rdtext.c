/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdtext.c: RDATA fields as ldns 1.8.3 prints them, written as JSON (see
 * rdtext.h).
 *
 * Each printer mirrors one ldns_rdf2buffer_str_* function of ldns's
 * host2str.c; the comments say which, and what ldns does that a reader
 * would not expect. Each writes after one rdt_reserve() of its largest
 * text, so the inner loops have no bounds checks. The reference decoder
 * drops the spaces ldns leaves after a field (NSEC bitmaps, NSEC3 salt),
 * so these never write them.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns/rdtext.h"
#include "dns/wire.h"
#include "src/common.h"

/* "00" "01" ... "99" */
static const char digits2[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static unsigned ndigits(uint32_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Digits written in place from the end, two at a time. */
char *rdt_dec(char *d, uint32_t v)
{
	char *end = d + ndigits(v), *p = end;

	while (v >= 100) {
		p -= 2;
		memcpy(p, digits2 + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p - 2, digits2 + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
	return end;
}

void rdt_u32(struct jbuf *out, uint32_t v)
{
	char *d = rdt_reserve(out, 10);

	if (d)
		out->p = rdt_dec(d, v);
}

static char *put_ddd(char *d, uint8_t c)
{
	d[0] = (char)('0' + c / 100);
	d[1] = (char)('0' + c / 10 % 10);
	d[2] = (char)('0' + c % 10);
	return d + 3;
}

/* ---- names ---- */

/*
 * How ldns_rdf2buffer_str_dname prints each octet, as JSON: 0 as is;
 * 1 '"' (plain for ldns, \" in JSON); 2 ". ; ( )" as \X (\\X in JSON);
 * 3 '\\' as \\ (four in JSON); 4 everything not isgraph() as \DDD.
 */
static const uint8_t name_cls[256] = {
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 0, 1, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 2, 0, /*  !"#$%&'()*+,-./ */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, /* 0-9 :;<=>? */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, /* P-Z [\]^_ */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, /* p-z {|}~ DEL */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* The rare octets that need an escape. */
static char *label_escape(char *d, uint8_t c)
{
	switch (name_cls[c]) {
	case 1:
		*d++ = '\\';
		*d++ = '"';
		break;
	case 2:
		*d++ = '\\';
		*d++ = '\\';
		*d++ = (char)c;
		break;
	case 3:
		memcpy(d, "\\\\\\\\", 4);
		d += 4;
		break;
	default:
		*d++ = '\\';
		*d++ = '\\';
		d = put_ddd(d, c);
		break;
	}
	return d;
}

char *rdt_label(char *d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (__builtin_expect(name_cls[c] == 0, 1))
			*d++ = (char)c;
		else
			d = label_escape(d, c);
	}
	return d;
}

/* ---- the other field types ---- */

/* Each octet's digits, padded to 4 bytes, and how many are digits. */
static const struct { char s[4]; uint8_t n; } octets[256] = {
#define O1(v) { { (char)('0' + (v)), 0, 0, 0 }, 1 }
#define O2(v) { { (char)('0' + (v) / 10), (char)('0' + (v) % 10), 0, 0 }, 2 }
#define O3(v) { { (char)('0' + (v) / 100), (char)('0' + (v) / 10 % 10), \
		  (char)('0' + (v) % 10), 0 }, 3 }
#define O10(f, b) f(b), f(b + 1), f(b + 2), f(b + 3), f(b + 4), \
		  f(b + 5), f(b + 6), f(b + 7), f(b + 8), f(b + 9)
	O10(O1, 0), O10(O2, 10), O10(O2, 20), O10(O2, 30), O10(O2, 40),
	O10(O2, 50), O10(O2, 60), O10(O2, 70), O10(O2, 80), O10(O2, 90),
	O10(O3, 100), O10(O3, 110), O10(O3, 120), O10(O3, 130), O10(O3, 140),
	O10(O3, 150), O10(O3, 160), O10(O3, 170), O10(O3, 180), O10(O3, 190),
	O10(O3, 200), O10(O3, 210), O10(O3, 220), O10(O3, 230), O10(O3, 240),
	O3(250), O3(251), O3(252), O3(253), O3(254), O3(255),
#undef O10
#undef O3
#undef O2
#undef O1
};

/* inet_ntop(AF_INET): writes 4 bytes per octet, keeps its digits. */
char *rdt_ip4(char *d, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		memcpy(d, octets[a[i]].s, 4);
		d += octets[a[i]].n;
		*d++ = '.';
	}
	return d - 1;
}

static char *put_hex16(char *d, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*d++ = hex[(v >> shift) & 15];
	return d;
}

/* glibc's inet_ntop(AF_INET6), which ldns uses: the longest run of two or
 * more zero words (the first of equals) becomes "::", and ::a.b.c.d and
 * ::ffff:a.b.c.d keep the IPv4 form. */
char *rdt_ip6(char *d, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, curlen = 0;
			curlen++;
			if (curlen > bestlen)
				best = cur, bestlen = curlen;
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				*d++ = ':';
			continue;
		}
		if (i)
			*d++ = ':';
		if (i == 6 && best == 0 &&
		    (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff)))
			return rdt_ip4(d, a + 12);
		d = put_hex16(d, w[i]);
	}
	if (best >= 0 && best + bestlen == 8)
		*d++ = ':';
	return d;
}

/*
 * How ldns prints a character-string octet (ldns_characters2buffer_str),
 * as JSON: 0 as is; 1 tab (raw for ldns, \t in JSON); 2 '"' as \" (\\\"
 * in JSON); 3 '\\' as \\ (four in JSON); 4 not isprint() as \DDD.
 */
static const uint8_t str_cls[256] = {
	4, 4, 4, 4, 4, 4, 4, 4, 4, 1, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* n string octets; extra is one more printable octet ldns escapes with a
 * backslash (',' inside an SvcParam alpn), or 0. */
static void put_chars(struct jbuf *out, const uint8_t *s, size_t n, uint8_t extra)
{
	char *d = rdt_reserve(out, 5 * n);

	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		switch (str_cls[c]) {
		case 0:
			if (c == extra && c) {
				*d++ = '\\';
				*d++ = '\\';
			}
			*d++ = (char)c;
			break;
		case 1:
			*d++ = '\\';
			*d++ = 't';
			break;
		case 2:
			memcpy(d, "\\\\\\\"", 4);
			d += 4;
			break;
		case 3:
			memcpy(d, "\\\\\\\\", 4);
			d += 4;
			break;
		default:
			*d++ = '\\';
			*d++ = '\\';
			d = put_ddd(d, c);
			break;
		}
	}
	out->p = d;
}

/* A quoted character-string: "..." in ldns's text, \"...\" in JSON. */
static void put_quoted_chars(struct jbuf *out, const uint8_t *s, size_t n)
{
	jb_lit(out, "\\\"");
	put_chars(out, s, n, 0);
	jb_lit(out, "\\\"");
}

void rdt_hex(struct jbuf *out, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *d = rdt_reserve(out, 2 * n);

	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		*d++ = hex[s[i] >> 4];
		*d++ = hex[s[i] & 15];
	}
	out->p = d;
}

/* RFC 4648 base64 with padding, as ldns_b64_ntop. */
static void put_b64(struct jbuf *out, const uint8_t *s, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *d = rdt_reserve(out, (n + 2) / 3 * 4);
	size_t i = 0;

	if (!d)
		return;
	for (; n - i >= 3; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];

		*d++ = b64[v >> 18];
		*d++ = b64[(v >> 12) & 63];
		*d++ = b64[(v >> 6) & 63];
		*d++ = b64[v & 63];
	}
	if (n - i == 1) {
		*d++ = b64[s[i] >> 2];
		*d++ = b64[(s[i] & 3) << 4];
		*d++ = '=';
		*d++ = '=';
	} else if (n - i == 2) {
		*d++ = b64[s[i] >> 2];
		*d++ = b64[(s[i] & 3) << 4 | s[i + 1] >> 4];
		*d++ = b64[(s[i + 1] & 15) << 2];
		*d++ = '=';
	}
	out->p = d;
}

/* RFC 4648 base32 "extended hex", lower case, padded with '=' to a
 * multiple of 8 as ldns 1.8.3's ldns_b32_ntop_extended_hex does (NSEC3
 * hashes are 20 bytes: 32 characters, no padding). */
static void put_b32hex(struct jbuf *out, const uint8_t *s, size_t n)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	char *d = rdt_reserve(out, (n + 4) / 5 * 8), *start = d;
	uint32_t acc = 0;
	int bits = 0;

	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | s[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*d++ = b32[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		*d++ = b32[(acc << (5 - bits)) & 31];
	while ((d - start) % 8)
		*d++ = '=';
	out->p = d;
}

static void put_type_text(struct jbuf *out, uint16_t type)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d && d->_name) {
		jb_raw(out, d->_name, strlen(d->_name));
	} else {
		jb_lit(out, "TYPE");
		rdt_u32(out, type);
	}
}

static char *put_2d(char *d, unsigned v)
{
	d[0] = (char)('0' + v / 10);
	d[1] = (char)('0' + v % 10);
	return d + 2;
}

/*
 * An RRSIG time as YYYYMMDDHHmmSS. ldns reads the 32-bit value by serial
 * arithmetic (RFC 1982) around the current time, so it lands within 68
 * years of now (ldns_serial_arithmetics_gmtime_r), then prints it with
 * strftime; the date is computed here without gmtime (days to civil
 * date, H. Hinnant's algorithm).
 */
static void put_time(struct jbuf *out, uint32_t t)
{
	int64_t now = (int64_t)time(NULL);
	int64_t secs = now + (int32_t)(t - (uint32_t)now);
	int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400;
	unsigned sod = (unsigned)(secs - days * 86400);
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned mday = doy - (153 * mp + 2) / 5 + 1;
	unsigned mon = mp < 10 ? mp + 3 : mp - 9;
	unsigned year = (unsigned)(yoe + era * 400) + (mon <= 2);
	char *d = rdt_reserve(out, 14);

	if (!d)
		return;
	d = put_2d(d, year / 100 % 100);
	d = put_2d(d, year % 100);
	d = put_2d(d, mon);
	d = put_2d(d, mday);
	d = put_2d(d, sod / 3600);
	d = put_2d(d, sod / 60 % 60);
	out->p = put_2d(d, sod % 60);
}

/* NSEC/NSEC3 type bitmap: the types, space-separated (ldns puts a space
 * after each; the reference trims the last). Windows that run past the
 * field are left to ldns to refuse. */
static enum rdt_result put_bitmap(struct jbuf *out, const uint8_t *s, size_t n)
{
	int any = 0;

	for (size_t p = 0; p + 2 < n;) {
		unsigned win = s[p], blen = s[p + 1];

		p += 2;
		if (blen > n - p)
			return RDT_LDNS;
		for (unsigned bit = 0; bit < blen * 8; bit++) {
			if (!(s[p + bit / 8] & (0x80 >> (bit % 8))))
				continue;
			if (any++)
				jb_char(out, ' ');
			put_type_text(out, (uint16_t)(win * 256 + bit));
		}
		p += blen;
	}
	return RDT_OK;
}

/* A CAA tag: letters and digits only, else ldns refuses it. */
static enum rdt_result put_tag(struct jbuf *out, const uint8_t *s, size_t n)
{
	if (n < 2 || s[0] < 1)
		return RDT_LDNS;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return RDT_LDNS;
	jb_raw(out, s + 1, n - 1);
	return RDT_OK;
}

static const char *const svc_keys[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
	"ipv6hint",
};

static int is_space(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* alpn: the ids, comma-separated, quoted if one holds white space. */
static enum rdt_result put_svc_alpn(struct jbuf *out, const uint8_t *s, size_t n)
{
	int quote = 0;

	for (size_t p = 0; p < n; p += 1 + (size_t)s[p]) {
		if (s[p] > n - p - 1)
			return RDT_LDNS;
		for (size_t i = 1; i <= s[p]; i++)
			quote |= is_space(s[p + i]);
	}
	if (quote)
		jb_lit(out, "\\\"");
	for (size_t p = 0; p < n; p += 1 + (size_t)s[p]) {
		if (p)
			jb_char(out, ',');
		put_chars(out, s + p + 1, s[p], ',');
	}
	if (quote)
		jb_lit(out, "\\\"");
	return RDT_OK;
}

/* The value of one SvcParam with a known key; RDT_LDNS for anything
 * irregular, so that ldns decides how (and whether) to print it. */
static enum rdt_result put_svc_value(struct jbuf *out, uint16_t key, const uint8_t *s,
			 size_t n)
{
	char *d;

	switch (key) {
	case LDNS_SVCPARAM_KEY_MANDATORY:
		if (n % 2)
			return RDT_LDNS;
		for (size_t i = 0; i < n; i += 2) {
			uint16_t k = dnsw_rd16(s + i);

			if (k >= DR_ARRAY_SIZE(svc_keys))
				return RDT_LDNS;
			if (i)
				jb_char(out, ',');
			jb_raw(out, svc_keys[k], strlen(svc_keys[k]));
		}
		return RDT_OK;
	case LDNS_SVCPARAM_KEY_ALPN:
		return put_svc_alpn(out, s, n);
	case LDNS_SVCPARAM_KEY_PORT:
		if (n != 2)
			return RDT_LDNS;
		rdt_u32(out, dnsw_rd16(s));
		return RDT_OK;
	case LDNS_SVCPARAM_KEY_IPV4HINT:
	case LDNS_SVCPARAM_KEY_IPV6HINT: {
		size_t al = key == LDNS_SVCPARAM_KEY_IPV4HINT ? 4 : 16;

		if (n % al)
			return RDT_LDNS;
		for (size_t i = 0; i < n; i += al) {
			d = rdt_reserve(out, 48);
			if (!d)
				return RDT_OK;
			if (i)
				*d++ = ',';
			out->p = al == 4 ? rdt_ip4(d, s + i) : rdt_ip6(d, s + i);
		}
		return RDT_OK;
	}
	case LDNS_SVCPARAM_KEY_ECH:
		put_b64(out, s, n);
		return RDT_OK;
	default:
		return RDT_LDNS;
	}
}

/* SvcParams as ldns_rdf2buffer_str_svcparams: "key=value" or "key",
 * space-separated; a last fragment shorter than 4 bytes is ignored. */
static enum rdt_result put_svcparams(struct jbuf *out, const uint8_t *s, size_t n)
{
	for (size_t p = 0; p + 4 <= n;) {
		uint16_t key = dnsw_rd16(s + p), vlen = dnsw_rd16(s + p + 2);
		enum rdt_result r;

		if (vlen > n - p - 4 || key >= DR_ARRAY_SIZE(svc_keys) ||
		    (key == LDNS_SVCPARAM_KEY_NO_DEFAULT_ALPN && vlen > 0))
			return RDT_LDNS;
		if (p)
			jb_char(out, ' ');
		jb_raw(out, svc_keys[key], strlen(svc_keys[key]));
		p += 4;
		if (vlen == 0)
			continue;
		jb_char(out, '=');
		r = put_svc_value(out, key, s + p, vlen);
		if (r != RDT_OK)
			return r;
		p += vlen;
	}
	return RDT_OK;
}


/* ---- dispatch ---- */

enum rdt_result rdt_field(struct jbuf *out, int ft, const uint8_t *s, size_t n)
{
	char *d;

	switch (ft) {
	case LDNS_RDF_TYPE_A:
		d = rdt_reserve(out, 16);
		if (d)
			out->p = rdt_ip4(d, s);
		return RDT_OK;
	case LDNS_RDF_TYPE_AAAA:
		d = rdt_reserve(out, 48);
		if (d)
			out->p = rdt_ip6(d, s);
		return RDT_OK;
	case LDNS_RDF_TYPE_INT8: case LDNS_RDF_TYPE_ALG:
	case LDNS_RDF_TYPE_CERTIFICATE_USAGE: case LDNS_RDF_TYPE_SELECTOR:
	case LDNS_RDF_TYPE_MATCHING_TYPE:
		rdt_u32(out, s[0]);
		return RDT_OK;
	case LDNS_RDF_TYPE_INT16:
		rdt_u32(out, dnsw_rd16(s));
		return RDT_OK;
	case LDNS_RDF_TYPE_INT32: case LDNS_RDF_TYPE_PERIOD:
		rdt_u32(out, dnsw_rd32(s));
		return RDT_OK;
	case LDNS_RDF_TYPE_STR:
		put_quoted_chars(out, s + 1, s[0]);
		return RDT_OK;
	case LDNS_RDF_TYPE_LONG_STR:
		put_quoted_chars(out, s, n);
		return RDT_OK;
	case LDNS_RDF_TYPE_TAG:
		return put_tag(out, s, n);
	case LDNS_RDF_TYPE_HEX:
		rdt_hex(out, s, n);
		return RDT_OK;
	case LDNS_RDF_TYPE_B64:
		if (n == 0) /* ldns_rdf2buffer_str_b64 */
			jb_char(out, '0');
		put_b64(out, s, n);
		return RDT_OK;
	case LDNS_RDF_TYPE_B32_EXT: case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER:
		if (n > 0) /* the length octet first */
			put_b32hex(out, s + 1, n - 1);
		return RDT_OK;
	case LDNS_RDF_TYPE_NSEC3_SALT:
		if (s[0] == 0) /* ldns adds a space, which the reference trims */
			jb_char(out, '-');
		else
			rdt_hex(out, s + 1, s[0]);
		return RDT_OK;
	case LDNS_RDF_TYPE_TYPE:
		put_type_text(out, dnsw_rd16(s));
		return RDT_OK;
	case LDNS_RDF_TYPE_TIME:
		put_time(out, dnsw_rd32(s));
		return RDT_OK;
	case LDNS_RDF_TYPE_NSEC:
		return put_bitmap(out, s, n);
	case LDNS_RDF_TYPE_SVCPARAMS:
		return put_svcparams(out, s, n);
	default:
		return RDT_LDNS;
	}
}

/*
 * Wire size of one non-name RDATA field of ldns type ft at w[p..end), as
 * ldns_wire2rdf frames it; SIZE_MAX when even its length prefix is cut.
 * Types ldns reads "to the end of the RDATA" take the rest. Shared by the
 * fast decoder's framing and the reference decoder's diagnosis walk, so
 * the two cannot frame a field differently.
 */
size_t rdt_field_size(const uint8_t *w, size_t p, size_t end, int ft)
{
	switch (ft) {
	case LDNS_RDF_TYPE_CLASS: case LDNS_RDF_TYPE_ALG:
	case LDNS_RDF_TYPE_CERTIFICATE_USAGE: case LDNS_RDF_TYPE_SELECTOR:
	case LDNS_RDF_TYPE_MATCHING_TYPE: case LDNS_RDF_TYPE_INT8:
		return 1;
	case LDNS_RDF_TYPE_TYPE: case LDNS_RDF_TYPE_INT16:
	case LDNS_RDF_TYPE_CERT_ALG:
		return 2;
	case LDNS_RDF_TYPE_TIME: case LDNS_RDF_TYPE_INT32:
	case LDNS_RDF_TYPE_A: case LDNS_RDF_TYPE_PERIOD:
		return 4;
	case LDNS_RDF_TYPE_TSIGTIME: case LDNS_RDF_TYPE_EUI48:
		return 6;
	case LDNS_RDF_TYPE_ILNP64: case LDNS_RDF_TYPE_EUI64:
		return 8;
	case LDNS_RDF_TYPE_AAAA:
		return 16;
	case LDNS_RDF_TYPE_STR: case LDNS_RDF_TYPE_NSEC3_SALT:
	case LDNS_RDF_TYPE_TAG: case LDNS_RDF_TYPE_B32_EXT:
	case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER:
		return 1 + (size_t)w[p];
	case LDNS_RDF_TYPE_INT16_DATA:
		return end - p < 2 ? SIZE_MAX : 2 + (size_t)(w[p] << 8 | w[p + 1]);
	case LDNS_RDF_TYPE_HIP:
		return end - p < 4 ? SIZE_MAX
				   : 4 + (size_t)w[p] + (size_t)(size_t)(w[p + 2] << 8 | w[p + 3]);
	default:
		return end - p;
	}
}
