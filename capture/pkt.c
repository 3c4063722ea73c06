/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt.c: L2-L4 decoding of one captured frame (see pkt.h).
 *
 * Every header is decoded by its own small function working on a span: a
 * pointer, the bytes captured from there on, and the bytes the enclosing
 * headers say there are on the wire. A span only ever shrinks, and each
 * function checks its header against the captured length before reading, so
 * no input can make the decoder read outside [data, data + caplen).
 * Multibyte fields are assembled byte by byte: frames sit at arbitrary
 * alignment in the ring and in file buffers.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "capture/pkt.h"

/* IANA protocol numbers, spelled out: <netinet/in.h> lacks some on some OSes. */
enum {
	PROTO_HOPOPTS = 0,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_ESP = 50,
	PROTO_AH = 51,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
	PROTO_MOBILITY = 135,
};

enum {
	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86dd,
	ETH_8021Q = 0x8100,
	ETH_8021AD = 0x88a8,
	ETH_QINQ = 0x9100, /* pre-802.1ad vendor QinQ tag */
	ETH_PPPOE_SESS = 0x8864, /* PPPoE session stage: 6-byte header + PPP protocol */
};

#define ETH_HLEN 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define LOOP_HLEN 4
#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8
#define TCP_HLEN 20

/*
 * A chain of more extension headers than this is refused: a real stack uses
 * a handful, and a long chain of tiny headers is an evasion trick (RFC 7112).
 */
#define IP6_MAX_EXTHDR 16

/* pkt_decode_ip leaves the VLAN fields alone and clears everything after them. */
_Static_assert(offsetof(struct pkt_info, nvlan) < offsetof(struct pkt_info, ip_version),
	       "pkt_info: link fields must precede the network fields");
#define PKT_L3_OFF offsetof(struct pkt_info, ip_version)

/* Bytes from p on: len captured, wire as the headers say (len <= wire). */
struct span {
	const uint8_t *p;
	uint32_t len;
	uint32_t wire;
};

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Drop the first n bytes of a span; the caller has checked n <= s->len. */
static inline void span_skip(struct span *s, uint32_t n)
{
	s->p += n;
	s->len -= n;
	s->wire -= n;
}

static const char *const status_names[PKT__MAX] = {
	[PKT_OK] = "ok",
	[PKT_FRAG] = "ip_fragment",
	[PKT_SKIP_LINKTYPE] = "unsupported_linktype",
	[PKT_SKIP_NONIP] = "not_ip",
	[PKT_SKIP_L4] = "not_udp_tcp",
	[PKT_BAD_L2] = "bad_l2",
	[PKT_BAD_IP] = "bad_ip",
	[PKT_BAD_L4] = "bad_l4",
};

const char *pkt_status_name(enum pkt_status s)
{
	if ((unsigned)s >= PKT__MAX)
		return "unknown";
	return status_names[s];
}

/* ---- transport ---------------------------------------------------------- */

/*
 * The UDP length is what bounds the payload, not the IP length: bytes after
 * it are not DNS (tcpdump's dns-zlip tests hide data there). A UDP length
 * beyond the IP payload means a damaged datagram; reporting it as the wire
 * length makes the caller see payload_len < payload_wire_len.
 */
static enum pkt_status l4_udp(struct span s, struct pkt_info *out)
{
	if (s.len < UDP_HLEN)
		return PKT_BAD_L4;
	uint16_t ulen = rd16(s.p + 4);
	if (ulen < UDP_HLEN)
		return PKT_BAD_L4;
	out->sport = rd16(s.p);
	out->dport = rd16(s.p + 2);
	out->payload = s.p + UDP_HLEN;
	out->payload_wire_len = ulen - UDP_HLEN;
	out->payload_len = min_u32(s.len - UDP_HLEN, out->payload_wire_len);
	return PKT_OK;
}

/* TCP options must be captured whole: the payload starts after them. */
static enum pkt_status l4_tcp(struct span s, struct pkt_info *out)
{
	if (s.len < TCP_HLEN)
		return PKT_BAD_L4;
	uint32_t hlen = (uint32_t)(s.p[12] >> 4) * 4;
	if (hlen < TCP_HLEN || hlen > s.len)
		return PKT_BAD_L4;
	out->sport = rd16(s.p);
	out->dport = rd16(s.p + 2);
	out->tcp_seq = rd32(s.p + 4);
	out->tcp_flags = s.p[13];
	out->payload = s.p + hlen;
	out->payload_len = s.len - hlen;
	out->payload_wire_len = s.wire - hlen;
	return PKT_OK;
}

static enum pkt_status l4_decode(uint8_t proto, struct span s, struct pkt_info *out)
{
	out->l4proto = proto;
	switch (proto) {
	case PROTO_UDP:
		return l4_udp(s, out);
	case PROTO_TCP:
		return l4_tcp(s, out);
	default:
		return PKT_SKIP_L4;
	}
}

/* ---- IPv4 --------------------------------------------------------------- */

/*
 * The header checksum is not verified: hosts with checksum offload hand
 * outgoing packets to the capture before the NIC fills it in.
 */
static enum pkt_status ip4_decode(const uint8_t *ip, uint32_t len, struct pkt_info *out)
{
	if (len < IP4_HLEN)
		return PKT_BAD_IP;
	uint32_t hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	uint16_t total = rd16(ip + 2);
	if (hlen < IP4_HLEN || hlen > len || total < hlen)
		return PKT_BAD_IP;

	/* min() trims Ethernet padding and copes with a short capture alike. */
	struct span s = { ip, min_u32(len, total), total };
	out->ip_version = 4;
	out->l4proto = ip[9];
	memcpy(out->src, ip + 12, 4);
	memcpy(out->dst, ip + 16, 4);
	out->l3 = ip;
	out->l3_len = s.len;
	span_skip(&s, hlen);

	uint16_t ff = rd16(ip + 6);
	out->frag_id = rd16(ip + 4);
	out->more_frags = (ff & 0x2000) != 0;
	out->frag_offset = (uint16_t)((ff & 0x1fff) * 8);
	if (out->more_frags || out->frag_offset) {
		out->is_frag = 1;
		out->frag_data = s.p;
		out->frag_len = s.len;
		return PKT_FRAG;
	}
	return l4_decode(ip[9], s, out);
}

/* ---- IPv6 --------------------------------------------------------------- */

static int ip6_is_ext(uint8_t nh)
{
	switch (nh) {
	case PROTO_HOPOPTS:
	case PROTO_ROUTING:
	case PROTO_FRAGMENT:
	case PROTO_AH:
	case PROTO_DSTOPTS:
	case PROTO_MOBILITY:
		return 1;
	default:
		return 0;
	}
}

/*
 * Fragment header. An atomic fragment (offset 0, M clear; RFC 6946) is a
 * whole datagram: return PKT_OK so the walk goes on to the next header.
 */
static enum pkt_status ip6_frag(struct span *s, struct pkt_info *out)
{
	uint16_t fo = rd16(s->p + 2);
	out->frag_id = rd32(s->p + 4);
	out->frag_offset = fo & 0xfff8;
	out->more_frags = fo & 1;
	span_skip(s, 8);
	if (!out->frag_offset && !out->more_frags)
		return PKT_OK;
	out->is_frag = 1;
	out->frag_data = s->p;
	out->frag_len = s->len;
	return PKT_FRAG;
}

/*
 * Length of the extension header nh starting at p (2 bytes readable). Most
 * count 8-octet units beyond the first 8; AH counts 4-octet units minus 2;
 * the fragment header is always 8 (its second byte is reserved).
 */
static uint32_t ip6_ext_len(uint8_t nh, const uint8_t *p)
{
	if (nh == PROTO_FRAGMENT)
		return 8;
	if (nh == PROTO_AH)
		return ((uint32_t)p[1] + 2) * 4;
	return ((uint32_t)p[1] + 1) * 8;
}

/*
 * One extension header at s: check it is captured whole, take its next
 * header into *nh and step over it.
 */
static enum pkt_status ip6_ext(uint8_t *nh, struct span *s, struct pkt_info *out)
{
	if (s->len < 8)
		return PKT_BAD_IP;
	uint8_t cur = *nh;
	uint32_t hlen = ip6_ext_len(cur, s->p);
	if (hlen > s->len)
		return PKT_BAD_IP;
	*nh = s->p[0];
	if (cur == PROTO_FRAGMENT)
		return ip6_frag(s, out);
	span_skip(s, hlen);
	return PKT_OK;
}

/* ESP, no-next-header (59) and anything else unknown end up as PKT_SKIP_L4. */
static enum pkt_status ip6_walk(uint8_t nh, struct span s, struct pkt_info *out)
{
	for (unsigned n = 0; ip6_is_ext(nh); n++) {
		if (n == IP6_MAX_EXTHDR)
			return PKT_BAD_IP;
		enum pkt_status st = ip6_ext(&nh, &s, out);
		if (st == PKT_FRAG)
			out->l4proto = nh;
		if (st != PKT_OK)
			return st;
	}
	return l4_decode(nh, s, out);
}

/*
 * A payload length of 0 is either empty or a jumbogram (RFC 2675); the
 * latter's hop-by-hop header then does not fit and the frame is PKT_BAD_IP.
 */
static enum pkt_status ip6_decode(const uint8_t *ip, uint32_t len, struct pkt_info *out)
{
	if (len < IP6_HLEN)
		return PKT_BAD_IP;
	uint32_t plen = rd16(ip + 4);
	struct span s = { ip, IP6_HLEN + min_u32(len - IP6_HLEN, plen), IP6_HLEN + plen };

	out->ip_version = 6;
	memcpy(out->src, ip + 8, 16);
	memcpy(out->dst, ip + 24, 16);
	out->l3 = ip;
	out->l3_len = s.len;
	span_skip(&s, IP6_HLEN);
	return ip6_walk(ip[6], s, out);
}

enum pkt_status pkt_decode_ip(const uint8_t *ip, uint32_t len, struct pkt_info *out)
{
	memset((uint8_t *)out + PKT_L3_OFF, 0, sizeof(*out) - PKT_L3_OFF);
	if (len < 1)
		return PKT_BAD_IP;
	switch (ip[0] >> 4) {
	case 4:
		return ip4_decode(ip, len, out);
	case 6:
		return ip6_decode(ip, len, out);
	default:
		return PKT_BAD_IP;
	}
}

/*
 * The link header named the protocol; an IP header of the other version
 * means the frame is not what it claims to be.
 */
static enum pkt_status ip_expect(unsigned version, const uint8_t *ip, uint32_t len,
				 struct pkt_info *out)
{
	if (len >= 1 && ip[0] >> 4 != version)
		return PKT_BAD_IP;
	return pkt_decode_ip(ip, len, out);
}

/* ---- link --------------------------------------------------------------- */

static void vlan_push(struct pkt_info *out, uint16_t tci)
{
	if (out->nvlan < PKT_MAX_VLAN)
		out->vlan[out->nvlan++] = tci & 0x0fff;
}

static int is_vlan_tpid(uint16_t type)
{
	return type == ETH_8021Q || type == ETH_8021AD || type == ETH_QINQ;
}

/*
 * PPPoE session frame (RFC 2516): ver/type, code, session id, length, then
 * the 2-byte PPP protocol: 0x0021 IPv4, 0x0057 IPv6. DSL access networks
 * carry subscribers' DNS this way.
 */
static enum pkt_status pppoe_decode(const uint8_t *d, uint32_t len, struct pkt_info *out)
{
	if (len < 8)
		return PKT_BAD_L2;
	switch (rd16(d + 6)) {
	case 0x0021:
		return ip_expect(4, d + 8, len - 8, out);
	case 0x0057:
		return ip_expect(6, d + 8, len - 8, out);
	default:
		return PKT_SKIP_NONIP;
	}
}

/*
 * type is an ethertype already read, d/len what follows it. Peel VLAN tags
 * (TCI, then the next ethertype) at any depth: each one consumes 4 captured
 * bytes, so the loop is bounded by the capture length.
 */
static enum pkt_status ethertype_decode(uint16_t type, const uint8_t *d, uint32_t len,
					struct pkt_info *out)
{
	while (is_vlan_tpid(type)) {
		if (len < 4)
			return PKT_BAD_L2;
		vlan_push(out, rd16(d));
		type = rd16(d + 2);
		d += 4;
		len -= 4;
	}
	switch (type) {
	case ETH_IPV4:
		return ip_expect(4, d, len, out);
	case ETH_IPV6:
		return ip_expect(6, d, len, out);
	case ETH_PPPOE_SESS:
		return pppoe_decode(d, len, out);
	default:
		return PKT_SKIP_NONIP;
	}
}

static enum pkt_status link_ether(const uint8_t *d, uint32_t len, struct pkt_info *out)
{
	if (len < ETH_HLEN)
		return PKT_BAD_L2;
	return ethertype_decode(rd16(d + 12), d + ETH_HLEN, len - ETH_HLEN, out);
}

/* Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
static enum pkt_status link_sll(const uint8_t *d, uint32_t len, struct pkt_info *out)
{
	if (len < SLL_HLEN)
		return PKT_BAD_L2;
	return ethertype_decode(rd16(d + 14), d + SLL_HLEN, len - SLL_HLEN, out);
}

/* Linux cooked v2: the protocol comes first, then ifindex, ARPHRD, ... */
static enum pkt_status link_sll2(const uint8_t *d, uint32_t len, struct pkt_info *out)
{
	if (len < SLL2_HLEN)
		return PKT_BAD_L2;
	return ethertype_decode(rd16(d), d + SLL2_HLEN, len - SLL2_HLEN, out);
}

/*
 * BSD loopback AF_ values: AF_INET is 2 everywhere, AF_INET6 is 10 (Linux),
 * 24 (OpenBSD, NetBSD), 28 (FreeBSD, DragonFly) or 30 (macOS).
 */
static enum pkt_status loop_af(uint32_t af, const uint8_t *d, uint32_t len,
			       struct pkt_info *out)
{
	switch (af) {
	case 2:
		return ip_expect(4, d + LOOP_HLEN, len - LOOP_HLEN, out);
	case 10:
	case 24:
	case 28:
	case 30:
		return ip_expect(6, d + LOOP_HLEN, len - LOOP_HLEN, out);
	default:
		return PKT_SKIP_NONIP;
	}
}

/*
 * DLT_NULL stores the AF in the writer's byte order, which the file does not
 * record. AF values are small, so a value that does not fit 16 bits was
 * written little-endian (the common case) and is swapped back.
 */
static enum pkt_status link_null(const uint8_t *d, uint32_t len, struct pkt_info *out)
{
	if (len < LOOP_HLEN)
		return PKT_BAD_L2;
	uint32_t af = rd32(d);
	if (af > 0xffff)
		af = __builtin_bswap32(af);
	return loop_af(af, d, len, out);
}

static enum pkt_status link_loop(const uint8_t *d, uint32_t len, struct pkt_info *out)
{
	if (len < LOOP_HLEN)
		return PKT_BAD_L2;
	return loop_af(rd32(d), d, len, out);
}

/*
 * The offloaded tag was the outermost one before the NIC stripped it, so it
 * goes first, ahead of any tags still in the frame.
 */
enum pkt_status pkt_decode(const struct dr_pkt *p, struct pkt_info *out)
{
	memset(out, 0, sizeof(*out));
	if (p->flags & DR_PKT_VLAN_VALID)
		vlan_push(out, p->vlan_tci);

	switch (p->linktype) {
	case DR_LINK_ETHERNET:
		return link_ether(p->data, p->caplen, out);
	case DR_LINK_SLL:
		return link_sll(p->data, p->caplen, out);
	case DR_LINK_SLL2:
		return link_sll2(p->data, p->caplen, out);
	case DR_LINK_RAW:
	case DR_LINK_IPV4:
	case DR_LINK_IPV6:
		/* The version nibble wins over what the link type promises. */
		return pkt_decode_ip(p->data, p->caplen, out);
	case DR_LINK_NULL:
		return link_null(p->data, p->caplen, out);
	case DR_LINK_LOOP:
		return link_loop(p->data, p->caplen, out);
	default:
		return PKT_SKIP_LINKTYPE;
	}
}

/* ---- flow hash ---------------------------------------------------------- */

/* murmur3's block mix and finalizer (public domain, Austin Appleby). */
static inline uint32_t rotl32(uint32_t x, unsigned r)
{
	return x << r | x >> (32 - r);
}

static inline uint32_t mm3_round(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	return rotl32(h, 13) * 5 + 0xe6546b64u;
}

static inline uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* nwords is 1 for IPv4, 4 for IPv6; memcpy keeps the load alignment-safe. */
static uint32_t endpoint_hash(const uint8_t *addr, unsigned nwords, uint32_t port)
{
	uint32_t h = port;
	for (unsigned i = 0; i < nwords; i++) {
		uint32_t w;
		memcpy(&w, addr + 4 * i, 4);
		h = mm3_round(h, w);
	}
	return h;
}

/*
 * Each endpoint is hashed on its own and the two are added: addition
 * commutes, so swapping source and destination gives the same sum, and the
 * finalizer spreads the sum over all 32 bits so hash % n is fair for any n.
 * Fragments use the fragment id in place of ports: only the first fragment
 * carries them.
 */
static uint32_t flow_hash(const uint8_t *src, const uint8_t *dst, unsigned nwords,
			  uint32_t sport, uint32_t dport, uint32_t extra)
{
	uint32_t h = endpoint_hash(src, nwords, sport) + endpoint_hash(dst, nwords, dport);
	return fmix32(mm3_round(h, extra));
}

uint32_t pkt_flow_hash(const struct pkt_info *pi)
{
	unsigned nwords = pi->ip_version == 6 ? 4 : 1;

	if (pi->is_frag)
		return flow_hash(pi->src, pi->dst, nwords, 0, 0, pi->frag_id);
	return flow_hash(pi->src, pi->dst, nwords, pi->sport, pi->dport, pi->l4proto);
}

/*
 * The file reader hashes every frame to pick a worker, and the worker then
 * decodes it in full: for the common frame (untagged Ethernet, IPv4 without
 * options or IPv6 without extension headers, not a fragment, UDP or TCP) the
 * ports sit at fixed offsets, so skip pkt_decode and its 100-byte memset.
 * Anything else says "decode it" (-1). Where pkt_decode would find UDP or
 * TCP, the value is pkt_flow_hash's.
 */
int pkt_flow_hash_quick(const struct dr_pkt *p, uint32_t *hash)
{
	const uint8_t *d = p->data;

	if (p->linktype != DR_LINK_ETHERNET || (p->flags & DR_PKT_VLAN_VALID) ||
	    p->caplen < ETH_HLEN + IP6_HLEN + 4)
		return -1;
	switch (rd16(d + 12)) {
	case 0x0800:
		d += ETH_HLEN;
		if (d[0] != 0x45 || (rd16(d + 6) & 0x3fff) || (d[9] != 17 && d[9] != 6))
			return -1; /* options, a fragment, or not UDP/TCP */
		*hash = flow_hash(d + 12, d + 16, 1, rd16(d + IP4_HLEN), rd16(d + IP4_HLEN + 2), d[9]);
		return 0;
	case 0x86dd:
		d += ETH_HLEN;
		if (d[0] >> 4 != 6 || (d[6] != 17 && d[6] != 6))
			return -1; /* extension headers, or not UDP/TCP */
		*hash = flow_hash(d + 8, d + 24, 4, rd16(d + IP6_HLEN), rd16(d + IP6_HLEN + 2), d[6]);
		return 0;
	default:
		return -1;
	}
}
