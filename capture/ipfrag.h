/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipfrag.h: userspace IPv4/IPv6 fragment reassembly (prefix ipfrag_).
 *
 * One table per worker, used by that worker's thread only (no locks). The
 * worker hands it every frame pkt_decode() reported as PKT_FRAG; when the
 * last missing piece of a datagram arrives, ipfrag_add() returns a rebuilt
 * datagram that the worker feeds to pkt_decode_ip(). A datagram that never
 * completes yields nothing but a counter.
 *
 * Policy (Linux net/ipv4/inet_fragment.c inet_frag_queue_insert(),
 * ip_fragment.c ip_frag_queue(), ipv6/reassembly.c ip6_frag_queue(), as
 * they stand since the 2018 FragmentSmack/CVE-2018-5391 fixes):
 *  - key: IPv4 (src, dst, protocol, id); IPv6 (src, dst, id). The IPv6 key
 *    leaves out the next header, as Linux does: RFC 8200 4.5 lets it differ
 *    between fragments, and only the offset-0 fragment's value counts.
 *  - a fragment lying wholly inside bytes already received as one run (see
 *    ipfrag.c) is a duplicate: ignored, the datagram kept. Any other overlap
 *    discards the whole datagram (RFC 5722 for IPv6, Linux for both).
 *  - a last fragment (MF=0) ending before bytes already seen, or at another
 *    end than an earlier last fragment, and a non-last fragment reaching past
 *    a known end, discard the datagram; so does a fragment that is empty
 *    after rounding.
 *  - a non-last fragment whose end is not a multiple of 8: IPv4 rounds it
 *    down, IPv6 drops the fragment (RFC 8200 says parameter problem).
 *  - too big: IPv4 offset + length > 65515 (the rebuilt datagram, with its
 *    20-byte header, would pass 65535) discards the datagram; IPv6 offset +
 *    length > 65535 drops the fragment only.
 *  - the timeout runs from the datagram's first fragment and is not
 *    refreshed by later ones (Linux arms its timer once, at queue creation).
 *  - a fragment cut by the snap length can never be reassembled: the
 *    datagram is discarded and counted as truncated (Linux never sees one).
 * Departures: when full, the oldest datagram is evicted to make room (Linux
 * refuses new fragments above its memory threshold instead), and at most
 * IPFRAG_MAX_RUNS separate runs are kept per datagram (Linux has no such
 * cap; more means tiny fragments in scrambled order, an attack pattern).
 * Not done: Linux's IPv4 ipfrag_max_dist restart and its IPv6 check that the
 * first fragment holds the whole header chain (RFC 7112).
 *
 * Output: IPv4 gets the offset-0 fragment's first 20 header bytes with
 * IHL 5 (options dropped), total length set, flags/offset cleared and a fresh
 * checksum. IPv6 gets the offset-0 fragment's fixed 40-byte header with the
 * payload length set and next header = the fragment header's next header:
 * extension headers before the fragment header (hop-by-hop, routing) are
 * dropped, which costs nothing for DNS. Then the reassembled payload.
 *
 * Memory (all allocated by ipfrag_create, nothing after):
 *   max_datagrams * (sizeof(slot) + sizeof(struct ixp_link)) (476 + 24 bytes
 *     on x86-64)
 *   + max_bytes (payload pool in IPFRAG_CHUNK-byte chunks; a chunk belongs
 *     to one datagram, so up to 2 chunks per run are partly empty)
 *   + 4 * 2 * max_datagrams (hash buckets) + 2 * max_bytes / IPFRAG_CHUNK
 *   + 65575 (output buffer).
 * Defaults: 1024 datagrams, 4 MiB: about 4.6 MiB per table.
 */
#ifndef DR_IPFRAG_H
#define DR_IPFRAG_H

#include <stdint.h>

#include "capture/pkt.h"
#include "src/common.h"

#define IPFRAG_CHUNK 1024u      /* pool granularity, bytes */
#define IPFRAG_MAX_RUNS 64u     /* separate runs of bytes per datagram */

struct ipfrag_table;

/* Zero fields take the defaults. */
struct ipfrag_limits {
	uint32_t max_datagrams;   /* in progress at once; default 1024 */
	uint32_t max_bytes;       /* payload pool; default 4 MiB, min 64 KiB, max 64 MiB */
	uint64_t timeout_ns;      /* from the first fragment, packet time; default 30 s */
};

/*
 * Written by the owning thread only (dr_ctr_add), readable by any thread.
 * Every fragment passed in counts in `fragments`; one that is dropped also
 * counts once under its reason (duplicates, too_big, bad, truncated,
 * overlap_dropped, or evicted for -ENOBUFS). Datagrams count in
 * reassembled, timed_out, evicted, overlap_dropped and truncated.
 */
struct ipfrag_stats {
	dr_ctr fragments;       /* fragments passed to ipfrag_add */
	dr_ctr reassembled;     /* datagrams completed and returned */
	dr_ctr timed_out;       /* datagrams discarded incomplete at timeout */
	dr_ctr evicted;         /* datagrams discarded to make room */
	dr_ctr overlap_dropped; /* datagrams discarded for an overlap */
	dr_ctr duplicates;      /* fragments ignored as duplicates */
	dr_ctr too_big;         /* fragments past 65535 */
	dr_ctr truncated;       /* datagrams discarded: a fragment cut by snaplen */
	dr_ctr bad;             /* inconsistent ends, empty, unaligned, too many runs */
};

/**
 * Allocate a table and everything it will ever use.
 * @param lim NULL for all defaults.
 * @return 0, -EINVAL for limits out of range, -ENOMEM.
 */
int ipfrag_create(struct ipfrag_table **out, const struct ipfrag_limits *lim);

void ipfrag_destroy(struct ipfrag_table *t);

/**
 * Add one fragment (pi as filled by pkt_decode for PKT_FRAG; pi->l3 must
 * still point at its IP header). Expires timed-out datagrams first.
 * @param now_ns the fragment's capture time (packet time, not wall clock).
 * @param dgram, len set when 1 is returned: the complete IP datagram, in a
 *        table buffer valid until the next call on this table.
 * @return 1 complete, 0 held, negative when the fragment was dropped and
 *         counted: -EALREADY duplicate, -EPROTO overlap or inconsistent,
 *         -EMSGSIZE too big, -ENODATA truncated capture, -ENOBUFS no room
 *         even after evicting, -EINVAL not a usable fragment.
 */
int ipfrag_add(struct ipfrag_table *t, const struct pkt_info *pi, uint64_t now_ns,
	       const uint8_t **dgram, uint32_t *len);

/**
 * Discard datagrams whose timeout has passed at now_ns (counted as
 * timed_out). ipfrag_add does this itself; call it when fragments stop
 * coming, and with UINT64_MAX at end of input to count what is left.
 */
void ipfrag_expire(struct ipfrag_table *t, uint64_t now_ns);

/** Counters; the pointer stays valid until ipfrag_destroy. */
const struct ipfrag_stats *ipfrag_stats(const struct ipfrag_table *t);

/** Datagrams in progress and pool bytes held (owner thread only; for tests). */
void ipfrag_usage(const struct ipfrag_table *t, uint32_t *datagrams, uint32_t *bytes);

#endif /* DR_IPFRAG_H */
