/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter.h: which DNS messages become records (prefix filter_).
 *
 * The filters users ask for, parsed once from the command line into a
 * struct dr_filter embedded in the options, read-only afterwards and shared
 * by every worker (no locks: nobody writes it once the pipeline runs):
 *   --only queries|responses     the QR bit
 *   --qtype A,AAAA,TYPE65280,28  the first question's type
 *   --rcode NXDOMAIN,SERVFAIL    responses with one of these RCODEs (the
 *                                full 12-bit value with EDNS); queries never
 *   --qname-suffix example.com   the first question's name ends in one of
 *   --exclude-suffix ads.example these, on label boundaries, ignoring ASCII
 *                                case: "example.com" matches "a.example.com."
 *                                and "example.com." but not "badexample.com."
 *   --sample N                   1 flow in N, by the symmetric flow hash
 * Several filters must all agree (AND); the values within one are a list
 * (OR), and giving an option twice extends its list.
 *
 * Two stages, both in src/worker.c, both behind one pointer that is NULL
 * when no filter is set (the unfiltered path pays one predicted branch):
 *   - filter_flow_keep() before decoding: --sample needs only the addresses
 *     and ports, so a sampled-out message costs no decoding at all;
 *   - filter_keep() after decoding, on the decoder's dns_summary: the record
 *     was rendered into the batch and is simply not committed (the batch
 *     length is not advanced), so a rejected message costs its decoding but
 *     no copy, and the output never sees it.
 * Query/response matching runs on every decoded message before
 * filter_keep(), so a response kept by --rcode NXDOMAIN still gets its
 * rtt_us from a query that --rcode left out.
 *
 * A message that lacks what a filter looks at (no header, no question)
 * fails the filters that select (--only, --qtype, --rcode, --qname-suffix)
 * and passes --exclude-suffix.
 */
#ifndef DR_FILTER_H
#define DR_FILTER_H

#include <stdint.h>

#include "capture/pkt.h"
#include "dns/dns.h"

#define FILTER_MAX_SUFFIXES 256   /* names per list */
#define FILTER_SUFFIX_POOL 16384  /* bytes of wire-form names per list */

enum filter_only {
	FILTER_ONLY_ALL = 0,
	FILTER_ONLY_QUERIES,
	FILTER_ONLY_RESPONSES,
};

/* Names in lower-case wire form, back to back in pool. Private. */
struct filter_names {
	uint16_t n;
	uint16_t used;                         /* bytes of pool in use */
	uint16_t off[FILTER_MAX_SUFFIXES];
	uint8_t len[FILTER_MAX_SUFFIXES];      /* wire length, root label included */
	uint8_t pool[FILTER_SUFFIX_POOL];
};

/* Filled by the filter_parse_* calls (src/cli.c); all zero = no filter. */
struct dr_filter {
	uint8_t active;        /* public, read-only: any filter set */
	uint8_t only;          /* enum filter_only */
	uint8_t has_qtype, has_rcode;
	uint32_t sample;       /* keep 1 flow in sample; 0 or 1: every flow */
	uint64_t qtype[65536 / 64];
	uint64_t rcode[4096 / 64];
	struct filter_names incl, excl;
};

/*
 * Parsers for the option values. Each prints one line naming the option
 * and the value on error.
 * @return 0, or -EINVAL (bad value) / -ENOSPC (too many names).
 */
int filter_parse_only(struct dr_filter *f, const char *arg);
/** Comma-separated type mnemonics (as records print them), TYPEnnn or numbers. */
int filter_parse_qtype(struct dr_filter *f, const char *arg);
/** Comma-separated RCODE mnemonics, RCODEnnn or numbers 0..4095. */
int filter_parse_rcode(struct dr_filter *f, const char *arg);
/** Comma-separated domain names; exclude selects the --exclude-suffix list. */
int filter_parse_suffixes(struct dr_filter *f, const char *arg, int exclude);
int filter_parse_sample(struct dr_filter *f, const char *arg);

/**
 * Stage 1, before decoding: does --sample keep this message's flow?
 * The same flow in both directions gives the same answer.
 */
static inline int filter_flow_keep(const struct dr_filter *f, const struct pkt_info *pi)
{
	uint32_t h;

	if (f->sample <= 1)
		return 1;
	/* pkt_flow_hash also picks the worker (hash % workers); mixing it
	 * again keeps the sample independent of which worker a flow is on. */
	h = pkt_flow_hash(pi) ^ 0x9e3779b9u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h % f->sample == 0;
}

/** Stage 2, after decoding: do the other filters keep this message? */
int filter_keep(const struct dr_filter *f, const struct dns_summary *sum);

/**
 * Does the wire-form name (len octets, root label included) end in one of
 * the names of the list, on a label boundary, ignoring ASCII case?
 * (Exposed for the unit test.)
 */
int filter_suffix_match(const struct filter_names *l, const uint8_t *name, unsigned len);

#endif /* DR_FILTER_H */
