/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * worker.c: frame -> DNS message -> record, into the worker's batch.
 *
 * The per-packet path allocates nothing: the decoder keeps its scratch in
 * its per-worker instance, records are formatted straight into the batch
 * buffer, and a batch is only swapped when the next record does not fit.
 */
#include "config.h"

#include <netinet/in.h>
#include <time.h>

#include "output/record.h"
#include "src/worker.h"

static void emit_unanswered(void *arg, const struct match_pending *q);

int worker_init(struct worker *w, unsigned index, const struct dr_opts *opts,
		const struct dns_decoder_ops *ops, struct writer *wr)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->opts = opts;
	w->iface = NULL;
	w->ops = ops;
	w->wr = wr;
	w->filter = opts->filter.active ? &opts->filter : NULL;
	jb_tscache_init(&w->tsc);
	/* Tables are sized once here: nothing on the packet path allocates. */
	ret = ipfrag_create(&w->frag, NULL);
	if (ret == 0)
		ret = tcpr_create(&w->tcp, NULL);
	if (ret == 0 && !opts->no_match)
		ret = match_create(&w->match, WORKER_MATCH_CAPACITY,
				   (uint64_t)(opts->match_timeout * 1e9));
	if (ret == 0 && w->match && opts->unanswered)
		ret = match_keep_queries(w->match, WORKER_UNANSWERED_RING, emit_unanswered, w);
	if (ret < 0)
		return ret;
	return ops->create(&w->dec);
}

void worker_fini(struct worker *w)
{
	if (w->dec)
		w->ops->destroy(w->dec);
	w->dec = NULL;
	match_destroy(w->match);
	w->match = NULL;
	ipfrag_destroy(w->frag);
	w->frag = NULL;
	tcpr_destroy(w->tcp);
	w->tcp = NULL;
}

static void submit(struct worker *w)
{
	writer_batch_submit(w->wr, w->batch);
	w->batch = NULL;
}

void worker_flush(struct worker *w)
{
	/* Idle live capture: packet time stands still, so expire queries by
	 * the clock (live timestamps are the realtime clock), letting
	 * --unanswered records and counters come out without new traffic. */
	if (w->match && w->iface) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		match_expire(w->match, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
	}
	if (w->batch && w->batch->nrec)
		submit(w);
}

void worker_finish(struct worker *w)
{
	/* End of input: what never completed is counted as timed out. */
	if (w->frag)
		ipfrag_expire(w->frag, UINT64_MAX);
	if (w->tcp)
		tcpr_expire(w->tcp, UINT64_MAX);
	if (w->match)
		match_flush(w->match);
	if (!w->batch)
		w->batch = writer_batch_get(w->wr, w->index);
	w->batch->last = 1;
	submit(w);
}

/*
 * Format one record into jb; returns the decoder's verdict. The message is
 * offered to the match table once (matched is set after that), between
 * decoding and the trailer that carries rtt_us.
 */
static enum dns_err format_record(struct worker *w, struct jbuf *jb, struct rec_meta *m,
				  const uint8_t *msg, uint32_t len, int truncated,
				  struct dns_summary *sum, int *matched)
{
	enum dns_err err;

	rec_begin(jb, &w->tsc, m);
	err = w->ops->render(w->dec, msg, len, jb, sum);
	if (w->match && !*matched) {
		m->rtt_us = match_offer_msg(w->match, m->pi, m->transport, sum, m->ts_ns, msg, len,
					    m->ip_defragmented, m->tcp_reassembled);
		*matched = 1;
	}
	/* A message cut by the snap length fails somewhere inside; the cause
	 * worth reporting is the cut, not where the decoder tripped on it. */
	if (truncated)
		err = DNS_E_TRUNCATED;
	rec_end(jb, m, err);
	return err;
}

/* A record larger than a whole batch: keep the envelope and say why. */
static void format_stub(struct worker *w, struct jbuf *jb, const struct rec_meta *m)
{
	rec_begin(jb, &w->tsc, m);
	rec_end_error(jb, m, "record_too_large");
}

static void count_message(struct worker *w, const struct dns_summary *sum, enum dns_err err)
{
	dr_ctr_add(&w->st.dns_msgs, 1);
	if (sum->has_header)
		dr_ctr_add(sum->qr ? &w->st.responses : &w->st.queries, 1);
	if (err != DNS_OK)
		dr_ctr_add(&w->st.malformed[err], 1);
}

/*
 * Render the record into the current batch without committing it: *jb ends
 * where the record ends, batch->len is not moved. @return the decoder's
 * verdict; *stub is set when the record had to become a stub.
 */
static enum dns_err render(struct worker *w, struct jbuf *jb, struct rec_meta *m,
			   const uint8_t *msg, uint32_t len, int truncated,
			   struct dns_summary *sum, int *stub)
{
	enum dns_err err;
	int matched = 0;

	for (;;) {
		struct dr_batch *b;

		if (!w->batch)
			w->batch = writer_batch_get(w->wr, w->index);
		b = w->batch;
		jb_init(jb, b->buf + b->len, b->cap - b->len);
		memset(sum, 0, sizeof(*sum));
		err = format_record(w, jb, m, msg, len, truncated, sum, &matched);
		if (!jb->overflow)
			return err;
		if (b->nrec) {
			submit(w); /* full: retry on an empty batch */
			continue;
		}
		jb_init(jb, b->buf, b->cap);
		format_stub(w, jb, m);
		*stub = 1;
		return err;
	}
}

/*
 * One DNS message. With a filter set (w->filter, src/filter.h) --sample
 * is decided first, from the addresses alone; the other filters judge the
 * decoder's summary after rendering, and a rejected record is dropped by
 * leaving batch->len where it was (the next record overwrites it). Without
 * a filter both tests are one never-taken branch on the same pointer.
 */
static void emit(struct worker *w, struct rec_meta *m, const uint8_t *msg,
		 uint32_t len, int truncated)
{
	struct dns_summary sum;
	struct jbuf jb;
	enum dns_err err;
	int stub = 0;

	/* Between records: an unanswered query logged now (--unanswered)
	 * becomes a record of its own before this one. */
	if (w->match)
		match_expire(w->match, m->ts_ns);
	if (DR_UNLIKELY(w->filter != NULL) && !filter_flow_keep(w->filter, m->pi)) {
		dr_ctr_add(&w->st.sampled_out, 1);
		return;
	}
	err = render(w, &jb, m, msg, len, truncated, &sum, &stub);
	count_message(w, &sum, err);
	if (DR_UNLIKELY(w->filter != NULL) && !filter_keep(w->filter, &sum)) {
		dr_ctr_add(&w->st.filtered_out, 1);
		return;
	}
	w->batch->len = (size_t)(jb.p - w->batch->buf);
	w->batch->nrec++;
	dr_ctr_add(&w->st.records, 1);
	if (DR_UNLIKELY(stub))
		dr_ctr_add(&w->st.record_too_large, 1);
}

/*
 * --unanswered: a query whose response never came, logged from the copy the
 * match table kept, with "unanswered":true. Runs between records (see
 * match_expire), never inside one.
 */
static void emit_unanswered(void *arg, const struct match_pending *q)
{
	struct worker *w = arg;
	struct pkt_info pi;
	struct dns_summary sum;
	struct jbuf jb;

	memset(&pi, 0, sizeof(pi));
	memcpy(pi.src, q->src, 16);
	memcpy(pi.dst, q->dst, 16);
	pi.sport = q->sport;
	pi.dport = q->dport;
	pi.ip_version = q->ip_version;
	pi.nvlan = q->nvlan;
	memcpy(pi.vlan, q->vlan, sizeof(pi.vlan));
	struct rec_meta m = {
		.ts_ns = q->ts_ns,
		.iface = w->iface,
		.pi = &pi,
		.transport = q->transport,
		.size = q->len,
		.rtt_us = -1,
		.ip_defragmented = q->ip_defragmented,
		.tcp_reassembled = q->tcp_reassembled,
		.unanswered = 1,
		.worker = w->opts->worker_id ? (int)w->index : -1,
	};
	for (;;) {
		struct dr_batch *b;
		enum dns_err err;

		if (!w->batch)
			w->batch = writer_batch_get(w->wr, w->index);
		b = w->batch;
		jb_init(&jb, b->buf + b->len, b->cap - b->len);
		memset(&sum, 0, sizeof(sum));
		rec_begin(&jb, &w->tsc, &m);
		err = w->ops->render(w->dec, q->wire, q->len, &jb, &sum);
		rec_end(&jb, &m, err);
		if (!jb.overflow)
			break;
		(void)err;
		if (!b->nrec) {
			/* 4 KiB of wire can still render past a small batch
			 * (compression pointers): a stub, counted, as for any
			 * record (found by fuzz_frame). */
			jb_init(&jb, b->buf, b->cap);
			format_stub(w, &jb, &m);
			dr_ctr_add(&w->st.record_too_large, 1);
			break;
		}
		submit(w);
	}
	/* The record filters apply to it as to the query it was. */
	if (DR_UNLIKELY(w->filter != NULL) && !filter_keep(w->filter, &sum))
		return;
	w->batch->len = (size_t)(jb.p - w->batch->buf);
	w->batch->nrec++;
	dr_ctr_add(&w->st.records, 1);
	dr_ctr_add(&w->st.unanswered_records, 1);
}

static int dns_port(const struct worker *w, const struct pkt_info *pi)
{
	return dr_opts_port(w->opts, pi->sport) || dr_opts_port(w->opts, pi->dport);
}

/* What a TCP message needs to become a record (tcpr_add's callback arg). */
struct tcp_ctx {
	struct worker *w;
	const struct pkt_info *pi;
	int defragmented;
};

static void on_tcp_message(void *arg, const uint8_t *msg, uint32_t len, int multi_segment,
			   uint64_t ts_ns)
{
	struct tcp_ctx *c = arg;
	struct rec_meta m = {
		.ts_ns = ts_ns,
		.iface = c->w->iface,
		.pi = c->pi,
		.transport = IPPROTO_TCP,
		.size = len,
		.rtt_us = -1,
		.ip_defragmented = (uint8_t)c->defragmented,
		.tcp_reassembled = (uint8_t)multi_segment,
		.worker = c->w->opts->worker_id ? (int)c->w->index : -1,
	};

	emit(c->w, &m, msg, len, 0);
}

/* A UDP datagram or TCP segment on a DNS port. */
static void process_l4(struct worker *w, const struct dr_pkt *p, const struct pkt_info *pi,
		       int defragmented)
{
	if (pi->l4proto == IPPROTO_TCP) {
		struct tcp_ctx c = { w, pi, defragmented };
		tcpr_add(w->tcp, pi, p->ts_ns, on_tcp_message, &c);
		return;
	}
	if (pi->payload_wire_len == 0) {
		dr_ctr_add(&w->st.udp_empty, 1);
		return;
	}
	/* Headers claiming more than arrived: a snap-length cut when the frame
	 * itself was cut, else a damaged datagram the decoder judges as is. */
	int cut = pi->payload_len < pi->payload_wire_len && p->caplen < p->wirelen;
	struct rec_meta m = {
		.ts_ns = p->ts_ns,
		.iface = w->iface,
		.pi = pi,
		.transport = IPPROTO_UDP,
		.size = cut ? pi->payload_wire_len : pi->payload_len,
		.rtt_us = -1,
		.ip_defragmented = (uint8_t)defragmented,
		.worker = w->opts->worker_id ? (int)w->index : -1,
	};
	emit(w, &m, pi->payload, pi->payload_len, cut);
}

/*
 * An IP fragment: into the reassembly table; a completed datagram is
 * decoded again from its IP header, VLAN ids kept from the last fragment.
 */
static void process_fragment(struct worker *w, const struct dr_pkt *p, const struct pkt_info *pi)
{
	struct pkt_info whole = *pi;
	const uint8_t *dgram;
	uint32_t len;
	enum pkt_status st;

	if (ipfrag_add(w->frag, pi, p->ts_ns, &dgram, &len) != 1)
		return;
	st = pkt_decode_ip(dgram, len, &whole);
	if (st != PKT_OK) {
		dr_ctr_add(&w->st.pkt_status[st], 1);
		return;
	}
	if (!dns_port(w, &whole)) {
		dr_ctr_add(&w->st.not_dns_port, 1);
		return;
	}
	process_l4(w, p, &whole, 1);
}

static void process_one(struct worker *w, const struct dr_pkt *p)
{
	struct pkt_info pi;
	enum pkt_status st;

	dr_ctr_add(&w->st.pkts, 1);
	dr_ctr_add(&w->st.pkt_bytes, p->wirelen);
	st = pkt_decode(p, &pi);
	if (st == PKT_FRAG) {
		process_fragment(w, p, &pi);
		return;
	}
	if (st != PKT_OK) {
		dr_ctr_add(&w->st.pkt_status[st], 1);
		return;
	}
	if (!dns_port(w, &pi)) {
		dr_ctr_add(&w->st.not_dns_port, 1);
		return;
	}
	process_l4(w, p, &pi, 0);
}

void worker_process(struct worker *w, const struct dr_pkt *pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		process_one(w, &pkts[i]);
}
