/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_pkt.c: unit tests for capture/pkt.c, the L2-L4 frame decoder.
 *
 * Frames are built byte by byte (big-endian helpers below) and decoded from
 * an exact-size heap copy, so that ASan or valgrind report a read even one
 * byte past the capture. Each test asserts the exact fields it is about; the
 * last tests feed every truncation and random corruptions of valid frames.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/pkt.h"

/* ---- frame building ----------------------------------------------------- */

struct frame {
	uint8_t b[4096];
	uint32_t n;
};

static void put8(struct frame *f, uint8_t v)
{
	assert_true(f->n < sizeof(f->b));
	f->b[f->n++] = v;
}

static void put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void putn(struct frame *f, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, ((const uint8_t *)p)[i]);
}

static void putfill(struct frame *f, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, v);
}

static const uint8_t A4[4] = { 192, 0, 2, 1 };
static const uint8_t B4[4] = { 198, 51, 100, 53 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x00, [15] = 0x53 };

/* A 29-byte DNS query: example.com IN A. */
static const uint8_t DNSQ[29] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	0x00, 0x01, 0x00, 0x01,
};

static void put_macs(struct frame *f)
{
	static const uint8_t macs[12] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
					  0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
	putn(f, macs, sizeof(macs));
}

static void put_eth(struct frame *f, uint16_t type)
{
	put_macs(f);
	put16(f, type);
}

/* IPv4 header of ihl 32-bit words (options are NOPs), addresses A4 -> B4. */
static void put_ip4(struct frame *f, unsigned ihl, uint16_t tot, uint16_t id, uint16_t ff,
		    uint8_t proto)
{
	put8(f, (uint8_t)(0x40 | (ihl & 0x0f)));
	put8(f, 0);
	put16(f, tot);
	put16(f, id);
	put16(f, ff);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0xffff); /* checksum: deliberately wrong, must be ignored */
	putn(f, A4, 4);
	putn(f, B4, 4);
	for (unsigned i = 5; i < ihl; i++)
		put32(f, 0x01010101);
}

static void put_ip6(struct frame *f, uint16_t plen, uint8_t nh)
{
	put32(f, 0x60000000);
	put16(f, plen);
	put8(f, nh);
	put8(f, 64);
	putn(f, A6, 16);
	putn(f, B6, 16);
}

/* Extension header of the generic 8-octet-unit format, padded with zeros. */
static void put_ext(struct frame *f, uint8_t nh, uint8_t len8)
{
	put8(f, nh);
	put8(f, len8);
	putfill(f, 0, 6 + 8u * len8);
}

static void put_frag6(struct frame *f, uint8_t nh, uint16_t offset, int more, uint32_t id)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(offset | (more ? 1 : 0)));
	put32(f, id);
}

static void put_udp(struct frame *f, uint16_t sport, uint16_t dport, uint16_t ulen)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, ulen);
	put16(f, 0);
}

/* IPv4 + UDP 54321 -> 53 + DNSQ: 57 bytes. */
static void put_ip4_dns(struct frame *f)
{
	put_ip4(f, 5, 20 + 8 + 29, 0xabcd, 0x4000, 17);
	put_udp(f, 54321, 53, 8 + 29);
	putn(f, DNSQ, sizeof(DNSQ));
}

/* IPv6 + UDP 54321 -> 53 + DNSQ: 77 bytes. */
static void put_ip6_dns(struct frame *f)
{
	put_ip6(f, 8 + 29, 17);
	put_udp(f, 54321, 53, 8 + 29);
	putn(f, DNSQ, sizeof(DNSQ));
}

/* ---- decoding ----------------------------------------------------------- */

static uint8_t *copy; /* exact-size heap copy of the frame last decoded */

#define OFF(ptr) ((size_t)((ptr) - copy))

static enum pkt_status decode_pkt(struct dr_pkt *p, const uint8_t *bytes, struct pkt_info *pi)
{
	free(copy);
	copy = malloc(p->caplen ? p->caplen : 1);
	assert_non_null(copy);
	memcpy(copy, bytes, p->caplen);
	p->data = copy;
	memset(pi, 0xa5, sizeof(*pi)); /* pkt_decode must clear every field */
	return pkt_decode(p, pi);
}

static enum pkt_status decode_n(const struct frame *f, uint32_t caplen, uint16_t lt,
				struct pkt_info *pi)
{
	struct dr_pkt p = { .caplen = caplen, .wirelen = f->n, .linktype = lt };
	return decode_pkt(&p, f->b, pi);
}

static enum pkt_status decode(const struct frame *f, uint16_t lt, struct pkt_info *pi)
{
	return decode_n(f, f->n, lt, pi);
}

static int teardown(void **state)
{
	(void)state;
	free(copy);
	copy = NULL;
	return 0;
}

/* The UDP/DNS part every put_ip4_dns/put_ip6_dns frame must decode to. */
static void assert_dns(const struct pkt_info *pi, size_t payload_off)
{
	assert_int_equal(pi->l4proto, 17);
	assert_int_equal(pi->is_frag, 0);
	assert_int_equal(pi->sport, 54321);
	assert_int_equal(pi->dport, 53);
	assert_int_equal(OFF(pi->payload), payload_off);
	assert_int_equal(pi->payload_len, 29);
	assert_int_equal(pi->payload_wire_len, 29);
	assert_memory_equal(pi->payload, DNSQ, 29);
}

static void assert_v4_addrs(const struct pkt_info *pi)
{
	static const uint8_t zero[12];
	assert_int_equal(pi->ip_version, 4);
	assert_memory_equal(pi->src, A4, 4);
	assert_memory_equal(pi->dst, B4, 4);
	assert_memory_equal(pi->src + 4, zero, 12);
	assert_memory_equal(pi->dst + 4, zero, 12);
}

static void assert_v6_addrs(const struct pkt_info *pi)
{
	assert_int_equal(pi->ip_version, 6);
	assert_memory_equal(pi->src, A6, 16);
	assert_memory_equal(pi->dst, B6, 16);
}

/* ---- Ethernet, VLAN ----------------------------------------------------- */

static void test_eth_ipv4_udp_dns(void **state)
{
	static const uint8_t wire[] = {
		/* Ethernet */
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
		0x08, 0x00,
		/* IPv4: IHL 5, total 57, id 0xabcd, DF, TTL 64, UDP, checksum 0 */
		0x45, 0x00, 0x00, 0x39, 0xab, 0xcd, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
		192, 0, 2, 1, 198, 51, 100, 53,
		/* UDP 54321 -> 53, length 37 */
		0xd4, 0x31, 0x00, 0x35, 0x00, 0x25, 0x00, 0x00,
		/* DNS */
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0x00, 0x01, 0x00, 0x01,
	};
	struct dr_pkt p = { .caplen = sizeof(wire), .wirelen = sizeof(wire),
			    .linktype = DR_LINK_ETHERNET };
	struct pkt_info pi;
	(void)state;

	assert_int_equal(decode_pkt(&p, wire, &pi), PKT_OK);
	assert_int_equal(pi.nvlan, 0);
	assert_v4_addrs(&pi);
	assert_int_equal(OFF(pi.l3), 14);
	assert_int_equal(pi.l3_len, 57);
	assert_int_equal(pi.more_frags, 0);
	assert_int_equal(pi.frag_offset, 0);
	assert_int_equal(pi.frag_id, 0xabcd);
	assert_null(pi.frag_data);
	assert_int_equal(pi.frag_len, 0);
	assert_int_equal(pi.tcp_seq, 0);
	assert_int_equal(pi.tcp_flags, 0);
	assert_dns(&pi, 42);
}

/* ntags tags with the given TPIDs and ids (PCP/DEI bits set to be masked). */
static void build_vlan_frame(struct frame *f, unsigned ntags, const uint16_t *tpid,
			     const uint16_t *id, uint16_t type)
{
	put_macs(f);
	for (unsigned i = 0; i < ntags; i++) {
		put16(f, tpid[i]);
		put16(f, (uint16_t)(0xf000 | id[i]));
	}
	put16(f, type);
}

static void test_vlan_depths(void **state)
{
	static const uint16_t tpid[3] = { 0x88a8, 0x8100, 0x9100 };
	static const uint16_t id[3] = { 100, 4095, 7 };
	(void)state;

	for (unsigned n = 1; n <= 3; n++) {
		struct frame f = { .n = 0 };
		struct pkt_info pi;
		build_vlan_frame(&f, n, tpid, id, 0x0800);
		put_ip4_dns(&f);
		assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
		assert_int_equal(pi.nvlan, n);
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(pi.vlan[i], id[i]);
		assert_int_equal(OFF(pi.l3), 14 + 4 * n);
		assert_v4_addrs(&pi);
		assert_dns(&pi, 42 + 4 * n);
	}
}

static void test_vlan_each_tpid_ipv6(void **state)
{
	static const uint16_t tpids[3] = { 0x8100, 0x88a8, 0x9100 };
	(void)state;

	for (unsigned i = 0; i < 3; i++) {
		struct frame f = { .n = 0 };
		struct pkt_info pi;
		uint16_t id = (uint16_t)(10 + i);
		build_vlan_frame(&f, 1, &tpids[i], &id, 0x86dd);
		put_ip6_dns(&f);
		assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
		assert_int_equal(pi.nvlan, 1);
		assert_int_equal(pi.vlan[0], id);
		assert_v6_addrs(&pi);
		assert_dns(&pi, 14 + 4 + 40 + 8);
	}
}

static void test_vlan_deeper_than_max(void **state)
{
	uint16_t tpid[PKT_MAX_VLAN + 3], id[PKT_MAX_VLAN + 3];
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	for (unsigned i = 0; i < PKT_MAX_VLAN + 3; i++) {
		tpid[i] = 0x8100;
		id[i] = (uint16_t)(i + 1);
	}
	build_vlan_frame(&f, PKT_MAX_VLAN + 3, tpid, id, 0x0800);
	put_ip4_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.nvlan, PKT_MAX_VLAN);
	for (unsigned i = 0; i < PKT_MAX_VLAN; i++)
		assert_int_equal(pi.vlan[i], i + 1);
	assert_dns(&pi, 42 + 4 * (PKT_MAX_VLAN + 3));
}

static void test_vlan_offloaded_then_inband(void **state)
{
	static const uint16_t tpid = 0x8100, id = 200;
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	build_vlan_frame(&f, 1, &tpid, &id, 0x0800);
	put_ip4_dns(&f);
	struct dr_pkt p = { .caplen = f.n, .wirelen = f.n, .linktype = DR_LINK_ETHERNET,
			    .vlan_tci = 0x2064 /* PCP 1, id 100 */, .vlan_tpid = 0x88a8,
			    .flags = DR_PKT_VLAN_VALID };
	assert_int_equal(decode_pkt(&p, f.b, &pi), PKT_OK);
	assert_int_equal(pi.nvlan, 2);
	assert_int_equal(pi.vlan[0], 100);
	assert_int_equal(pi.vlan[1], 200);
	assert_dns(&pi, 46);

	/* vlan_tci without the flag is ignored */
	p.flags = 0;
	assert_int_equal(decode_pkt(&p, f.b, &pi), PKT_OK);
	assert_int_equal(pi.nvlan, 1);
	assert_int_equal(pi.vlan[0], 200);
}

static void test_eth_bad_l2(void **state)
{
	static const uint16_t tpid = 0x8100, id = 5;
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	assert_int_equal(decode_n(&f, 13, DR_LINK_ETHERNET, &pi), PKT_BAD_L2);
	assert_int_equal(decode_n(&f, 0, DR_LINK_ETHERNET, &pi), PKT_BAD_L2);

	/* a tag cut in its middle: the id is not recorded */
	f.n = 0;
	build_vlan_frame(&f, 1, &tpid, &id, 0x0800);
	assert_int_equal(decode_n(&f, 17, DR_LINK_ETHERNET, &pi), PKT_BAD_L2);
	assert_int_equal(pi.nvlan, 0);
	/* Ethernet header complete, nothing after: the IP header is what is short */
	assert_int_equal(decode_n(&f, 18, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
	assert_int_equal(pi.nvlan, 1);
}

static void test_eth_arp_not_ip(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0806);
	putfill(&f, 0x01, 28);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_SKIP_NONIP);

	/* 802.3 length field instead of an ethertype */
	f.n = 12;
	put16(&f, 46);
	putfill(&f, 0xaa, 46);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_SKIP_NONIP);
}

static void test_eth_version_mismatch(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip6_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ip4_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
}

/* ---- IPv4 --------------------------------------------------------------- */

static void test_ipv4_options(void **state)
{
	(void)state;

	for (unsigned ihl = 6; ihl <= 7; ihl++) {
		struct frame f = { .n = 0 };
		struct pkt_info pi;
		put_eth(&f, 0x0800);
		put_ip4(&f, ihl, (uint16_t)(ihl * 4 + 8 + 29), 1, 0, 17);
		put_udp(&f, 54321, 53, 8 + 29);
		putn(&f, DNSQ, sizeof(DNSQ));
		assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
		assert_v4_addrs(&pi);
		assert_int_equal(pi.l3_len, ihl * 4 + 8 + 29);
		assert_dns(&pi, 14 + ihl * 4 + 8);
	}
}

static void test_ipv4_bad_ihl(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	/* IHL 4 */
	put_eth(&f, 0x0800);
	put_ip4(&f, 4, 20 + 8 + 29, 1, 0, 17); /* still writes 20 bytes */
	put_udp(&f, 1, 2, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);

	/* IHL 15 (60 bytes), total length fine, but only 40 bytes captured */
	f.n = 0;
	put_eth(&f, 0x0800);
	put_ip4(&f, 15, 60 + 8 + 29, 1, 0, 17);
	put_udp(&f, 1, 2, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	assert_int_equal(decode_n(&f, 14 + 40, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
	assert_int_equal(decode_n(&f, 14 + 59, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
	assert_int_equal(decode_n(&f, 14 + 68, DR_LINK_ETHERNET, &pi), PKT_OK);

	/* fewer than 20 bytes */
	f.n = 0;
	put_eth(&f, 0x0800);
	put_ip4_dns(&f);
	assert_int_equal(decode_n(&f, 14 + 19, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
}

static void test_ipv4_total_below_ihl(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 19, 1, 0, 17);
	put_udp(&f, 1, 2, 8);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);

	f.n = 0;
	put_eth(&f, 0x0800);
	put_ip4(&f, 6, 20, 1, 0, 17);
	put_udp(&f, 1, 2, 8);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);

	/* total length exactly the header: no room for UDP */
	f.n = 0;
	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 20, 1, 0, 17);
	put_udp(&f, 1, 2, 8);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);
	assert_int_equal(pi.l3_len, 20);
}

static void test_ipv4_bad_version(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_ip4_dns(&f);
	f.b[0] = 0x55;
	assert_int_equal(decode(&f, DR_LINK_RAW, &pi), PKT_BAD_IP);
	f.b[0] = 0x05;
	assert_int_equal(decode(&f, DR_LINK_IPV4, &pi), PKT_BAD_IP);
	assert_int_equal(decode_n(&f, 0, DR_LINK_RAW, &pi), PKT_BAD_IP);
}

static void test_eth_padding_trimmed(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 20 + 8 + 4, 1, 0, 17);
	put_udp(&f, 1024, 53, 8 + 4);
	putn(&f, "abcd", 4);
	putfill(&f, 0xee, 14); /* pad to the 60-byte minimum frame */
	assert_int_equal(f.n, 60);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.l3_len, 32);
	assert_int_equal(OFF(pi.payload), 42);
	assert_int_equal(pi.payload_len, 4);
	assert_int_equal(pi.payload_wire_len, 4);
	assert_memory_equal(pi.payload, "abcd", 4);

	/* a UDP length reaching into the padding is past the IP payload */
	f.b[14 + 20 + 5] = 8 + 4 + 14;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.payload_len, 4);
	assert_int_equal(pi.payload_wire_len, 18);
}

static void test_truncated_capture(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4_dns(&f);
	assert_int_equal(decode_n(&f, 60, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.l3_len, 46);
	assert_int_equal(OFF(pi.payload), 42);
	assert_int_equal(pi.payload_len, 18);
	assert_int_equal(pi.payload_wire_len, 29);

	/* UDP header complete, no payload captured */
	assert_int_equal(decode_n(&f, 42, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.payload_len, 0);
	assert_int_equal(pi.payload_wire_len, 29);

	/* UDP header cut */
	assert_int_equal(decode_n(&f, 41, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);
}

/* ---- UDP length --------------------------------------------------------- */

static void test_udp_length_8_with_trailing_data(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 20 + 8 + 29, 1, 0, 17);
	put_udp(&f, 54321, 53, 8);
	putn(&f, DNSQ, sizeof(DNSQ)); /* must not be taken as the payload */
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(OFF(pi.payload), 42);
	assert_int_equal(pi.payload_len, 0);
	assert_int_equal(pi.payload_wire_len, 0);

	/* shorter than the IP payload in general: payload ends at the UDP length */
	f.b[14 + 20 + 5] = 8 + 12;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.payload_len, 12);
	assert_int_equal(pi.payload_wire_len, 12);
}

static void test_udp_length_beyond_ip(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 20 + 8 + 29, 1, 0, 17);
	put_udp(&f, 54321, 53, 8 + 29 + 10);
	putn(&f, DNSQ, sizeof(DNSQ));
	putfill(&f, 0, 10); /* captured, but outside the IP datagram */
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.payload_len, 29);
	assert_int_equal(pi.payload_wire_len, 39);
}

static void test_udp_length_below_8(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4_dns(&f);
	f.b[14 + 20 + 4] = 0;
	f.b[14 + 20 + 5] = 7;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);
	assert_int_equal(pi.l4proto, 17);
	f.b[14 + 20 + 5] = 0;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);
}

/* ---- IPv6 --------------------------------------------------------------- */

static void test_ipv6_hbh_dstopts_udp(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x86dd);
	put_ip6(&f, 8 + 16 + 8 + 29, 0);
	put_ext(&f, 60, 0); /* hop-by-hop, 8 bytes */
	put_ext(&f, 17, 1); /* destination options, 16 bytes */
	put_udp(&f, 54321, 53, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_v6_addrs(&pi);
	assert_int_equal(OFF(pi.l3), 14);
	assert_int_equal(pi.l3_len, 40 + 24 + 37);
	assert_dns(&pi, 14 + 40 + 24 + 8);
}

static void test_ipv6_routing_ah_mobility(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x86dd);
	put_ip6(&f, 24 + 24 + 8 + 8 + 29, 43);
	put_ext(&f, 51, 2); /* routing, 24 bytes */
	put8(&f, 135);      /* AH, length 4: (4 + 2) * 4 = 24 bytes */
	put8(&f, 4);
	putfill(&f, 0, 22);
	put_ext(&f, 17, 0); /* mobility, 8 bytes */
	put_udp(&f, 54321, 53, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_dns(&pi, 14 + 40 + 24 + 24 + 8 + 8);
}

static void test_ipv6_fragments(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	/* first fragment: offset 0, M set, UDP header inside */
	put_eth(&f, 0x86dd);
	put_ip6(&f, 8 + 32, 44);
	put_frag6(&f, 17, 0, 1, 0x11223344);
	put_udp(&f, 54321, 53, 1000);
	putfill(&f, 0x5a, 24);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_FRAG);
	assert_v6_addrs(&pi);
	assert_int_equal(pi.is_frag, 1);
	assert_int_equal(pi.more_frags, 1);
	assert_int_equal(pi.frag_offset, 0);
	assert_int_equal(pi.frag_id, 0x11223344);
	assert_int_equal(pi.l4proto, 17);
	assert_int_equal(OFF(pi.frag_data), 14 + 48);
	assert_int_equal(pi.frag_len, 32);
	assert_int_equal(pi.sport, 0);
	assert_null(pi.payload);

	/* last fragment behind a hop-by-hop header, cut by the capture */
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ip6(&f, 8 + 8 + 16, 0);
	put_ext(&f, 44, 0);
	put_frag6(&f, 17, 1232, 0, 0xfedcba98);
	putfill(&f, 0x5a, 16);
	assert_int_equal(decode_n(&f, f.n - 6, DR_LINK_ETHERNET, &pi), PKT_FRAG);
	assert_int_equal(pi.is_frag, 1);
	assert_int_equal(pi.more_frags, 0);
	assert_int_equal(pi.frag_offset, 1232);
	assert_int_equal(pi.frag_id, 0xfedcba98);
	assert_int_equal(pi.l4proto, 17);
	assert_int_equal(OFF(pi.frag_data), 14 + 40 + 16);
	assert_int_equal(pi.frag_len, 10);

	/* fragment header cut short */
	assert_int_equal(decode_n(&f, 14 + 40 + 8 + 7, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
}

static void test_ipv6_atomic_fragment(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x86dd);
	put_ip6(&f, 8 + 8 + 29, 44);
	put_frag6(&f, 17, 0, 0, 0xdeadbeef);
	put_udp(&f, 54321, 53, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.frag_id, 0xdeadbeef);
	assert_null(pi.frag_data);
	assert_dns(&pi, 14 + 40 + 8 + 8);
}

/* n destination-options headers, then UDP + DNSQ. */
static void build_ext_chain(struct frame *f, unsigned n)
{
	put_eth(f, 0x86dd);
	put_ip6(f, (uint16_t)(8 * n + 8 + 29), 60);
	for (unsigned i = 0; i < n; i++)
		put_ext(f, i + 1 < n ? 60 : 17, 0);
	put_udp(f, 54321, 53, 8 + 29);
	putn(f, DNSQ, sizeof(DNSQ));
}

static void test_ipv6_chain_too_long(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	build_ext_chain(&f, 16);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_dns(&pi, 14 + 40 + 16 * 8 + 8);

	f.n = 0;
	build_ext_chain(&f, 17);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
}

static void test_ipv6_ext_overruns(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	/* hop-by-hop claims 88 bytes, payload length is 16 */
	put_eth(&f, 0x86dd);
	put_ip6(&f, 16, 0);
	put8(&f, 17);
	put8(&f, 10);
	putfill(&f, 0, 100);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);

	/* jumbogram: payload length 0 with a hop-by-hop header */
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ip6(&f, 0, 0);
	put_ext(&f, 17, 0);
	put_udp(&f, 1, 2, 8);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);

	/* IPv6 header cut */
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ip6_dns(&f);
	assert_int_equal(decode_n(&f, 14 + 39, DR_LINK_ETHERNET, &pi), PKT_BAD_IP);
}

static void test_ipv6_skip_l4(void **state)
{
	static const uint8_t protos[] = { 50 /* ESP */, 59 /* none */, 58 /* ICMPv6 */, 132 };
	(void)state;

	for (unsigned i = 0; i < sizeof(protos); i++) {
		struct frame f = { .n = 0 };
		struct pkt_info pi;
		put_eth(&f, 0x86dd);
		put_ip6(&f, 16, 60);
		put_ext(&f, protos[i], 0);
		putfill(&f, 0, 8);
		assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_SKIP_L4);
		assert_int_equal(pi.l4proto, protos[i]);
		assert_v6_addrs(&pi);
	}
}

static void test_ipv4_fragments(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	/* first: MF, offset 0 */
	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 20 + 32, 0x4242, 0x2000, 17);
	put_udp(&f, 53, 54321, 3000);
	putfill(&f, 0x5a, 24);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_FRAG);
	assert_v4_addrs(&pi);
	assert_int_equal(pi.is_frag, 1);
	assert_int_equal(pi.more_frags, 1);
	assert_int_equal(pi.frag_offset, 0);
	assert_int_equal(pi.frag_id, 0x4242);
	assert_int_equal(pi.l4proto, 17);
	assert_int_equal(OFF(pi.frag_data), 34);
	assert_int_equal(pi.frag_len, 32);
	assert_int_equal(pi.sport, 0);
	assert_null(pi.payload);

	/* middle: MF and offset 1480 (185 units); DF set alongside is ignored */
	f.b[14 + 6] = 0x60;
	f.b[14 + 7] = 185;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_FRAG);
	assert_int_equal(pi.more_frags, 1);
	assert_int_equal(pi.frag_offset, 1480);

	/* last: offset only, captured in part */
	f.b[14 + 6] = 0x00;
	assert_int_equal(decode_n(&f, f.n - 20, DR_LINK_ETHERNET, &pi), PKT_FRAG);
	assert_int_equal(pi.more_frags, 0);
	assert_int_equal(pi.frag_offset, 1480);
	assert_int_equal(pi.frag_len, 12);

	/* largest offset fits the 16-bit field */
	f.b[14 + 6] = 0x1f;
	f.b[14 + 7] = 0xff;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_FRAG);
	assert_int_equal(pi.frag_offset, 65528);
}

static void test_icmp_not_udp_tcp(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4(&f, 5, 20 + 8, 7, 0, 1);
	put32(&f, 0x08000000);
	put32(&f, 0x00010001);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_SKIP_L4);
	assert_int_equal(pi.l4proto, 1);
	assert_v4_addrs(&pi);
}

/* ---- TCP ---------------------------------------------------------------- */

static void build_tcp(struct frame *f, uint8_t doff)
{
	put_eth(f, 0x0800);
	put_ip4(f, 5, (uint16_t)(20 + 32 + 2 + 29), 9, 0x4000, 6);
	put16(f, 54321);
	put16(f, 53);
	put32(f, 0x01020304);   /* seq */
	put32(f, 0x0a0b0c0d);   /* ack */
	put8(f, (uint8_t)(doff << 4));
	put8(f, 0x18);          /* PSH|ACK */
	put16(f, 65535);
	put32(f, 0);            /* checksum, urgent */
	put8(f, 1);             /* NOP NOP timestamp: 12 option bytes */
	put8(f, 1);
	put8(f, 8);
	put8(f, 10);
	putfill(f, 0x77, 8);
	put16(f, 29);           /* DNS over TCP length prefix */
	putn(f, DNSQ, sizeof(DNSQ));
}

static void test_tcp_options(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	build_tcp(&f, 8);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_v4_addrs(&pi);
	assert_int_equal(pi.l4proto, 6);
	assert_int_equal(pi.sport, 54321);
	assert_int_equal(pi.dport, 53);
	assert_int_equal(pi.tcp_seq, 0x01020304);
	assert_int_equal(pi.tcp_flags, 0x18);
	assert_int_equal(OFF(pi.payload), 14 + 20 + 32);
	assert_int_equal(pi.payload_len, 31);
	assert_int_equal(pi.payload_wire_len, 31);
	assert_int_equal(pi.payload[0], 0);
	assert_int_equal(pi.payload[1], 29);

	/* capture cut in the payload */
	assert_int_equal(decode_n(&f, f.n - 11, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.payload_len, 20);
	assert_int_equal(pi.payload_wire_len, 31);

	/* capture cut in the options */
	assert_int_equal(decode_n(&f, 14 + 20 + 31, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);
}

static void test_tcp_bad_offset(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	build_tcp(&f, 4);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);

	/* data offset 15 (60 bytes) larger than the whole segment (63) is fine... */
	f.n = 0;
	build_tcp(&f, 15);
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_OK);
	assert_int_equal(pi.payload_len, 3);
	/* ...but not past the IP payload */
	f.b[14 + 3] = 20 + 40;
	assert_int_equal(decode(&f, DR_LINK_ETHERNET, &pi), PKT_BAD_L4);
}

/* ---- other link types --------------------------------------------------- */

static void put_sll(struct frame *f, uint16_t proto)
{
	put16(f, 0);      /* packet type: to us */
	put16(f, 1);      /* ARPHRD_ETHER */
	put16(f, 6);      /* address length */
	putn(f, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
	put16(f, proto);
}

static void test_sll(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_sll(&f, 0x0800);
	put_ip4_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_SLL, &pi), PKT_OK);
	assert_int_equal(OFF(pi.l3), 16);
	assert_v4_addrs(&pi);
	assert_dns(&pi, 16 + 28);
	assert_int_equal(decode_n(&f, 15, DR_LINK_SLL, &pi), PKT_BAD_L2);

	/* VLAN tag inside SLL */
	f.n = 0;
	put_sll(&f, 0x8100);
	put16(&f, 0x0123);
	put16(&f, 0x86dd);
	put_ip6_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_SLL, &pi), PKT_OK);
	assert_int_equal(pi.nvlan, 1);
	assert_int_equal(pi.vlan[0], 0x123);
	assert_v6_addrs(&pi);
	assert_dns(&pi, 16 + 4 + 48);

	/* SLL protocol 0x0004 (802.2 LLC) */
	f.n = 0;
	put_sll(&f, 0x0004);
	putfill(&f, 0x42, 20);
	assert_int_equal(decode(&f, DR_LINK_SLL, &pi), PKT_SKIP_NONIP);
}

static void test_sll2(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put16(&f, 0x86dd); /* protocol */
	put16(&f, 0);      /* reserved */
	put32(&f, 3);      /* ifindex */
	put16(&f, 1);      /* ARPHRD_ETHER */
	put8(&f, 4);       /* outgoing */
	put8(&f, 6);
	putfill(&f, 0x11, 8);
	assert_int_equal(f.n, 20);
	put_ip6_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_SLL2, &pi), PKT_OK);
	assert_int_equal(OFF(pi.l3), 20);
	assert_v6_addrs(&pi);
	assert_dns(&pi, 20 + 48);
	assert_int_equal(decode_n(&f, 19, DR_LINK_SLL2, &pi), PKT_BAD_L2);
	/* SLL's protocol offset means nothing here */
	assert_int_equal(decode(&f, DR_LINK_SLL, &pi), PKT_SKIP_NONIP);
}

static void test_raw_ip(void **state)
{
	struct frame v4 = { .n = 0 }, v6 = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_ip4_dns(&v4);
	put_ip6_dns(&v6);

	assert_int_equal(decode(&v4, DR_LINK_RAW, &pi), PKT_OK);
	assert_v4_addrs(&pi);
	assert_int_equal(OFF(pi.l3), 0);
	assert_dns(&pi, 28);
	assert_int_equal(decode(&v6, DR_LINK_RAW, &pi), PKT_OK);
	assert_v6_addrs(&pi);
	assert_dns(&pi, 48);

	assert_int_equal(decode(&v4, DR_LINK_IPV4, &pi), PKT_OK);
	assert_int_equal(pi.ip_version, 4);
	assert_int_equal(decode(&v6, DR_LINK_IPV6, &pi), PKT_OK);
	assert_int_equal(pi.ip_version, 6);

	/* the nibble wins over the link type */
	assert_int_equal(decode(&v6, DR_LINK_IPV4, &pi), PKT_OK);
	assert_v6_addrs(&pi);
	assert_dns(&pi, 48);
	assert_int_equal(decode(&v4, DR_LINK_IPV6, &pi), PKT_OK);
	assert_v4_addrs(&pi);
	assert_dns(&pi, 28);
}

static void put_af(struct frame *f, uint32_t af, int little_endian)
{
	if (little_endian) {
		put8(f, (uint8_t)af);
		put8(f, (uint8_t)(af >> 8));
		put8(f, (uint8_t)(af >> 16));
		put8(f, (uint8_t)(af >> 24));
	} else {
		put32(f, af);
	}
}

static void test_null_loopback(void **state)
{
	static const uint32_t af6[] = { 10, 24, 28, 30 };
	struct pkt_info pi;
	(void)state;

	for (int le = 0; le <= 1; le++) {
		struct frame f = { .n = 0 };
		put_af(&f, 2, le);
		put_ip4_dns(&f);
		assert_int_equal(decode(&f, DR_LINK_NULL, &pi), PKT_OK);
		assert_v4_addrs(&pi);
		assert_dns(&pi, 4 + 28);

		for (unsigned i = 0; i < 4; i++) {
			f.n = 0;
			put_af(&f, af6[i], le);
			put_ip6_dns(&f);
			assert_int_equal(decode(&f, DR_LINK_NULL, &pi), PKT_OK);
			assert_v6_addrs(&pi);
			assert_dns(&pi, 4 + 48);
		}

		/* AF_APPLETALK-ish: not IP */
		f.n = 0;
		put_af(&f, 16, le);
		put_ip4_dns(&f);
		assert_int_equal(decode(&f, DR_LINK_NULL, &pi), PKT_SKIP_NONIP);
	}

	struct frame f = { .n = 0 };
	put_af(&f, 2, 1);
	assert_int_equal(decode_n(&f, 3, DR_LINK_NULL, &pi), PKT_BAD_L2);
	assert_int_equal(decode(&f, DR_LINK_NULL, &pi), PKT_BAD_IP);

	/* AF says IPv4, the header is IPv6 */
	put_ip6_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_NULL, &pi), PKT_BAD_IP);
}

static void test_loop_network_order(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_af(&f, 24, 0);
	put_ip6_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_LOOP, &pi), PKT_OK);
	assert_v6_addrs(&pi);
	assert_dns(&pi, 4 + 48);

	/* DLT_LOOP is network order only */
	f.n = 0;
	put_af(&f, 2, 1);
	put_ip4_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_LOOP, &pi), PKT_SKIP_NONIP);
	assert_int_equal(decode_n(&f, 2, DR_LINK_LOOP, &pi), PKT_BAD_L2);
}

static void test_unknown_linktype(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4_dns(&f);
	assert_int_equal(decode(&f, 105 /* IEEE 802.11 */, &pi), PKT_SKIP_LINKTYPE);
	assert_int_equal(decode(&f, 0xffff, &pi), PKT_SKIP_LINKTYPE);
	assert_int_equal(decode_n(&f, 0, 127, &pi), PKT_SKIP_LINKTYPE);
}

static void test_decode_ip_keeps_vlan(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_ip4_dns(&f);
	memset(&pi, 0xa5, sizeof(pi));
	pi.nvlan = 2;
	pi.vlan[0] = 7;
	pi.vlan[1] = 8;
	assert_int_equal(pkt_decode_ip(f.b, f.n, &pi), PKT_OK);
	assert_int_equal(pi.nvlan, 2);
	assert_int_equal(pi.vlan[0], 7);
	assert_int_equal(pi.vlan[1], 8);
	assert_v4_addrs(&pi);
	assert_int_equal(pi.tcp_seq, 0);
	assert_int_equal(pi.sport, 54321);
	assert_ptr_equal(pi.payload, f.b + 28);
	assert_int_equal(pi.payload_len, 29);

	assert_int_equal(pkt_decode_ip(f.b, 0, &pi), PKT_BAD_IP);
	assert_int_equal(pi.nvlan, 2);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(pkt_status_name(PKT_OK), "ok");
	assert_string_equal(pkt_status_name(PKT_FRAG), "ip_fragment");
	assert_string_equal(pkt_status_name(PKT_SKIP_LINKTYPE), "unsupported_linktype");
	assert_string_equal(pkt_status_name(PKT_SKIP_NONIP), "not_ip");
	assert_string_equal(pkt_status_name(PKT_SKIP_L4), "not_udp_tcp");
	assert_string_equal(pkt_status_name(PKT_BAD_L2), "bad_l2");
	assert_string_equal(pkt_status_name(PKT_BAD_IP), "bad_ip");
	assert_string_equal(pkt_status_name(PKT_BAD_L4), "bad_l4");
	assert_string_equal(pkt_status_name(PKT__MAX), "unknown");
	assert_string_equal(pkt_status_name((enum pkt_status)-1), "unknown");
}

/* ---- flow hash ---------------------------------------------------------- */

/* Swap addresses and ports in place, as a response would carry them. */
static void swap_endpoints(struct pkt_info *pi)
{
	uint8_t a[16];
	uint16_t port = pi->sport;
	memcpy(a, pi->src, 16);
	memcpy(pi->src, pi->dst, 16);
	memcpy(pi->dst, a, 16);
	pi->sport = pi->dport;
	pi->dport = port;
}

static void test_flow_hash_symmetric(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info q, r;
	(void)state;

	/* query and response built as frames */
	put_ip4_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_RAW, &q), PKT_OK);
	memcpy(f.b + 12, B4, 4);
	memcpy(f.b + 16, A4, 4);
	f.b[20] = 0x00; f.b[21] = 0x35; /* sport 53 */
	f.b[22] = 0xd4; f.b[23] = 0x31; /* dport 54321 */
	assert_int_equal(decode(&f, DR_LINK_RAW, &r), PKT_OK);
	assert_int_equal(r.sport, 53);
	assert_int_equal(pkt_flow_hash(&q), pkt_flow_hash(&r));

	/* another client port is another flow */
	r = q;
	r.sport = 54322;
	assert_int_not_equal(pkt_flow_hash(&q), pkt_flow_hash(&r));
	/* swapping only the ports is another flow too */
	r = q;
	r.sport = q.dport;
	r.dport = q.sport;
	assert_int_not_equal(pkt_flow_hash(&q), pkt_flow_hash(&r));

	/* IPv6 */
	f.n = 0;
	put_ip6_dns(&f);
	assert_int_equal(decode(&f, DR_LINK_RAW, &q), PKT_OK);
	r = q;
	swap_endpoints(&r);
	assert_int_equal(pkt_flow_hash(&q), pkt_flow_hash(&r));
	r.dst[15] ^= 1;
	assert_int_not_equal(pkt_flow_hash(&q), pkt_flow_hash(&r));
}

static void test_flow_hash_fragments(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info first, last, other;
	(void)state;

	put_ip4(&f, 5, 20 + 16, 0x4242, 0x2000, 17);
	put_udp(&f, 53, 54321, 3000);
	putfill(&f, 0, 8);
	assert_int_equal(decode(&f, DR_LINK_RAW, &first), PKT_FRAG);
	f.b[6] = 0x00;
	f.b[7] = 2;
	assert_int_equal(decode(&f, DR_LINK_RAW, &last), PKT_FRAG);
	assert_int_equal(pkt_flow_hash(&first), pkt_flow_hash(&last));

	/* a stray port in the struct does not matter for fragments */
	last.sport = 99;
	assert_int_equal(pkt_flow_hash(&first), pkt_flow_hash(&last));
	swap_endpoints(&last);
	assert_int_equal(pkt_flow_hash(&first), pkt_flow_hash(&last));

	other = first;
	other.frag_id = 0x4243;
	assert_int_not_equal(pkt_flow_hash(&first), pkt_flow_hash(&other));
}

/*
 * pkt_flow_hash_quick on the frame last decoded (the exact-size copy): where
 * pkt_decode found UDP or TCP, either -1 or pkt_flow_hash's value; a
 * fragment always -1 (it needs the fragment path). @return quick's result.
 */
static int check_quick(const struct frame *f, uint32_t caplen, uint16_t lt,
		       enum pkt_status st, const struct pkt_info *pi)
{
	struct dr_pkt p = { .data = copy, .caplen = caplen, .wirelen = f->n, .linktype = lt };
	uint32_t h = 0;
	int r = pkt_flow_hash_quick(&p, &h);

	if (r == 0 && st == PKT_OK)
		assert_int_equal(h, pkt_flow_hash(pi));
	if (st == PKT_FRAG)
		assert_int_equal(r, -1);
	return r;
}

static void test_flow_hash_quick(void **state)
{
	struct frame f;
	struct pkt_info pi;
	enum pkt_status st;
	(void)state;

	/* the common frames: taken, and equal to the decoded hash */
	memset(&f, 0, sizeof(f));
	put_eth(&f, 0x0800);
	put_ip4_dns(&f);
	st = decode(&f, DR_LINK_ETHERNET, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), 0);

	memset(&f, 0, sizeof(f));
	put_eth(&f, 0x86dd);
	put_ip6_dns(&f);
	st = decode(&f, DR_LINK_ETHERNET, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), 0);

	memset(&f, 0, sizeof(f));
	build_tcp(&f, 8);
	st = decode(&f, DR_LINK_ETHERNET, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), 0);

	/* the rest is left to pkt_decode: IPv4 options, a fragment (first and
	 * later), an IPv6 extension header, a VLAN tag, another link type */
	memset(&f, 0, sizeof(f));
	put_eth(&f, 0x0800);
	put_ip4(&f, 6, 24 + 8 + 29, 1, 0, 17);
	put_udp(&f, 54321, 53, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	st = decode(&f, DR_LINK_ETHERNET, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), -1);

	for (unsigned ff = 0; ff < 2; ff++) {
		memset(&f, 0, sizeof(f));
		put_eth(&f, 0x0800);
		put_ip4(&f, 5, 20 + 8 + 29, 7, ff ? 0x0003 : 0x2000, 17);
		put_udp(&f, 54321, 53, 8 + 29);
		putn(&f, DNSQ, sizeof(DNSQ));
		st = decode(&f, DR_LINK_ETHERNET, &pi);
		assert_int_equal(st, PKT_FRAG);
		assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), -1);
	}

	memset(&f, 0, sizeof(f));
	put_eth(&f, 0x86dd);
	put_ip6(&f, 8 + 8 + 29, 60);
	put_ext(&f, 17, 0);
	put_udp(&f, 54321, 53, 8 + 29);
	putn(&f, DNSQ, sizeof(DNSQ));
	st = decode(&f, DR_LINK_ETHERNET, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), -1);

	memset(&f, 0, sizeof(f));
	put_macs(&f);
	put16(&f, 0x8100);
	put16(&f, 100);
	put16(&f, 0x0800);
	put_ip4_dns(&f);
	st = decode(&f, DR_LINK_ETHERNET, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_ETHERNET, st, &pi), -1);

	memset(&f, 0, sizeof(f));
	put_ip4_dns(&f);
	st = decode(&f, DR_LINK_RAW, &pi);
	assert_int_equal(st, PKT_OK);
	assert_int_equal(check_quick(&f, f.n, DR_LINK_RAW, st, &pi), -1);
}

/* Every bucket of hash % n within 15% of the mean over 65536 flows. */
static void check_spread(const uint32_t *h, unsigned count)
{
	static const unsigned mods[] = { 2, 3, 4, 5, 7, 8, 12, 16, 31, 32, 48, 64 };
	for (unsigned m = 0; m < sizeof(mods) / sizeof(mods[0]); m++) {
		unsigned n = mods[m], bucket[64] = { 0 };
		for (unsigned i = 0; i < count; i++)
			bucket[h[i] % n]++;
		double mean = (double)count / n;
		for (unsigned b = 0; b < n; b++) {
			if (bucket[b] < mean * 0.85 || bucket[b] > mean * 1.15)
				fail_msg("n=%u bucket %u has %u, mean %.0f", n, b, bucket[b], mean);
		}
	}
}

static void test_flow_hash_distribution(void **state)
{
	enum { COUNT = 65536 };
	static uint32_t h[COUNT];
	struct pkt_info pi;
	(void)state;

	/* one client address, every source port */
	memset(&pi, 0, sizeof(pi));
	pi.ip_version = 4;
	pi.l4proto = 17;
	memcpy(pi.src, A4, 4);
	memcpy(pi.dst, B4, 4);
	pi.dport = 53;
	for (unsigned i = 0; i < COUNT; i++) {
		pi.sport = (uint16_t)i;
		h[i] = pkt_flow_hash(&pi);
	}
	check_spread(h, COUNT);

	/* sequential client addresses, one port */
	pi.sport = 33333;
	for (unsigned i = 0; i < COUNT; i++) {
		pi.src[0] = 10;
		pi.src[1] = 0;
		pi.src[2] = (uint8_t)(i >> 8);
		pi.src[3] = (uint8_t)i;
		h[i] = pkt_flow_hash(&pi);
	}
	check_spread(h, COUNT);

	/* IPv6 clients in one /64 differing in the low bits */
	pi.ip_version = 6;
	memcpy(pi.src, A6, 16);
	memcpy(pi.dst, B6, 16);
	for (unsigned i = 0; i < COUNT; i++) {
		pi.src[14] = (uint8_t)(i >> 8);
		pi.src[15] = (uint8_t)i;
		h[i] = pkt_flow_hash(&pi);
	}
	check_spread(h, COUNT);

	/* fragments: sequential ids between one pair of hosts */
	pi.is_frag = 1;
	for (unsigned i = 0; i < COUNT; i++) {
		pi.frag_id = i;
		h[i] = pkt_flow_hash(&pi);
	}
	check_spread(h, COUNT);
}

/* ---- robustness --------------------------------------------------------- */

/* Whatever the status, every view must lie inside the capture. */
static void assert_sane(const struct pkt_info *pi, enum pkt_status st, uint32_t caplen)
{
	const uint8_t *end = copy + caplen;

	assert_true((unsigned)st < PKT__MAX);
	assert_true(pi->nvlan <= PKT_MAX_VLAN);
	if (pi->l3)
		assert_true(pi->l3 >= copy && pi->l3 + pi->l3_len <= end);
	if (st == PKT_OK || st == PKT_FRAG) {
		assert_true(pi->ip_version == 4 || pi->ip_version == 6);
		assert_true(pi->l3 >= copy && pi->l3 + pi->l3_len <= end);
	}
	if (st == PKT_OK) {
		assert_true(pi->payload >= pi->l3);
		assert_true(pi->payload + pi->payload_len <= pi->l3 + pi->l3_len);
		assert_true(pi->payload_len <= pi->payload_wire_len);
		assert_int_equal(pi->is_frag, 0);
	}
	if (st == PKT_FRAG) {
		assert_int_equal(pi->is_frag, 1);
		assert_true(pi->frag_data >= pi->l3);
		assert_true(pi->frag_data + pi->frag_len <= pi->l3 + pi->l3_len);
	}
}

static void test_every_truncation_ipv4(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_info pi;
	(void)state;

	put_eth(&f, 0x0800);
	put_ip4_dns(&f);
	for (uint32_t len = 0; len <= f.n; len++) {
		enum pkt_status st = decode_n(&f, len, DR_LINK_ETHERNET, &pi);
		assert_sane(&pi, st, len);
		if (len < 14)
			assert_int_equal(st, PKT_BAD_L2);
		else if (len < 34)
			assert_int_equal(st, PKT_BAD_IP);
		else if (len < 42)
			assert_int_equal(st, PKT_BAD_L4);
		else {
			assert_int_equal(st, PKT_OK);
			assert_int_equal(pi.payload_len, len - 42);
			assert_int_equal(pi.payload_wire_len, 29);
		}
	}
}

/* A few valid frames of different shapes, for truncation and corruption. */
static unsigned build_corpus(struct frame *fr, uint16_t *lt)
{
	static const uint16_t tpid[2] = { 0x88a8, 0x8100 }, id[2] = { 1, 2 };
	unsigned n = 0;

	build_vlan_frame(&fr[n], 2, tpid, id, 0x86dd);
	put_ip6(&fr[n], 8 + 16 + 8 + 29, 0);
	put_ext(&fr[n], 60, 0);
	put_ext(&fr[n], 17, 1);
	put_udp(&fr[n], 54321, 53, 8 + 29);
	putn(&fr[n], DNSQ, sizeof(DNSQ));
	lt[n++] = DR_LINK_ETHERNET;

	build_tcp(&fr[n], 8);
	lt[n++] = DR_LINK_ETHERNET;

	put_eth(&fr[n], 0x86dd);
	put_ip6(&fr[n], 8 + 8 + 8 + 29, 60);
	put_ext(&fr[n], 44, 0);
	put_frag6(&fr[n], 17, 0, 0, 1);
	put_udp(&fr[n], 54321, 53, 8 + 29);
	putn(&fr[n], DNSQ, sizeof(DNSQ));
	lt[n++] = DR_LINK_ETHERNET;

	put_sll(&fr[n], 0x8100);
	put16(&fr[n], 9);
	put16(&fr[n], 0x0800);
	put_ip4(&fr[n], 7, 28 + 8 + 29, 1, 0, 17);
	put_udp(&fr[n], 54321, 53, 8 + 29);
	putn(&fr[n], DNSQ, sizeof(DNSQ));
	lt[n++] = DR_LINK_SLL;

	put_af(&fr[n], 30, 1);
	put_ip6(&fr[n], 8 + 40, 44);
	put_frag6(&fr[n], 17, 8, 1, 77);
	putfill(&fr[n], 0x33, 40);
	lt[n++] = DR_LINK_NULL;
	return n;
}

static void test_every_truncation_corpus(void **state)
{
	static struct frame fr[8];
	uint16_t lt[8];
	struct pkt_info pi;
	(void)state;

	memset(fr, 0, sizeof(fr));
	unsigned n = build_corpus(fr, lt);
	for (unsigned i = 0; i < n; i++) {
		enum pkt_status full = decode(&fr[i], lt[i], &pi);
		assert_true(full == PKT_OK || full == PKT_FRAG);
		for (uint32_t len = 0; len <= fr[i].n; len++) {
			enum pkt_status st = decode_n(&fr[i], len, lt[i], &pi);
			assert_sane(&pi, st, len);
		}
	}
}

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Random byte corruption, random cut, random link type: views stay inside. */
static void test_corrupted_frames(void **state)
{
	static const uint16_t lts[] = { DR_LINK_NULL, DR_LINK_ETHERNET, DR_LINK_RAW,
					DR_LINK_LOOP, DR_LINK_SLL, DR_LINK_IPV4,
					DR_LINK_IPV6, DR_LINK_SLL2 };
	static struct frame fr[8];
	uint16_t lt[8];
	uint32_t seed = 0x9e3779b9;
	(void)state;

	memset(fr, 0, sizeof(fr));
	unsigned n = build_corpus(fr, lt);
	for (unsigned iter = 0; iter < 20000; iter++) {
		struct frame f = fr[iter % n];
		struct pkt_info pi;
		unsigned flips = 1 + xorshift32(&seed) % 6;
		for (unsigned k = 0; k < flips; k++)
			f.b[xorshift32(&seed) % f.n] = (uint8_t)xorshift32(&seed);
		uint32_t len = xorshift32(&seed) % (f.n + 1);
		uint16_t link = (xorshift32(&seed) & 3) ? lt[iter % n]
							: lts[xorshift32(&seed) % 8];
		enum pkt_status st = decode_n(&f, len, link, &pi);
		assert_sane(&pi, st, len);
		(void)pkt_flow_hash(&pi);
		(void)check_quick(&f, len, link, st, &pi);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4_udp_dns),
		cmocka_unit_test(test_vlan_depths),
		cmocka_unit_test(test_vlan_each_tpid_ipv6),
		cmocka_unit_test(test_vlan_deeper_than_max),
		cmocka_unit_test(test_vlan_offloaded_then_inband),
		cmocka_unit_test(test_eth_bad_l2),
		cmocka_unit_test(test_eth_arp_not_ip),
		cmocka_unit_test(test_eth_version_mismatch),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_bad_ihl),
		cmocka_unit_test(test_ipv4_total_below_ihl),
		cmocka_unit_test(test_ipv4_bad_version),
		cmocka_unit_test(test_eth_padding_trimmed),
		cmocka_unit_test(test_truncated_capture),
		cmocka_unit_test(test_udp_length_8_with_trailing_data),
		cmocka_unit_test(test_udp_length_beyond_ip),
		cmocka_unit_test(test_udp_length_below_8),
		cmocka_unit_test(test_ipv6_hbh_dstopts_udp),
		cmocka_unit_test(test_ipv6_routing_ah_mobility),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv6_atomic_fragment),
		cmocka_unit_test(test_ipv6_chain_too_long),
		cmocka_unit_test(test_ipv6_ext_overruns),
		cmocka_unit_test(test_ipv6_skip_l4),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_icmp_not_udp_tcp),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_tcp_bad_offset),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_sll2),
		cmocka_unit_test(test_raw_ip),
		cmocka_unit_test(test_null_loopback),
		cmocka_unit_test(test_loop_network_order),
		cmocka_unit_test(test_unknown_linktype),
		cmocka_unit_test(test_decode_ip_keeps_vlan),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_flow_hash_symmetric),
		cmocka_unit_test(test_flow_hash_fragments),
		cmocka_unit_test(test_flow_hash_distribution),
		cmocka_unit_test(test_flow_hash_quick),
		cmocka_unit_test(test_every_truncation_ipv4),
		cmocka_unit_test(test_every_truncation_corpus),
		cmocka_unit_test(test_corrupted_frames),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
