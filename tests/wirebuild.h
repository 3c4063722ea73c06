/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wirebuild.h: DNS messages built byte by byte for the decoder unit tests
 * (prefix w_), tests/test_fast.c and tests/test_ldns_dec.c, and the JSON
 * text both decoders write for them.
 *
 * The writers append at w->n and nothing checks that the result is a
 * well-formed message: the tests need pointer loops, counts that lie and
 * RDLENGTHs past the end as much as valid messages, so the writers return
 * offsets for a test to point at or patch. What they do check is the
 * buffer: a write past it fails the running cmocka test, so the writers
 * may only be called from inside one.
 */
#ifndef DR_TESTS_WIREBUILD_H
#define DR_TESTS_WIREBUILD_H

#include <stddef.h>
#include <stdint.h>

/* A message being built: b[0..n). */
struct wire {
	uint8_t b[4096];
	size_t n;
};

void w_u8(struct wire *w, unsigned v);
/** Big-endian, as on the wire. */
void w_u16(struct wire *w, unsigned v);
void w_u32(struct wire *w, uint32_t v);
void w_raw(struct wire *w, const void *p, size_t n);

/** Start a new message (w->n = 0) with this 12-octet header. */
void w_header(struct wire *w, unsigned id, unsigned flags, unsigned qd,
	      unsigned an, unsigned ns, unsigned ar);

/**
 * The labels of a dotted name without the root label, so that a pointer
 * (w_ptr) can end the name. No escapes: "a.b" is two labels.
 * @return the offset of the first label, for a later pointer to it
 */
size_t w_labels(struct wire *w, const char *dotted);

/** A whole uncompressed name ("" is the root); returns its offset. */
size_t w_name(struct wire *w, const char *dotted);

/** A compression pointer to offset off (below 0x4000). */
void w_ptr(struct wire *w, size_t off);

/** A question entry: uncompressed name, QTYPE, QCLASS. */
void w_question(struct wire *w, const char *name, unsigned type,
		unsigned klass);

/**
 * TYPE, CLASS and TTL of an RR (its owner name written before) and an
 * RDLENGTH of 0 for w_rdend() to set once the RDATA is written.
 * @return the offset of RDLENGTH
 */
size_t w_rr(struct wire *w, unsigned type, unsigned klass, uint32_t ttl);

/** Set the RDLENGTH at at (from w_rr) to what was written after it. */
void w_rdend(struct wire *w, size_t at);

/** One EDNS option: OPTION-CODE, OPTION-LENGTH len, then data. */
void w_option(struct wire *w, unsigned code, const void *data, size_t len);

/**
 * A whole OPT RR (root owner, type 41) whose RDATA is opts[0..n) as given,
 * well-formed options (w_option) or not.
 * @param ttl  extended RCODE, version, DO and Z, as in RFC 6891 6.1.3
 */
void w_opt(struct wire *w, unsigned udp_size, uint32_t ttl, const void *opts,
	   size_t n);

/**
 * Expected JSON is written with ' for " so that it stays readable (none
 * of it holds a real '): this turns want into the real text in buf,
 * NUL-terminated.
 * @return its length
 */
size_t w_json(char *buf, size_t cap, const char *want);

/* ---- JSON both decoders write (with ' for ", see w_json) ---- */

/* The header of a NOERROR QUERY with only RD set. */
#define W_HDR_QUERY_RD(id, qd, an, ns, ar) \
	",'id':" #id ",'qr':'query','opcode':0,'opcode_name':'QUERY','rcode':0," \
	"'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,'rd':true," \
	"'ra':false,'z':false,'ad':false,'cd':false},'qdcount':" #qd \
	",'ancount':" #an ",'nscount':" #ns ",'arcount':" #ar

/* The header of a NOERROR response with RD and RA set (flags 0x8180). */
#define W_HDR_RESPONSE(id, qd, an, ns, ar) \
	",'id':" #id ",'qr':'response','opcode':0,'opcode_name':'QUERY'," \
	"'rcode':0,'rcode_name':'NOERROR','flags':{'aa':false,'tc':false," \
	"'rd':true,'ra':true,'z':false,'ad':false,'cd':false},'qdcount':" #qd \
	",'ancount':" #an ",'nscount':" #ns ",'arcount':" #ar

/* w_question(w, "example.org", 1, 1) */
#define W_Q_EXAMPLE_ORG_A \
	",'queries':[{'name':'example.org.','type':1,'type_name':'A'," \
	"'class':1,'class_name':'IN'}]"

#endif /* DR_TESTS_WIREBUILD_H */
