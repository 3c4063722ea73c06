/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt.h: L2-L4 decoding of one captured frame (prefix pkt_).
 *
 * pkt_decode() walks the link header (Ethernet with any depth of
 * 802.1Q/802.1ad tags, Linux SLL/SLL2, raw IPv4/IPv6, BSD loopback), the IP
 * header (IPv4 with options, IPv6 with its extension header chain) and the
 * UDP or TCP header, and fills a struct pkt_info whose pointers are views
 * into the frame: nothing is copied or allocated. Every length is checked
 * against the captured length; the result says why a frame was not usable.
 *
 * It does not reassemble: an IP fragment is reported as PKT_FRAG with the
 * fragment fields filled so a reassembler can take it from there, and a TCP
 * segment as PKT_OK with l4proto == 6 and the TCP fields filled.
 */
#ifndef DR_PKT_H
#define DR_PKT_H

#include <stdint.h>

#include "capture/block.h"

#define PKT_MAX_VLAN 8 /* deeper tag stacks are decoded, the extra ids dropped */

enum pkt_status {
	PKT_OK = 0,          /* UDP or TCP segment found, pkt_info filled */
	PKT_FRAG,            /* IP fragment: addresses + frag fields filled, no L4 */
	PKT_SKIP_LINKTYPE,   /* link type not supported */
	PKT_SKIP_NONIP,      /* not IPv4/IPv6 (ARP, LLDP, ...) */
	PKT_SKIP_L4,         /* IP, but neither UDP nor TCP (ICMP, ESP, ...) */
	PKT_BAD_L2,          /* link header cut short or inconsistent */
	PKT_BAD_IP,          /* IP header: bad version, header length, total length */
	PKT_BAD_L4,          /* UDP/TCP header: cut short or bad length field */
	PKT__MAX
};

/** Short snake_case name of a status, for counters and stats. */
const char *pkt_status_name(enum pkt_status s);

struct pkt_info {
	/* link */
	uint16_t vlan[PKT_MAX_VLAN]; /* VLAN ids (12 bits), outermost first */
	uint8_t nvlan;               /* entries used in vlan[] */

	/* network */
	uint8_t ip_version;          /* 4 or 6 */
	uint8_t l4proto;             /* IPPROTO_UDP or IPPROTO_TCP (or frag's next header) */
	uint8_t src[16], dst[16];    /* IPv4 uses the first 4 bytes */
	const uint8_t *l3;           /* IP header start */
	uint32_t l3_len;             /* IP header + payload, trimmed to total length and caplen */

	/* fragment (status PKT_FRAG, and also set on complete datagrams: is_frag = 0) */
	uint8_t is_frag;
	uint8_t more_frags;
	uint16_t frag_offset;        /* in bytes */
	uint32_t frag_id;            /* IPv4 id (16 bits) or IPv6 fragment identification */
	const uint8_t *frag_data;    /* fragment payload (after IP + ext headers) */
	uint32_t frag_len;           /* bytes of it captured */

	/* transport */
	uint16_t sport, dport;
	uint32_t tcp_seq;
	uint8_t tcp_flags;           /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	const uint8_t *payload;      /* L4 payload as captured */
	uint32_t payload_len;        /* bytes available at payload */
	uint32_t payload_wire_len;   /* bytes the headers say there are (UDP length - 8,
	                              * IP total length minus headers for TCP);
	                              * > payload_len when the capture was cut short */
};

/**
 * Decode the frame p into *out.
 * @return a pkt_status; out is fully valid for PKT_OK, addresses and fragment
 *         fields for PKT_FRAG, VLAN ids as far as decoded otherwise.
 */
enum pkt_status pkt_decode(const struct dr_pkt *p, struct pkt_info *out);

/**
 * Decode an IP datagram (IPv4 or IPv6 header first) into *out: the L3/L4 half
 * of pkt_decode, also used on reassembled datagrams. VLAN fields untouched.
 */
enum pkt_status pkt_decode_ip(const uint8_t *ip, uint32_t len, struct pkt_info *out);

/**
 * Symmetric flow hash: the same value for (a, b) and (b, a), so a query and
 * its response land on the same worker. Fragments hash on addresses and the
 * fragment id only (later fragments carry no ports).
 */
uint32_t pkt_flow_hash(const struct pkt_info *pi);

/**
 * pkt_flow_hash without pkt_decode, for the common frame only: untagged
 * Ethernet, then IPv4 without options or IPv6 without extension headers,
 * not a fragment, UDP or TCP. @return 0 with *hash set (equal to
 * pkt_flow_hash of the decoded frame whenever pkt_decode finds UDP or TCP),
 * or -1: decode the frame and use pkt_flow_hash.
 */
int pkt_flow_hash_quick(const struct dr_pkt *p, uint32_t *hash);

#endif /* DR_PKT_H */
