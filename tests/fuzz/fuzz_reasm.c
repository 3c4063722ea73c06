/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_reasm.c: libFuzzer target for IP fragment reassembly
 * (capture/ipfrag.c) and DNS-over-TCP stream reassembly
 * (capture/tcpreasm.c, capture/tcpwin.c), driven by a sequence of frames.
 *
 * Input: one option byte, then records of [length: 2 bytes big-endian]
 * [time step: 1 byte][frame: length bytes] (the last frame takes what is
 * left when the length says more):
 *
 *   byte 0  bits 0-2  link type, as in fuzz_frame.c
 *           bits 3-4  table sizes: 4, 16 or 64 datagrams/streams with the
 *                     smallest pools, or the defaults
 *           bits 5-6  timeouts: the defaults (30 s / 60 s), 1 ms, 1 s, 5 s
 *           bit 7     also expire after every frame (a worker's idle tick)
 *   step    < 0x80: that many ms forward; 0x80-0xfd: (step - 0x80) s
 *           forward; 0xfe: 10 s back (capture files out of order);
 *           0xff: an hour forward
 *
 * Each frame goes through pkt_decode() (from its own exact-size heap copy);
 * fragments go to ipfrag_add(), TCP segments to tcpr_add(). A reassembled
 * datagram is copied out (exact size again) and decoded with
 * pkt_decode_ip(); its TCP segment goes to tcpr_add(), its UDP payload to
 * the fast DNS decoder. Every message tcpr delivers is copied out and
 * decoded too, and the JSON checked. Checked after every frame:
 *  - memory stays bounded: ipfrag_usage() and tcpr_usage() within the
 *    limits the tables were created with;
 *  - every fragment is counted once: `fragments` +1, and a dropped one in
 *    the counter its return code names (ipfrag.h);
 *  - tcpr_add() accepts every TCP segment, delivers messages of at most
 *    65535 bytes with the segment's time, never re-enters, and counts each
 *    delivery in `messages`.
 * At the end of the input, expiring at UINT64_MAX must leave both tables
 * empty: no datagram, stream or pool byte left behind.
 *
 * The small tables are created per input (so that limits are reached within
 * a few frames), so an input behaves the same whatever ran before. Tables
 * of the default sizes take milliseconds to set up, so those are made once
 * per timeout and reused: the end-of-input check has emptied them, and
 * only the order of their free lists remembers earlier inputs.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "capture/ipfrag.h"
#include "capture/tcpreasm.h"
#include "dns/dns.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/jsoncheck.h"

#define TS_BASE 1795766950000000000ull /* 2026-11-27 */
#define MS 1000000ull
#define SEC 1000000000ull
#define DNS_OUT_CAP (24u << 20)

static const uint16_t links[8] = {
	DR_LINK_ETHERNET, DR_LINK_SLL, DR_LINK_SLL2, DR_LINK_RAW,
	DR_LINK_NULL, DR_LINK_LOOP, DR_LINK_IPV4, DR_LINK_IPV6,
};

struct run {
	struct ipfrag_table *ipf;
	struct tcpr_table *tcp;
	struct ipfrag_limits ipf_lim;
	struct tcpr_limits tcp_lim;
	uint64_t now;
	int in_callback;
	int cached;             /* tables from big[], kept after the input */
	uint64_t delivered;
};

/* The default-sized tables, by timeout profile. */
static struct {
	struct ipfrag_table *ipf;
	struct tcpr_table *tcp;
} big[4];

static struct dns_decoder *dec;
static char *dns_out;

/* ---- checks ---------------------------------------------------------------- */

static void check_dns(const uint8_t *msg, uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct dns_summary sum;
	struct jbuf jb;
	size_t off, n;

	FUZZ_CHECK(copy != NULL, "out of memory");
	memcpy(copy, msg, len);
	jb_init(&jb, dns_out, DNS_OUT_CAP - 1);
	jb_lit(&jb, "{\"x\":0");
	dns_fast_decoder.render(dec, copy, len, &jb, &sum);
	free(copy);
	if (jb.overflow)
		return;
	*jb.p++ = '}';
	n = (size_t)(jb.p - dns_out);
	if (jsonc_check(dns_out, n, 1, &off) < 0) {
		jsonc_report("message", dns_out, n, off);
		FUZZ_CHECK(0, "decoded message is not valid JSON");
	}
}

static void check_usage(const struct run *r)
{
	uint32_t d, b;

	ipfrag_usage(r->ipf, &d, &b);
	FUZZ_CHECK(d <= r->ipf_lim.max_datagrams, "ipfrag: %u datagrams > %u", d,
		   r->ipf_lim.max_datagrams);
	FUZZ_CHECK(b <= r->ipf_lim.max_bytes, "ipfrag: %u bytes > %u", b, r->ipf_lim.max_bytes);
	tcpr_usage(r->tcp, &d, &b);
	FUZZ_CHECK(d <= r->tcp_lim.max_streams, "tcpr: %u streams > %u", d,
		   r->tcp_lim.max_streams);
	FUZZ_CHECK(b <= r->tcp_lim.max_bytes, "tcpr: %u bytes > %u", b, r->tcp_lim.max_bytes);
}

/* ---- TCP --------------------------------------------------------------------- */

static void on_msg(void *arg, const uint8_t *msg, uint32_t len, int multi, uint64_t ts_ns)
{
	struct run *r = arg;

	FUZZ_CHECK(!r->in_callback, "tcpr callback re-entered");
	FUZZ_CHECK(len <= 65535, "message of %u bytes", len);
	FUZZ_CHECK(ts_ns == r->now, "message time %llu, segment time %llu",
		   (unsigned long long)ts_ns, (unsigned long long)r->now);
	FUZZ_CHECK(multi == 0 || multi == 1, "multi_segment %d", multi);
	r->in_callback = 1;
	check_dns(msg, len);
	r->in_callback = 0;
	r->delivered++;
}

static void add_tcp(struct run *r, const struct pkt_info *pi)
{
	const struct tcpr_stats *st = tcpr_stats(r->tcp);
	uint64_t seg0 = dr_ctr_get(&st->segments), msg0 = dr_ctr_get(&st->messages);
	uint64_t del0 = r->delivered;
	int rc = tcpr_add(r->tcp, pi, r->now, on_msg, r);

	FUZZ_CHECK(rc == 0, "tcpr_add: %d", rc);
	FUZZ_CHECK(dr_ctr_get(&st->segments) == seg0 + 1, "segment not counted");
	FUZZ_CHECK(dr_ctr_get(&st->messages) - msg0 == r->delivered - del0,
		   "%llu messages counted, %llu delivered",
		   (unsigned long long)(dr_ctr_get(&st->messages) - msg0),
		   (unsigned long long)(r->delivered - del0));
}

/* ---- fragments ---------------------------------------------------------------- */

/* The drop counters of ipfrag_stats, summed by what a return code may hit. */
static uint64_t drops(const struct ipfrag_stats *s, int rc)
{
	switch (rc) {
	case -EALREADY:
		return dr_ctr_get(&s->duplicates);
	case -EPROTO:
		return dr_ctr_get(&s->overlap_dropped) + dr_ctr_get(&s->bad);
	case -EMSGSIZE:
		return dr_ctr_get(&s->too_big);
	case -ENODATA:
		return dr_ctr_get(&s->truncated);
	case -EINVAL:
		return dr_ctr_get(&s->bad);
	case -ENOBUFS:
		return dr_ctr_get(&s->evicted);
	default:
		return 0;
	}
}

static void reassembled(struct run *r, const uint8_t *dgram, uint32_t len)
{
	struct pkt_info pi;
	uint8_t *copy;
	enum pkt_status st;

	FUZZ_CHECK(len >= 20 && len <= 40 + 65535, "reassembled datagram of %u bytes", len);
	copy = malloc(len);
	FUZZ_CHECK(copy != NULL, "out of memory");
	memcpy(copy, dgram, len);
	st = pkt_decode_ip(copy, len, &pi);
	/* A fragment inside a fragment (IPv6 allows the header chain to say so)
	 * is not reassembled twice: the worker must not loop on it either. */
	if (st == PKT_OK && pi.l4proto == IPPROTO_TCP)
		add_tcp(r, &pi);
	else if (st == PKT_OK && pi.l4proto == IPPROTO_UDP && pi.payload_len)
		check_dns(pi.payload, pi.payload_len);
	free(copy);
}

static void add_frag(struct run *r, const struct pkt_info *pi)
{
	const struct ipfrag_stats *st = ipfrag_stats(r->ipf);
	uint64_t frag0 = dr_ctr_get(&st->fragments), re0 = dr_ctr_get(&st->reassembled);
	uint64_t drop0[5];
	static const int codes[5] = { -EALREADY, -EPROTO, -EMSGSIZE, -ENODATA, -EINVAL };
	const uint8_t *dgram = NULL;
	uint32_t len = 0;
	int rc;

	for (int i = 0; i < 5; i++)
		drop0[i] = drops(st, codes[i]);
	uint64_t ev0 = dr_ctr_get(&st->evicted);
	rc = ipfrag_add(r->ipf, pi, r->now, &dgram, &len);
	FUZZ_CHECK(dr_ctr_get(&st->fragments) == frag0 + 1, "fragment not counted");
	switch (rc) {
	case 1:
		FUZZ_CHECK(dr_ctr_get(&st->reassembled) == re0 + 1, "reassembly not counted");
		reassembled(r, dgram, len);
		return;
	case 0:
		return;
	case -ENOBUFS:
		FUZZ_CHECK(dr_ctr_get(&st->evicted) > ev0, "-ENOBUFS not counted as evicted");
		return;
	default:
		for (int i = 0; i < 5; i++) {
			if (codes[i] != rc)
				continue;
			FUZZ_CHECK(drops(st, rc) == drop0[i] + 1, "drop %d counted %llu times", rc,
				   (unsigned long long)(drops(st, rc) - drop0[i]));
			FUZZ_CHECK(dr_ctr_get(&st->reassembled) == re0, "drop counted as reassembled");
			return;
		}
		FUZZ_CHECK(0, "ipfrag_add returned %d", rc);
	}
}

/* ---- the input ---------------------------------------------------------------- */

static void setup_run(struct run *r, uint8_t opt)
{
	static const uint32_t sizes[4] = { 4, 16, 64, 0 };
	static const uint64_t timeouts[4] = { 0, 1 * MS, 1 * SEC, 5 * SEC };
	unsigned sz = (opt >> 3) & 3;

	memset(r, 0, sizeof(*r));
	r->ipf_lim = (struct ipfrag_limits){
		.max_datagrams = sizes[sz] ? sizes[sz] : 1024,
		.max_bytes = sz == 3 ? 4u << 20 : sz == 2 ? 128u << 10 : 64u << 10,
		.timeout_ns = timeouts[(opt >> 5) & 3] ? timeouts[(opt >> 5) & 3] : 30 * SEC,
	};
	r->tcp_lim = (struct tcpr_limits){
		.max_streams = sizes[sz] ? sizes[sz] : 4096,
		.max_bytes = sz == 3 ? 8u << 20 : sz == 2 ? 4 * TCPR_WINDOW : 2 * TCPR_WINDOW,
		.timeout_ns = timeouts[(opt >> 5) & 3] ? timeouts[(opt >> 5) & 3] : 60 * SEC,
	};
	r->now = TS_BASE;
	if (sz == 3) {
		unsigned ti = (opt >> 5) & 3;

		if (!big[ti].ipf) {
			FUZZ_CHECK(ipfrag_create(&big[ti].ipf, &r->ipf_lim) == 0, "ipfrag_create");
			FUZZ_CHECK(tcpr_create(&big[ti].tcp, &r->tcp_lim) == 0, "tcpr_create");
		}
		r->ipf = big[ti].ipf;
		r->tcp = big[ti].tcp;
		r->cached = 1;
		return;
	}
	FUZZ_CHECK(ipfrag_create(&r->ipf, &r->ipf_lim) == 0, "ipfrag_create");
	FUZZ_CHECK(tcpr_create(&r->tcp, &r->tcp_lim) == 0, "tcpr_create");
}

static void step_time(struct run *r, uint8_t step)
{
	uint64_t d = step < 0x80 ? step * MS : step < 0xfe ? (uint64_t)(step - 0x80) * SEC
			: step == 0xfe ? 0 : 3600 * SEC;

	if (step == 0xfe)
		r->now = r->now > 10 * SEC ? r->now - 10 * SEC : 0;
	else
		r->now = r->now + d < r->now ? UINT64_MAX - 1 : r->now + d;
}

static void frame(struct run *r, const uint8_t *d, uint32_t len, uint16_t linktype)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct dr_pkt p = { .data = copy, .ts_ns = r->now, .caplen = len, .wirelen = len,
			    .linktype = linktype };
	struct pkt_info pi;

	FUZZ_CHECK(copy != NULL, "out of memory");
	memcpy(copy, d, len);
	switch (pkt_decode(&p, &pi)) {
	case PKT_FRAG:
		add_frag(r, &pi);
		break;
	case PKT_OK:
		if (pi.l4proto == IPPROTO_TCP)
			add_tcp(r, &pi);
		break;
	default:
		break;
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	uint32_t a, b;
	size_t off = 1;

	if (size < 1)
		return 0;
	if (!dec) {
		FUZZ_CHECK(dns_fast_decoder.create(&dec) == 0, "decoder create");
		dns_out = malloc(DNS_OUT_CAP);
		FUZZ_CHECK(dns_out != NULL, "out of memory");
	}
	setup_run(&r, data[0]);
	while (off + 3 <= size) {
		uint32_t len = (uint32_t)data[off] << 8 | data[off + 1];

		step_time(&r, data[off + 2]);
		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		frame(&r, data + off, len, links[data[0] & 7]);
		off += len;
		if (data[0] & 0x80) {
			ipfrag_expire(r.ipf, r.now);
			tcpr_expire(r.tcp, r.now);
		}
		check_usage(&r);
	}
	ipfrag_expire(r.ipf, UINT64_MAX);
	tcpr_expire(r.tcp, UINT64_MAX);
	ipfrag_usage(r.ipf, &a, &b);
	FUZZ_CHECK(a == 0 && b == 0, "ipfrag: %u datagrams, %u bytes left after expiry", a, b);
	tcpr_usage(r.tcp, &a, &b);
	FUZZ_CHECK(a == 0 && b == 0, "tcpr: %u streams, %u bytes left after expiry", a, b);
	if (!r.cached) {
		ipfrag_destroy(r.ipf);
		tcpr_destroy(r.tcp);
	}
	return 0;
}
