/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_frame.c: libFuzzer target for the whole frame -> record path.
 *
 * The input is two option bytes and then one or more frames, split at the
 * 4-byte separator FRAME_SEP (tests/fuzz/dns.dict has it):
 *
 *   byte 0  bits 0-2  link type: Ethernet, SLL, SLL2, raw, NULL, loopback,
 *                     IPv4, IPv6 (pcap LINKTYPE_ values, capture/block.h)
 *           bit 3     decoder: 0 fast, 1 ldns
 *           bit 4     --worker-id (records carry "worker")
 *           bit 5     frames cut by the snap length (wirelen = caplen + 100)
 *           bit 6     an offloaded VLAN tag (DR_PKT_VLAN_VALID, as live input)
 *           bit 7     64 KiB output batches (the --batch-kb minimum) instead
 *                     of 1 MiB: big records become record_too_large stubs
 *   byte 1  bits 0-3  time step between frames: 4^n microseconds (1 us-18 min)
 *           bit 4     filters on: --sample 2, --qtype A,AAAA,TXT,ANY,TYPE65280,
 *                     --qname-suffix example.com,arpa, --exclude-suffix
 *                     ads.example.com (src/filter.h)
 *           bit 5     time runs backwards
 *           bit 6     start 1000 s before 2^64 ns (year 2554): packet
 *                     times reach the end of the 64-bit range and wrap
 *           bit 7     --unanswered: queries never answered are logged too
 *   rest    frames
 *
 * The frames go, as one block, through a real struct worker (src/worker.c:
 * pkt_decode, IP fragment and TCP stream reassembly, the DNS port check,
 * the decoder, query/response matching, rec_begin/rec_end) with
 * writer_stub.c in place of the writer thread. Every batch the worker
 * submits is checked there: whole NDJSON lines, each a valid JSON object in
 * valid UTF-8, as many as the batch claims. Here:
 *  - every frame is accounted for once: frames plus reassembled datagrams
 *    equal the L2-L4 skip counters + not_dns_port + udp_empty + UDP records
 *    + TCP segments (tcpr) + fragments (ipfrag);
 *  - every record formed reached the stub;
 *  - the reassembly tables stay within their limits and are empty after
 *    the end-of-input expiry (what worker_finish() does at end of input).
 * Each frame is decoded from its own heap copy of exactly caplen bytes, so
 * a read past it is an ASan report.
 *
 * State: a worker per combination of decoder, filters and --unanswered
 * (made when first needed) lives for the whole run; after each input the
 * reassembly tables are expired at UINT64_MAX, the match table emptied
 * (match_flush, which logs the unanswered queries) and the partial batch
 * flushed, as worker_finish() does at end of input, so that an input
 * behaves the same whatever ran before (but for the order of free lists).
 */
#include "config.h"

#include <string.h>

#include "capture/pkt.h"
#include "src/worker.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/writer_stub.h"

#define FRAME_SEP "\xff" "DR" "\xff"
#define MAX_FRAMES 256
#define TS_BASE 1795766950000000000ull /* 2026-11-27 */

static const uint16_t links[8] = {
	DR_LINK_ETHERNET, DR_LINK_SLL, DR_LINK_SLL2, DR_LINK_RAW,
	DR_LINK_NULL, DR_LINK_LOOP, DR_LINK_IPV4, DR_LINK_IPV6,
};

/* [filters << 1 | unanswered] */
static struct dr_opts opts[4];
/* [filters << 2 | unanswered << 1 | ldns] */
static struct worker workers[8];
static uint8_t ready[8];

static void setup_opts(struct dr_opts *o, int filters, int unanswered)
{
	static const uint16_t ports[] = { 53, 5353, 5355 };

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < DR_ARRAY_SIZE(ports); i++)
		o->ports[ports[i] >> 3] |= (uint8_t)(1u << (ports[i] & 7));
	o->match_timeout = 5;
	o->batch_kb = 1024;
	o->unanswered = unanswered;
	if (!filters)
		return;
	FUZZ_CHECK(filter_parse_sample(&o->filter, "2") == 0 &&
		   filter_parse_qtype(&o->filter, "A,AAAA,TXT,ANY,TYPE65280") == 0 &&
		   filter_parse_suffixes(&o->filter, "example.com,arpa", 0) == 0 &&
		   filter_parse_suffixes(&o->filter, "ads.example.com", 1) == 0,
		   "filter setup");
	FUZZ_CHECK(o->filter.active, "filters not active");
}

static struct worker *get_worker(unsigned k)
{
	if (!ready[k]) {
		struct dr_opts *o = &opts[k >> 1];

		setup_opts(o, (k >> 2) & 1, (k >> 1) & 1);
		FUZZ_CHECK(worker_init(&workers[k], k, o, k & 1 ? &dns_ldns_decoder
							   : &dns_fast_decoder, NULL) == 0,
			   "worker_init");
		ready[k] = 1;
	}
	return &workers[k];
}

/* Frames of one input: the part after the option bytes, split at FRAME_SEP. */
static unsigned split(const uint8_t *d, size_t n, const uint8_t **start, size_t *len)
{
	unsigned nf = 0;
	size_t from = 0;

	for (size_t i = 0; nf < MAX_FRAMES - 1 && i + 4 <= n; i++) {
		if (memcmp(d + i, FRAME_SEP, 4) != 0)
			continue;
		start[nf] = d + from;
		len[nf++] = i - from;
		from = i + 4;
		i += 3;
	}
	start[nf] = d + from;
	len[nf++] = n - from;
	return nf;
}

static uint64_t ctr(const dr_ctr *c)
{
	return dr_ctr_get(c);
}

/*
 * Where frames (and reassembled datagrams, which are decoded again) end up:
 * each in exactly one of these. A UDP message is decoded (dns_msgs) or
 * sampled out (--sample) before decoding, and so is every message tcpr
 * delivers; a TCP segment counts once in tcpr, whatever it delivers.
 */
static uint64_t accounted(const struct worker *w)
{
	const struct worker_stats *s = &w->st;
	uint64_t n = ctr(&s->not_dns_port) + ctr(&s->udp_empty) + ctr(&s->dns_msgs) +
		     ctr(&s->sampled_out) - ctr(&tcpr_stats(w->tcp)->messages) +
		     ctr(&tcpr_stats(w->tcp)->segments) +
		     ctr(&ipfrag_stats(w->frag)->fragments);

	for (int i = 0; i < PKT__MAX; i++)
		n += ctr(&s->pkt_status[i]);
	return n;
}

/* Frames in, plus datagrams reassembled (each goes round once more). */
static uint64_t handled(const struct worker *w)
{
	return ctr(&w->st.pkts) + ctr(&ipfrag_stats(w->frag)->reassembled);
}

static void check_tables(const struct worker *w, int empty)
{
	uint32_t n, bytes;

	ipfrag_usage(w->frag, &n, &bytes);
	FUZZ_CHECK(n <= 1024 && bytes <= (4u << 20), "ipfrag: %u datagrams, %u bytes", n, bytes);
	FUZZ_CHECK(!empty || (n == 0 && bytes == 0), "ipfrag: %u datagrams, %u bytes left", n,
		   bytes);
	tcpr_usage(w->tcp, &n, &bytes);
	FUZZ_CHECK(n <= 4096 && bytes <= (8u << 20), "tcpr: %u streams, %u bytes", n, bytes);
	FUZZ_CHECK(!empty || (n == 0 && bytes == 0), "tcpr: %u streams, %u bytes left", n, bytes);
}

/* End of an input: hand back the batch, forget everything in flight. */
static void settle(struct worker *w)
{
	check_tables(w, 0);
	ipfrag_expire(w->frag, UINT64_MAX);
	tcpr_expire(w->tcp, UINT64_MAX);
	check_tables(w, 1);
	if (w->match)
		match_flush(w->match); /* --unanswered: records of their own */
	if (w->batch && w->batch->nrec) {
		worker_flush(w);
	} else if (w->batch) {
		stub_batch_release(w->batch);
		w->batch = NULL;
	}
	FUZZ_CHECK(w->batch == NULL, "worker kept a batch after flush");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dr_pkt pkts[MAX_FRAMES];
	static uint8_t *copies[MAX_FRAMES];
	const uint8_t *start[MAX_FRAMES];
	size_t len[MAX_FRAMES];
	struct worker *w;
	uint64_t ts, step, pkts0, in0, acc0, rec0, stub0, un0, unrec0;
	unsigned nf;

	if (size < 2)
		return 0;
	w = get_worker((data[1] & 0x10) >> 2 | (data[1] & 0x80) >> 6 | (data[0] >> 3 & 1));
	for (int i = 0; i < 4; i++)
		opts[i].worker_id = (data[0] >> 4) & 1;
	stub_batch_setup(data[0] & 0x80 ? 64u * 1024 : 1024u * 1024);
	step = 1000ull << 2 * (data[1] & 15);
	ts = data[1] & 0x40 ? UINT64_MAX - 1000000000000ull : TS_BASE;

	nf = split(data + 2, size - 2, start, len);
	for (unsigned i = 0; i < nf; i++) {
		copies[i] = malloc(len[i] ? len[i] : 1);
		FUZZ_CHECK(copies[i] != NULL, "out of memory");
		memcpy(copies[i], start[i], len[i]);
		pkts[i] = (struct dr_pkt){
			.data = copies[i],
			.ts_ns = ts,
			.caplen = (uint32_t)len[i],
			.wirelen = (uint32_t)len[i] + (data[0] & 0x20 ? 100 : 0),
			.linktype = links[data[0] & 7],
			.vlan_tci = data[0] & 0x40 ? 0x2064 : 0,
			.vlan_tpid = data[0] & 0x40 ? 0x8100 : 0,
			.flags = data[0] & 0x40 ? DR_PKT_VLAN_VALID : 0,
		};
		ts = data[1] & 0x20 ? ts - step : ts + step;
	}

	/* The file reader's shortcut to a worker (pkt_flow_hash_quick) must
	 * agree with decoding: the same hash where pkt_decode finds UDP or
	 * TCP, and never taken for a fragment. */
	for (unsigned i = 0; i < nf; i++) {
		struct pkt_info pi;
		enum pkt_status st = pkt_decode(&pkts[i], &pi);
		uint32_t qh;

		if (pkt_flow_hash_quick(&pkts[i], &qh) == 0) {
			FUZZ_CHECK(st != PKT_FRAG, "quick hash taken for a fragment");
			FUZZ_CHECK(st != PKT_OK || qh == pkt_flow_hash(&pi),
				   "quick hash %08x, decoded %08x", qh, pkt_flow_hash(&pi));
		}
	}

	pkts0 = ctr(&w->st.pkts);
	in0 = handled(w);
	acc0 = accounted(w);
	rec0 = ctr(&w->st.records);
	un0 = w->match ? ctr(&match_stats(w->match)->unanswered) : 0;
	unrec0 = ctr(&w->st.unanswered_records);
	stub0 = stub_records();
	worker_process(w, pkts, nf);
	FUZZ_CHECK(ctr(&w->st.pkts) - pkts0 == nf, "%llu frames counted of %u",
		   (unsigned long long)(ctr(&w->st.pkts) - pkts0), nf);
	settle(w);
	for (unsigned i = 0; i < nf; i++)
		free(copies[i]);

	FUZZ_CHECK(accounted(w) - acc0 == handled(w) - in0,
		   "%llu frames and datagrams accounted for, %llu handled",
		   (unsigned long long)(accounted(w) - acc0), (unsigned long long)(handled(w) - in0));
	/* Each query logged as unanswered was counted unanswered by the table;
	 * without filters, when no message can pass MATCH_KEEP_MAX (and so
	 * every query is kept), each one counted is logged: a record or a stub. */
	uint64_t unrec = ctr(&w->st.unanswered_records) - unrec0;
	uint64_t un = ctr(&match_stats(w->match)->unanswered) - un0;
	FUZZ_CHECK(unrec <= un, "%llu unanswered records, %llu unanswered queries",
		   (unsigned long long)unrec, (unsigned long long)un);
	if (w->opts->unanswered && !w->filter && size - 2 <= MATCH_KEEP_MAX)
		FUZZ_CHECK(unrec == un, "%llu unanswered records, %llu unanswered queries",
			   (unsigned long long)unrec, (unsigned long long)un);
	FUZZ_CHECK(ctr(&w->st.records) - rec0 == stub_records() - stub0,
		   "records formed %llu, submitted %llu",
		   (unsigned long long)(ctr(&w->st.records) - rec0),
		   (unsigned long long)(stub_records() - stub0));
	return 0;
}
