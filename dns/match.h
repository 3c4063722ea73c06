/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * match.h: query/response matching per worker (prefix match_).
 *
 * A query is remembered under a 64-bit hash of (client address and port,
 * server address and port, transport, id, question name (case-folded),
 * type and class) with its capture time; a response computes the same key
 * with the endpoints swapped, and a hit gives the response its rtt_us. The
 * workers' symmetric flow hash sends both directions of a flow to one
 * worker, so the table needs no locks.
 *
 * Bounded: a fixed open-addressing table (capacity slots, linear probing,
 * backward-shift deletion) and a FIFO of insertions in time order, both
 * allocated at create(). Queries older than the timeout are expired from
 * the FIFO head (counted as unanswered); when the table is full the oldest
 * query is evicted (counted). Time is packet time, so file input behaves
 * as live capture does.
 *
 * A 64-bit hash can collide: the chance that some response is matched with
 * the wrong query is about n^2 / 2^64 for n queries in flight, negligible.
 */
#ifndef DR_MATCH_H
#define DR_MATCH_H

#include <stdint.h>

#include "capture/pkt.h"
#include "dns/dns.h"
#include "src/common.h"

struct match_stats {
	dr_ctr queries;      /* queries remembered */
	dr_ctr duplicates;   /* a query already in flight (retransmission): first kept */
	dr_ctr matched;      /* responses that found their query */
	dr_ctr unmatched;    /* responses without a query seen (one-way tap, other worker, expired) */
	dr_ctr unanswered;   /* queries expired without a response */
	dr_ctr evicted;      /* queries pushed out because the table was full */
};

struct match_table;

/*
 * A remembered query kept whole for --unanswered: its envelope and wire
 * bytes, so a query that never got a response can still be logged.
 */
struct match_pending {
	uint64_t ts_ns;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t ip_version, transport, nvlan;
	uint8_t ip_defragmented, tcp_reassembled;
	uint16_t vlan[PKT_MAX_VLAN];
	uint32_t len;     /* wire bytes that follow */
	uint8_t wire[];
};

/** Called for each query that expires (or is flushed) unanswered. */
typedef void (*match_unanswered_fn)(void *arg, const struct match_pending *q);

/* Queries larger than this are matched but not kept for --unanswered. */
#define MATCH_KEEP_MAX 4096u

/**
 * @param capacity  queries in flight at most (rounded up to a power of two)
 * @param timeout_ns how long a query waits for its response
 * @return 0 or -ENOMEM
 */
int match_create(struct match_table **out, uint32_t capacity, uint64_t timeout_ns);
void match_destroy(struct match_table *t);

/**
 * Keep every remembered query (envelope + wire bytes, in a byte ring of
 * ring_bytes allocated here) and call fn for each one that expires or is
 * flushed without a response. When the ring is full the oldest query is
 * evicted (counted) to make room. @return 0 or -ENOMEM.
 */
int match_keep_queries(struct match_table *t, uint32_t ring_bytes, match_unanswered_fn fn,
		       void *arg);

/**
 * Offer a decoded message. A query is remembered; a response looks up its
 * query and, when found, forgets it and returns the round-trip time.
 * @param pi   addresses and ports as captured
 * @param sum  the decoder's summary (qr, id, question)
 * @return rtt in microseconds (>= 0), or -1 when there is nothing to report
 */
int64_t match_offer(struct match_table *t, const struct pkt_info *pi, uint8_t transport,
		    const struct dns_summary *sum, uint64_t ts_ns);

/**
 * As match_offer, also giving the query's wire bytes and reassembly flags
 * to keep when match_keep_queries() is on.
 */
int64_t match_offer_msg(struct match_table *t, const struct pkt_info *pi, uint8_t transport,
			const struct dns_summary *sum, uint64_t ts_ns, const uint8_t *wire,
			uint32_t len, uint8_t ip_defragmented, uint8_t tcp_reassembled);

/**
 * Expire queries older than the timeout at time now_ns (packet time).
 * match_offer does not expire by itself: the caller calls this between
 * records, so an unanswered-query callback never runs inside another
 * record's formatting.
 */
void match_expire(struct match_table *t, uint64_t now_ns);

/** Count every query still waiting as unanswered (end of input). */
void match_flush(struct match_table *t);

const struct match_stats *match_stats(const struct match_table *t);

#endif /* DR_MATCH_H */
