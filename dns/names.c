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
 */
#include "config.h"

#include <ldns/ldns.h>

#include "dns/dns.h"
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

void dns_put_header(struct jbuf *jb, const uint8_t *hdr, uint16_t rcode)
{
	unsigned flags = (unsigned)hdr[2] << 8 | hdr[3];
	uint8_t opcode = (uint8_t)((flags >> 11) & 0xf);

	PUT_COUNT(jb, ",\"id\":", hdr);
	if (flags & 0x8000)
		jb_lit(jb, ",\"qr\":\"response\"");
	else
		jb_lit(jb, ",\"qr\":\"query\"");
	jb_lit(jb, ",\"opcode\":");
	jb_u64(jb, opcode);
	jb_lit(jb, ",\"opcode_name\":");
	dns_put_opcode_name(jb, opcode);
	jb_lit(jb, ",\"rcode\":");
	jb_u64(jb, rcode);
	jb_lit(jb, ",\"rcode_name\":");
	dns_put_rcode_name(jb, rcode);
	put_flags(jb, flags);
	PUT_COUNT(jb, ",\"qdcount\":", hdr + 4);
	PUT_COUNT(jb, ",\"ancount\":", hdr + 6);
	PUT_COUNT(jb, ",\"nscount\":", hdr + 8);
	PUT_COUNT(jb, ",\"arcount\":", hdr + 10);
}
