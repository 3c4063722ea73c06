/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fast.c: the fast DNS decoder ("fast"), byte-identical to the reference.
 *
 * The reference decoder (ldns_dec.c) costs about 4 us a message, nearly
 * all of it in ldns_wire2pkt's allocations and in ldns printing names one
 * vsnprintf per character (STYLE.md 3). This one walks the wire format
 * itself with the bounds-checked cursor of dns/wire.h and writes the JSON
 * straight into the output buffer; it allocates nothing per message.
 *
 * Two passes. The framing pass reads the header, every question and RR,
 * and the RDATA field boundaries into an index of views (dec->rr, sized
 * once for the largest possible message), checking every name. It must
 * run first because the OPT RR, usually last, changes "rcode" in the
 * header, and because ldns's verdict on a message is all or nothing: a
 * message it cannot frame gets the header and empty sections. The render
 * pass then writes the sections from the views.
 *
 * Byte-identical means mirroring ldns 1.8.3, quirks included, so that
 * tests/test_equal.c can hold the two decoders equal over whole captures:
 *  - framing follows ldns_wire2rdf: RDATA fields are cut by the type's
 *    ldns descriptor, and the next RR starts where the fields ended, not
 *    at RDLENGTH (so leftover RDATA is read as the next RR);
 *  - the presentation text of every field type the common RR types use
 *    (names, addresses, integers, strings, hex, base64, base32, times,
 *    type bitmaps, SvcParams) is ldns's host2str.c rendered directly as
 *    JSON; any other field goes through ldns_rdf2buffer_str on a stack
 *    ldns_rdf into one reused ldns_buffer, as the reference does;
 *  - a field ldns refuses to print turns the whole RDATA into RFC 3597
 *    "\# len hex" of the fields with rdata_invalid, as in ldns_dec.c;
 *  - OPT and TSIG in the additional section are handled as ldns_wire2pkt
 *    does (last OPT wins, TSIG moved last, a TSIG not last cuts the
 *    section short).
 * Deliberate differences (tests/test_equal.c counts them): at most
 * DNSW_MAX_HOPS pointers per name (ldns: 65535), and the errors name the
 * first problem precisely where ldns only says "failed".
 *
 * TODO(lead): ldns ignores bytes after the last RR and RDATA that the
 * fields do not fill; both are accepted here too, to stay equal. Flag them
 * (DNS_E_TRAILING, DNS_E_RDATA) once both decoders should.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "dns/wire.h"
#include "src/common.h"

/* A question takes at least 5 bytes (root name, type, class) and an RR
 * 11, so a 65535-byte message holds at most this many views. */
#define MAX_VIEWS ((65535 - DNSW_HDR_LEN) / 5 + 1)

#define TEXT_CAPACITY 4096

/* JSON text of one name: at most 254 label octets of up to 5 characters
 * ("\\DDD"), the dots, the quotes. */
#define NAME_JSON_MAX 1300

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

struct dns_decoder {
	struct rrv *rr;    /* MAX_VIEWS views, all sections in order */
	ldns_buffer *text; /* presentation text of one uncommon field; reused */
};

/* What the framing pass learnt about one message. */
struct msg {
	const uint8_t *w;
	size_t len;
	unsigned n[4];       /* views per section (additional: OPT, TSIG too) */
	unsigned nopt;       /* OPT RRs in the additional section */
	unsigned ntsig;      /* TSIG RRs there */
	int opt;             /* view of the last OPT, -1 */
	int opt_data;        /* view of the last OPT with RDATA, -1 */
	int tsig;            /* view of the last TSIG, -1 */
	enum dns_err odd;    /* first RDATA that ldns framed oddly, DNS_OK */
};

/* The first problem wins: later ones are usually its consequences. */
static enum dns_err first_err(enum dns_err have, enum dns_err e)
{
	return have != DNS_OK ? have : e;
}

/* ---- writing into the jbuf ---- */

/* Room for n bytes at jb->p, or NULL (and the sticky overflow) if not. */
static inline char *jb_reserve(struct jbuf *jb, size_t n)
{
	if (__builtin_expect(jb_room(jb) < n, 0)) {
		jb->overflow = 1;
		jb->p = jb->end;
		return NULL;
	}
	return jb->p;
}

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

static char *put_ddd(char *d, uint8_t c)
{
	d[0] = (char)('0' + c / 100);
	d[1] = (char)('0' + c / 10 % 10);
	d[2] = (char)('0' + c % 10);
	return d + 3;
}

/* Decimal without leading zeros; the digits of a 32-bit value. */
static char *put_dec(char *d, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*d++ = tmp[--n];
	return d;
}

static void put_u32(struct jbuf *out, uint32_t v)
{
	char *d = jb_reserve(out, 10);

	if (d)
		out->p = put_dec(d, v);
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

static char *name_octet(char *d, uint8_t c)
{
	switch (name_cls[c]) {
	case 0:
		*d++ = (char)c;
		break;
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

/* The text of an uncompressed name (root label included) at d, which has
 * room for NAME_JSON_MAX; the end. "." for the root, else a dot after
 * every label, as ldns has it. */
static char *name_text(char *d, const uint8_t *name)
{
	if (name[0] == 0) {
		*d++ = '.';
		return d;
	}
	for (size_t p = 0; name[p] != 0; p += 1 + (size_t)name[p]) {
		const uint8_t *l = name + p + 1;

		for (uint8_t i = 0; i < name[p]; i++)
			d = name_octet(d, l[i]);
		*d++ = '.';
	}
	return d;
}

/* The name's text, quoted or not, into out. */
static void put_name_text(struct jbuf *out, const uint8_t *name, int quoted)
{
	char tmp[NAME_JSON_MAX];
	int direct = jb_room(out) >= NAME_JSON_MAX;
	char *d = direct ? out->p : tmp, *s = d;

	if (quoted)
		*d++ = '"';
	d = name_text(d, name);
	if (quoted)
		*d++ = '"';
	if (direct)
		out->p = d;
	else
		jb_raw(out, s, (size_t)(d - s));
}

/* Decompress the (already framed) name at off. */
static size_t name_at(const struct msg *m, size_t off, uint8_t *name)
{
	struct dnsw c;
	size_t n = 1;

	dnsw_init(&c, m->w, m->len);
	c.pos = off;
	if (dnsw_name(&c, name, &n) != DNS_OK)
		name[0] = 0; /* cannot happen: framing checked it */
	return n;
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
	size_t nlen; /* a name: uncompressed length in name[] */
};

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

/* Wire size of a non-name field of type ft at w[p..end), SIZE_MAX when its
 * length prefix is cut. The "rest of the RDATA" types take the rest. */
static size_t field_size(const uint8_t *w, size_t p, size_t end, ldns_rdf_type ft)
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
		return end - p < 2 ? SIZE_MAX : 2 + (size_t)dnsw_rd16(w + p);
	case LDNS_RDF_TYPE_HIP:
		return end - p < 4 ? SIZE_MAX
				   : 4 + (size_t)w[p] + (size_t)dnsw_rd16(w + p + 2);
	default:
		return end - p;
	}
}

/*
 * Cut the next field. Names are checked and, when name is not NULL,
 * decompressed into it; a name may run past RDLENGTH (ldns reads it with
 * the message as the limit). A field longer than the RDATA left is
 * rdata_invalid (ldns: the section is incomplete).
 */
static enum dns_err field_next(const struct msg *m, struct fields *it,
			       struct field *f, uint8_t *name)
{
	f->type = ldns_rr_descriptor_field_type(it->d, it->idx);
	f->off = it->p;
	it->idx++;
	if (f->type == LDNS_RDF_TYPE_DNAME) {
		struct dnsw c;
		enum dns_err err;

		dnsw_init(&c, m->w, m->len);
		c.pos = it->p;
		err = dnsw_name(&c, name, &f->nlen);
		if (err != DNS_OK)
			return err;
		f->len = c.pos - it->p;
	} else {
		f->len = field_size(m->w, it->p, it->end, f->type);
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
		err = field_next(m, &it, &f, NULL);
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

/* Frame one question or RR at the cursor into v. */
static enum dns_err frame_rr(struct msg *m, struct dnsw *c, struct rrv *v,
			     int section, struct dns_summary *sum)
{
	enum dns_err past = section == S_QUESTION ? DNS_E_QUESTION
						  : DNS_E_RR_PAST_END;
	uint8_t qname[DNSW_MAX_NAME];
	size_t qlen = 0, fend;
	enum dns_err err;

	if (c->pos >= c->len)
		return past;
	v->owner = (uint32_t)c->pos;
	err = dnsw_name(c, sum ? qname : NULL, &qlen);
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
 * @return DNS_OK, or why ldns_wire2pkt would refuse the message.
 */
static enum dns_err frame(struct dns_decoder *dec, struct msg *m,
			  struct dns_summary *sum)
{
	struct dnsw c;
	unsigned nv = 0;
	enum dns_err err;

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
				m->ntsig++;
				m->tsig = (int)nv;
				count--;
			}
			nv++;
		}
	}
	return DNS_OK;
}

/* ---- presentation text of RDATA fields ---- */

static char *put_ip4(char *d, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*d++ = '.';
		d = put_dec(d, a[i]);
	}
	return d;
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
static char *put_ip6(char *d, const uint8_t *a)
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
			return put_ip4(d, a + 12);
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
	char *d = jb_reserve(out, 5 * n);

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

static void put_hex(struct jbuf *out, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *d = jb_reserve(out, 2 * n);

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
	char *d = jb_reserve(out, (n + 2) / 3 * 4);
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

/* RFC 4648 base32 "extended hex", lower case, no padding, as
 * ldns_b32_ntop_extended_hex (NSEC3 hashes). */
static void put_b32hex(struct jbuf *out, const uint8_t *s, size_t n)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	char *d = jb_reserve(out, (n * 8 + 4) / 5);
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
	out->p = d;
}

static void put_type_text(struct jbuf *out, uint16_t type)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d && d->_name) {
		jb_raw(out, d->_name, strlen(d->_name));
	} else {
		jb_lit(out, "TYPE");
		put_u32(out, type);
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
	char *d = jb_reserve(out, 14);

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

/* Field printers return one of these. */
enum { PUT_OK, PUT_LDNS, PUT_FAIL };

/* NSEC/NSEC3 type bitmap: each type and a space. Windows that run past
 * the field are left to ldns to refuse. */
static int put_bitmap(struct jbuf *out, const uint8_t *s, size_t n)
{
	for (size_t p = 0; p + 2 < n;) {
		unsigned win = s[p], blen = s[p + 1];

		p += 2;
		if (blen > n - p)
			return PUT_LDNS;
		for (unsigned bit = 0; bit < blen * 8; bit++) {
			if (!(s[p + bit / 8] & (0x80 >> (bit % 8))))
				continue;
			put_type_text(out, (uint16_t)(win * 256 + bit));
			jb_char(out, ' ');
		}
		p += blen;
	}
	return PUT_OK;
}

/* A CAA tag: letters and digits only, else ldns refuses it. */
static int put_tag(struct jbuf *out, const uint8_t *s, size_t n)
{
	if (n < 2 || s[0] < 1)
		return PUT_LDNS;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return PUT_LDNS;
	jb_raw(out, s + 1, n - 1);
	return PUT_OK;
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
static int put_svc_alpn(struct jbuf *out, const uint8_t *s, size_t n)
{
	int quote = 0;

	for (size_t p = 0; p < n; p += 1 + (size_t)s[p]) {
		if (s[p] > n - p - 1)
			return PUT_LDNS;
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
	return PUT_OK;
}

/* The value of one SvcParam with a known key; PUT_LDNS for anything
 * irregular, so that ldns decides how (and whether) to print it. */
static int put_svc_value(struct jbuf *out, uint16_t key, const uint8_t *s,
			 size_t n)
{
	char *d;

	switch (key) {
	case LDNS_SVCPARAM_KEY_MANDATORY:
		if (n % 2)
			return PUT_LDNS;
		for (size_t i = 0; i < n; i += 2) {
			uint16_t k = dnsw_rd16(s + i);

			if (k >= DR_ARRAY_SIZE(svc_keys))
				return PUT_LDNS;
			if (i)
				jb_char(out, ',');
			jb_raw(out, svc_keys[k], strlen(svc_keys[k]));
		}
		return PUT_OK;
	case LDNS_SVCPARAM_KEY_ALPN:
		return put_svc_alpn(out, s, n);
	case LDNS_SVCPARAM_KEY_PORT:
		if (n != 2)
			return PUT_LDNS;
		put_u32(out, dnsw_rd16(s));
		return PUT_OK;
	case LDNS_SVCPARAM_KEY_IPV4HINT:
	case LDNS_SVCPARAM_KEY_IPV6HINT: {
		size_t al = key == LDNS_SVCPARAM_KEY_IPV4HINT ? 4 : 16;

		if (n % al)
			return PUT_LDNS;
		for (size_t i = 0; i < n; i += al) {
			if (!(d = jb_reserve(out, 48)))
				return PUT_OK;
			if (i)
				*d++ = ',';
			out->p = al == 4 ? put_ip4(d, s + i) : put_ip6(d, s + i);
		}
		return PUT_OK;
	}
	case LDNS_SVCPARAM_KEY_ECH:
		put_b64(out, s, n);
		return PUT_OK;
	default:
		return PUT_LDNS;
	}
}

/* SvcParams as ldns_rdf2buffer_str_svcparams: "key=value" or "key",
 * space-separated; a last fragment shorter than 4 bytes is ignored. */
static int put_svcparams(struct jbuf *out, const uint8_t *s, size_t n)
{
	for (size_t p = 0; p + 4 <= n;) {
		uint16_t key = dnsw_rd16(s + p), vlen = dnsw_rd16(s + p + 2);
		int r;

		if (vlen > n - p - 4 || key >= DR_ARRAY_SIZE(svc_keys) ||
		    (key == LDNS_SVCPARAM_KEY_NO_DEFAULT_ALPN && vlen > 0))
			return PUT_LDNS;
		if (p)
			jb_char(out, ' ');
		jb_raw(out, svc_keys[key], strlen(svc_keys[key]));
		p += 4;
		if (vlen == 0)
			continue;
		jb_char(out, '=');
		r = put_svc_value(out, key, s + p, vlen);
		if (r != PUT_OK)
			return r;
		p += vlen;
	}
	return PUT_OK;
}

static void text_reset(ldns_buffer *b)
{
	ldns_buffer_clear(b);
	b->_status = LDNS_STATUS_OK; /* see ldns_dec.c */
}

/* Any field through ldns, on a stack ldns_rdf over the wire bytes. */
static int put_field_ldns(struct dns_decoder *dec, struct jbuf *out,
			  ldns_rdf_type type, const uint8_t *s, size_t n)
{
	ldns_rdf rdf;

	ldns_rdf_set_size(&rdf, n);
	ldns_rdf_set_type(&rdf, type);
	ldns_rdf_set_data(&rdf, (void *)(uintptr_t)s); /* ldns only reads it */
	text_reset(dec->text);
	if (ldns_rdf2buffer_str(dec->text, &rdf) != LDNS_STATUS_OK ||
	    !ldns_buffer_status_ok(dec->text))
		return PUT_FAIL;
	jb_str_bare(out, ldns_buffer_begin(dec->text),
		    ldns_buffer_position(dec->text));
	return PUT_OK;
}

/* One field in ldns's presentation format. */
static int put_field_text(struct jbuf *out, const struct field *f,
			  const uint8_t *s, const uint8_t *name)
{
	char *d;

	switch (f->type) {
	case LDNS_RDF_TYPE_DNAME:
		put_name_text(out, name, 0);
		return PUT_OK;
	case LDNS_RDF_TYPE_A:
		if ((d = jb_reserve(out, 16)))
			out->p = put_ip4(d, s);
		return PUT_OK;
	case LDNS_RDF_TYPE_AAAA:
		if ((d = jb_reserve(out, 48)))
			out->p = put_ip6(d, s);
		return PUT_OK;
	case LDNS_RDF_TYPE_INT8: case LDNS_RDF_TYPE_ALG:
	case LDNS_RDF_TYPE_CERTIFICATE_USAGE: case LDNS_RDF_TYPE_SELECTOR:
	case LDNS_RDF_TYPE_MATCHING_TYPE:
		put_u32(out, s[0]);
		return PUT_OK;
	case LDNS_RDF_TYPE_INT16:
		put_u32(out, dnsw_rd16(s));
		return PUT_OK;
	case LDNS_RDF_TYPE_INT32: case LDNS_RDF_TYPE_PERIOD:
		put_u32(out, dnsw_rd32(s));
		return PUT_OK;
	case LDNS_RDF_TYPE_STR:
		put_quoted_chars(out, s + 1, s[0]);
		return PUT_OK;
	case LDNS_RDF_TYPE_LONG_STR:
		put_quoted_chars(out, s, f->len);
		return PUT_OK;
	case LDNS_RDF_TYPE_TAG:
		return put_tag(out, s, f->len);
	case LDNS_RDF_TYPE_HEX:
		put_hex(out, s, f->len);
		return PUT_OK;
	case LDNS_RDF_TYPE_B64:
		if (f->len == 0)
			jb_char(out, '0');
		put_b64(out, s, f->len);
		return PUT_OK;
	case LDNS_RDF_TYPE_B32_EXT: case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER:
		if (f->len > 0)
			put_b32hex(out, s + 1, f->len - 1);
		return PUT_OK;
	case LDNS_RDF_TYPE_NSEC3_SALT:
		if (s[0] == 0)
			jb_char(out, '-');
		else
			put_hex(out, s + 1, s[0]);
		jb_char(out, ' ');
		return PUT_OK;
	case LDNS_RDF_TYPE_TYPE:
		put_type_text(out, dnsw_rd16(s));
		return PUT_OK;
	case LDNS_RDF_TYPE_TIME:
		put_time(out, dnsw_rd32(s));
		return PUT_OK;
	case LDNS_RDF_TYPE_NSEC:
		return put_bitmap(out, s, f->len);
	case LDNS_RDF_TYPE_SVCPARAMS:
		return put_svcparams(out, s, f->len);
	default:
		return PUT_LDNS;
	}
}

/* ---- RDATA ---- */

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
	while (fields_more(&it) && field_next(m, &it, &f, name) == DNS_OK)
		total += f.type == LDNS_RDF_TYPE_DNAME ? f.nlen : f.len;
	jb_lit(out, "\\\\# ");
	put_u32(out, (uint32_t)total);
	jb_char(out, ' ');
	fields_init(&it, v->type, v->rdata, v->rdlen);
	while (fields_more(&it) && field_next(m, &it, &f, name) == DNS_OK) {
		if (f.type == LDNS_RDF_TYPE_DNAME)
			put_hex(out, name, f.nlen);
		else
			put_hex(out, m->w + f.off, f.len);
	}
}

/* Each field, separated by one space; PUT_FAIL when ldns would not print
 * one of them. */
static int put_fields(struct dns_decoder *dec, struct jbuf *out,
		      const struct msg *m, const struct rrv *v)
{
	uint8_t name[DNSW_MAX_NAME];
	struct fields it;
	struct field f;

	fields_init(&it, v->type, v->rdata, v->rdlen);
	for (unsigned i = 0; fields_more(&it); i++) {
		const uint8_t *s;
		char *mark;
		int r;

		if (field_next(m, &it, &f, name) != DNS_OK)
			return PUT_FAIL; /* cannot happen: framing checked it */
		if (i)
			jb_char(out, ' ');
		s = m->w + f.off;
		mark = out->p;
		r = put_field_text(out, &f, s, name);
		if (r == PUT_LDNS && !out->overflow) {
			out->p = mark;
			r = put_field_ldns(dec, out, f.type, s, f.len);
		}
		if (r != PUT_OK)
			return r;
	}
	return PUT_OK;
}

static enum dns_err put_rdata(struct dns_decoder *dec, struct jbuf *out,
			      const struct msg *m, const struct rrv *v)
{
	const uint8_t *s = m->w + v->rdata;
	enum dns_err err = DNS_OK;
	char *d, *mark;

	/* A and AAAA: one fixed field, or none (RDLENGTH 0). */
	if (v->type == LDNS_RR_TYPE_A || v->type == LDNS_RR_TYPE_AAAA) {
		if (!(d = jb_reserve(out, 48)))
			return DNS_OK;
		*d++ = '"';
		if (v->fend > v->rdata)
			d = v->type == LDNS_RR_TYPE_A ? put_ip4(d, s) : put_ip6(d, s);
		*d++ = '"';
		out->p = d;
		return DNS_OK;
	}
	jb_char(out, '"');
	mark = out->p;
	if (put_fields(dec, out, m, v) != PUT_OK && !out->overflow) {
		out->p = mark;
		put_rdata_generic(out, m, v);
		err = DNS_E_RDATA;
	}
	jb_char(out, '"');
	return err;
}

/* ---- sections ---- */

static enum dns_err put_rr(struct dns_decoder *dec, struct jbuf *out,
			   const struct msg *m, const struct rrv *v, int question)
{
	uint8_t name[DNSW_MAX_NAME];
	enum dns_err err = DNS_OK;

	name_at(m, v->owner, name);
	jb_lit(out, "{\"name\":");
	put_name_text(out, name, 1);
	jb_lit(out, ",\"type\":");
	put_u32(out, v->type);
	jb_lit(out, ",\"type_name\":");
	dns_put_type_name(out, v->type);
	jb_lit(out, ",\"class\":");
	put_u32(out, v->klass);
	jb_lit(out, ",\"class_name\":");
	dns_put_class_name(out, v->klass);
	if (!question) {
		jb_lit(out, ",\"ttl\":");
		put_u32(out, v->ttl);
		jb_lit(out, ",\"rdata\":");
		err = put_rdata(dec, out, m, v);
	}
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

/* The options as {"code","name"} objects (as ldns_dec.c): code(2)
 * length(2) data; the lengths must add up exactly. */
static enum dns_err put_edns_options(struct jbuf *out, const uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		uint16_t code, olen;

		if (n - off < 4)
			return DNS_E_OPT;
		code = dnsw_rd16(p + off);
		olen = dnsw_rd16(p + off + 2);
		if (olen > n - off - 4)
			return DNS_E_OPT;
		if (off > 0)
			jb_char(out, ',');
		jb_lit(out, "{\"code\":");
		put_u32(out, code);
		jb_lit(out, ",\"name\":");
		dns_put_edns_option_name(out, code);
		jb_char(out, '}');
		off += 4 + (size_t)olen;
	}
	return DNS_OK;
}

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

static enum dns_err put_edns(const struct dns_decoder *dec, struct jbuf *out,
			     const struct msg *m)
{
	const struct rrv *o = &dec->rr[m->opt];
	enum dns_err err = DNS_OK;

	jb_lit(out, ",\"edns\":{\"udp_size\":");
	put_u32(out, o->klass);
	jb_lit(out, ",\"version\":");
	put_u32(out, (o->ttl >> 16) & 0xff);
	jb_lit(out, ",\"do\":");
	jb_bool(out, o->ttl & 0x8000);
	jb_lit(out, ",\"options\":[");
	if (m->opt_data >= 0) {
		const struct rrv *d = &dec->rr[m->opt_data];

		err = put_edns_options(out, m->w + d->rdata, d->rdlen);
	}
	jb_lit(out, "]}");
	return err;
}

/*
 * ldns_dec.c check_additional(): more than one OPT RR, or fewer RRs read
 * than ldns's final arcount (lowered by one per TSIG and by the OPT count
 * as a uint8_t, all in uint16_t), i.e. a TSIG that was not last.
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
	struct msg m = { .w = wire, .len = len, .opt = -1, .opt_data = -1,
			 .tsig = -1 };
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
	return put_message(dec, out, &m, sum->rcode);
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
