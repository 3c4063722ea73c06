/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * block.h: the one packet-batch abstraction every worker consumes.
 *
 * A live TPACKET_V3 block and a batch of packets read from a capture file
 * look the same to a worker: an array of packet views. The views point into
 * memory the capture layer owns (the mmap'ed ring, or a file block buffer);
 * they stay valid until the worker returns from processing the whole array,
 * after which the capture layer hands the memory back (ring: release-store
 * TP_STATUS_KERNEL; file: return the block to the reader's free list).
 */
#ifndef DR_BLOCK_H
#define DR_BLOCK_H

#include <stdint.h>

/* dr_pkt.flags */
#define DR_PKT_VLAN_VALID 0x0001u /* vlan_tci/vlan_tpid hold an offloaded tag */

/* Link types use pcap's LINKTYPE_ numbering (what a pcap file header says). */
#define DR_LINK_NULL      0   /* BSD loopback: 4-byte host-order AF_ */
#define DR_LINK_ETHERNET  1
#define DR_LINK_RAW       101 /* raw IP, version from the first nibble */
#define DR_LINK_LOOP      108 /* OpenBSD loopback: 4-byte network-order AF_ */
#define DR_LINK_SLL       113 /* Linux cooked v1 */
#define DR_LINK_IPV4      228
#define DR_LINK_IPV6      229
#define DR_LINK_SLL2      276 /* Linux cooked v2 */

struct dr_pkt {
	const uint8_t *data;  /* first captured byte (start of the link header) */
	uint64_t ts_ns;       /* capture time, ns since the Unix epoch, UTC */
	uint32_t caplen;      /* bytes available at data */
	uint32_t wirelen;     /* length on the wire (>= caplen) */
	uint16_t linktype;    /* DR_LINK_* */
	uint16_t vlan_tci;    /* offloaded outer tag (live only), see flags */
	uint16_t vlan_tpid;   /* its TPID (0x8100 or 0x88a8), 0 if unknown */
	uint16_t flags;       /* DR_PKT_* */
};

#endif /* DR_BLOCK_H */
