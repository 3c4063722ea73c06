/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fast.c: the fast DNS decoder ("fast"), byte-identical to the reference.
 *
 * The reference decoder (ldns_dec.c) costs about 5 us a message, nearly
 * all of it in ldns_wire2pkt's allocations and in ldns printing names one
 * vsnprintf per character (STYLE.md 3). This one walks the wire format
 * itself with the bounds-checked cursor of dns/wire.h and writes the JSON
 * straight into the output buffer; it allocates nothing per message.
 *
 * Two passes. The framing pass reads the header, every question and RR,
 * and the RDATA field boundaries into an index of views (dec->rr, sized
 * once for the largest possible message), checking every name. It must
 * come first because the OPT RR, usually last, changes "rcode" in the
 * header, and because ldns's verdict on a message is all or nothing: a
 * message it cannot frame gets the header and empty sections. The render
 * pass then writes the sections from the views, trusting the framing.
 *
 * Names are printed from the wire, following pointers, and each label's
 * place in the output is remembered (dec->nc): a compression pointer to a
 * suffix already printed in this record becomes a memcpy of that text.
 * Most owner names are a pointer to the question name, so most cost one
 * copy. The JSON of type and class for class IN is made once at create()
 * by the shared writers of names.c, so it is theirs byte for byte.
 *
 * Byte-identical means mirroring ldns 1.8.3, quirks included, so that
 * tests/test_equal.c can hold the two decoders equal over whole captures:
 *  - framing follows ldns_wire2rdf: RDATA fields are cut by the type's
 *    ldns descriptor, and the next RR starts where the fields ended, not
 *    at RDLENGTH (so leftover RDATA is read as the next RR);
 *  - the fields of the common types are printed by dns/rdtext.c exactly
 *    as ldns's host2str.c prints them; any other field goes through
 *    ldns_rdf2buffer_str on a stack ldns_rdf into one reused ldns_buffer,
 *    as the reference does, with the trailing spaces it drops dropped;
 *  - a field ldns refuses to print turns the whole RDATA into RFC 3597
 *    "\# len hex" of the fields with rdata_invalid, as in ldns_dec.c;
 *  - OPT and TSIG in the additional section are handled as ldns_wire2pkt
 *    does (last OPT wins, TSIG moved last, a TSIG not last cuts the
 *    section short), and a second TSIG is decode_error, as the reference
 *    has it (ldns would leak the first).
 * Deliberate differences: at most DNSW_MAX_HOPS pointers per name (ldns
 * follows 65535), and the errors name the first problem precisely where
 * ldns only says "failed" (the reference works that out separately).
 *
 * Two things ldns accepts silently are flagged, in both decoders, on a
 * record that is otherwise written in full, as ldns decoded it:
 *  - RDATA whose fields do not end exactly at RDLENGTH (fields left
 *    over, or a name in RDATA running past it): rdata_invalid, since the
 *    RRs after it are misframed by ldns's rule above;
 *  - bytes after the last RR: the walk by the header counts and the
 *    RDLENGTHs ends before the message does (zero padding included: it
 *    is no part of a DNS message; EDNS padding lives inside the OPT RR):
 *    trailing_bytes.
 * Either is reported only when nothing else was: errors found while
 * rendering come first, then rdata_invalid, then trailing_bytes. When no
 * RDATA was framed oddly, ldns's framing is the walk by RDLENGTH, and
 * when no TSIG cut the additional section short (decode_error), ldns read
 * every RR the header counts; so the framing pass's end is where that
 * walk ends, and trailing_bytes costs one comparison.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "dns/rdtext.h"
#include "dns/wire.h"
#include "src/common.h"

/* A question takes at least 5 bytes (root name, type, class) and an RR
 * 11, so a 65535-byte message holds at most this many views. */
#define MAX_VIEWS ((65535 - DNSW_HDR_LEN) / 5 + 1)

#define TEXT_CAPACITY 4096

/* JSON text of one name: at most 254 label octets of up to 5 characters
 * ("\\DDD") and the dots, or "."; plus quotes. */
#define NAME_JSON_MAX (DNSW_MAX_NAME * 5 + 2)

#define NC_SIZE 64   /* printed-suffix cache slots (by wire offset) */
#define VC_SIZE 64   /* checked-suffix cache slots (by wire offset) */
#define TC_TYPES 300 /* types with a precomputed type/class IN text */
#define TC_LEN 72
/* '{"name":' name ',"type":..."class_name":"..."' (at most 90 characters
 * for TYPE65535 and CLASS65535) ',"ttl":' 4294967295 ',"rdata":' */
#define RR_HEAD_MAX (8 + NAME_JSON_MAX + 96 + 7 + 10 + 9)

enum { S_QUESTION, S_ANSWER, S_AUTHORITY, S_ADDITIONAL };

/* One question or RR, as framed. Offsets are into the message. */
struct rrv {
	uint32_t owner;  /* owner name */
	uint32_t rdata;  /* RDATA */
	uint32_t fend;   /* where ldns's fields ended: the next RR */
	uint32_t ttl;
	uint16_t type;
	uint16_t klass;
	uint16_t rdlen;
};

/* Where the text of the name suffix at wire offset off already is. */
struct nc_ent {
	const char *start, *end;
	uint32_t off;
	uint32_t gen; /* valid while equal to dec->gen */
};

/* A name suffix at wire offset off that the framing pass checked: labels
 * of len octets (root label not counted) over hops pointers. */
struct vc_ent {
	uint32_t off;
	uint32_t gen; /* valid while equal to dec->vgen */
	uint16_t len;
	uint16_t hops;
};

struct dns_decoder {
	struct rrv *rr;    /* MAX_VIEWS views, all sections in order */
	ldns_buffer *text; /* presentation text of one uncommon field; reused */
	uint32_t gen;      /* bumped per message: forgets dec->nc */
	uint32_t vgen;     /* bumped per message: forgets dec->vc */
	struct nc_ent nc[NC_SIZE];
	struct vc_ent vc[VC_SIZE];
	uint8_t tc_len[TC_TYPES];
	char tc[TC_TYPES][TC_LEN]; /* ',"type":1,...,"class_name":"IN"' */
};

/* What the framing pass learnt about one message. */
struct msg {
	const uint8_t *w;
	size_t len;
	struct dns_decoder *dec;
	unsigned n[4];       /* views per section (additional: OPT, TSIG too) */
	unsigned nopt;       /* OPT RRs in the additional section */
	unsigned ntsig;      /* TSIG RRs there */
	int opt;             /* view of the last OPT, -1 */
	int opt_data;        /* view of the last OPT with RDATA, -1 */
	int tsig;            /* view of the last TSIG, -1 */
	enum dns_err odd;    /* first RDATA that ldns framed oddly, DNS_OK */
	size_t end;          /* where the framing pass ended */
};

/* The first problem wins: later ones are usually its consequences. */
static enum dns_err first_err(enum dns_err have, enum dns_err e)
{
	return have != DNS_OK ? have : e;
}

/* ---- names ---- */

/* Forget every printed suffix: a new record, or output rewound. */
static void nc_forget(struct dns_decoder *dec)
{
	if (++dec->gen == 0) { /* wrapped: stale slots could match again */
		memset(dec->nc, 0, sizeof(dec->nc));
		dec->gen = 1;
	}
}

/*
 * The text of the framed name at wire offset off, at d (room for
 * NAME_JSON_MAX): "." for the root, else each label and a dot, as ldns
 * prints it. With record set, d is in the output and each label's text
 * is remembered for later pointers to it.
 */
static char *name_print(struct dns_decoder *dec, const struct msg *m,
			size_t off, char *d, int record)
{
	const uint8_t *w = m->w;
	struct { uint32_t off; char *at; } lab[DNSW_MAX_NAME / 2];
	unsigned nl = 0, hops = 0;
	char *start = d;

	for (;;) {
		uint8_t l = w[off];

		if (l >= 0xc0) {
			const struct nc_ent *e;

			off = (size_t)(l & 0x3f) << 8 | w[off + 1];
			e = &dec->nc[off % NC_SIZE];
			if (e->gen == dec->gen && e->off == off) {
				memcpy(d, e->start, (size_t)(e->end - e->start));
				d += e->end - e->start;
				break;
			}
			if (++hops > DNSW_MAX_HOPS) /* cannot happen: framed */
				break;
			continue;
		}
		if (l == 0) {
			if (d == start)
				*d++ = '.';
			break;
		}
		if (nl < DR_ARRAY_SIZE(lab)) {
			lab[nl].off = (uint32_t)off;
			lab[nl++].at = d;
		}
		d = rdt_label(d, w + off + 1, l);
		*d++ = '.';
		off += 1 + (size_t)l;
	}
	for (unsigned i = 0; record && i < nl; i++) {
		struct nc_ent *e = &dec->nc[lab[i].off % NC_SIZE];

		e->start = lab[i].at;
		e->end = d;
		e->off = lab[i].off;
		e->gen = dec->gen;
	}
	return d;
}

/* A name into out, quoted (a JSON string) or not (inside RDATA). */
static void put_name(struct dns_decoder *dec, struct jbuf *out,
		     const struct msg *m, size_t off, int quoted)
{
	char tmp[NAME_JSON_MAX];
	int direct = jb_room(out) >= NAME_JSON_MAX;
	char *d = direct ? out->p : tmp, *s = d;

	if (quoted)
		*d++ = '"';
	d = name_print(dec, m, off, d, direct);
	if (quoted)
		*d++ = '"';
	if (direct)
		out->p = d;
	else
		jb_raw(out, s, (size_t)(d - s));
}

/* ---- checking names (framing) ---- */

static void vc_forget(struct dns_decoder *dec)
{
	if (++dec->vgen == 0) {
		memset(dec->vc, 0, sizeof(dec->vc));
		dec->vgen = 1;
	}
}

/*
 * dnsw_name(c, NULL, NULL) with a memory: a pointer to a suffix checked
 * earlier in this message takes its length and pointer count instead of
 * a walk, and every label checked here is remembered. Anything irregular
 * is handed to dnsw_name() from the start, which decides and names the
 * error, so the verdict is always dnsw_name()'s.
 */
static enum dns_err check_name(const struct msg *m, struct dnsw *c)
{
	struct dns_decoder *dec = m->dec;
	const uint8_t *w = m->w;
	size_t len = m->len, p = c->pos, next = 0, total = 0;
	struct { uint32_t off; uint16_t total, hops; } lab[DNSW_MAX_NAME / 2];
	unsigned nl = 0, hops = 0;

	for (;;) {
		const struct vc_ent *e;
		uint8_t l;

		if (p >= len)
			return dnsw_name(c, NULL, NULL);
		l = w[p];
		if (l == 0)
			break;
		if (l <= DNSW_MAX_LABEL) {
			if (len - p - 1 < l || total + 1 + l > DNSW_MAX_NAME - 1)
				return dnsw_name(c, NULL, NULL);
			lab[nl].off = (uint32_t)p;
			lab[nl].total = (uint16_t)total;
			lab[nl++].hops = (uint16_t)hops;
			total += 1 + (size_t)l;
			p += 1 + (size_t)l;
			continue;
		}
		if (l < 0xc0 || len - p < 2 || ++hops > DNSW_MAX_HOPS)
			return dnsw_name(c, NULL, NULL);
		if (next == 0)
			next = p + 2;
		p = (size_t)(l & 0x3f) << 8 | w[p + 1];
		if (p == 0 || p >= len)
			return dnsw_name(c, NULL, NULL);
		e = &dec->vc[p % VC_SIZE];
		if (e->gen == dec->vgen && e->off == p) {
			if (total + e->len > DNSW_MAX_NAME - 1 ||
			    hops + e->hops > DNSW_MAX_HOPS)
				return dnsw_name(c, NULL, NULL);
			total += e->len;
			hops += e->hops;
			break;
		}
	}
	for (unsigned i = 0; i < nl; i++) {
		struct vc_ent *e = &dec->vc[lab[i].off % VC_SIZE];

		e->off = lab[i].off;
		e->gen = dec->vgen;
		e->len = (uint16_t)(total - lab[i].total);
		e->hops = (uint16_t)(hops - lab[i].hops);
	}
	c->pos = next ? next : p + 1;
	return DNS_OK;
}

/* ---- RDATA fields, cut as ldns_wire2rdf cuts them ---- */

struct fields {
	const ldns_rr_descriptor *d;
	size_t max;  /* ldns_rr_descriptor_maximum() */
	uint8_t idx; /* uint8_t like ldns's rdf_index: wraps on long TXT */
	size_t p;    /* next field */
	size_t end;  /* end of RDATA */
};

struct field {
	ldns_rdf_type type;
	size_t off;  /* first byte */
	size_t len;  /* bytes on the wire (a name: up to its first pointer) */
	size_t nlen; /* F_COPY of a name: its uncompressed length */
};

/* How field_next() treats a name: check it (framing), only measure it
 * (render: framing checked it), or decompress it. */
enum { F_CHECK, F_SKIP, F_COPY };

static void fields_init(struct fields *it, uint16_t type, size_t rdata, size_t rdlen)
{
	it->d = ldns_rr_descript(type);
	it->max = it->d ? ldns_rr_descriptor_maximum(it->d) : 0;
	it->idx = 0;
	it->p = rdata;
	it->end = rdata + rdlen;
}

static int fields_more(const struct fields *it)
{
	return it->p < it->end && it->idx < it->max;
}


/* Wire length of a framed name: its labels up to the root or the first
 * pointer. */
static size_t name_wire_len(const uint8_t *w, size_t p)
{
	size_t q = p;

	while (w[q] != 0 && w[q] < 0xc0)
		q += 1 + (size_t)w[q];
	return q - p + (w[q] ? 2 : 1);
}

/*
 * Cut the next field. A name may run past RDLENGTH (ldns reads it with
 * the message as its limit); with F_COPY it is decompressed into name.
 * A field longer than the RDATA left is rdata_invalid (ldns: the section
 * is incomplete).
 */
static enum dns_err field_next(const struct msg *m, struct fields *it,
			       struct field *f, int mode, uint8_t *name)
{
	f->type = ldns_rr_descriptor_field_type(it->d, it->idx);
	f->off = it->p;
	it->idx++;
	if (f->type == LDNS_RDF_TYPE_DNAME) {
		struct dnsw c;
		enum dns_err err;

		if (mode == F_SKIP) {
			f->len = name_wire_len(m->w, it->p);
			it->p += f->len;
			return DNS_OK;
		}
		dnsw_init(&c, m->w, m->len);
		c.pos = it->p;
		if (mode == F_CHECK)
			err = check_name(m, &c);
		else
			err = dnsw_name(&c, name, &f->nlen);
		if (err != DNS_OK)
			return err;
		f->len = c.pos - it->p;
	} else {
		f->len = rdt_field_size(m->w, it->p, it->end, f->type);
		if (f->len > it->end - it->p)
			return DNS_E_RDATA;
	}
	it->p += f->len;
	return DNS_OK;
}

/* ---- the framing pass ---- */

static enum dns_err frame_rdata(const struct msg *m, uint16_t type, size_t rdata,
				size_t rdlen, size_t *fend)
{
	struct fields it;
	struct field f;
	enum dns_err err;

	/* The two types that make up 80% of all RRs, cut without asking
	 * ldns: one fixed-size field, which ldns too takes when it fits. */
	if (type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_AAAA) {
		size_t n = type == LDNS_RR_TYPE_A ? 4 : 16;

		if (rdlen == 0) {
			*fend = rdata;
			return DNS_OK;
		}
		if (rdlen < n)
			return DNS_E_RDATA;
		*fend = rdata + n;
		return DNS_OK;
	}
	fields_init(&it, type, rdata, rdlen);
	while (fields_more(&it)) {
		err = field_next(m, &it, &f, F_CHECK, NULL);
		if (err != DNS_OK)
			return err;
	}
	*fend = it.p;
	return DNS_OK;
}

static void summary_question(struct dns_summary *sum, const uint8_t *name,
			     size_t nlen, uint16_t type, uint16_t klass)
{
	memcpy(sum->qname, name, nlen);
	sum->qname_len = (uint8_t)nlen;
	sum->qtype = type;
	sum->qclass = klass;
	sum->has_question = 1;
}

/* Frame one question or RR at the cursor into v; the first question also
 * into sum, when given. */
static enum dns_err frame_rr(struct msg *m, struct dnsw *c, struct rrv *v,
			     int section, struct dns_summary *sum)
{
	enum dns_err past = section == S_QUESTION ? DNS_E_QUESTION
						  : DNS_E_RR_PAST_END;
	uint8_t qname[DNSW_MAX_NAME];
	size_t qlen = 0, fend;
	enum dns_err err;

	if (c->pos >= c->len) /* ldns: the section is incomplete */
		return past;
	v->owner = (uint32_t)c->pos;
	err = sum ? dnsw_name(c, qname, &qlen) : check_name(m, c);
	if (err != DNS_OK)
		return err;
	if (!dnsw_need(c, section == S_QUESTION ? 4 : 10, past))
		return past;
	v->type = dnsw_u16(c);
	v->klass = dnsw_u16(c);
	if (section == S_QUESTION) {
		if (sum)
			summary_question(sum, qname, qlen, v->type, v->klass);
		return DNS_OK;
	}
	v->ttl = dnsw_u32(c);
	v->rdlen = dnsw_u16(c);
	if (!dnsw_need(c, v->rdlen, DNS_E_RR_PAST_END))
		return DNS_E_RR_PAST_END;
	v->rdata = (uint32_t)c->pos;
	err = frame_rdata(m, v->type, c->pos, v->rdlen, &fend);
	if (err != DNS_OK)
		return err;
	if (fend != c->pos + v->rdlen)
		m->odd = first_err(m->odd, DNS_E_RDATA);
	v->fend = (uint32_t)fend;
	c->pos = fend;
	return DNS_OK;
}

/*
 * Frame the whole message as ldns_wire2pkt reads it. In the additional
 * section every TSIG lowers the count of RRs still to read (ldns moves it
 * out and decrements arcount while looping on it), so a TSIG that is not
 * last makes the section end early, unread.
 * @return DNS_OK, or why ldns_wire2pkt would refuse the message (an odd
 *         RDATA before the failure is named first: it likely caused it).
 */
static enum dns_err frame(struct dns_decoder *dec, struct msg *m,
			  struct dns_summary *sum)
{
	struct dnsw c;
	unsigned nv = 0;
	enum dns_err err;

	vc_forget(dec);
	dnsw_init(&c, m->w, m->len);
	c.pos = DNSW_HDR_LEN;
	for (int s = S_QUESTION; s <= S_ADDITIONAL; s++) {
		unsigned count = dnsw_rd16(m->w + 4 + 2 * s);

		for (unsigned i = 0; i < count; i++) {
			struct rrv *v;

			if (nv == MAX_VIEWS) /* only for len > 65535 */
				return DNS_E_OTHER;
			v = &dec->rr[nv];
			err = frame_rr(m, &c, v, s, s == S_QUESTION && i == 0 ? sum : NULL);
			if (err != DNS_OK)
				return first_err(m->odd, err);
			m->n[s]++;
			if (s == S_ADDITIONAL && v->type == LDNS_RR_TYPE_OPT) {
				m->nopt++;
				m->opt = (int)nv;
				if (v->rdlen > 0) /* ldns keeps the last RDATA seen */
					m->opt_data = (int)nv;
			} else if (s == S_ADDITIONAL && v->type == LDNS_RR_TYPE_TSIG) {
				/* A second TSIG would make ldns leak the first:
				 * the reference refuses such messages before
				 * it reads any (so no question in sum either). */
				if (++m->ntsig == 2) {
					sum->has_question = 0;
					sum->qname_len = 0;
					return DNS_E_OTHER;
				}
				m->tsig = (int)nv;
				count--;
			}
			nv++;
		}
	}
	m->end = c.pos;
	return DNS_OK;
}

/* ---- RDATA ---- */

/* ldns text that needs JSON escaping, written without the quotes: exactly
 * what jb_str() makes of it, which is what the reference writes. */
static void jb_str_bare(struct jbuf *jb, const void *s, size_t n)
{
	char *mark = jb->p;

	jb_str(jb, s, n);
	if (jb->overflow)
		return;
	memmove(mark, mark + 1, (size_t)(jb->p - mark) - 2);
	jb->p -= 2;
}

/* Any field through ldns, on a stack ldns_rdf over the wire bytes.
 * @return 0, or -1 when ldns refuses to print it. */
static int put_field_ldns(struct dns_decoder *dec, struct jbuf *out,
			  ldns_rdf_type type, const uint8_t *s, size_t n)
{
	ldns_buffer *b = dec->text;
	const char *t;
	size_t tn;
	ldns_rdf rdf;

	ldns_rdf_set_size(&rdf, n);
	ldns_rdf_set_type(&rdf, type);
	ldns_rdf_set_data(&rdf, (void *)(uintptr_t)s); /* ldns only reads it */
	ldns_buffer_clear(b);
	b->_status = LDNS_STATUS_OK; /* see ldns_dec.c text_reset() */
	if (ldns_rdf2buffer_str(b, &rdf) != LDNS_STATUS_OK ||
	    !ldns_buffer_status_ok(b))
		return -1;
	/* the reference drops the spaces ldns leaves after some fields */
	t = (const char *)ldns_buffer_begin(b);
	tn = ldns_buffer_position(b);
	while (tn > 0 && t[tn - 1] == ' ')
		tn--;
	jb_str_bare(out, t, tn);
	return 0;
}

/* RFC 3597 form of all fields, names uncompressed, for RDATA ldns
 * refuses to print (ldns_dec.c text_rdata_generic). */
static void put_rdata_generic(struct jbuf *out, const struct msg *m,
			      const struct rrv *v)
{
	uint8_t name[DNSW_MAX_NAME];
	struct fields it;
	struct field f;
	size_t total = 0;

	fields_init(&it, v->type, v->rdata, v->rdlen);
	while (fields_more(&it) && field_next(m, &it, &f, F_COPY, name) == DNS_OK)
		total += f.type == LDNS_RDF_TYPE_DNAME ? f.nlen : f.len;
	jb_lit(out, "\\\\# ");
	rdt_u32(out, (uint32_t)total);
	jb_char(out, ' ');
	fields_init(&it, v->type, v->rdata, v->rdlen);
	while (fields_more(&it) && field_next(m, &it, &f, F_COPY, name) == DNS_OK) {
		if (f.type == LDNS_RDF_TYPE_DNAME)
			rdt_hex(out, name, f.nlen);
		else
			rdt_hex(out, m->w + f.off, f.len);
	}
}

/* Each field, separated by one space. @return 0, or -1 when ldns would
 * not print one of them. */
static int put_fields(struct dns_decoder *dec, struct jbuf *out,
		      const struct msg *m, const struct rrv *v)
{
	struct fields it;
	struct field f;

	fields_init(&it, v->type, v->rdata, v->rdlen);
	for (unsigned i = 0; fields_more(&it); i++) {
		const uint8_t *s;
		char *mark;

		if (field_next(m, &it, &f, F_SKIP, NULL) != DNS_OK)
			return -1; /* cannot happen: framing checked it */
		if (i)
			jb_char(out, ' ');
		if (f.type == LDNS_RDF_TYPE_DNAME) {
			put_name(dec, out, m, f.off, 0);
			continue;
		}
		s = m->w + f.off;
		mark = out->p;
		if (rdt_field(out, f.type, s, f.len) == RDT_OK)
			continue;
		if (out->overflow)
			return 0;
		out->p = mark;
		nc_forget(dec);
		if (put_field_ldns(dec, out, f.type, s, f.len) != 0)
			return -1;
	}
	return 0;
}

static enum dns_err put_rdata(struct dns_decoder *dec, struct jbuf *out,
			      const struct msg *m, const struct rrv *v)
{
	const uint8_t *s = m->w + v->rdata;
	char *d, *mark;

	/* A and AAAA: one fixed field, or none (RDLENGTH 0). */
	if (v->type == LDNS_RR_TYPE_A || v->type == LDNS_RR_TYPE_AAAA) {
		d = rdt_reserve(out, 48);
		if (!d)
			return DNS_OK;
		*d++ = '"';
		if (v->fend > v->rdata)
			d = v->type == LDNS_RR_TYPE_A ? rdt_ip4(d, s) : rdt_ip6(d, s);
		*d++ = '"';
		out->p = d;
		return DNS_OK;
	}
	jb_char(out, '"');
	mark = out->p;
	if (put_fields(dec, out, m, v) != 0 && !out->overflow) {
		out->p = mark;
		nc_forget(dec);
		put_rdata_generic(out, m, v);
		jb_char(out, '"');
		return DNS_E_RDATA;
	}
	jb_char(out, '"');
	return DNS_OK;
}

/* ---- sections ---- */

/* ',"type":N,"type_name":...,"class":N,"class_name":...' at d, which has
 * room for TC_LEN; the end, or NULL when it is not precomputed. */
static char *type_class(const struct dns_decoder *dec, char *d,
			uint16_t type, uint16_t klass)
{
	if (klass != LDNS_RR_CLASS_IN || type >= TC_TYPES || !dec->tc_len[type])
		return NULL;
	memcpy(d, dec->tc[type], TC_LEN);
	return d + dec->tc_len[type];
}

static void put_type_class(struct jbuf *out, uint16_t type, uint16_t klass)
{
	jb_lit(out, ",\"type\":");
	rdt_u32(out, type);
	jb_lit(out, ",\"type_name\":");
	dns_put_type_name(out, type);
	jb_lit(out, ",\"class\":");
	rdt_u32(out, klass);
	jb_lit(out, ",\"class_name\":");
	dns_put_class_name(out, klass);
}

/* Everything of an RR before its RDATA text, with one room check. */
static int put_rr_head(struct dns_decoder *dec, struct jbuf *out,
		       const struct msg *m, const struct rrv *v, int question)
{
	char *d = out->p, *e;

	if (jb_room(out) < RR_HEAD_MAX)
		return -1;
	memcpy(d, "{\"name\":\"", 9);
	d = name_print(dec, m, v->owner, d + 9, 1);
	*d++ = '"';
	e = type_class(dec, d, v->type, v->klass);
	if (!e) {
		out->p = d;
		put_type_class(out, v->type, v->klass);
		d = out->p;
	} else {
		d = e;
	}
	if (!question) {
		memcpy(d, ",\"ttl\":", 7);
		d = rdt_dec(d + 7, v->ttl);
		memcpy(d, ",\"rdata\":", 9);
		d += 9;
	}
	out->p = d;
	return 0;
}

static enum dns_err put_rr(struct dns_decoder *dec, struct jbuf *out,
			   const struct msg *m, const struct rrv *v, int question)
{
	enum dns_err err = DNS_OK;

	if (put_rr_head(dec, out, m, v, question) != 0) { /* little room */
		jb_lit(out, "{\"name\":");
		put_name(dec, out, m, v->owner, 1);
		put_type_class(out, v->type, v->klass);
		if (!question) {
			jb_lit(out, ",\"ttl\":");
			rdt_u32(out, v->ttl);
			jb_lit(out, ",\"rdata\":");
		}
	}
	if (!question)
		err = put_rdata(dec, out, m, v);
	jb_char(out, '}');
	return err;
}

/* ',"<key>":[rr,...]' for views [first, first + n); in the additional
 * section OPT and TSIG RRs are left out and the last TSIG put last, as
 * ldns_wire2pkt keeps them. */
static enum dns_err put_section(struct dns_decoder *dec, struct jbuf *out,
				const struct msg *m, const char *key, size_t key_len,
				unsigned first, unsigned n, int section)
{
	enum dns_err err = DNS_OK;
	int any = 0;

	jb_raw(out, key, key_len);
	for (unsigned i = first; i < first + n; i++) {
		const struct rrv *v = &dec->rr[i];

		if (section == S_ADDITIONAL && (v->type == LDNS_RR_TYPE_OPT ||
						v->type == LDNS_RR_TYPE_TSIG))
			continue;
		if (any++)
			jb_char(out, ',');
		err = first_err(err, put_rr(dec, out, m, v, section == S_QUESTION));
	}
	if (section == S_ADDITIONAL && m->tsig >= 0) {
		if (any)
			jb_char(out, ',');
		err = first_err(err, put_rr(dec, out, m, &dec->rr[m->tsig], 0));
	}
	jb_char(out, ']');
	return err;
}

#define PUT_SECTION(dec, out, m, lit, first, s) \
	put_section((dec), (out), (m), (lit), sizeof(lit) - 1, (first), \
		    (m)->n[s], (s))

/* ---- EDNS ---- */

/* ldns_pkt_edns(): any OPT RR, counted in a uint8_t, or any non-zero
 * field of the last one. */
static int has_edns(const struct dns_decoder *dec, const struct msg *m)
{
	const struct rrv *o;

	if (m->opt < 0)
		return 0;
	o = &dec->rr[m->opt];
	return (uint8_t)m->nopt != 0 || o->klass != 0 || o->ttl >> 24 != 0 ||
	       m->opt_data >= 0 || (o->ttl & 0x8000);
}

/* The last OPT RR's fixed fields and the last RDATA seen, as ldns merges
 * them, written by the shared dns_put_edns(). */
static enum dns_err put_edns(const struct dns_decoder *dec, struct jbuf *out,
			     const struct msg *m)
{
	const struct rrv *o = &dec->rr[m->opt];
	const struct rrv *d = m->opt_data >= 0 ? &dec->rr[m->opt_data] : NULL;

	return dns_put_edns(out, o->klass, o->ttl, d ? m->w + d->rdata : NULL,
			    d ? d->rdlen : 0);
}

/*
 * ldns_dec.c check_additional(): more than one OPT RR, or fewer RRs
 * listed than ldns's final arcount (lowered by one per TSIG and by the
 * OPT count as a uint8_t, all in uint16_t): a TSIG that was not last.
 */
static enum dns_err check_additional(const struct msg *m)
{
	unsigned listed = m->n[S_ADDITIONAL] - m->nopt - m->ntsig;
	uint16_t arcount = (uint16_t)(dnsw_rd16(m->w + 10) - m->ntsig);

	arcount = (uint16_t)(arcount - (uint8_t)m->nopt);
	if ((uint8_t)m->nopt > 1)
		return DNS_E_OPT;
	if (listed < arcount)
		return DNS_E_OTHER;
	return DNS_OK;
}

/* ---- the decoder ---- */

static void put_empty_sections(struct jbuf *out)
{
	jb_lit(out, ",\"queries\":[],\"answers\":[],\"authorities\":[]"
		    ",\"additionals\":[]");
}

static enum dns_err put_message(struct dns_decoder *dec, struct jbuf *out,
				const struct msg *m, uint16_t rcode)
{
	unsigned an = m->n[S_QUESTION], ns = an + m->n[S_ANSWER],
		 ar = ns + m->n[S_AUTHORITY];
	enum dns_err err;

	dns_put_header(out, m->w, rcode);
	err = PUT_SECTION(dec, out, m, ",\"queries\":[", 0, S_QUESTION);
	err = first_err(err, PUT_SECTION(dec, out, m, ",\"answers\":[", an,
					 S_ANSWER));
	err = first_err(err, PUT_SECTION(dec, out, m, ",\"authorities\":[", ns,
					 S_AUTHORITY));
	err = first_err(err, PUT_SECTION(dec, out, m, ",\"additionals\":[", ar,
					 S_ADDITIONAL));
	if (has_edns(dec, m))
		err = first_err(err, put_edns(dec, out, m));
	return first_err(err, check_additional(m));
}

static enum dns_err fast_render(struct dns_decoder *dec, const uint8_t *wire,
				size_t len, struct jbuf *out,
				struct dns_summary *sum)
{
	struct msg m = { .w = wire, .len = len, .dec = dec, .opt = -1,
			 .opt_data = -1, .tsig = -1 };
	enum dns_err err;

	sum->has_header = 0;
	sum->has_question = 0;
	sum->qname_len = 0;
	if (len < DNSW_HDR_LEN)
		return DNS_E_SHORT_HEADER;
	sum->has_header = 1;
	sum->qr = wire[2] >> 7;
	sum->opcode = (wire[2] >> 3) & 0xf;
	sum->id = dnsw_rd16(wire);
	sum->rcode = wire[3] & 0xf;

	err = frame(dec, &m, sum);
	if (err != DNS_OK) {
		dns_put_header(out, wire, sum->rcode);
		put_empty_sections(out);
		return err;
	}
	if (has_edns(dec, &m))
		sum->rcode |= (uint16_t)(dec->rr[m.opt].ttl >> 24 << 4);
	nc_forget(dec);
	err = first_err(put_message(dec, out, &m, sum->rcode), m.odd);
	if (__builtin_expect(m.end != len, 0))
		err = first_err(err, DNS_E_TRAILING);
	return err;
}

/* The type/class text of class IN for the common types, by the shared
 * writers of names.c (so it stays theirs whatever they write). */
static void tc_init(struct dns_decoder *dec)
{
	for (unsigned t = 0; t < TC_TYPES; t++) {
		char buf[2 * TC_LEN];
		struct jbuf jb;

		jb_init(&jb, buf, sizeof(buf));
		put_type_class(&jb, (uint16_t)t, LDNS_RR_CLASS_IN);
		if (jb.overflow || (size_t)(jb.p - buf) > TC_LEN)
			continue; /* written at run time instead */
		memcpy(dec->tc[t], buf, (size_t)(jb.p - buf));
		dec->tc_len[t] = (uint8_t)(jb.p - buf);
	}
}

static int fast_create(struct dns_decoder **out)
{
	struct dns_decoder *dec = dr_calloc(1, sizeof(*dec));

	if (!dec)
		return -ENOMEM;
	dec->rr = dr_calloc(MAX_VIEWS, sizeof(*dec->rr));
	dec->text = ldns_buffer_new(TEXT_CAPACITY);
	if (!dec->rr || !dec->text) {
		if (dec->text)
			ldns_buffer_free(dec->text);
		dr_free(dec->rr);
		dr_free(dec);
		return -ENOMEM;
	}
	tc_init(dec);
	*out = dec;
	return 0;
}

static void fast_destroy(struct dns_decoder *dec)
{
	if (!dec)
		return;
	ldns_buffer_free(dec->text);
	dr_free(dec->rr);
	dr_free(dec);
}

const struct dns_decoder_ops dns_fast_decoder = {
	.name = "fast",
	.create = fast_create,
	.destroy = fast_destroy,
	.render = fast_render,
};
