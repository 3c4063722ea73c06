/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapin.c: libpcap file reader -> per-worker blocks -> worker threads.
 *
 * Each worker has a lane: a pool of PCAPIN_BLOCKS blocks circulating
 * between a "free" channel (reader waits on it) and a "full" channel (the
 * worker waits on it). A block is a packet-view array plus the bytes the
 * views point into: libpcap's buffer is only valid until the next read, so
 * each packet is copied once, into the block of the worker it goes to.
 *
 * Why 16 blocks: the reader is ~4x faster than a worker, so it runs ahead
 * until the lane of the next packet is full, then waits for that lane
 * alone. Deeper lanes ride out one worker's slow spell; 4 -> 16 took -w 2
 * on dns-1m from 0.71 to 0.66 s (medians of 11 interleaved runs). A worker
 * whose flows are the lighter share still waits at times: the reader is
 * held by the heavier lane. Only the bytes used are touched: ~0.4 MiB a
 * block with typical DNS frames.
 */
#include "config.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "capture/block.h"
#include "capture/pcapin.h"
#include "capture/pkt.h"
#include "output/chan.h"

#define PCAPIN_BLOCKS      16
#define PCAPIN_BLOCK_PKTS  2048
#define PCAPIN_BLOCK_BYTES (512 * 1024) /* > libpcap's largest snaplen (256 KiB) */

struct pcapin_block {
	struct dr_pkt pkts[PCAPIN_BLOCK_PKTS];
	uint32_t n;     /* packets in the block */
	uint32_t used;  /* bytes of data in use */
	int eof;        /* no more blocks after this one */
	uint8_t data[PCAPIN_BLOCK_BYTES];
};

struct lane {
	struct chan full, free;
	struct pcapin_block *blocks;
	struct pcapin_block *cur;  /* block being filled (reader side) */
	struct worker *w;
	pthread_t thread;
	int started;
};

/* pcap_datalink() gives DLT_ values; our link types are LINKTYPE_ values. */
int pcapin_link_from_dlt(int dlt)
{
	switch (dlt) {
	case DLT_NULL:        return DR_LINK_NULL;
	case DLT_EN10MB:      return DR_LINK_ETHERNET;
	case DLT_RAW:         return DR_LINK_RAW;
#ifdef DLT_LOOP
	case DLT_LOOP:        return DR_LINK_LOOP;
#endif
	case DLT_LINUX_SLL:   return DR_LINK_SLL;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:  return DR_LINK_SLL2;
#endif
#ifdef DLT_IPV4
	case DLT_IPV4:        return DR_LINK_IPV4;
	case DLT_IPV6:        return DR_LINK_IPV6;
#endif
	default:              return -1;
	}
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	char name[16];

	snprintf(name, sizeof(name), "dr-worker%u", l->w->index);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		struct pcapin_block *b = chan_pop(&l->full);
		int eof = b->eof;

		worker_process(l->w, b->pkts, b->n);
		chan_push(&l->free, b);
		if (eof)
			break;
	}
	worker_finish(l->w);
	return NULL;
}

static int lane_init(struct lane *l, struct worker *w)
{
	int ret;

	l->w = w;
	if ((ret = chan_init(&l->full, PCAPIN_BLOCKS)) < 0 ||
	    (ret = chan_init(&l->free, PCAPIN_BLOCKS)) < 0)
		return ret;
	l->blocks = dr_calloc(PCAPIN_BLOCKS, sizeof(*l->blocks));
	if (!l->blocks)
		return -ENOMEM;
	for (unsigned i = 0; i < PCAPIN_BLOCKS; i++)
		chan_push(&l->free, &l->blocks[i]);
	ret = pthread_create(&l->thread, NULL, lane_main, l);
	if (ret)
		return -ret;
	l->started = 1;
	return 0;
}

static void lane_fini(struct lane *l)
{
	dr_free(l->blocks);
	if (l->full.q.slots)
		chan_fini(&l->full);
	if (l->free.q.slots)
		chan_fini(&l->free);
}

/* The current block of l, taking a free one when there is none. */
static struct pcapin_block *lane_block(struct lane *l)
{
	if (!l->cur) {
		l->cur = chan_pop(&l->free);
		l->cur->n = 0;
		l->cur->used = 0;
		l->cur->eof = 0;
	}
	return l->cur;
}

static void lane_ship(struct lane *l, int eof)
{
	struct pcapin_block *b = eof ? lane_block(l) : l->cur;

	if (!b)
		return;
	b->eof = eof;
	l->cur = NULL;
	chan_push(&l->full, b);
}

static void lane_add(struct lane *l, const struct pcap_pkthdr *h, const uint8_t *data, int link)
{
	struct pcapin_block *b = lane_block(l);
	uint32_t len = h->caplen;

	if (b->n == PCAPIN_BLOCK_PKTS || PCAPIN_BLOCK_BYTES - b->used < len) {
		lane_ship(l, 0);
		b = lane_block(l);
	}
	if (len > PCAPIN_BLOCK_BYTES)
		len = PCAPIN_BLOCK_BYTES; /* cannot happen with libpcap's snaplen cap */
	memcpy(b->data + b->used, data, len);
	/* Classic pcap stores seconds as an unsigned 32-bit field, but libpcap
	 * hands them back in a signed time_t read as int32: undo that so
	 * 2038-2106 timestamps come out right. */
	uint64_t sec = h->ts.tv_sec < 0 ? (uint64_t)h->ts.tv_sec + (1ull << 32)
					: (uint64_t)h->ts.tv_sec;

	b->pkts[b->n++] = (struct dr_pkt){
		.data = b->data + b->used,
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		.ts_ns = sec * 1000000000u + (uint64_t)h->ts.tv_usec,
		.caplen = len,
		.wirelen = h->len < len ? len : h->len,
		.linktype = (uint16_t)link,
	};
	b->used += len;
}

/*
 * Fragments and flow affinity. A reassembled datagram must reach the worker
 * that saw its query, i.e. the lane of its 5-tuple; but only the first
 * fragment carries the ports, and every fragment of a datagram must reach
 * one worker for reassembly. So the first fragment picks the lane from its
 * ports and the reader remembers it under (addresses, fragment id) for the
 * rest; a later fragment that comes first picks by addresses and id, and
 * the datagram's other fragments follow it (reassembly still works; only
 * that response's rtt may be lost). A small direct-mapped table: an entry
 * overwritten by another datagram has the same fallback.
 */
#define FRAG_LANES 4096

struct frag_lane {
	uint32_t key;  /* pkt_flow_hash of (addresses, fragment id) */
	uint8_t lane;
	uint8_t used;
};

static struct frag_lane frag_lanes[FRAG_LANES]; /* reader thread only */

static unsigned fragment_lane(const struct pkt_info *pi, unsigned n)
{
	uint32_t key = pkt_flow_hash(pi);
	struct frag_lane *e = &frag_lanes[key % FRAG_LANES];
	unsigned lane = key % n;

	if (e->used && e->key == key)
		return e->lane;
	if (pi->frag_offset == 0 && pi->frag_len >= 4 &&
	    (pi->l4proto == 17 || pi->l4proto == 6)) {
		struct pkt_info whole = *pi;

		whole.is_frag = 0;
		whole.sport = (uint16_t)(pi->frag_data[0] << 8 | pi->frag_data[1]);
		whole.dport = (uint16_t)(pi->frag_data[2] << 8 | pi->frag_data[3]);
		lane = pkt_flow_hash(&whole) % n;
	}
	*e = (struct frag_lane){ .key = key, .lane = (uint8_t)lane, .used = 1 };
	return lane;
}

/* Which lane a packet goes to: the symmetric flow hash, or lane 0. */
static unsigned pick_lane(const struct pcap_pkthdr *h, const uint8_t *data, int link, unsigned n)
{
	struct dr_pkt p = { .data = data, .caplen = h->caplen, .wirelen = h->len,
			    .linktype = (uint16_t)link };
	struct pkt_info pi;
	enum pkt_status st;
	uint32_t hash;

	if (n == 1)
		return 0;
	if (pkt_flow_hash_quick(&p, &hash) == 0)
		return hash % n;
	st = pkt_decode(&p, &pi);
	if (st == PKT_FRAG)
		return fragment_lane(&pi, n);
	if (st != PKT_OK)
		return 0;
	return pkt_flow_hash(&pi) % n;
}

/*
 * libpcap reads a file through stdio, whose default 4 KiB buffer costs one
 * read(2) per 4 KiB: a third of the reader thread's time on a large capture.
 * So the FILE is ours, with a 64 KiB buffer of ours (glibc ignores setvbuf's
 * size without one), and libpcap takes it over: pcap_close closes the FILE,
 * then the caller frees *bufp. Standard input is the exception: libpcap
 * never closes stdin, so its buffer must outlive every use of it (static),
 * and setvbuf is only allowed before the first read (once).
 */
#define PCAPIN_STDIO_BUF (64 * 1024u)

static void stdin_buffer(void)
{
	static char buf[PCAPIN_STDIO_BUF];
	static int done;

	if (!done)
		setvbuf(stdin, buf, _IOFBF, sizeof(buf));
	done = 1;
}

static pcap_t *open_input(const char *path, char **bufp)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	int is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	pcap_t *pc = NULL;

	if (!fp) {
		snprintf(errbuf, sizeof(errbuf), "%s", strerror(errno));
	} else {
		if (is_stdin)
			stdin_buffer();
		else if ((*bufp = dr_malloc(PCAPIN_STDIO_BUF)) != NULL)
			setvbuf(fp, *bufp, _IOFBF, PCAPIN_STDIO_BUF); /* else stdio's own */
		pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO,
							      errbuf);
		if (!pc && !is_stdin)
			fclose(fp);
	}
	if (!pc)
		fprintf(stderr, "dnsring: cannot read %s: %s\n",
			is_stdin ? "standard input" : path, errbuf);
	return pc;
}

static int read_file(const char *path, struct lane *lanes, unsigned n, struct pcapin_stats *st)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	char *buf = NULL;
	pcap_t *pc = open_input(path, &buf);
	int link, r, ret = 0;

	if (!pc) {
		dr_free(buf);
		return DR_EFORMAT;
	}
	dr_ctr_add(&st->files, 1);
	link = pcapin_link_from_dlt(pcap_datalink(pc));
	if (link < 0)
		fprintf(stderr, "dnsring: %s: link type %s is not supported; its packets are counted and skipped\n",
			path, pcap_datalink_val_to_name(pcap_datalink(pc)) ?: "unknown");
	while (!dr_should_stop() && (r = pcap_next_ex(pc, &h, &data)) == 1) {
		dr_ctr_add(&st->pkts, 1);
		dr_ctr_add(&st->bytes, h->caplen);
		if (link < 0) {
			dr_ctr_add(&st->skip_linktype, 1);
			continue;
		}
		lane_add(&lanes[pick_lane(h, data, link, n)], h, data, link);
	}
	if (!dr_should_stop() && r == -1) {
		fprintf(stderr, "dnsring: %s: %s (stopped reading this file)\n", path, pcap_geterr(pc));
		ret = DR_EFORMAT;
	}
	pcap_close(pc);
	dr_free(buf);
	return ret;
}

int pcapin_run(const struct dr_opts *opts, struct worker *workers, unsigned n,
	       struct pcapin_stats *st)
{
	struct lane *lanes = dr_calloc(n, sizeof(*lanes));
	int ret = 0;

	if (!lanes)
		return -ENOMEM;
	for (unsigned i = 0; i < n && ret == 0; i++)
		ret = lane_init(&lanes[i], &workers[i]);
	for (unsigned f = 0; f < opts->ninputs && ret == 0 && !dr_should_stop(); f++)
		ret = read_file(opts->inputs[f], lanes, n, st);
	for (unsigned i = 0; i < n; i++) {
		if (!lanes[i].started)
			continue;
		lane_ship(&lanes[i], 1);
		pthread_join(lanes[i].thread, NULL);
	}
	for (unsigned i = 0; i < n; i++)
		lane_fini(&lanes[i]);
	dr_free(lanes);
	return ret;
}
