/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdtext.h: RDATA fields in ldns 1.8.3's presentation format, written
 * straight into JSON (prefix rdt_), for the fast decoder (dns/fast.c).
 *
 * ldns prints a field into an ldns_buffer (host2str.c), one printf per
 * character, and the reference decoder JSON-escapes that text. These
 * functions produce the same bytes directly: ldns's text, already escaped
 * for a JSON string (the backslash of ldns's \DDD written as \\, its
 * quotes as \"). tests/test_equal.c checks them against ldns over whole
 * captures and mutated messages, tests/test_fast.c on crafted fields.
 *
 * Where ldns's output is irregular (fields it refuses to print, SvcParam
 * keys past the common ones, ...) rdt_field() declines with RDT_LDNS and
 * the caller lets ldns print that field: exactness first, speed for the
 * fields real traffic is made of.
 */
#ifndef DR_DNS_RDTEXT_H
#define DR_DNS_RDTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "output/json.h"

enum rdt_result {
	RDT_OK,   /* written */
	RDT_LDNS, /* let ldns print it; output may be partly written: rewind */
};

/** Room for n bytes at jb->p, or NULL after setting the sticky overflow. */
static inline char *rdt_reserve(struct jbuf *jb, size_t n)
{
	if (__builtin_expect(jb_room(jb) < n, 0)) {
		jb->overflow = 1;
		jb->p = jb->end;
		return NULL;
	}
	return jb->p;
}

/** Decimal, at most 10 characters at d. @return the end. */
char *rdt_dec(char *d, uint32_t v);

/** Decimal into out. */
void rdt_u32(struct jbuf *out, uint32_t v);

/** Dotted quad: 15 characters at most, but needs 16 bytes of room at d.
 * @return the end. */
char *rdt_ip4(char *d, const uint8_t *a);

/** IPv6 text exactly as glibc's inet_ntop, at most 45 characters. */
char *rdt_ip6(char *d, const uint8_t *a);

/** Lower-case hex of n bytes, no quotes (ldns_rdf2buffer_str_hex). */
void rdt_hex(struct jbuf *out, const uint8_t *s, size_t n);

/**
 * The n octets of one name label as ldns_rdf2buffer_str_dname prints
 * them (\. \; \( \) \\ and \DDD escapes), as JSON: at most 5 * n
 * characters at d. @return the end.
 */
char *rdt_label(char *d, const uint8_t *s, size_t n);

/**
 * One RDATA field that is not a name, as ldns_wire2rdf cut it.
 * @param ft an ldns_rdf_type
 * @param s  its n bytes (for length-prefixed types, the prefix included)
 * @return RDT_OK, or RDT_LDNS when ldns should print this field instead.
 */
enum rdt_result rdt_field(struct jbuf *out, int ft, const uint8_t *s, size_t n);

/** Wire size of a non-name RDATA field of ldns type ft (an ldns_rdf_type)
 * at w[p..end); SIZE_MAX when its length prefix is cut. */
size_t rdt_field_size(const uint8_t *w, size_t p, size_t end, int ft);

#endif /* DR_DNS_RDTEXT_H */
