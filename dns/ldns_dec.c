/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldns_dec.c: the reference DNS decoder ("ldns") and the decoder registry.
 *
 * The message is parsed with ldns_wire2pkt and every owner name and RDATA
 * field is printed with ldns_rdf2buffer_str, so the text is exactly ldns's
 * presentation format (trailing dot, \DDD and \. escapes, RFC 3597 "\# len
 * hex" for types ldns does not know). It is meant to be obviously right,
 * not fast: ldns_wire2pkt allocates a few times per RR (STYLE.md 3). What
 * this file does avoid is the ldns *2str functions, which allocate a 64 KiB
 * buffer per call; each worker instead owns one ldns_buffer, cleared and
 * reused for every name and RDATA string.
 *
 * ldns_wire2pkt is all or nothing, so a malformed message gets the header
 * and empty sections. Its status is coarse (a pointer loop and a pointer
 * out of range are both INVALID_POINTER; a bad label type and a label past
 * the end are both LABEL_OVERFLOW), so on failure a small framing walk
 * with ldns's own acceptance rules finds the first problem and names it
 * precisely (diagnose() below). The same walk keeps messages that would
 * make ldns leak away from it (ldns_would_leak()).
 *
 * ldns ignores bytes after the last RR it was asked to read, lets a name
 * in RDATA run past RDLENGTH and does not check that the RDATA fields use
 * up RDLENGTH exactly (it starts the next RR where the fields ended). A
 * message ldns parses is written in full, as ldns decoded it, and then
 * the same walk, by the header counts and the RDLENGTHs (check_framing()),
 * flags it: rdata_invalid at the first RDATA its fields do not fill
 * exactly, else trailing_bytes when the last RR ends before the message
 * does (zero padding too: it is no part of a DNS message). Both come
 * after any error found while writing the record. Still accepted, as
 * ldns does: forward compression pointers, and RDATA that ends before
 * the type's required fields (an MX of only a preference).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "dns/rdtext.h"
#include "src/common.h"

#define HDR_LEN 12

/* Large enough for nearly every name and RDATA string, so the buffer
 * rarely grows; when it does, it keeps the larger size. */
#define TEXT_CAPACITY 4096

struct dns_decoder {
	ldns_buffer *text; /* presentation text of one name or RDATA; reused */
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The first problem wins: later ones are usually its consequences. */
static enum dns_err first_err(enum dns_err have, enum dns_err e)
{
	return have != DNS_OK ? have : e;
}

/* ---- the reused presentation buffer ---- */

static void text_reset(ldns_buffer *b)
{
	ldns_buffer_clear(b);
	/* clear() keeps a failed status (an allocation that failed while the
	 * buffer grew); that failure belonged to one string, not to all the
	 * strings after it. */
	b->_status = LDNS_STATUS_OK;
}

static void put_text(struct jbuf *out, const ldns_buffer *b)
{
	jb_str(out, ldns_buffer_begin(b), ldns_buffer_position(b));
}

/* One name in ldns presentation format, as a JSON string. */
static enum dns_err put_dname(struct dns_decoder *dec, struct jbuf *out,
			      const ldns_rdf *name)
{
	text_reset(dec->text);
	if (ldns_rdf2buffer_str(dec->text, name) != LDNS_STATUS_OK ||
	    !ldns_buffer_status_ok(dec->text)) {
		jb_lit(out, "\"\"");
		return DNS_E_OTHER;
	}
	put_text(out, dec->text);
	return DNS_OK;
}

/*
 * Drop the spaces some ldns printers leave after a field (NSEC type
 * bitmaps, TSIG time, empty INT16_DATA, "\# 0 "). A field's own text never
 * ends in a space: in names it is \032 and strings are quoted.
 */
static void text_trim(ldns_buffer *b, size_t start)
{
	size_t pos = ldns_buffer_position(b);

	while (pos > start && *ldns_buffer_at(b, pos - 1) == ' ')
		pos--;
	ldns_buffer_set_position(b, pos);
}

/*
 * The rdata part of ldns_rr2str: each field, separated by one space, but
 * without the stray spaces ldns_rr2str has (text_trim). An RR without
 * fields (RDLENGTH 0, as in UPDATE deletions) gives "", where ldns_rr2str
 * would print "\# 0".
 */
static ldns_status text_rdata(ldns_buffer *b, const ldns_rr *rr)
{
	size_t n = ldns_rr_rd_count(rr);
	ldns_status st;

	for (size_t i = 0; i < n; i++) {
		size_t start;

		if (i > 0) {
			if (!ldns_buffer_reserve(b, 1))
				return LDNS_STATUS_MEM_ERR;
			ldns_buffer_write_u8(b, ' ');
		}
		start = ldns_buffer_position(b);
		st = ldns_rdf2buffer_str(b, ldns_rr_rdf(rr, i));
		if (st != LDNS_STATUS_OK)
			return st;
		text_trim(b, start);
	}
	return ldns_buffer_status(b);
}

/*
 * RFC 3597 generic form of all fields, for RDATA that ldns parsed but
 * refuses to print (malformed SvcParams, APL items, ...). Names appear
 * uncompressed. Rare, so printf is fine here.
 */
static ldns_status text_rdata_generic(ldns_buffer *b, const ldns_rr *rr)
{
	size_t n = ldns_rr_rd_count(rr), total = 0;

	for (size_t i = 0; i < n; i++)
		total += ldns_rdf_size(ldns_rr_rdf(rr, i));
	ldns_buffer_printf(b, "\\# %zu ", total);
	for (size_t i = 0; i < n; i++)
		ldns_rdf2buffer_str_hex(b, ldns_rr_rdf(rr, i));
	return ldns_buffer_status(b);
}

static enum dns_err put_rdata(struct dns_decoder *dec, struct jbuf *out,
			      const ldns_rr *rr)
{
	enum dns_err err = DNS_OK;
	ldns_status st;

	text_reset(dec->text);
	st = text_rdata(dec->text, rr);
	if (st != LDNS_STATUS_OK && ldns_buffer_status_ok(dec->text)) {
		err = DNS_E_RDATA;
		text_reset(dec->text);
		st = text_rdata_generic(dec->text, rr);
	}
	if (st != LDNS_STATUS_OK) {
		jb_lit(out, "\"\"");
		return DNS_E_OTHER;
	}
	put_text(out, dec->text);
	return err;
}

/* ---- sections ---- */

static enum dns_err put_rr(struct dns_decoder *dec, struct jbuf *out,
			   const ldns_rr *rr, int question)
{
	ldns_rr_type type = ldns_rr_get_type(rr);
	ldns_rr_class klass = ldns_rr_get_class(rr);
	enum dns_err err;

	jb_lit(out, "{\"name\":");
	err = put_dname(dec, out, ldns_rr_owner(rr));
	jb_lit(out, ",\"type\":");
	jb_u64(out, type);
	jb_lit(out, ",\"type_name\":");
	dns_put_type_name(out, (uint16_t)type);
	jb_lit(out, ",\"class\":");
	jb_u64(out, klass);
	jb_lit(out, ",\"class_name\":");
	dns_put_class_name(out, (uint16_t)klass);
	if (!question) {
		jb_lit(out, ",\"ttl\":");
		jb_u64(out, ldns_rr_ttl(rr));
		jb_lit(out, ",\"rdata\":");
		err = first_err(err, put_rdata(dec, out, rr));
	}
	jb_char(out, '}');
	return err;
}

/*
 * ',"<key>":[rr,...]'. extra is an RR ldns took out of the list (the TSIG,
 * which it keeps in its own field); it is written last, where RFC 8945
 * requires it to be.
 */
static enum dns_err put_section(struct dns_decoder *dec, struct jbuf *out,
				const char *key, size_t key_len,
				const ldns_rr_list *list, const ldns_rr *extra,
				int question)
{
	size_t n = ldns_rr_list_rr_count(list);
	enum dns_err err = DNS_OK;

	jb_raw(out, key, key_len);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			jb_char(out, ',');
		err = first_err(err, put_rr(dec, out, ldns_rr_list_rr(list, i),
					    question));
	}
	if (extra) {
		if (n > 0)
			jb_char(out, ',');
		err = first_err(err, put_rr(dec, out, extra, question));
	}
	jb_char(out, ']');
	return err;
}

#define PUT_SECTION(dec, out, lit, list, extra, q) \
	put_section((dec), (out), (lit), sizeof(lit) - 1, (list), (extra), (q))

static void put_empty_sections(struct jbuf *out)
{
	jb_lit(out, ",\"queries\":[],\"answers\":[],\"authorities\":[]"
		    ",\"additionals\":[]");
}

/* ---- EDNS ---- */

/* The OPT RR as ldns merged it (fixed fields of the last OPT RR, RDATA of
 * the last one that had any), written by the shared dns_put_edns(). */
static enum dns_err put_edns(struct jbuf *out, const ldns_pkt *pkt)
{
	const ldns_rdf *data = ldns_pkt_edns_data(pkt);
	uint32_t ttl = (uint32_t)ldns_pkt_edns_extended_rcode(pkt) << 24 |
		       (uint32_t)ldns_pkt_edns_version(pkt) << 16 |
		       ldns_pkt_edns_z(pkt);

	return dns_put_edns(out, ldns_pkt_edns_udp_size(pkt), ttl,
			    data ? ldns_rdf_data(data) : NULL,
			    data ? ldns_rdf_size(data) : 0);
}

/*
 * Structural problems ldns parses past without a status:
 *  - more than one OPT RR (RFC 6891 6.1.1): ldns counts them in
 *    _edns_present (the only place it records this) and merges them, the
 *    last one's fixed fields winning;
 *  - a TSIG that is not last (RFC 8945 5.1): ldns moves the TSIG out of
 *    the section and lowers arcount while still reading the section, so
 *    it silently stops early and drops the RRs at the end (OPT included).
 *    Then fewer RRs are in the list than its adjusted arcount says.
 */
static enum dns_err check_additional(const ldns_pkt *pkt)
{
	if (pkt->_edns_present > 1)
		return DNS_E_OPT;
	if (ldns_rr_list_rr_count(ldns_pkt_additional(pkt)) < ldns_pkt_arcount(pkt))
		return DNS_E_OTHER;
	return DNS_OK;
}

/* ---- a framing walk: diagnosis of refused messages, a leak guard ---- */

/*
 * Follow one name from *pos with exactly the acceptance rules of ldns
 * 1.8.3's ldns_wire2dname: forward pointers allowed, pointer 0 and
 * pointers outside the message refused, at most 255 octets uncompressed,
 * label lengths 64..191 (the 0x40/0x80 label types) refused. It differs
 * only in naming the reason. A loop is told apart from a long name by
 * walking on: a name that does not loop visits each offset at most once,
 * so more than len steps means it loops. When out is not NULL the
 * uncompressed name is copied there (at most 255 octets).
 */
static enum dns_err walk_name(const uint8_t *w, size_t len, size_t *pos,
			      uint8_t *out, uint8_t *out_len)
{
	size_t p = *pos, next = 0, total = 0, steps = 0;
	enum dns_err err = DNS_OK; /* set once the name is too long */

	for (;;) {
		uint8_t c;

		if (++steps > len)
			return DNS_E_NAME_LOOP;
		if (p >= len)
			return first_err(err, DNS_E_NAME_PAST_END);
		c = w[p];
		if (c >= 0xc0) {
			size_t target;

			if (len - p < 2)
				return first_err(err, DNS_E_NAME_PAST_END);
			target = (size_t)(c & 0x3f) << 8 | w[p + 1];
			if (target == 0 || target >= len)
				return first_err(err, DNS_E_NAME_BAD_POINTER);
			if (next == 0)
				next = p + 2;
			p = target;
			continue;
		}
		if (c > 63)
			return first_err(err, DNS_E_NAME_LABEL_TYPE);
		if (c == 0)
			break;
		if (len - p - 1 < c)
			return first_err(err, DNS_E_NAME_PAST_END);
		if (total + 1 + c > 254) /* no room left for the root label */
			err = DNS_E_NAME_TOO_LONG;
		if (err == DNS_OK && out)
			memcpy(out + total, w + p, 1 + (size_t)c);
		total += 1 + (size_t)c;
		p += 1 + (size_t)c;
	}
	if (err != DNS_OK)
		return err;
	if (out) {
		out[total] = 0;
		*out_len = (uint8_t)(total + 1);
	}
	*pos = next ? next : p + 1;
	return DNS_OK;
}


/*
 * A walk over the message's framing. It follows ldns_wire2pkt's own
 * framing (ldns_wire2rdf leaves the cursor where the RDATA fields end, not
 * at RDLENGTH) unless strict, when RDATA must fill RDLENGTH exactly.
 */
struct walk {
	const uint8_t *w;
	size_t len;
	size_t pos;
	int strict;
	uint16_t type; /* of the question or RR just walked */
};

/*
 * The RDATA at pos..end field by field as ldns_wire2rdf frames it: a field
 * past end is rdata_invalid, names in RDATA get the full name checks.
 */
static enum dns_err walk_rdata(struct walk *wk, size_t end)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(wk->type);
	size_t max = ldns_rr_descriptor_maximum(d);
	enum dns_err err;

	for (size_t i = 0; wk->pos < end && i < max; i++) {
		ldns_rdf_type ft = ldns_rr_descriptor_field_type(d, i);
		size_t n;

		if (ft == LDNS_RDF_TYPE_DNAME) {
			err = walk_name(wk->w, wk->len, &wk->pos, NULL, NULL);
			if (err != DNS_OK)
				return err;
			continue;
		}
		n = rdt_field_size(wk->w, wk->pos, end, ft);
		if (n > end - wk->pos)
			return DNS_E_RDATA;
		wk->pos += n;
	}
	if (wk->strict && wk->pos != end)
		return DNS_E_RDATA;
	return DNS_OK;
}

/* One question (question != 0) or RR; fills the summary's question when
 * sum is not NULL. */
static enum dns_err walk_rr(struct walk *wk, int question,
			    struct dns_summary *sum)
{
	enum dns_err past = question ? DNS_E_QUESTION : DNS_E_RR_PAST_END;
	const uint8_t *w = wk->w;
	enum dns_err err;
	uint8_t qname_len = 0;
	size_t rdlen;

	if (wk->pos >= wk->len) /* ldns: PACKET_OVERFLOW → section incomplete */
		return past;
	err = walk_name(w, wk->len, &wk->pos, sum ? sum->qname : NULL,
			&qname_len);
	if (err != DNS_OK)
		return err;
	if (wk->len - wk->pos < (question ? 4u : 10u))
		return past;
	wk->type = rd16(w + wk->pos);
	if (question) {
		if (sum) {
			sum->has_question = 1;
			sum->qname_len = qname_len;
			sum->qtype = wk->type;
			sum->qclass = rd16(w + wk->pos + 2);
		}
		wk->pos += 4;
		return DNS_OK;
	}
	rdlen = rd16(w + wk->pos + 8);
	wk->pos += 10;
	if (rdlen > wk->len - wk->pos)
		return DNS_E_RR_PAST_END;
	return walk_rdata(wk, wk->pos + rdlen);
}

/* Last resort when the walk finds nothing (it should not happen). */
static enum dns_err map_status(ldns_status st)
{
	switch (st) {
	case LDNS_STATUS_WIRE_INCOMPLETE_HEADER:
		return DNS_E_SHORT_HEADER;
	case LDNS_STATUS_WIRE_INCOMPLETE_QUESTION:
		return DNS_E_QUESTION;
	case LDNS_STATUS_WIRE_INCOMPLETE_ANSWER:
	case LDNS_STATUS_WIRE_INCOMPLETE_AUTHORITY:
	case LDNS_STATUS_WIRE_INCOMPLETE_ADDITIONAL:
	case LDNS_STATUS_PACKET_OVERFLOW:
		return DNS_E_RR_PAST_END;
	case LDNS_STATUS_INVALID_POINTER:
		return DNS_E_NAME_BAD_POINTER;
	case LDNS_STATUS_LABEL_OVERFLOW:
		return DNS_E_NAME_PAST_END;
	case LDNS_STATUS_DOMAINNAME_OVERFLOW:
		return DNS_E_NAME_TOO_LONG;
	case LDNS_STATUS_WIRE_RDATA_ERR:
		return DNS_E_RDATA;
	default:
		return DNS_E_OTHER;
	}
}

/* Why ldns_wire2pkt refused wire[0..len): the first problem in wire
 * order. Also fills the summary's question if that could be read. */
static enum dns_err diagnose(const uint8_t *w, size_t len, ldns_status st,
			     struct dns_summary *sum)
{
	struct walk wk = { .w = w, .len = len, .pos = HDR_LEN, .strict = 1 };
	enum dns_err err;

	for (unsigned s = 0; s < 4; s++) {
		unsigned count = rd16(w + 4 + 2 * s);

		for (unsigned i = 0; i < count; i++) {
			err = walk_rr(&wk, s == 0, s == 0 && i == 0 ? sum : NULL);
			if (err != DNS_OK)
				return err;
		}
	}
	return map_status(st);
}

/*
 * What ldns_wire2pkt accepted without a word, for a message it parsed:
 * the walk by the header counts with RDATA cut at RDLENGTH (strict). It
 * follows ldns's framing up to the first RDATA whose fields do not end at
 * RDLENGTH (rdata_invalid: ldns misframes what follows); when there is
 * none it reads what ldns read (unless a TSIG that was not last cut
 * ldns short, which check_additional() reports first) and ends where the
 * last RR does: trailing_bytes when that is before the message's end.
 */
static enum dns_err check_framing(const uint8_t *w, size_t len)
{
	struct walk wk = { .w = w, .len = len, .pos = HDR_LEN, .strict = 1 };
	enum dns_err err;

	for (unsigned s = 0; s < 4; s++) {
		unsigned count = rd16(w + 4 + 2 * s);

		for (unsigned i = 0; i < count; i++) {
			err = walk_rr(&wk, s == 0, NULL);
			if (err != DNS_OK)
				return err;
		}
	}
	return wk.pos < len ? DNS_E_TRAILING : DNS_OK;
}

/*
 * Would ldns_wire2pkt read two TSIG RRs? It keeps the TSIG in a field
 * that ldns_pkt_set_tsig overwrites without freeing, so the first one
 * leaks: a remotely triggered leak, so such messages never reach ldns.
 * ldns lowers its ARCOUNT loop bound for each TSIG it reads, so a second
 * one is read only when ARCOUNT >= 3; the walk (same framing, same loop)
 * runs only then. A walk error means ldns fails before that point.
 */
static int ldns_would_leak(const uint8_t *w, size_t len)
{
	struct walk wk = { .w = w, .len = len, .pos = HDR_LEN };
	unsigned ar = rd16(w + 10), tsigs = 0;

	if (ar < 3)
		return 0;
	for (unsigned s = 0; s < 3; s++) {
		unsigned count = rd16(w + 4 + 2 * s);

		for (unsigned i = 0; i < count; i++)
			if (walk_rr(&wk, s == 0, NULL) != DNS_OK)
				return 0;
	}
	for (unsigned i = 0; i < ar; i++) {
		if (walk_rr(&wk, 0, NULL) != DNS_OK)
			return 0;
		if (wk.type == LDNS_RR_TYPE_TSIG) {
			if (++tsigs == 2)
				return 1;
			ar--;
		}
	}
	return 0;
}

/* ---- the decoder ---- */

static void summary_header(struct dns_summary *sum, const uint8_t *w)
{
	sum->has_header = 1;
	sum->qr = w[2] >> 7;
	sum->opcode = (w[2] >> 3) & 0xf;
	sum->id = rd16(w);
	sum->rcode = w[3] & 0xf;
}

static void summary_question(struct dns_summary *sum, const ldns_pkt *pkt)
{
	const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	const ldns_rdf *name;
	ldns_rr_type type;
	ldns_rr_class klass;

	if (!q)
		return;
	name = ldns_rr_owner(q);
	type = ldns_rr_get_type(q);
	klass = ldns_rr_get_class(q);
	/* ldns keeps names uncompressed, case as sent, root label included,
	 * and never longer than 255 octets. */
	sum->qname_len = (uint8_t)ldns_rdf_size(name);
	memcpy(sum->qname, ldns_rdf_data(name), sum->qname_len);
	sum->qtype = (uint16_t)type;
	sum->qclass = (uint16_t)klass;
	sum->has_question = 1;
}

static enum dns_err put_packet(struct dns_decoder *dec, struct jbuf *out,
			       const uint8_t *wire, const ldns_pkt *pkt,
			       uint16_t rcode)
{
	enum dns_err err;

	dns_put_header(out, wire, rcode);
	err = PUT_SECTION(dec, out, ",\"queries\":[", ldns_pkt_question(pkt),
			  NULL, 1);
	err = first_err(err, PUT_SECTION(dec, out, ",\"answers\":[",
					 ldns_pkt_answer(pkt), NULL, 0));
	err = first_err(err, PUT_SECTION(dec, out, ",\"authorities\":[",
					 ldns_pkt_authority(pkt), NULL, 0));
	err = first_err(err, PUT_SECTION(dec, out, ",\"additionals\":[",
					 ldns_pkt_additional(pkt),
					 ldns_pkt_tsig(pkt), 0));
	if (ldns_pkt_edns(pkt))
		err = first_err(err, put_edns(out, pkt));
	return first_err(err, check_additional(pkt));
}

static enum dns_err ldns_render(struct dns_decoder *dec, const uint8_t *wire,
				size_t len, struct jbuf *out,
				struct dns_summary *sum)
{
	ldns_pkt *pkt = NULL;
	ldns_status st;
	enum dns_err err;

	sum->has_header = 0;
	sum->has_question = 0;
	sum->qname_len = 0;
	if (len < HDR_LEN)
		return DNS_E_SHORT_HEADER;
	summary_header(sum, wire);

	if (ldns_would_leak(wire, len)) {
		dns_put_header(out, wire, sum->rcode);
		put_empty_sections(out);
		return DNS_E_OTHER;
	}
	st = ldns_wire2pkt(&pkt, wire, len);
	if (st != LDNS_STATUS_OK) {
		dns_put_header(out, wire, sum->rcode);
		put_empty_sections(out);
		return diagnose(wire, len, st, sum);
	}
	/*
	 * ldns_pkt_edns() is true for any OPT RR, even one whose fields are
	 * all zero: ldns 1.8.3 counts OPT RRs in _edns_present, which
	 * ldns_pkt_edns() consults besides the field values.
	 */
	if (ldns_pkt_edns(pkt))
		sum->rcode |= (uint16_t)(ldns_pkt_edns_extended_rcode(pkt) << 4);
	summary_question(sum, pkt);
	err = put_packet(dec, out, wire, pkt, sum->rcode);
	ldns_pkt_free(pkt);
	return first_err(err, check_framing(wire, len));
}

static int ldns_create(struct dns_decoder **out)
{
	struct dns_decoder *dec = dr_calloc(1, sizeof(*dec));

	if (!dec)
		return -ENOMEM;
	dec->text = ldns_buffer_new(TEXT_CAPACITY);
	if (!dec->text) {
		dr_free(dec);
		return -ENOMEM;
	}
	*out = dec;
	return 0;
}

static void ldns_destroy(struct dns_decoder *dec)
{
	if (!dec)
		return;
	ldns_buffer_free(dec->text);
	dr_free(dec);
}

const struct dns_decoder_ops dns_ldns_decoder = {
	.name = "ldns",
	.create = ldns_create,
	.destroy = ldns_destroy,
	.render = ldns_render,
};

/* Every decoder, by name; adding one is one more line here. */
static const struct dns_decoder_ops *const decoders[] = {
	&dns_ldns_decoder,
	&dns_fast_decoder,
};

const struct dns_decoder_ops *dns_decoder_find(const char *name)
{
	for (size_t i = 0; i < DR_ARRAY_SIZE(decoders); i++)
		if (strcmp(decoders[i]->name, name) == 0)
			return decoders[i];
	return NULL;
}
