/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c: --stats-json and --metrics (see metrics.h).
 *
 * Every counter is described once, in the tables below: where it lives
 * (a worker's own counters, its match/fragment/TCP tables, its ring, the
 * writer, the file reader), its name and its help text. The JSON line and
 * the Prometheus file are both walks over these tables, so they cannot
 * drift apart. Counters are read with relaxed loads while the workers run
 * (dr_ctr): each value is exact, a snapshot across counters is not atomic.
 *
 * Off the packet path: runs every stats interval (10 s by default) on the
 * writer thread. Text goes into a buffer that doubles until it fits, then
 * out with one write().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/sink.h"
#include "src/metrics.h"
#include "src/stats.h"

/* Where a per-worker counter lives. */
enum msrc { MS_WORKER, MS_MATCH, MS_FRAG, MS_TCP, MS_RING, MS__MAX };

struct mdesc {
	uint8_t src;
	uint16_t off;      /* offsetof the dr_ctr in its struct */
	const char *name;  /* JSON key; Prometheus: dnsring_<name>_total */
	const char *help;
};

#define W_(f, n, h) { MS_WORKER, offsetof(struct worker_stats, f), n, h }
#define M_(f, n, h) { MS_MATCH, offsetof(struct match_stats, f), n, h }
#define F_(f, n, h) { MS_FRAG, offsetof(struct ipfrag_stats, f), n, h }
#define T_(f, n, h) { MS_TCP, offsetof(struct tcpr_stats, f), n, h }
#define R_(f, n, h) { MS_RING, offsetof(struct livein_ring_stats, f), n, h }

/* Per worker: labelled worker="N" in Prometheus, summed into "total". */
static const struct mdesc worker_descs[] = {
	R_(packets, "kernel_packets", "Frames the kernel queued to the worker's ring, drops included (PACKET_STATISTICS tp_packets)."),
	R_(drops, "kernel_drops", "Frames the kernel dropped because the worker's ring was full (tp_drops)."),
	R_(freezes, "kernel_freezes", "Times the worker's ring froze its queue (tp_freeze_q_cnt)."),
	R_(blocks, "ring_blocks", "Ring blocks walked."),
	R_(frames, "ring_frames", "Ring frames walked."),
	R_(unknown_link, "ring_unknown_link_frames", "Frames from a device type with no known link header."),
	R_(unread, "ring_unread_frames", "Frames still in the ring at exit."),
	W_(pkts, "packets", "Frames handed to the worker."),
	W_(pkt_bytes, "packet_bytes", "Wire bytes of the frames handed to the worker."),
	W_(dns_msgs, "dns_messages", "DNS messages decoded (sampled-out ones are not decoded)."),
	W_(queries, "dns_queries", "Decoded DNS messages with QR=0."),
	W_(responses, "dns_responses", "Decoded DNS messages with QR=1."),
	W_(filtered_out, "filtered_out", "Decoded messages left out by --only, --qtype, --rcode, --qname-suffix or --exclude-suffix."),
	W_(sampled_out, "sampled_out", "Messages left out by --sample before decoding."),
	W_(records, "records_formed", "Records formatted and handed to the writer."),
	W_(record_too_large, "records_too_large", "Records cut to a stub because they were larger than a batch."),
	F_(fragments, "ipfrag_fragments", "IP fragments taken for reassembly."),
	F_(reassembled, "ipfrag_reassembled", "IP datagrams reassembled."),
	F_(timed_out, "ipfrag_timed_out", "IP datagrams dropped incomplete (timed out or open at exit)."),
	F_(evicted, "ipfrag_evicted", "IP datagrams dropped to make room (reassembly table full)."),
	F_(overlap_dropped, "ipfrag_overlapping", "IP datagrams dropped for overlapping fragments."),
	F_(duplicates, "ipfrag_duplicates", "IP fragments ignored as duplicates."),
	F_(too_big, "ipfrag_too_big", "IP fragments reaching past 65535 bytes."),
	F_(truncated, "ipfrag_truncated", "IP datagrams dropped: a fragment cut by the snap length."),
	F_(bad, "ipfrag_inconsistent", "IP fragments dropped as inconsistent (ends, empty, unaligned, too many runs)."),
	T_(segments, "tcp_segments", "TCP segments taken for DNS stream reassembly."),
	T_(streams, "tcp_streams", "TCP stream directions tracked."),
	T_(messages, "tcp_messages", "DNS messages delivered from TCP streams."),
	T_(multi_segment_messages, "tcp_multi_segment_messages", "DNS messages over TCP that spanned segments."),
	T_(out_of_order, "tcp_out_of_order", "TCP segments held behind a hole."),
	T_(retransmitted_bytes, "tcp_retransmitted_bytes", "TCP bytes already delivered or held (retransmissions)."),
	T_(resyncs, "tcp_resyncs", "Mid-stream syncs on a plausible DNS length prefix."),
	T_(skipped_bytes, "tcp_skipped_bytes", "TCP bytes skipped while not in sync."),
	T_(evicted, "tcp_evicted", "TCP streams dropped to make room (table full)."),
	T_(timed_out, "tcp_timed_out", "TCP streams ended idle or open at exit."),
	T_(gaps, "tcp_gaps", "TCP streams that lost bytes mid-stream or were freed holding some."),
	M_(queries, "match_queries", "Queries remembered for query/response matching."),
	M_(duplicates, "match_duplicates", "Queries already in flight (retransmissions; the first is kept)."),
	M_(matched, "match_matched", "Responses that found their query (rtt_us)."),
	M_(unmatched, "match_unmatched", "Responses without a query seen."),
	M_(unanswered, "match_unanswered", "Queries expired without a response."),
	M_(evicted, "match_evicted", "Queries pushed out of the match table (table full)."),
};

/* Process-wide counters (no labels), or per sink (sink="..."). */
struct gdesc {
	uint16_t off;
	uint8_t gauge;     /* a level ("now"), not a counter: no _total */
	const char *name;
	const char *help;
};

/*
 * The writer's totals over all sinks. SINK COUNTERS HOOK: a dr_ctr added to
 * struct writer_stats (output/writer.h) appears in both files with one row
 * here; one added to struct sink_stats (output/sink.h), with one row in
 * sink_descs, labelled sink="<-o value>".
 */
#define WS_(f, n, h) { offsetof(struct writer_stats, f), 0, n, h }
static const struct gdesc writer_descs[] = {
	WS_(records, "records_written", "Records written whole to the outputs (sum over -o)."),
	WS_(bytes, "bytes_written", "Bytes of the records written (sum over -o)."),
	WS_(batches, "batches_written", "Batches handed to the outputs."),
	WS_(past_limit, "records_past_limit", "Records formatted after -c was reached (not wanted)."),
	WS_(sink_lost, "records_lost", "Records an output did not deliver (failed, backlog full, left at exit)."),
	WS_(write_errors, "write_errors", "Standard output or file write errors."),
	WS_(backlog_full, "records_backlog_full", "Stream outputs: records dropped because the backlog was full."),
	WS_(lost_exit, "records_lost_exit", "Stream outputs and a stalled stdout: records not delivered when dnsring gave up at exit."),
	WS_(reconnects, "stream_reconnects", "Stream outputs: reconnections."),
	WS_(resent, "records_resent", "Stream outputs: records cut by a broken connection and sent again whole."),
	WS_(onfull_batches, "onfull_dropped_batches", "--on-full drop: batches emptied because the writer was behind."),
	WS_(onfull_records, "onfull_dropped_records", "--on-full drop: records in those batches."),
	{ offsetof(struct writer_stats, backlog_bytes), 1, "backlog_bytes", "Stream outputs: bytes waiting in the backlogs now." },
};

#define SS_(f, n, h) { offsetof(struct sink_stats, f), 0, n, h }
static const struct gdesc sink_descs[] = {
	SS_(records, "sink_records_written", "Records written whole to this output."),
	SS_(bytes, "sink_bytes_written", "Bytes of the records written to this output."),
	SS_(dropped_full, "sink_records_backlog_full", "Stream: records dropped because the backlog was full."),
	SS_(lost_exit, "sink_records_lost_exit", "Stream, or stdout nobody read: records not delivered when dnsring gave up at exit."),
	SS_(failed, "sink_records_failed", "Standard output or file: records not written after a write error."),
	SS_(reconnects, "sink_reconnects", "Stream: connections made after the first one."),
	SS_(resent, "sink_records_resent", "Stream: records cut by a broken connection and sent again whole."),
	SS_(reopens, "sink_reopens", "File: reopened on SIGHUP."),
	SS_(rotations, "sink_rotations", "File: size rotations."),
	{ offsetof(struct sink_stats, backlog_bytes), 1, "sink_backlog_bytes", "Stream: bytes waiting in the backlog now." },
	{ offsetof(struct sink_stats, backlog_records), 1, "sink_backlog_records", "Stream: records waiting in the backlog now." },
	{ offsetof(struct sink_stats, connected), 1, "sink_connected", "Stream: 1 while connected." },
};

#define IS_(f, n, h) { offsetof(struct pcapin_stats, f), 0, n, h }
static const struct gdesc input_descs[] = {
	IS_(files, "input_files", "Capture files opened."),
	IS_(pkts, "input_packets", "Packets read from capture files."),
	IS_(bytes, "input_bytes", "Captured bytes read from capture files."),
	IS_(skip_linktype, "input_skipped_linktype", "Packets of capture files with an unsupported link type."),
};

#define N_SKIP (PKT__MAX - PKT_SKIP_LINKTYPE + 2)

struct metrics {
	const struct dr_opts *o;
	char *buf;
	size_t cap;
	double t_wall_start;     /* Unix time at start */
	int json_failing, prom_failing;
	char *tmp_path;          /* --metrics FILE.tmp */
};

/* ---- reading the counters ---- */

static const void *src_base(const struct stats_src *s, unsigned i, int src)
{
	const struct worker *w = &s->workers[i];

	switch (src) {
	case MS_WORKER:
		return &w->st;
	case MS_MATCH:
		return w->match ? (const void *)match_stats(w->match) : NULL;
	case MS_FRAG:
		return w->frag ? (const void *)ipfrag_stats(w->frag) : NULL;
	case MS_TCP:
		return w->tcp ? (const void *)tcpr_stats(w->tcp) : NULL;
	case MS_RING:
		return s->live && s->live->ring && i < s->live->nrings ? &s->live->ring[i] : NULL;
	}
	return NULL;
}

static uint64_t ctr_at(const void *base, uint16_t off)
{
	/* off is an offsetof() of a dr_ctr member: aligned (void * says so). */
	return dr_ctr_get((const dr_ctr *)(const void *)((const char *)base + off));
}

/* Is the counter's source there (on worker 0: all workers are alike)? */
static int desc_present(const struct stats_src *s, const struct mdesc *d)
{
	return s->nworkers && src_base(s, 0, d->src) != NULL;
}

static uint64_t desc_value(const struct stats_src *s, unsigned i, const struct mdesc *d)
{
	const void *b = src_base(s, i, d->src);

	return b ? ctr_at(b, d->off) : 0;
}

/* Skipped frames of worker i, by reason: PKT_SKIP_* / PKT_BAD_*, then two more. */
static void skip_values(const struct worker_stats *st, const char **names, uint64_t *vals)
{
	int n = 0;

	for (int k = PKT_SKIP_LINKTYPE; k < PKT__MAX; k++) {
		names[n] = pkt_status_name((enum pkt_status)k);
		vals[n++] = dr_ctr_get(&st->pkt_status[k]);
	}
	names[n] = "not_dns_port";
	vals[n++] = dr_ctr_get(&st->not_dns_port);
	names[n] = "udp_empty";
	vals[n] = dr_ctr_get(&st->udp_empty);
}

/* ---- small writers ---- */

static void jb_double(struct jbuf *jb, double v, int decimals)
{
	char tmp[64];
	int n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);

	if (n > 0 && (size_t)n < sizeof(tmp))
		jb_raw(jb, tmp, (size_t)n);
}

static void jb_cstr_raw(struct jbuf *jb, const char *s)
{
	jb_raw(jb, s, strlen(s));
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- --stats-json ---- */

/* "key":value members of one worker (i < nworkers) or the total (i == nworkers). */
static void json_counters(struct jbuf *jb, const struct stats_src *s, unsigned i)
{
	unsigned lo = i < s->nworkers ? i : 0, hi = i < s->nworkers ? i + 1 : s->nworkers;
	const char *names[N_SKIP];
	uint64_t vals[N_SKIP], sum[N_SKIP > DNS_E__MAX ? N_SKIP : DNS_E__MAX];

	for (size_t d = 0; d < DR_ARRAY_SIZE(worker_descs); d++) {
		uint64_t v = 0;

		if (!desc_present(s, &worker_descs[d]))
			continue;
		for (unsigned k = lo; k < hi; k++)
			v += desc_value(s, k, &worker_descs[d]);
		jb_char(jb, ',');
		jb_cstr(jb, worker_descs[d].name);
		jb_char(jb, ':');
		jb_u64(jb, v);
	}
	memset(sum, 0, sizeof(sum));
	for (unsigned k = lo; k < hi; k++)
		for (int e = 1; e < DNS_E__MAX; e++)
			sum[e] += dr_ctr_get(&s->workers[k].st.malformed[e]);
	jb_lit(jb, ",\"malformed\":{");
	for (int e = 1; e < DNS_E__MAX; e++) {
		if (e > 1)
			jb_char(jb, ',');
		jb_cstr(jb, dns_err_name((enum dns_err)e));
		jb_char(jb, ':');
		jb_u64(jb, sum[e]);
	}
	memset(sum, 0, sizeof(sum));
	for (unsigned k = lo; k < hi; k++) {
		skip_values(&s->workers[k].st, names, vals);
		for (int r = 0; r < N_SKIP; r++)
			sum[r] += vals[r];
	}
	jb_lit(jb, "},\"packets_skipped\":{");
	for (int r = 0; r < N_SKIP; r++) {
		if (r)
			jb_char(jb, ',');
		jb_cstr(jb, names[r]);
		jb_char(jb, ':');
		jb_u64(jb, sum[r]);
	}
	jb_char(jb, '}');
}

static void json_globals(struct jbuf *jb, const char *key, const struct gdesc *d, size_t n,
			 const void *base)
{
	jb_char(jb, ',');
	jb_cstr(jb, key);
	jb_lit(jb, ":{");
	for (size_t k = 0; k < n; k++) {
		if (k)
			jb_char(jb, ',');
		jb_cstr(jb, d[k].name);
		jb_char(jb, ':');
		jb_u64(jb, ctr_at(base, d[k].off));
	}
	jb_char(jb, '}');
}

static void json_sinks(struct jbuf *jb, const struct writer *wr)
{
	jb_lit(jb, ",\"sinks\":[");
	for (unsigned i = 0; i < writer_nsinks(wr); i++) {
		const struct sink *sk = writer_sink(wr, i);

		if (i)
			jb_char(jb, ',');
		jb_lit(jb, "{\"sink\":");
		jb_cstr(jb, sink_name(sk));
		for (size_t k = 0; k < DR_ARRAY_SIZE(sink_descs); k++) {
			jb_char(jb, ',');
			jb_cstr(jb, sink_descs[k].name);
			jb_char(jb, ':');
			jb_u64(jb, ctr_at(sink_stats(sk), sink_descs[k].off));
		}
		jb_char(jb, '}');
	}
	jb_char(jb, ']');
}

static void render_json(struct jbuf *jb, const struct metrics *m, const struct stats_src *s,
			int final)
{
	struct jb_tscache tsc;
	double now = wall_now();

	jb_tscache_init(&tsc);
	jb_lit(jb, "{\"ts\":");
	jb_ts(jb, &tsc, (uint64_t)(now * 1e9));
	jb_lit(jb, ",\"uptime_s\":");
	jb_double(jb, stats_now() - s->t_start, 3);
	jb_lit(jb, ",\"final\":");
	jb_bool(jb, final);
	jb_lit(jb, ",\"input\":");
	jb_cstr(jb, s->live ? "live" : "file");
	if (s->file)
		json_globals(jb, "file", input_descs, DR_ARRAY_SIZE(input_descs), s->file);
	if (s->wr)
		json_globals(jb, "writer", writer_descs, DR_ARRAY_SIZE(writer_descs),
			     writer_stats(s->wr));
	if (s->wr && writer_nsinks(s->wr))
		json_sinks(jb, s->wr);
	jb_lit(jb, ",\"total\":{\"workers\":");
	jb_u64(jb, s->nworkers);
	json_counters(jb, s, s->nworkers);
	jb_lit(jb, "},\"workers\":[");
	for (unsigned i = 0; i < s->nworkers; i++) {
		if (i)
			jb_char(jb, ',');
		jb_lit(jb, "{\"worker\":");
		jb_u64(jb, i);
		json_counters(jb, s, i);
		jb_char(jb, '}');
	}
	jb_lit(jb, "]}\n");
	(void)m;
}

/* ---- --metrics (Prometheus text format 0.0.4) ---- */

static void prom_head(struct jbuf *jb, const char *name, const char *suffix,
		      const char *type, const char *help)
{
	jb_lit(jb, "# HELP dnsring_");
	jb_cstr_raw(jb, name);
	jb_cstr_raw(jb, suffix);
	jb_char(jb, ' ');
	jb_cstr_raw(jb, help); /* plain text: no '\\' or newline in the tables */
	jb_lit(jb, "\n# TYPE dnsring_");
	jb_cstr_raw(jb, name);
	jb_cstr_raw(jb, suffix);
	jb_char(jb, ' ');
	jb_cstr_raw(jb, type);
	jb_char(jb, '\n');
}

/* A label value: backslash, double quote and newline escaped. */
static void prom_label_value(struct jbuf *jb, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			jb_char(jb, '\\');
		if (*v == '\n') {
			jb_lit(jb, "\\n");
			continue;
		}
		jb_char(jb, *v);
	}
}

/* dnsring_<name>_total{worker="w"[,reason="r"]} v; w < 0: no labels. */
static void put_sample(struct jbuf *jb, const char *name, int w, const char *reason, uint64_t v)
{
	jb_lit(jb, "dnsring_");
	jb_cstr_raw(jb, name);
	jb_lit(jb, "_total");
	if (w >= 0) {
		jb_lit(jb, "{worker=\"");
		jb_u64(jb, (uint64_t)w);
		jb_char(jb, '"');
		if (reason) {
			jb_lit(jb, ",reason=\"");
			jb_cstr_raw(jb, reason); /* snake_case names: nothing to escape */
			jb_char(jb, '"');
		}
		jb_char(jb, '}');
	}
	jb_char(jb, ' ');
	jb_u64(jb, v);
	jb_char(jb, '\n');
}

static void prom_globals(struct jbuf *jb, const struct gdesc *d, size_t n, const void *base)
{
	for (size_t k = 0; k < n; k++) {
		const char *suffix = d[k].gauge ? "" : "_total";

		prom_head(jb, d[k].name, suffix, d[k].gauge ? "gauge" : "counter", d[k].help);
		jb_lit(jb, "dnsring_");
		jb_cstr_raw(jb, d[k].name);
		jb_cstr_raw(jb, suffix);
		jb_char(jb, ' ');
		jb_u64(jb, ctr_at(base, d[k].off));
		jb_char(jb, '\n');
	}
}

/* One family per sink counter, one series per -o: sink="<-o value>". */
static void prom_sinks(struct jbuf *jb, const struct writer *wr)
{
	for (size_t k = 0; k < DR_ARRAY_SIZE(sink_descs); k++) {
		const char *suffix = sink_descs[k].gauge ? "" : "_total";

		prom_head(jb, sink_descs[k].name, suffix, sink_descs[k].gauge ? "gauge" : "counter",
			  sink_descs[k].help);
		for (unsigned i = 0; i < writer_nsinks(wr); i++) {
			const struct sink *sk = writer_sink(wr, i);

			jb_lit(jb, "dnsring_");
			jb_cstr_raw(jb, sink_descs[k].name);
			jb_cstr_raw(jb, suffix);
			jb_lit(jb, "{sink=\"");
			prom_label_value(jb, sink_name(sk));
			jb_lit(jb, "\"} ");
			jb_u64(jb, ctr_at(sink_stats(sk), sink_descs[k].off));
			jb_char(jb, '\n');
		}
	}
}

static void prom_reasons(struct jbuf *jb, const struct stats_src *s)
{
	const char *names[N_SKIP];
	uint64_t vals[N_SKIP];

	prom_head(jb, "malformed", "_total", "counter",
		  "Malformed DNS messages by reason (each still forms a record).");
	for (unsigned i = 0; i < s->nworkers; i++)
		for (int e = 1; e < DNS_E__MAX; e++)
			put_sample(jb, "malformed", (int)i, dns_err_name((enum dns_err)e),
				   dr_ctr_get(&s->workers[i].st.malformed[e]));
	prom_head(jb, "packets_skipped", "_total", "counter",
		  "Frames handed to a worker that carried no DNS message, by reason.");
	for (unsigned i = 0; i < s->nworkers; i++) {
		skip_values(&s->workers[i].st, names, vals);
		for (int r = 0; r < N_SKIP; r++)
			put_sample(jb, "packets_skipped", (int)i, names[r], vals[r]);
	}
}

static void render_prom(struct jbuf *jb, const struct metrics *m, const struct stats_src *s,
			int final)
{
	prom_head(jb, "build_info", "", "gauge", "dnsring version (the value is always 1).");
	jb_lit(jb, "dnsring_build_info{version=\"" PACKAGE_VERSION "\"} 1\n");
	prom_head(jb, "start_time_seconds", "", "gauge", "Unix time dnsring started.");
	jb_lit(jb, "dnsring_start_time_seconds ");
	jb_double(jb, m->t_wall_start, 3);
	jb_char(jb, '\n');
	prom_head(jb, "running", "", "gauge",
		  "1 while dnsring runs; 0 in the file written at exit.");
	jb_lit(jb, "dnsring_running ");
	jb_u64(jb, !final);
	jb_char(jb, '\n');
	prom_head(jb, "workers", "", "gauge", "Parser threads.");
	jb_lit(jb, "dnsring_workers ");
	jb_u64(jb, s->nworkers);
	jb_char(jb, '\n');
	for (size_t d = 0; d < DR_ARRAY_SIZE(worker_descs); d++) {
		if (!desc_present(s, &worker_descs[d]))
			continue;
		prom_head(jb, worker_descs[d].name, "_total", "counter", worker_descs[d].help);
		for (unsigned i = 0; i < s->nworkers; i++)
			put_sample(jb, worker_descs[d].name, (int)i, NULL,
				   desc_value(s, i, &worker_descs[d]));
	}
	prom_reasons(jb, s);
	if (s->wr)
		prom_globals(jb, writer_descs, DR_ARRAY_SIZE(writer_descs), writer_stats(s->wr));
	if (s->wr && writer_nsinks(s->wr))
		prom_sinks(jb, s->wr);
	if (s->file)
		prom_globals(jb, input_descs, DR_ARRAY_SIZE(input_descs), s->file);
}

/* ---- files ---- */

typedef void (*render_fn)(struct jbuf *, const struct metrics *, const struct stats_src *, int);

/* Render into m->buf, doubling it until the text fits. @return length or -ENOMEM. */
static ssize_t render(struct metrics *m, render_fn fn, const struct stats_src *s, int final)
{
	for (;;) {
		struct jbuf jb;
		char *nb;

		jb_init(&jb, m->buf, m->cap);
		fn(&jb, m, s, final);
		if (!jb.overflow)
			return jb.p - m->buf;
		if (m->cap > ((size_t)1 << 30) || !(nb = dr_malloc(m->cap * 2)))
			return -ENOMEM;
		dr_free(m->buf);
		m->buf = nb;
		m->cap *= 2;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append one line: open, one write, close (so a rotated file is left behind). */
static int append_line(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, p, n);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* Write tmp, then rename it over path: readers see the old or the new file. */
static int replace_file(const char *path, const char *tmp, const char *p, size_t n)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, p, n);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	return ret;
}

/* One warning per run of failures; a success re-arms it. */
static void report(int ret, int *failing, const char *opt, const char *path)
{
	if (ret < 0 && !*failing)
		fprintf(stderr, "dnsring: cannot write %s %s: %s (retrying every interval)\n",
			opt, path, dr_strerror(ret));
	*failing = ret < 0;
}

static int write_prom(struct metrics *m, const struct stats_src *s, int final)
{
	ssize_t n = render(m, render_prom, s, final);

	return n < 0 ? (int)n : replace_file(m->o->metrics, m->tmp_path, m->buf, (size_t)n);
}

static int write_json(struct metrics *m, const struct stats_src *s, int final)
{
	ssize_t n = render(m, render_json, s, final);

	return n < 0 ? (int)n : append_line(m->o->stats_json, m->buf, (size_t)n);
}

void metrics_write(struct metrics *m, const struct stats_src *s, int final)
{
	if (!m)
		return;
	if (m->o->stats_json)
		report(write_json(m, s, final), &m->json_failing, "--stats-json", m->o->stats_json);
	if (m->o->metrics)
		report(write_prom(m, s, final), &m->prom_failing, "--metrics", m->o->metrics);
}

int metrics_open(struct metrics **out, const struct dr_opts *o, const struct stats_src *s)
{
	struct metrics *m;
	int ret = 0, fd;

	*out = NULL;
	if (!o->stats_json && !o->metrics)
		return 0;
	if (!(m = dr_calloc(1, sizeof(*m))))
		goto nomem;
	m->o = o;
	m->cap = 65536;
	m->t_wall_start = wall_now() - (stats_now() - s->t_start);
	if (!(m->buf = dr_malloc(m->cap)))
		goto nomem;
	if (o->metrics) {
		size_t n = strlen(o->metrics);

		if (!(m->tmp_path = dr_malloc(n + 5)))
			goto nomem;
		memcpy(m->tmp_path, o->metrics, n);
		memcpy(m->tmp_path + n, ".tmp", 5);
		if ((ret = write_prom(m, s, 0)) < 0) {
			fprintf(stderr, "dnsring: cannot write --metrics %s: %s\n", o->metrics,
				dr_strerror(ret));
			goto fail;
		}
	}
	if (o->stats_json) {
		fd = open(o->stats_json, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			ret = -errno;
			fprintf(stderr, "dnsring: cannot open --stats-json %s: %s\n", o->stats_json,
				dr_strerror(ret));
			goto fail;
		}
		close(fd);
	}
	*out = m;
	return 0;
nomem:
	fprintf(stderr, "dnsring: out of memory\n");
	ret = -ENOMEM;
fail:
	metrics_close(m);
	return ret;
}

void metrics_close(struct metrics *m)
{
	if (!m)
		return;
	dr_free(m->buf);
	dr_free(m->tmp_path);
	dr_free(m);
}
