/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpreasm.h: DNS-over-TCP stream reassembly (prefix tcpr_).
 *
 * One table per worker, used by that worker's thread only (no locks). Each
 * direction of a connection, keyed by (IP version, src, sport, dst, dport),
 * is its own byte stream of DNS messages, each preceded by a 2-byte length
 * (RFC 1035 4.2.2, RFC 7766). tcpr_add() takes every TCP segment on a DNS
 * port and calls back once per complete message, in stream order.
 *
 * What it copes with: several messages in one segment; one message, or its
 * length prefix, split over segments; out-of-order segments (held in a
 * window of TCPR_WINDOW bytes past the first undelivered one, delivered when
 * the hole fills); retransmissions and overlaps (bytes already delivered or
 * held are ignored, the first copy wins); a capture cut short by the snap
 * length (the missing bytes are a gap, see below).
 *
 * Joining mid-stream (no SYN seen): the first byte of a segment is taken as
 * a message start when its length prefix L >= 12 and, as far as the segment
 * shows them, the DNS headers are sane: QDCOUNT <= 1 (true of nearly all
 * DNS traffic, including every message of a zone transfer), an assigned
 * opcode (0-2, 4-6), the Z bit clear, and 12 + 5*QD + 11*(AN+NS+AR) <= L
 * (the smallest question and record sizes); further messages in the same
 * segment must pass too. A segment that shows less than a whole header
 * (under 14 bytes) syncs on probation: the header is checked when it
 * arrives, and a failure drops back to unsynchronised. Segments that do not
 * pass are skipped and counted; every later segment start is tried again.
 * With a SYN the ISN gives the first boundary and nothing is second-guessed.
 *
 * Gaps: when bytes are known to be lost (cut by the snap length, or the
 * window/pool full while a hole stays open), the message in progress is
 * abandoned. If its length prefix was seen, the stream skips to its end and
 * stays in sync; otherwise it goes on at the held segment after the loss if
 * that passes the check above, or resynchronises on later segments. FIN
 * frees the stream once every byte before the FIN is in; RST frees both
 * directions at once; idle streams time out. A freed stream holding bytes (a
 * partial message, data after a hole) counts a gap. A stream closed by
 * FIN/RST leaves a tombstone for 5 s (reused first when the table is full,
 * not counted as evicted) so that a retransmitted last segment is not taken
 * for a new stream and its message logged twice.
 *
 * multi_segment: 0 when the message, prefix included, lies in the segment
 * being added (it is then handed out in place), or in one held out-of-order
 * segment; else 1. Held segments that touch are merged when more than
 * TCPR_MAX_PIECES runs would be held, and a merged run counts as several.
 *
 * Memory (all allocated by tcpr_create, nothing after):
 *   max_streams * (sizeof(stream) + sizeof(struct ixp_link)) (424 + 24 bytes
 *     on x86-64)
 *   + max_bytes (pool of TCPR_CHUNK-byte chunks; a stream holds at most
 *     TCPR_WINDOW / TCPR_CHUNK + 2 = 66 of them, about 132 KiB)
 *   + 4 * 2 * max_streams (hash buckets) + 2 * max_bytes / TCPR_CHUNK
 *   + 65535 (reassembly scratch).
 * Defaults: 4096 streams, 8 MiB: about 10 MiB per table.
 */
#ifndef DR_TCPREASM_H
#define DR_TCPREASM_H

#include <stdint.h>

#include "capture/pkt.h"
#include "capture/tcpwin.h"
#include "src/common.h"

#define TCPR_WINDOW TCPW_SPAN         /* bytes held per stream, past the next undelivered */
#define TCPR_CHUNK TCPW_CHUNK         /* pool granularity */
#define TCPR_MAX_PIECES TCPW_MAX_PIECES /* separate runs of held bytes per stream */

struct tcpr_table;

/* Zero fields take the defaults. */
struct tcpr_limits {
	uint32_t max_streams;     /* directions tracked at once; default 4096 */
	uint32_t max_bytes;       /* pool shared by all streams; default 8 MiB,
	                           * min 2 * TCPR_WINDOW, max 128 MiB - 4 KiB */
	uint64_t timeout_ns;      /* idle timeout, packet time; default 60 s */
};

/* Written by the owning thread only (dr_ctr_add), readable by any thread. */
struct tcpr_stats {
	dr_ctr segments;               /* segments passed to tcpr_add */
	dr_ctr streams;                /* stream states created */
	dr_ctr messages;               /* messages delivered */
	dr_ctr multi_segment_messages; /* of which spanned segments */
	dr_ctr out_of_order;           /* segments held behind a hole */
	dr_ctr retransmitted_bytes;    /* bytes already delivered or held */
	dr_ctr resyncs;                /* mid-stream syncs on a plausible prefix */
	dr_ctr skipped_bytes;          /* bytes dropped while not in sync */
	dr_ctr evicted;                /* streams dropped to make room */
	dr_ctr timed_out;              /* streams dropped idle */
	dr_ctr gaps;                   /* bytes lost mid-stream, or freed holding some */
};

/**
 * Called once per complete DNS message, in stream order.
 * @param msg the message without its length prefix, valid during the call
 *        only; it points into the segment's payload when the message came
 *        whole in that segment. Must not call tcpr_add on the same table.
 * @param multi_segment 1 when the message (or its prefix) spanned segments.
 * @param ts_ns time of the segment that completed it.
 */
typedef void (*tcpr_msg_fn)(void *arg, const uint8_t *msg, uint32_t len, int multi_segment,
			    uint64_t ts_ns);

/**
 * Allocate a table and everything it will ever use.
 * @param lim NULL for all defaults.
 * @return 0, -EINVAL for limits out of range, -ENOMEM.
 */
int tcpr_create(struct tcpr_table **out, const struct tcpr_limits *lim);

void tcpr_destroy(struct tcpr_table *t);

/**
 * Add one TCP segment (pi as filled by pkt_decode: PKT_OK, l4proto 6).
 * Segments without payload and without SYN/FIN/RST return at once.
 * Expires idle streams first.
 * @param now_ns the segment's capture time (packet time).
 * @return 0, or -EINVAL when pi is not a TCP segment.
 */
int tcpr_add(struct tcpr_table *t, const struct pkt_info *pi, uint64_t now_ns,
	     tcpr_msg_fn fn, void *arg);

/**
 * Drop streams idle since before now_ns - timeout (counted as timed_out).
 * tcpr_add does this itself; UINT64_MAX at end of input drops them all.
 */
void tcpr_expire(struct tcpr_table *t, uint64_t now_ns);

/** Counters; the pointer stays valid until tcpr_destroy. */
const struct tcpr_stats *tcpr_stats(const struct tcpr_table *t);

/** Streams tracked and pool bytes held (owner thread only; for tests). */
void tcpr_usage(const struct tcpr_table *t, uint32_t *streams, uint32_t *bytes);

#endif /* DR_TCPREASM_H */
