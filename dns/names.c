/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * names.c: the code-to-name tables both DNS decoders share, and the header
 * members every record carries.
 *
 * Both decoders must write byte-identical JSON, so everything that is the
 * same for both (mnemonics, the header block) lives here once. Known codes
 * become their IANA mnemonic; unknown ones the RFC 3597 style "TYPE65280",
 * "CLASS32", "RCODE4000", "OPCODE9", "OPT65001". These run several times per
 * record, so nothing here allocates or calls printf: numbers go through
 * jb_u64 and type mnemonics come from ldns's static descriptor table.
 *
 * The "edns" member (dns_put_edns, at the end) is shared the same way:
 * both decoders hand it the OPT RR's fields and raw options.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "dns/rdtext.h"
#include "src/common.h"

/* Indexed by enum dns_err; these strings are part of the record schema. */
static const char *const err_names[DNS_E__MAX] = {
	[DNS_OK]                 = "ok",
	[DNS_E_SHORT_HEADER]     = "short_header",
	[DNS_E_TRUNCATED]        = "truncated_capture",
	[DNS_E_QUESTION]         = "question_past_end",
	[DNS_E_RR_PAST_END]      = "rr_past_end",
	[DNS_E_NAME_LOOP]        = "name_pointer_loop",
	[DNS_E_NAME_BAD_POINTER] = "name_bad_pointer",
	[DNS_E_NAME_LABEL_TYPE]  = "name_bad_label_type",
	[DNS_E_NAME_TOO_LONG]    = "name_too_long",
	[DNS_E_NAME_PAST_END]    = "name_past_end",
	[DNS_E_RDATA]            = "rdata_invalid",
	[DNS_E_OPT]              = "opt_invalid",
	[DNS_E_TRAILING]         = "trailing_bytes",
	[DNS_E_OTHER]            = "decode_error",
};

const char *dns_err_name(enum dns_err e)
{
	if ((unsigned)e < DNS_E__MAX && err_names[e])
		return err_names[e];
	return "decode_error";
}

/* A sparse code → name table, searched linearly: the tables are short and
 * the common codes (0, 1) sit at the front. */
struct code_name {
	uint16_t code;
	const char *name;
};

/* Types ldns's descriptor table leaves out: the query-only meta types it
 * special-cases elsewhere, and IANA types newer than ldns 1.8. */
static const struct code_name extra_type_names[] = {
	{ 251, "IXFR" },  { 252, "AXFR" }, { 253, "MAILB" },   { 254, "MAILA" },
	{ 255, "ANY" },   { 258, "AVC" },  { 259, "DOA" },     { 260, "AMTRELAY" },
	{ 261, "RESINFO" }, { 262, "WALLET" }, { 32768, "TA" }, { 32769, "DLV" },
};

static const struct code_name class_names[] = {
	{ 1, "IN" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" },
};

static const struct code_name rcode_names[] = {
	{ 0, "NOERROR" },   { 1, "FORMERR" },   { 2, "SERVFAIL" },
	{ 3, "NXDOMAIN" },  { 4, "NOTIMP" },    { 5, "REFUSED" },
	{ 6, "YXDOMAIN" },  { 7, "YXRRSET" },   { 8, "NXRRSET" },
	{ 9, "NOTAUTH" },   { 10, "NOTZONE" },  { 11, "DSOTYPENI" },
	{ 16, "BADVERS" },  { 17, "BADKEY" },   { 18, "BADTIME" },
	{ 19, "BADMODE" },  { 20, "BADNAME" },  { 21, "BADALG" },
	{ 22, "BADTRUNC" }, { 23, "BADCOOKIE" },
};

static const struct code_name opcode_names[] = {
	{ 0, "QUERY" }, { 1, "IQUERY" }, { 2, "STATUS" },
	{ 4, "NOTIFY" }, { 5, "UPDATE" }, { 6, "DSO" },
};

static const struct code_name edns_option_names[] = {
	{ 1, "LLQ" },         { 2, "UL" },          { 3, "NSID" },
	{ 5, "DAU" },         { 6, "DHU" },         { 7, "N3U" },
	{ 8, "ECS" },         { 9, "EXPIRE" },      { 10, "COOKIE" },
	{ 11, "KEEPALIVE" },  { 12, "PADDING" },    { 13, "CHAIN" },
	{ 14, "KEY-TAG" },    { 15, "EDE" },        { 16, "CLIENT-TAG" },
	{ 17, "SERVER-TAG" }, { 18, "REPORT-CHANNEL" }, { 19, "ZONEVERSION" },
};

static const char *lookup(const struct code_name *t, size_t n, uint16_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

/*
 * Write a known name as a JSON string, or "<prefix><decimal>" for an
 * unknown code. Mnemonics and prefixes are plain ASCII, so they need no
 * escaping and are copied raw.
 */
static void put_name_or_code(struct jbuf *jb, const char *name,
			     const char *prefix, size_t prefix_len, uint16_t code)
{
	jb_char(jb, '"');
	if (name) {
		jb_raw(jb, name, strlen(name));
	} else {
		jb_raw(jb, prefix, prefix_len);
		jb_u64(jb, code);
	}
	jb_char(jb, '"');
}

/*
 * ldns_rr_descript() never returns NULL in ldns 1.8.3: for codes below its
 * "common" range limit it indexes a table whose unassigned slots carry
 * _type 10 (NULL) and names like "TYPE54"; above that it searches a short
 * tail and falls back to the type-0 descriptor, whose _name is NULL
 * (65280, 32768 = TA, 261+). Checking that _type matches the code rejects
 * both kinds of placeholder; the fallback then writes the same "TYPEnnn".
 */
void dns_put_type_name(struct jbuf *jb, uint16_t type)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);
	const char *name = NULL;

	if (d && d->_type == type && d->_name)
		name = d->_name;
	else
		name = lookup(extra_type_names, DR_ARRAY_SIZE(extra_type_names), type);
	put_name_or_code(jb, name, "TYPE", 4, type);
}

void dns_put_class_name(struct jbuf *jb, uint16_t klass)
{
	put_name_or_code(jb, lookup(class_names, DR_ARRAY_SIZE(class_names), klass),
			 "CLASS", 5, klass);
}

void dns_put_rcode_name(struct jbuf *jb, uint16_t rcode)
{
	put_name_or_code(jb, lookup(rcode_names, DR_ARRAY_SIZE(rcode_names), rcode),
			 "RCODE", 5, rcode);
}

void dns_put_opcode_name(struct jbuf *jb, uint8_t opcode)
{
	put_name_or_code(jb, lookup(opcode_names, DR_ARRAY_SIZE(opcode_names), opcode),
			 "OPCODE", 6, opcode);
}

void dns_put_edns_option_name(struct jbuf *jb, uint16_t code)
{
	put_name_or_code(jb, lookup(edns_option_names,
				    DR_ARRAY_SIZE(edns_option_names), code),
			 "OPT", 3, code);
}

static void put_count(struct jbuf *jb, const char *key, size_t key_len,
		      const uint8_t *p)
{
	jb_raw(jb, key, key_len);
	jb_u64(jb, (uint16_t)(p[0] << 8 | p[1]));
}

#define PUT_COUNT(jb, lit, p) put_count((jb), (lit), sizeof(lit) - 1, (p))

/* RFC 1035 4.1.1 and RFC 2535/6840 for AD/CD; Z is the one bit left. */
static void put_flags(struct jbuf *jb, unsigned flags)
{
	jb_lit(jb, ",\"flags\":{\"aa\":");
	jb_bool(jb, flags & 0x0400);
	jb_lit(jb, ",\"tc\":");
	jb_bool(jb, flags & 0x0200);
	jb_lit(jb, ",\"rd\":");
	jb_bool(jb, flags & 0x0100);
	jb_lit(jb, ",\"ra\":");
	jb_bool(jb, flags & 0x0080);
	jb_lit(jb, ",\"z\":");
	jb_bool(jb, flags & 0x0040);
	jb_lit(jb, ",\"ad\":");
	jb_bool(jb, flags & 0x0020);
	jb_lit(jb, ",\"cd\":");
	jb_bool(jb, flags & 0x0010);
	jb_char(jb, '}');
}

/*
 * The header members are written for every message, and most of their text
 * depends on a few bits only: the flags object on 7 bits, the opcode and
 * RCODE members on small codes. Those strings are made once (with the same
 * functions as the general path, so they cannot differ) and copied whole.
 */
#define HDR_RCODES 24 /* RCODEs 0..23 cover NOERROR..BADCOOKIE */

struct hdr_text {
	uint8_t len;
	char s[119];
};

static struct hdr_text flags_text[128];       /* by (flags >> 4) & 0x7f */
static struct hdr_text opcode_text[16];       /* ',"opcode":N,"opcode_name":".."' */
static struct hdr_text rcode_text[HDR_RCODES]; /* ',"rcode":N,"rcode_name":".."' */
static pthread_once_t hdr_once = PTHREAD_ONCE_INIT;

static void hdr_text_set(struct hdr_text *t, const struct jbuf *jb, const char *buf)
{
	t->len = (uint8_t)(jb->p - buf);
	memcpy(t->s, buf, t->len);
}

static void put_opcode(struct jbuf *jb, uint8_t opcode)
{
	jb_lit(jb, ",\"opcode\":");
	jb_u64(jb, opcode);
	jb_lit(jb, ",\"opcode_name\":");
	dns_put_opcode_name(jb, opcode);
}

static void put_rcode(struct jbuf *jb, uint16_t rcode)
{
	jb_lit(jb, ",\"rcode\":");
	jb_u64(jb, rcode);
	jb_lit(jb, ",\"rcode_name\":");
	dns_put_rcode_name(jb, rcode);
}

static void hdr_text_init(void)
{
	char buf[sizeof(((struct hdr_text *)0)->s)];
	struct jbuf jb;

	for (unsigned i = 0; i < 128; i++) {
		jb_init(&jb, buf, sizeof(buf));
		put_flags(&jb, i << 4);
		hdr_text_set(&flags_text[i], &jb, buf);
	}
	for (uint8_t i = 0; i < 16; i++) {
		jb_init(&jb, buf, sizeof(buf));
		put_opcode(&jb, i);
		hdr_text_set(&opcode_text[i], &jb, buf);
	}
	for (uint16_t i = 0; i < HDR_RCODES; i++) {
		jb_init(&jb, buf, sizeof(buf));
		put_rcode(&jb, i);
		hdr_text_set(&rcode_text[i], &jb, buf);
	}
}

static inline void put_text(struct jbuf *jb, const struct hdr_text *t)
{
	jb_raw(jb, t->s, t->len);
}

void dns_put_header(struct jbuf *jb, const uint8_t *hdr, uint16_t rcode)
{
	unsigned flags = (unsigned)hdr[2] << 8 | hdr[3];

	pthread_once(&hdr_once, hdr_text_init);
	PUT_COUNT(jb, ",\"id\":", hdr);
	if (flags & 0x8000)
		jb_lit(jb, ",\"qr\":\"response\"");
	else
		jb_lit(jb, ",\"qr\":\"query\"");
	put_text(jb, &opcode_text[(flags >> 11) & 0xf]);
	if (rcode < HDR_RCODES)
		put_text(jb, &rcode_text[rcode]);
	else
		put_rcode(jb, rcode);
	put_text(jb, &flags_text[(flags >> 4) & 0x7f]);
	PUT_COUNT(jb, ",\"qdcount\":", hdr + 4);
	PUT_COUNT(jb, ",\"ancount\":", hdr + 6);
	PUT_COUNT(jb, ",\"nscount\":", hdr + 8);
	PUT_COUNT(jb, ",\"arcount\":", hdr + 10);
}

/* ---- the "edns" member ---- */

/*
 * ldns hands over the OPT RR's fixed fields and its RDATA as raw bytes
 * (it has no option decoder the record could use), so the option walk and
 * the decoding of each option are our own code either way. They live here
 * once, so the two decoders cannot disagree on them; each decoder only
 * says which OPT RR counts (ldns: the last one, and the last RDATA seen).
 *
 * The shape is documented in docs/schema.json ("edns"). In short: every
 * option becomes {"code":N,"name":"..."} in wire order, followed by the
 * members its type decodes to (ECS, COOKIE, NSID, EDE, PADDING,
 * KEEPALIVE, CHAIN, EXPIRE), or by "hex" for the other codes. An option
 * whose body does not fit its type's RFC is kept as code, name, "hex" and
 * "malformed":true, and makes the message opt_invalid (DNS_E_OPT); the
 * bodies are checked before anything of them is written. The first
 * well-formed ECS option is repeated as "ecs" beside "options", so that
 * `jq .edns.ecs.address` works without a search.
 *
 * Runs for every message with an OPT RR (most of them): no printf, the
 * fixed members written with one room check, numbers, hex, addresses and
 * names through the rdtext.c writers.
 */

/* Option codes (IANA "DNS EDNS0 Option Codes (OPT)"). */
enum {
	OPT_NSID = 3,       /* RFC 5001 */
	OPT_ECS = 8,        /* RFC 7871 */
	OPT_EXPIRE = 9,     /* RFC 7314 */
	OPT_COOKIE = 10,    /* RFC 7873 */
	OPT_KEEPALIVE = 11, /* RFC 7828 */
	OPT_PADDING = 12,   /* RFC 7830 */
	OPT_CHAIN = 13,     /* RFC 7901 */
	OPT_EDE = 15,       /* RFC 8914 */
};

/* Names of the IANA "Extended DNS Error Codes" registry, as written
 * there; codes without one become "EDE<n>". */
static const char *const ede_names[] = {
	[0] = "Other Error",
	[1] = "Unsupported DNSKEY Algorithm",
	[2] = "Unsupported DS Digest Type",
	[3] = "Stale Answer",
	[4] = "Forged Answer",
	[5] = "DNSSEC Indeterminate",
	[6] = "DNSSEC Bogus",
	[7] = "Signature Expired",
	[8] = "Signature Not Yet Valid",
	[9] = "DNSKEY Missing",
	[10] = "RRSIGs Missing",
	[11] = "No Zone Key Bit Set",
	[12] = "NSEC Missing",
	[13] = "Cached Error",
	[14] = "Not Ready",
	[15] = "Blocked",
	[16] = "Censored",
	[17] = "Filtered",
	[18] = "Prohibited",
	[19] = "Stale NXDomain Answer",
	[20] = "Not Authoritative",
	[21] = "Not Supported",
	[22] = "No Reachable Authority",
	[23] = "Network Error",
	[24] = "Invalid Data",
	[25] = "Signature Expired before Valid",
	[26] = "Too Early",
	[27] = "Unsupported NSEC3 Iterations Value",
	[28] = "Unable to conform to policy",
	[29] = "Synthesized",
	[30] = "Invalid Query Type",
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* key (a literal such as ',"hex":'), then the lower-case hex of s[0..n)
 * as a JSON string. */
static void put_hex(struct jbuf *out, const char *key, size_t key_len,
		    const uint8_t *s, size_t n)
{
	jb_raw(out, key, key_len);
	jb_char(out, '"');
	rdt_hex(out, s, n);
	jb_char(out, '"');
}

#define PUT_HEX(out, lit, s, n) put_hex((out), (lit), sizeof(lit) - 1, (s), (n))

static void put_num(struct jbuf *out, const char *key, size_t key_len, uint32_t v)
{
	jb_raw(out, key, key_len);
	rdt_u32(out, v);
}

#define PUT_NUM(out, lit, v) put_num((out), (lit), sizeof(lit) - 1, (v))

/* ---- one decoder per option type: 0 written, -1 malformed (nothing
 * written) ---- */

/*
 * RFC 7871 6: FAMILY(2) SOURCE PREFIX-LENGTH(1) SCOPE PREFIX-LENGTH(1)
 * ADDRESS, the address cut to ceil(source / 8) octets (a server SHOULD
 * answer FORMERR to "too few or too many ADDRESS octets"). For IPv4 and
 * IPv6 the prefix lengths cannot exceed the address width; the address
 * is written padded with zeros to its full length. Bits set beyond the
 * source prefix are shown as sent, not flagged (RFC 7871 asks servers for
 * FORMERR there too, but for a log the address as sent is the more
 * useful fact). Other families are kept as "address_hex" of the octets
 * sent.
 */
static int put_ecs(struct jbuf *out, const uint8_t *p, size_t n)
{
	unsigned family, source, scope, max = 0;
	size_t alen;
	uint8_t a[16] = { 0 };
	char *d;

	if (n < 4)
		return -1;
	family = rd16(p);
	source = p[2];
	scope = p[3];
	alen = n - 4;
	if (alen != (source + 7) / 8)
		return -1;
	if (family == 1)
		max = 32;
	else if (family == 2)
		max = 128;
	if (max && (source > max || scope > max))
		return -1;
	PUT_NUM(out, ",\"family\":", family);
	PUT_NUM(out, ",\"source_prefix\":", source);
	PUT_NUM(out, ",\"scope_prefix\":", scope);
	if (!max) {
		PUT_HEX(out, ",\"address_hex\":", p + 4, alen);
		return 0;
	}
	memcpy(a, p + 4, alen);
	jb_lit(out, ",\"address\":\"");
	d = rdt_reserve(out, 48);
	if (!d)
		return 0;
	d = family == 1 ? rdt_ip4(d, a) : rdt_ip6(d, a);
	*d++ = '"';
	out->p = d;
	return 0;
}

/* RFC 7873 4: an 8-octet client cookie, then nothing or a server cookie
 * of 8 to 32 octets; any other length is malformed (5.2.2: FORMERR). */
static int put_cookie(struct jbuf *out, const uint8_t *p, size_t n)
{
	if (n != 8 && (n < 16 || n > 40))
		return -1;
	PUT_HEX(out, ",\"client\":", p, 8);
	if (n > 8)
		PUT_HEX(out, ",\"server\":", p + 8, n - 8);
	return 0;
}

/* RFC 5001: any octets; empty in a query. "text" only when every octet is
 * printable ASCII (0x20..0x7e), else the hex alone says it. */
static int put_nsid(struct jbuf *out, const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	PUT_HEX(out, ",\"hex\":", p, n);
	for (i = 0; i < n && p[i] >= 0x20 && p[i] <= 0x7e; i++)
		;
	if (i == n) {
		jb_lit(out, ",\"text\":");
		jb_str(out, p, n);
	}
	return 0;
}

/* RFC 8914 2: INFO-CODE(2), then EXTRA-TEXT, UTF-8 (jb_str escapes what
 * is not). */
static int put_ede(struct jbuf *out, const uint8_t *p, size_t n)
{
	uint16_t code;

	if (n < 2)
		return -1;
	code = rd16(p);
	PUT_NUM(out, ",\"info_code\":", code);
	jb_lit(out, ",\"info_name\":\"");
	if (code < DR_ARRAY_SIZE(ede_names) && ede_names[code]) {
		jb_raw(out, ede_names[code], strlen(ede_names[code]));
	} else {
		jb_lit(out, "EDE");
		rdt_u32(out, code);
	}
	jb_char(out, '"');
	if (n > 2) {
		jb_lit(out, ",\"extra_text\":");
		jb_str(out, p + 2, n - 2);
	}
	return 0;
}

/* RFC 7828 3.1: empty (queries) or a 2-octet TIMEOUT in units of 100 ms;
 * any other length is malformed. */
static int put_keepalive(struct jbuf *out, const uint8_t *p, size_t n)
{
	if (n != 0 && n != 2)
		return -1;
	if (n == 2)
		PUT_NUM(out, ",\"timeout\":", rd16(p));
	return 0;
}

/* RFC 7314 2: empty (queries) or a 4-octet EXPIRE in seconds. */
static int put_expire(struct jbuf *out, const uint8_t *p, size_t n)
{
	if (n != 0 && n != 4)
		return -1;
	if (n == 4)
		PUT_NUM(out, ",\"expire\":",
			(uint32_t)rd16(p) << 16 | rd16(p + 2));
	return 0;
}

/*
 * RFC 7901 4: the closest trust point, one uncompressed name in wire
 * format that fills the option exactly (pointers are not allowed, so a
 * 0xc0 byte is a bad label type here). Printed as every other name.
 */
static int put_chain(struct jbuf *out, const uint8_t *p, size_t n)
{
	size_t off = 0;
	char *d;

	for (;;) {
		if (off >= n || p[off] > 63)
			return -1;
		if (p[off] == 0)
			break;
		off += 1 + (size_t)p[off];
	}
	if (off + 1 != n || n > 255)
		return -1;
	jb_lit(out, ",\"closest_encloser\":\"");
	d = rdt_reserve(out, 5 * n + 2);
	if (!d)
		return 0;
	if (n == 1)
		*d++ = '.';
	for (off = 0; p[off] != 0; off += 1 + (size_t)p[off]) {
		d = rdt_label(d, p + off + 1, p[off]);
		*d++ = '.';
	}
	*d++ = '"';
	out->p = d;
	return 0;
}

/*
 * One option's members after "name". @return 0, or -1 when its body does
 * not fit its type (then "hex" and "malformed" are written instead).
 */
static int put_option_body(struct jbuf *out, uint16_t code,
			   const uint8_t *p, size_t n)
{
	int r;

	switch (code) {
	case OPT_COOKIE:
		r = put_cookie(out, p, n);
		break;
	case OPT_ECS:
		r = put_ecs(out, p, n);
		break;
	case OPT_NSID:
		r = put_nsid(out, p, n);
		break;
	case OPT_EDE:
		r = put_ede(out, p, n);
		break;
	case OPT_PADDING:
		PUT_NUM(out, ",\"length\":", (uint32_t)n);
		r = 0;
		break;
	case OPT_KEEPALIVE:
		r = put_keepalive(out, p, n);
		break;
	case OPT_CHAIN:
		r = put_chain(out, p, n);
		break;
	case OPT_EXPIRE:
		r = put_expire(out, p, n);
		break;
	default:
		if (n > 0)
			PUT_HEX(out, ",\"hex\":", p, n);
		return 0;
	}
	if (r != 0) {
		if (n > 0)
			PUT_HEX(out, ",\"hex\":", p, n);
		jb_lit(out, ",\"malformed\":true");
	}
	return r;
}

/*
 * The options: code(2) length(2) data(length), wire order; the lengths
 * must add up exactly (else opt_invalid, and the options before the bad
 * length are still listed). *ecs and *ecs_end are set to the members of
 * the first well-formed ECS option (from its ',"family"' to its end).
 */
static enum dns_err put_options(struct jbuf *out, const uint8_t *p, size_t n,
				const char **ecs, const char **ecs_end)
{
	enum dns_err err = DNS_OK;
	size_t off = 0;

	while (off < n) {
		uint16_t code, olen;
		const char *mark;

		if (n - off < 4)
			return DNS_E_OPT;
		code = rd16(p + off);
		olen = rd16(p + off + 2);
		if (olen > n - off - 4)
			return DNS_E_OPT;
		if (off > 0)
			jb_char(out, ',');
		jb_lit(out, "{\"code\":");
		rdt_u32(out, code);
		jb_lit(out, ",\"name\":");
		dns_put_edns_option_name(out, code);
		mark = out->p;
		if (put_option_body(out, code, p + off + 4, olen) != 0) {
			err = DNS_E_OPT;
		} else if (code == OPT_ECS && !*ecs) {
			*ecs = mark;
			*ecs_end = out->p;
		}
		jb_char(out, '}');
		off += 4 + (size_t)olen;
	}
	return err;
}

/* Longest fixed part: ',"edns":{"udp_size":65535,"version":255,"do":false,
 * "z":32767,"options":[]}' is 74 characters. */
#define EDNS_HEAD_MAX 80

/* Copy a string literal to d (room checked) and move d past it. */
#define PUT_LIT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) += sizeof(lit) - 1)

enum dns_err dns_put_edns(struct jbuf *out, uint16_t udp_size, uint32_t ttl,
			  const uint8_t *opts, size_t n)
{
	const char *ecs = NULL, *ecs_end = NULL;
	enum dns_err err = DNS_OK;
	char *d = rdt_reserve(out, EDNS_HEAD_MAX);

	/* The fixed members with one room check (most messages have no
	 * options, many more have EDNS). Out of room, nothing more is
	 * written, but the options are still walked for the verdict. */
	if (d) {
		PUT_LIT(d, ",\"edns\":{\"udp_size\":");
		d = rdt_dec(d, udp_size);
		PUT_LIT(d, ",\"version\":");
		d = rdt_dec(d, (ttl >> 16) & 0xff);
		if (ttl & 0x8000)
			PUT_LIT(d, ",\"do\":true,\"z\":");
		else
			PUT_LIT(d, ",\"do\":false,\"z\":");
		d = rdt_dec(d, ttl & 0x7fff);
		if (n == 0) {
			PUT_LIT(d, ",\"options\":[]}");
			out->p = d;
			return DNS_OK;
		}
		PUT_LIT(d, ",\"options\":[");
		out->p = d;
	}
	err = put_options(out, opts, n, &ecs, &ecs_end);
	jb_char(out, ']');
	/* The ECS members again, copied from above (if the output ran out of
	 * room on the way, jb_raw writes nothing: the copy never reads past
	 * what was written). */
	if (ecs && !out->overflow) {
		jb_lit(out, ",\"ecs\":{");
		jb_raw(out, ecs + 1, (size_t)(ecs_end - ecs - 1));
		jb_char(out, '}');
	}
	jb_char(out, '}');
	return err;
}
