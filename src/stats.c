/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.c: totals over workers, the periodic stats line and the exit
 * summary. The summary lists every place a packet or record can go, so
 * that nothing is lost silently: read = handed to workers + skipped, and
 * every frame a worker saw is either a DNS message or in a skip counter.
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "src/stats.h"

struct totals {
	uint64_t pkts, pkt_bytes, status[PKT__MAX], not_dns_port, udp_empty;
	uint64_t f_frags, f_done, f_timeout, f_evicted, f_overlap, f_dup, f_big, f_trunc, f_bad;
	uint64_t t_segs, t_msgs, t_multi, t_ooo, t_retx, t_resync, t_skipped, t_evicted,
		 t_timeout, t_gaps;
	uint64_t dns_msgs, queries, responses, malformed[DNS_E__MAX], malformed_all;
	uint64_t records, record_too_large, filtered_out, sampled_out, unanswered_records;
	uint64_t m_queries, m_dups, m_matched, m_unmatched, m_unanswered, m_evicted;
};

double stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add_worker(struct totals *t, const struct worker_stats *s)
{
	t->pkts += dr_ctr_get(&s->pkts);
	t->pkt_bytes += dr_ctr_get(&s->pkt_bytes);
	for (int i = 0; i < PKT__MAX; i++)
		t->status[i] += dr_ctr_get(&s->pkt_status[i]);
	t->not_dns_port += dr_ctr_get(&s->not_dns_port);
	t->udp_empty += dr_ctr_get(&s->udp_empty);
	t->dns_msgs += dr_ctr_get(&s->dns_msgs);
	t->queries += dr_ctr_get(&s->queries);
	t->responses += dr_ctr_get(&s->responses);
	for (int i = 1; i < DNS_E__MAX; i++) {
		t->malformed[i] += dr_ctr_get(&s->malformed[i]);
		t->malformed_all += dr_ctr_get(&s->malformed[i]);
	}
	t->records += dr_ctr_get(&s->records);
	t->unanswered_records += dr_ctr_get(&s->unanswered_records);
	t->record_too_large += dr_ctr_get(&s->record_too_large);
	t->filtered_out += dr_ctr_get(&s->filtered_out);
	t->sampled_out += dr_ctr_get(&s->sampled_out);
}

static void add_match(struct totals *t, const struct match_table *m)
{
	const struct match_stats *ms;

	if (!m)
		return;
	ms = match_stats(m);
	t->m_queries += dr_ctr_get(&ms->queries);
	t->m_dups += dr_ctr_get(&ms->duplicates);
	t->m_matched += dr_ctr_get(&ms->matched);
	t->m_unmatched += dr_ctr_get(&ms->unmatched);
	t->m_unanswered += dr_ctr_get(&ms->unanswered);
	t->m_evicted += dr_ctr_get(&ms->evicted);
}

static void add_frag(struct totals *t, const struct ipfrag_table *f)
{
	const struct ipfrag_stats *fs;

	if (!f)
		return;
	fs = ipfrag_stats(f);
	t->f_frags += dr_ctr_get(&fs->fragments);
	t->f_done += dr_ctr_get(&fs->reassembled);
	t->f_timeout += dr_ctr_get(&fs->timed_out);
	t->f_evicted += dr_ctr_get(&fs->evicted);
	t->f_overlap += dr_ctr_get(&fs->overlap_dropped);
	t->f_dup += dr_ctr_get(&fs->duplicates);
	t->f_big += dr_ctr_get(&fs->too_big);
	t->f_trunc += dr_ctr_get(&fs->truncated);
	t->f_bad += dr_ctr_get(&fs->bad);
}

static void add_tcp(struct totals *t, const struct tcpr_table *tc)
{
	const struct tcpr_stats *ts;

	if (!tc)
		return;
	ts = tcpr_stats(tc);
	t->t_segs += dr_ctr_get(&ts->segments);
	t->t_msgs += dr_ctr_get(&ts->messages);
	t->t_multi += dr_ctr_get(&ts->multi_segment_messages);
	t->t_ooo += dr_ctr_get(&ts->out_of_order);
	t->t_retx += dr_ctr_get(&ts->retransmitted_bytes);
	t->t_resync += dr_ctr_get(&ts->resyncs);
	t->t_skipped += dr_ctr_get(&ts->skipped_bytes);
	t->t_evicted += dr_ctr_get(&ts->evicted);
	t->t_timeout += dr_ctr_get(&ts->timed_out);
	t->t_gaps += dr_ctr_get(&ts->gaps);
}

static void sum(const struct stats_src *s, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < s->nworkers; i++) {
		add_worker(t, &s->workers[i].st);
		add_match(t, s->workers[i].match);
		add_frag(t, s->workers[i].frag);
		add_tcp(t, s->workers[i].tcp);
	}
}

struct kernel_totals {
	uint64_t packets, drops, freezes, frames, blocks, unread, unknown_link;
};

static void sum_kernel(const struct livein_stats *ls, struct kernel_totals *k)
{
	memset(k, 0, sizeof(*k));
	for (unsigned i = 0; ls && ls->ring && i < ls->nrings; i++) {
		k->packets += dr_ctr_get(&ls->ring[i].packets);
		k->drops += dr_ctr_get(&ls->ring[i].drops);
		k->freezes += dr_ctr_get(&ls->ring[i].freezes);
		k->frames += dr_ctr_get(&ls->ring[i].frames);
		k->blocks += dr_ctr_get(&ls->ring[i].blocks);
		k->unread += dr_ctr_get(&ls->ring[i].unread);
		k->unknown_link += dr_ctr_get(&ls->ring[i].unknown_link);
	}
}

int stats_start(struct stats_src *s, const struct dr_opts *o)
{
	s->opts = o;
	return metrics_open(&s->metrics, o, s);
}

void stats_stop(struct stats_src *s)
{
	metrics_write(s->metrics, s, 1);
	metrics_close(s->metrics);
	s->metrics = NULL;
}

static void stats_line(const struct stats_src *s)
{
	const struct writer_stats *ws = writer_stats(s->wr);
	struct totals t;
	double el = stats_now() - s->t_start;
	struct kernel_totals k;

	sum(s, &t);
	sum_kernel(s->live, &k);
	if (s->live)
		fprintf(stderr, "dnsring: %.0fs kernel=%" PRIu64 " drops=%" PRIu64 " freezes=%" PRIu64
			" ", el, k.packets, k.drops, k.freezes);
	else
		fprintf(stderr, "dnsring: %.0fs ", el);
	fprintf(stderr, "pkts=%" PRIu64 " dns=%" PRIu64 " malformed=%" PRIu64
		" written=%" PRIu64 " lost=%" PRIu64 " (%.0f msgs/s)\n", t.pkts, t.dns_msgs,
		t.malformed_all, dr_ctr_get(&ws->records), dr_ctr_get(&ws->sink_lost),
		el > 0 ? (double)t.dns_msgs / el : 0.0);
}

void stats_tick(void *arg)
{
	const struct stats_src *s = arg;

	if (!s->opts || s->opts->stats_line) {
		stats_line(s);
		writer_print_tick(stderr, s->wr); /* stream sinks, --on-full drop */
	}
	metrics_write(s->metrics, s, 0);
}

/* "name=value" pairs for the non-zero entries of a counter family. */
static void print_nonzero(FILE *f, const char *label, const char *names[],
			  const uint64_t *vals, int n)
{
	int any = 0;

	for (int i = 0; i < n; i++) {
		if (!vals[i])
			continue;
		fprintf(f, "%s%s=%" PRIu64, any ? " " : label, names[i], vals[i]);
		any = 1;
	}
	if (any)
		fputc('\n', f);
}

static void print_skips(FILE *f, const struct totals *t, const struct pcapin_stats *fs)
{
	const char *names[PKT__MAX + 3];
	uint64_t vals[PKT__MAX + 3];
	int n = 0;

	for (int i = PKT_SKIP_LINKTYPE; i < PKT__MAX; i++) {
		names[n] = pkt_status_name((enum pkt_status)i);
		vals[n++] = t->status[i];
	}
	names[n] = "not_dns_port";
	vals[n++] = t->not_dns_port;
	names[n] = "udp_empty";
	vals[n++] = t->udp_empty;
	names[n] = "file_unsupported_linktype";
	vals[n++] = fs ? dr_ctr_get(&fs->skip_linktype) : 0;
	print_nonzero(f, "  skipped:     ", names, vals, n);
}

void stats_summary(FILE *f, const struct stats_src *s)
{
	const struct writer_stats *ws = writer_stats(s->wr);
	double el = stats_now() - s->t_start;
	const char *mnames[DNS_E__MAX];
	struct totals t;

	sum(s, &t);
	for (int i = 0; i < DNS_E__MAX; i++)
		mnames[i] = dns_err_name((enum dns_err)i);
	fprintf(f, "dnsring: summary\n");
	if (s->file)
		fprintf(f, "  input:       %" PRIu64 " files, %" PRIu64 " packets, %" PRIu64 " bytes\n",
			dr_ctr_get(&s->file->files), dr_ctr_get(&s->file->pkts),
			dr_ctr_get(&s->file->bytes));
	if (s->live) {
		struct kernel_totals k;

		sum_kernel(s->live, &k);
		fprintf(f, "  kernel:      %" PRIu64 " packets received, %" PRIu64
			" dropped (ring full), %" PRIu64 " freezes\n", k.packets, k.drops, k.freezes);
		if (k.frames || k.blocks || k.unread || k.unknown_link)
			fprintf(f, "  rings:       %" PRIu64 " frames walked in %" PRIu64
				" blocks, %" PRIu64 " left unread at exit, %" PRIu64
				" from unknown link types\n", k.frames, k.blocks, k.unread,
				k.unknown_link);
	}
	fprintf(f, "  parsed:      %" PRIu64 " packets by %u workers\n", t.pkts, s->nworkers);
	fprintf(f, "  dns:         %" PRIu64 " messages (%" PRIu64 " queries, %" PRIu64
		" responses), %" PRIu64 " malformed\n", t.dns_msgs, t.queries, t.responses,
		t.malformed_all);
	print_nonzero(f, "  malformed:   ", mnames + 1, t.malformed + 1, DNS_E__MAX - 1);
	print_skips(f, s->file ? &t : &t, s->file);
	if (t.filtered_out || t.sampled_out || (s->opts && s->opts->filter.active))
		fprintf(f, "  filters:     %" PRIu64 " decoded messages filtered out, %" PRIu64
			" sampled out before decoding\n", t.filtered_out, t.sampled_out);
	if (t.f_frags)
		fprintf(f, "  ip frags:    %" PRIu64 " fragments, %" PRIu64 " datagrams reassembled; "
			"dropped: %" PRIu64 " incomplete (timed out or at exit), %" PRIu64
			" evicted, %" PRIu64 " overlapping, %" PRIu64 " too big, %" PRIu64
			" cut by snaplen, %" PRIu64 " inconsistent; %" PRIu64 " duplicates ignored\n",
			t.f_frags, t.f_done, t.f_timeout, t.f_evicted, t.f_overlap, t.f_big,
			t.f_trunc, t.f_bad, t.f_dup);
	if (t.t_segs)
		fprintf(f, "  tcp:         %" PRIu64 " segments, %" PRIu64 " messages (%" PRIu64
			" over several segments), %" PRIu64 " out of order, %" PRIu64
			" retransmitted bytes, %" PRIu64 " resyncs, %" PRIu64 " bytes skipped unsynced, %"
			PRIu64 " gaps (bytes never seen), %" PRIu64 " streams evicted, %" PRIu64
			" ended idle or open at exit\n", t.t_segs, t.t_msgs, t.t_multi, t.t_ooo, t.t_retx, t.t_resync,
			t.t_skipped, t.t_gaps, t.t_evicted, t.t_timeout);
	if (s->nworkers && s->workers[0].match)
		fprintf(f, "  matching:    %" PRIu64 " responses matched (rtt_us), %" PRIu64
			" without a query seen; %" PRIu64 " queries unanswered, %" PRIu64
			" retransmitted, %" PRIu64 " evicted (table full)\n", t.m_matched,
			t.m_unmatched, t.m_unanswered, t.m_dups, t.m_evicted);
	fprintf(f, "  records:     %" PRIu64 " formed, %" PRIu64 " written (%" PRIu64 " bytes)",
		t.records, dr_ctr_get(&ws->records), dr_ctr_get(&ws->bytes));
	if (t.record_too_large)
		fprintf(f, ", %" PRIu64 " cut to a stub (record_too_large)", t.record_too_large);
	if (t.unanswered_records)
		fprintf(f, ", %" PRIu64 " of them unanswered queries", t.unanswered_records);
	if (dr_ctr_get(&ws->past_limit))
		fprintf(f, ", %" PRIu64 " past -c", dr_ctr_get(&ws->past_limit));
	if (dr_ctr_get(&ws->sink_lost))
		fprintf(f, ", %" PRIu64 " LOST (output)", dr_ctr_get(&ws->sink_lost));
	fprintf(f, "\n  time:        %.3f s wall, %.0f msgs/s\n", el,
		el > 0 ? (double)t.dns_msgs / el : 0.0);
}
