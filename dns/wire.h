/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wire.h: bounds-checked reading of DNS wire format (prefix dnsw_).
 *
 * A struct dnsw is a cursor over one whole message (Knot's wire_ctx): every
 * read checks the bytes left, and the first failure sets a sticky error and
 * makes every later read return 0 without moving, so a parser reads a run
 * of fixed fields and checks the error once. The error is the caller's
 * reason (a question cut short is question_past_end, an RR header cut short
 * rr_past_end), given to dnsw_need().
 *
 * dnsw_name() follows one possibly compressed name. Its acceptance rules
 * are ldns 1.8.3's (ldns_wire2dname), so the fast decoder accepts exactly
 * the messages the reference decoder does, with two deliberate limits:
 *  - at most DNSW_MAX_HOPS compression pointers per name. ldns allows
 *    65535, so a crafted chain of pointers could cost 65535 steps per name;
 *    a real compressor never emits more pointers than a name has labels
 *    (at most 127), so 128 loses nothing;
 *  - a pointer loop is reported as a loop even when, as usually happens,
 *    the labels on the loop push the name past 255 octets first.
 * Everything else is as ldns has it: a pointer to offset 0 or outside the
 * message is a bad pointer, forward pointers are allowed, labels of 64..191
 * (the 0x40 and 0x80 label types) are refused, and the uncompressed name
 * including its root label must fit 255 octets.
 *
 * Everything is inline: these run several times per RR on the fast path.
 */
#ifndef DR_DNS_WIRE_H
#define DR_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/dns.h"

#define DNSW_HDR_LEN   12
#define DNSW_MAX_NAME  255 /* octets, uncompressed, root label included */
#define DNSW_MAX_LABEL 63
#define DNSW_MAX_HOPS  128 /* compression pointers followed per name */

struct dnsw {
	const uint8_t *msg; /* the whole message: pointers are offsets into it */
	size_t len;         /* bytes at msg */
	size_t pos;         /* next byte to read */
	enum dns_err err;   /* sticky: the first failure, DNS_OK until then */
};

static inline void dnsw_init(struct dnsw *c, const uint8_t *msg, size_t len)
{
	c->msg = msg;
	c->len = len;
	c->pos = 0;
	c->err = DNS_OK;
}

static inline uint16_t dnsw_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dnsw_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline size_t dnsw_left(const struct dnsw *c)
{
	return c->len - c->pos;
}

/* Record err as the cursor's error unless it already has one. */
static inline void dnsw_fail(struct dnsw *c, enum dns_err err)
{
	if (c->err == DNS_OK)
		c->err = err;
}

/**
 * Check that n more bytes can be read.
 * @return 1 if so; 0 (and err recorded) if not, or if an error is already set.
 */
static inline int dnsw_need(struct dnsw *c, size_t n, enum dns_err err)
{
	if (__builtin_expect(c->err != DNS_OK, 0))
		return 0;
	if (__builtin_expect(dnsw_left(c) < n, 0)) {
		c->err = err;
		return 0;
	}
	return 1;
}

/* The readers below return 0 once the cursor has failed. They do not check
 * the length themselves: call dnsw_need() for the whole run first. */
static inline uint16_t dnsw_u16(struct dnsw *c)
{
	uint16_t v;

	if (c->err != DNS_OK)
		return 0;
	v = dnsw_rd16(c->msg + c->pos);
	c->pos += 2;
	return v;
}

static inline uint32_t dnsw_u32(struct dnsw *c)
{
	uint32_t v;

	if (c->err != DNS_OK)
		return 0;
	v = dnsw_rd32(c->msg + c->pos);
	c->pos += 4;
	return v;
}

static inline void dnsw_skip(struct dnsw *c, size_t n)
{
	if (c->err == DNS_OK)
		c->pos += n;
}

/*
 * The slow half of dnsw_name(), run only for a name already known to be
 * bad: was it a loop? A name that does not loop visits each message offset
 * at most once, so more than len steps, or more than DNSW_MAX_HOPS
 * pointers, mean a loop; a walk that ends means the name was just long.
 * Any other problem found on the way is reported as the first_err would.
 */
static inline enum dns_err dnsw__classify(const uint8_t *msg, size_t len,
					  size_t p, unsigned hops,
					  enum dns_err found)
{
	for (size_t steps = 0; steps <= len; steps++) {
		uint8_t c;

		if (p >= len)
			return found;
		c = msg[p];
		if (c >= 0xc0) {
			if (len - p < 2)
				return found;
			if (++hops > DNSW_MAX_HOPS)
				return DNS_E_NAME_LOOP;
			p = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			if (p == 0 || p >= len)
				return found;
			continue;
		}
		if (c == 0 || c > DNSW_MAX_LABEL || len - p - 1 < c)
			return found;
		p += 1 + (size_t)c;
	}
	return DNS_E_NAME_LOOP;
}

/**
 * Read the name at the cursor, following compression pointers, and leave
 * the cursor after it (after the first pointer, if any).
 * @param out     NULL to only check the name, else room for 255 octets:
 *                the uncompressed wire form, root label included
 * @param out_len its length (1..255) when out is not NULL
 * @return DNS_OK or the reason (also recorded in the cursor). On failure
 *         the cursor does not move and out holds garbage.
 */
static inline enum dns_err dnsw_name(struct dnsw *c, uint8_t *out,
				     size_t *out_len)
{
	const uint8_t *msg = c->msg;
	size_t len = c->len, p = c->pos, next = 0, total = 0;
	unsigned hops = 0;
	enum dns_err err;

	if (c->err != DNS_OK)
		return c->err;
	for (;;) {
		uint8_t l;

		if (__builtin_expect(p >= len, 0)) {
			err = DNS_E_NAME_PAST_END;
			goto fail;
		}
		l = msg[p];
		if (l == 0)
			break;
		if (l <= DNSW_MAX_LABEL) {
			if (__builtin_expect(len - p - 1 < l, 0)) {
				err = DNS_E_NAME_PAST_END;
				goto fail;
			}
			/* 254: the root label needs the last octet */
			if (__builtin_expect(total + 1 + l > DNSW_MAX_NAME - 1, 0)) {
				err = dnsw__classify(msg, len, p, hops,
						     DNS_E_NAME_TOO_LONG);
				goto fail;
			}
			if (out)
				memcpy(out + total, msg + p, 1 + (size_t)l);
			total += 1 + (size_t)l;
			p += 1 + (size_t)l;
			continue;
		}
		if (__builtin_expect(l < 0xc0, 0)) {
			err = DNS_E_NAME_LABEL_TYPE;
			goto fail;
		}
		if (__builtin_expect(len - p < 2, 0)) {
			err = DNS_E_NAME_PAST_END;
			goto fail;
		}
		if (__builtin_expect(++hops > DNSW_MAX_HOPS, 0)) {
			err = DNS_E_NAME_LOOP;
			goto fail;
		}
		if (next == 0)
			next = p + 2;
		p = (size_t)(l & 0x3f) << 8 | msg[p + 1];
		if (__builtin_expect(p == 0 || p >= len, 0)) {
			err = DNS_E_NAME_BAD_POINTER;
			goto fail;
		}
	}
	if (out) {
		out[total] = 0;
		*out_len = total + 1;
	}
	c->pos = next ? next : p + 1;
	return DNS_OK;
fail:
	c->err = err;
	return err;
}

#endif /* DR_DNS_WIRE_H */
