/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * worker.h: the per-thread parser (prefix worker_).
 *
 * A worker takes arrays of packet views (capture/block.h) from whichever
 * capture source drives its thread, decodes L2-L4, selects DNS, decodes
 * the message and appends the record to its current output batch. Nothing
 * here is shared between workers: decoder state, batch, timestamp cache and
 * counters are all the worker's own, so workers never lock.
 */
#ifndef DR_WORKER_H
#define DR_WORKER_H

#include "capture/ipfrag.h"
#include "capture/pkt.h"
#include "capture/tcpreasm.h"
#include "dns/dns.h"
#include "dns/match.h"
#include "output/json.h"
#include "output/writer.h"
#include "src/common.h"
#include "src/opts.h"

/* Counters: written by the worker thread only (see dr_ctr). */
struct worker_stats {
	dr_ctr pkts;                    /* frames handed to the worker */
	dr_ctr pkt_bytes;               /* their wire bytes */
	dr_ctr pkt_status[PKT__MAX];    /* frames by L2-L4 outcome (PKT_OK unused) */
	dr_ctr not_dns_port;            /* UDP/TCP on other ports */
	dr_ctr udp_empty;               /* UDP datagram on a DNS port with no payload */
	dr_ctr dns_msgs;                /* DNS messages decoded (records formed) */
	dr_ctr queries, responses;
	dr_ctr malformed[DNS_E__MAX];   /* by reason; [DNS_OK] unused */
	dr_ctr records;                 /* records handed to the writer */
	dr_ctr record_too_large;        /* records cut to a stub: larger than a batch */
	dr_ctr filtered_out;            /* decoded, then left out by a filter (src/filter.h) */
	dr_ctr sampled_out;             /* left out by --sample before decoding (not in dns_msgs) */
	dr_ctr unanswered_records;      /* --unanswered: queries logged without response */
};

struct worker {
	unsigned index;
	const struct dr_opts *opts;
	const char *iface;              /* for records; NULL for file input */
	struct writer *wr;
	const struct dns_decoder_ops *ops;
	struct dns_decoder *dec;
	struct match_table *match;      /* NULL with --no-match */
	struct ipfrag_table *frag;      /* IP fragment reassembly */
	struct tcpr_table *tcp;         /* DNS-over-TCP stream reassembly */
	struct dr_batch *batch;         /* current batch, NULL until the first record */
	const struct dr_filter *filter; /* NULL when no filter is set (the common case) */
	struct jb_tscache tsc;
	struct worker_stats st;
};

/** @return 0 or -errno. */
int worker_init(struct worker *w, unsigned index, const struct dr_opts *opts,
		const struct dns_decoder_ops *ops, struct writer *wr);
void worker_fini(struct worker *w);

/** Process n packets; the views may be released when this returns. */
void worker_process(struct worker *w, const struct dr_pkt *pkts, unsigned n);

/** Hand the current partial batch to the writer (idle source, flush timer). */
void worker_flush(struct worker *w);

/* Queries in flight per worker, at most (match table: about 48 bytes each). */
#define WORKER_MATCH_CAPACITY 65536
/* --unanswered: bytes per worker to keep pending queries (~110 each). */
#define WORKER_UNANSWERED_RING (8u << 20)

/** Submit the final batch; the worker must not produce records after this. */
void worker_finish(struct worker *w);

#endif /* DR_WORKER_H */
