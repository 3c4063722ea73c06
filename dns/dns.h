/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.h: the DNS decoder interface (prefix dns_) and the code/name tables
 * both decoders share.
 *
 * A decoder turns the wire bytes of one DNS message into the DNS part of a
 * schema-v1 record (docs/schema.json): the JSON members from "id" to "edns".
 * There are two implementations behind one table of operations:
 *   - "ldns" (dns/ldns_dec.c): ldns_wire2pkt + ldns presentation, the
 *     reference: simple and obviously right, slow (allocates per message);
 *   - a fast path (added by the speed work) that must produce byte-identical
 *     output, proved by a test over whole captures.
 * Wire bytes in, JSON text out: the record's envelope (time, addresses, ...)
 * is written by output/record.c around what the decoder writes.
 */
#ifndef DR_DNS_H
#define DR_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "output/json.h"

/* Why a message is malformed. Names (dns_err_name) appear in records'
 * "error" member and in the stats, so they are part of the interface. */
enum dns_err {
	DNS_OK = 0,
	DNS_E_SHORT_HEADER,     /* "short_header": fewer than 12 bytes */
	DNS_E_TRUNCATED,        /* "truncated_capture": cut by the snap length */
	DNS_E_QUESTION,         /* "question_past_end": QDCOUNT lies / question cut */
	DNS_E_RR_PAST_END,      /* "rr_past_end": RR header or RDATA past the end */
	DNS_E_NAME_LOOP,        /* "name_pointer_loop": too many compression pointers */
	DNS_E_NAME_BAD_POINTER, /* "name_bad_pointer": pointer forward or out of range */
	DNS_E_NAME_LABEL_TYPE,  /* "name_bad_label_type": 0x40/0x80 label types */
	DNS_E_NAME_TOO_LONG,    /* "name_too_long": > 255 octets */
	DNS_E_NAME_PAST_END,    /* "name_past_end": a label runs past the message */
	DNS_E_RDATA,            /* "rdata_invalid": RDATA does not fit its type */
	DNS_E_OPT,              /* "opt_invalid": bad OPT RR or option lengths */
	DNS_E_TRAILING,         /* "trailing_bytes": bytes after the last RR */
	DNS_E_OTHER,            /* "decode_error": anything else the decoder refused */
	DNS_E__MAX
};

/** snake_case name of a dns_err (never NULL). */
const char *dns_err_name(enum dns_err e);

/*
 * What the pipeline needs to know about a decoded message besides its JSON:
 * counting, filters and (later) query/response matching. Filled by every
 * decoder as far as the message could be read.
 */
struct dns_summary {
	uint8_t has_header;     /* the 12-byte header was present */
	uint8_t qr;             /* 0 query, 1 response */
	uint8_t opcode;
	uint16_t id;
	uint16_t rcode;         /* full 12-bit RCODE when an OPT RR is present */
	uint8_t has_question;   /* the first question was decoded */
	uint16_t qtype, qclass;
	uint8_t qname_len;      /* octets in qname (uncompressed wire form) */
	uint8_t qname[255];     /* first question name, wire form, as sent (case kept) */
};

struct dns_decoder; /* per-worker decoder state, opaque */

struct dns_decoder_ops {
	const char *name;   /* "ldns", "fast" */
	/** Make a per-worker instance. @return 0 or -errno. */
	int (*create)(struct dns_decoder **out);
	void (*destroy)(struct dns_decoder *dec);
	/**
	 * Decode wire[0..len) and append the DNS members to out, each written as
	 * ',"key":value' (so the caller places them after its own members).
	 * Writes what it could decode even when the message is malformed.
	 * @return DNS_OK or the reason the message is malformed; sum is filled
	 *         as far as the message could be read.
	 */
	enum dns_err (*render)(struct dns_decoder *dec, const uint8_t *wire, size_t len,
			       struct jbuf *out, struct dns_summary *sum);
};

extern const struct dns_decoder_ops dns_ldns_decoder;
extern const struct dns_decoder_ops dns_fast_decoder;

/** Find a decoder by name ("ldns"); NULL when unknown. */
const struct dns_decoder_ops *dns_decoder_find(const char *name);

/* ---- names shared by the decoders (dns/names.c) ----
 * Each dns_put_* writes a quoted JSON string. Unknown values follow RFC 3597
 * and the record schema: "TYPE65280", "CLASS32", "RCODE4000", "OPCODE9". */
void dns_put_type_name(struct jbuf *jb, uint16_t type);
void dns_put_class_name(struct jbuf *jb, uint16_t klass);
void dns_put_rcode_name(struct jbuf *jb, uint16_t rcode);
void dns_put_opcode_name(struct jbuf *jb, uint8_t opcode);
void dns_put_edns_option_name(struct jbuf *jb, uint16_t code);

/**
 * Write the header members shared by every decoder, from "id" through
 * "arcount": id, qr, opcode(+name), rcode(+name), flags, the four counts.
 * @param hdr    the 12 header bytes
 * @param rcode  the full RCODE to report (header bits merged with the OPT
 *               extended bits when an OPT RR is present)
 */
void dns_put_header(struct jbuf *jb, const uint8_t *hdr, uint16_t rcode);

/**
 * Write the "edns" member shared by every decoder (dns/names.c):
 * ',"edns":{"udp_size","version","do","z","options":[...]}', with "ecs"
 * after "options" when an ECS option decoded. Each option is decoded by
 * its type (docs/schema.json); one whose body does not fit its type is
 * written as code, name, "hex" and "malformed":true.
 * @param udp_size the OPT RR's CLASS
 * @param ttl      the OPT RR's TTL: extended RCODE, version, DO, Z
 * @param opts     its RDATA, n bytes (may be NULL when n is 0)
 * @return DNS_OK, or DNS_E_OPT when the option lengths do not add up or
 *         an option's body is malformed
 */
enum dns_err dns_put_edns(struct jbuf *out, uint16_t udp_size, uint32_t ttl,
			  const uint8_t *opts, size_t n);

#endif /* DR_DNS_H */
