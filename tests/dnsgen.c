/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsgen.c: DNS traffic generator for the live tests and scripts/bench-live.
 *
 *   dnsgen -i IFACE [-n COUNT] [-r PPS|max] [-d SECONDS] [--vlan ID]...
 *          [--flows N] [--mix] [--port P] [--frag] [--nondns]
 *          [--write-pcap FILE] [-q]
 *
 * Builds a fixed set of Ethernet frames once: for each of N flows (client
 * address and port, server address, port 53) one query and its matching
 * response for each of the types A, AAAA, MX and TXT, with deterministic
 * "random-looking" ids, names and ports. --mix adds IPv6 flows, EDNS and a
 * few NXDOMAIN answers. Documentation addresses only: 192.0.2.0/24 and
 * 198.51.100.0/24, 2001:db8::/32; locally administered MAC addresses that
 * belong to no interface, so the receiving host's stack ignores the frames.
 * --vlan adds an 802.1Q tag (twice: 802.1ad outer + 802.1Q inner).
 * --port sets the server port (default 53). --frag makes every response a
 * ~2 KB TXT answer sent as two IPv4 fragments (IPv4 flows only).
 * --nondns sends UDP to port 9999 instead (a flood for filter tests).
 *
 * The set is then sent in order, cycling, on an AF_PACKET socket with
 * PACKET_QDISC_BYPASS, in sendmmsg() batches, at a fixed rate (token bucket
 * on CLOCK_MONOTONIC) or as fast as possible, until COUNT frames were sent
 * or SECONDS passed. A frame the kernel refuses (ENOBUFS: the receiving
 * side's backlog is full) is retried, not counted, so "sent" is exactly
 * what entered the receive path. --write-pcap writes the frames it would
 * send to a pcap file instead (the expectation for a test).
 *
 * On exit: `dnsgen: sent N frames (Q queries, R responses) in S s = P pps`.
 * Only libc: it is built as a check program without the project's libraries.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define MAX_DGRAM 2400        /* largest frame built before fragmenting */
#define FRAG_MTU 1500
#define MAX_FLOWS 65536
#define PAIRS_PER_FLOW 4       /* A, AAAA, MX, TXT */
#define BATCH 64

enum kind { K_OTHER, K_QUERY, K_RESPONSE };

/* A frame of the set: bytes at set.arena + off. */
struct frame {
	size_t off;
	uint16_t len;
	uint8_t kind;
};

struct set {
	uint8_t *arena;
	size_t used, cap;
	struct frame *f;
	size_t n, capn;
};

struct opts {
	const char *iface;
	uint64_t count;          /* 0: no limit */
	double rate;             /* frames/s, 0 = max */
	double duration;         /* seconds, 0 = no limit */
	unsigned vlan[2], nvlan;
	unsigned flows;
	unsigned port;           /* server port */
	int mix, nondns, frag, quiet;
	const char *pcap;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- building frames ---------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len;
};

static void put8(struct buf *b, unsigned v) { b->p[b->len++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put32(struct buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *d, size_t n)
{
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* A name in wire format from dotted text (no trailing dot). */
static void put_name(struct buf *b, const char *name)
{
	while (*name) {
		size_t n = strcspn(name, ".");
		put8(b, (unsigned)n);
		putn(b, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	put8(b, 0);
}

struct flow {
	int v6;
	uint8_t cli[16], srv[16];
	uint16_t cport;
};

static void make_flow(unsigned f, int mix, struct flow *fl)
{
	uint64_t h = mix64(f);

	memset(fl, 0, sizeof(*fl));
	fl->v6 = mix && f % 3 == 2;
	fl->cport = (uint16_t)(1024 + h % 64000);
	if (fl->v6) {
		static const uint8_t pfx[4] = { 0x20, 0x01, 0x0d, 0xb8 };
		memcpy(fl->cli, pfx, 4);
		memcpy(fl->srv, pfx, 4);
		fl->cli[13] = 0x0c;
		fl->cli[14] = (uint8_t)(h >> 16);
		fl->cli[15] = (uint8_t)(h >> 24);
		fl->srv[13] = 0x53;
		fl->srv[15] = (uint8_t)(1 + f % 8);
	} else {
		uint8_t c[4] = { 192, 0, 2, (uint8_t)(10 + (h >> 16) % 240) };
		uint8_t s[4] = { 198, 51, 100, (uint8_t)(1 + f % 8) };
		memcpy(fl->cli, c, 4);
		memcpy(fl->srv, s, 4);
	}
}

static void make_name(uint64_t h, char *out, size_t len)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static const char *const zones[] = { "example.com", "example.net", "example.org" };
	char label[16];
	unsigned n = 3 + (unsigned)(h % 8);

	for (unsigned i = 0; i < n; i++)
		label[i] = alpha[(h >> (8 + 5 * i)) % 36];
	label[n] = 0;
	snprintf(out, len, "%s%s.%s", (h >> 60) & 1 ? "www." : "", label, zones[(h >> 56) % 3]);
}

static const uint16_t qtypes[PAIRS_PER_FLOW] = { 1, 28, 15, 16 };

/* The DNS message of pair (f, i), query or response. */
static void make_dns(struct buf *b, unsigned f, unsigned i, int response, int mix, int frag)
{
	uint64_t h = mix64((uint64_t)f << 8 | i);
	uint16_t qtype = frag ? 16 : qtypes[i % PAIRS_PER_FLOW];
	int nx = mix && !frag && response && h % 7 == 0;
	int edns = mix && (h >> 20) % 2;
	char name[64];

	make_name(h, name, sizeof(name));
	put16(b, (unsigned)(h >> 32) & 0xffff);                  /* id */
	put16(b, response ? (0x8180 | (nx ? 3 : 0)) : 0x0100);    /* QR RD RA / RD */
	put16(b, 1);
	put16(b, response && !nx ? 1 : 0);
	put16(b, 0);
	put16(b, edns ? 1 : 0);
	put_name(b, name);
	put16(b, qtype);
	put16(b, 1);
	if (response && !nx) {
		put16(b, 0xc00c);
		put16(b, qtype);
		put16(b, 1);
		put32(b, 300);
		switch (qtype) {
		case 1: {
			uint8_t a[4] = { 192, 0, 2, (uint8_t)(h >> 40) };
			put16(b, 4);
			putn(b, a, 4);
			break;
		}
		case 28: {
			uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
			a[15] = (uint8_t)(h >> 40);
			put16(b, 16);
			putn(b, a, 16);
			break;
		}
		case 15:
			put16(b, 2 + 18);
			put16(b, 10);
			put_name(b, "mail.example.com");
			break;
		default: {
			static const char txt[] = "v=spf1 -all";
			if (frag) { /* 8 strings of 250: a ~2 KB answer */
				put16(b, 8 * 251);
				for (unsigned k = 0; k < 8; k++) {
					put8(b, 250);
					for (unsigned j = 0; j < 250; j++)
						put8(b, 'a' + (k + j) % 26);
				}
				break;
			}
			put16(b, 1 + sizeof(txt) - 1);
			put8(b, sizeof(txt) - 1);
			putn(b, txt, sizeof(txt) - 1);
			break;
		}
		}
	}
	if (edns) {
		put8(b, 0);
		put16(b, 41);
		put16(b, 1232);
		put32(b, (h >> 21) % 2 ? 0x8000 : 0);
		put16(b, 0);
	}
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void ip4_csum(uint8_t *ip)
{
	ip[10] = ip[11] = 0;
	uint16_t c = csum_fold(csum_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

static void add_frame(struct set *st, const uint8_t *d, size_t len, enum kind k)
{
	if (st->n == st->capn) {
		st->capn = st->capn ? 2 * st->capn : 1024;
		st->f = realloc(st->f, st->capn * sizeof(*st->f));
	}
	if (st->used + len > st->cap) {
		st->cap = st->cap ? 2 * st->cap : 1 << 20;
		st->arena = realloc(st->arena, st->cap);
	}
	if (!st->f || !st->arena) {
		fprintf(stderr, "dnsgen: out of memory\n");
		exit(1);
	}
	memcpy(st->arena + st->used, d, len);
	st->f[st->n++] = (struct frame){ st->used, (uint16_t)len, (uint8_t)k };
	st->used += len;
}

/*
 * An IPv4 frame too big for FRAG_MTU as two fragments (the first holds
 * FRAG_MTU - 20 bytes of the UDP datagram, a multiple of 8). The first
 * carries the message's kind, the second counts as "other".
 */
static void add_fragments(struct set *st, const uint8_t *fr, size_t len, size_t ip_off, enum kind k)
{
	uint8_t b[MAX_DGRAM];
	size_t first = FRAG_MTU - 20, l4 = len - ip_off - 20;

	memcpy(b, fr, ip_off + 20 + first);
	b[ip_off + 2] = (uint8_t)((20 + first) >> 8);
	b[ip_off + 3] = (uint8_t)(20 + first);
	b[ip_off + 6] = 0x20; /* MF, offset 0 */
	b[ip_off + 7] = 0;
	ip4_csum(b + ip_off);
	add_frame(st, b, ip_off + 20 + first, k);
	memcpy(b, fr, ip_off + 20);
	memcpy(b + ip_off + 20, fr + ip_off + 20 + first, l4 - first);
	b[ip_off + 2] = (uint8_t)((20 + l4 - first) >> 8);
	b[ip_off + 3] = (uint8_t)(20 + l4 - first);
	b[ip_off + 6] = (uint8_t)((first / 8) >> 8); /* offset, no MF */
	b[ip_off + 7] = (uint8_t)(first / 8);
	ip4_csum(b + ip_off);
	add_frame(st, b, ip_off + 20 + l4 - first, K_OTHER);
}

/*
 * Ethernet [+ tags] + IP + UDP around payload pl, added to the set (as two
 * fragments when too big). Addresses and ports are the flow's, reversed
 * for a response.
 */
static void make_frame(struct set *st, const struct opts *o, const struct flow *fl,
		       int response, uint16_t dport_q, const uint8_t *pl, size_t plen, size_t seq)
{
	static const uint8_t mac_cli[6] = { 0x02, 0, 0, 0, 0, 0x0c };
	static const uint8_t mac_srv[6] = { 0x02, 0, 0, 0, 0, 0x53 };
	uint8_t fb[MAX_DGRAM + 64];
	struct buf b = { fb, 0 };
	const uint8_t *src = response ? fl->srv : fl->cli, *dst = response ? fl->cli : fl->srv;
	uint16_t sport = response ? dport_q : fl->cport, dport = response ? fl->cport : dport_q;
	size_t alen = fl->v6 ? 16 : 4, ulen = 8 + plen, ip_off, udp_off;
	enum kind k = o->nondns ? K_OTHER : response ? K_RESPONSE : K_QUERY;
	uint32_t sum;

	putn(&b, response ? mac_cli : mac_srv, 6);
	putn(&b, response ? mac_srv : mac_cli, 6);
	for (unsigned t = 0; t < o->nvlan; t++) {
		put16(&b, o->nvlan == 2 && t == 0 ? 0x88a8 : 0x8100);
		put16(&b, o->vlan[t]);
	}
	put16(&b, fl->v6 ? 0x86dd : 0x0800);
	ip_off = b.len;
	if (fl->v6) {
		put32(&b, 0x60000000);
		put16(&b, (unsigned)ulen);
		put8(&b, 17);
		put8(&b, 64);
	} else {
		put8(&b, 0x45);
		put8(&b, 0);
		put16(&b, (unsigned)(20 + ulen));
		put16(&b, (unsigned)(mix64(seq) & 0xffff)); /* IP id */
		put16(&b, 20 + ulen > FRAG_MTU ? 0 : 0x4000); /* DF unless fragmented */
		put8(&b, 64);
		put8(&b, 17);
		put16(&b, 0);
	}
	putn(&b, src, alen);
	putn(&b, dst, alen);
	if (!fl->v6)
		ip4_csum(fb + ip_off);
	udp_off = b.len;
	put16(&b, sport);
	put16(&b, dport);
	put16(&b, (unsigned)ulen);
	put16(&b, 0);
	putn(&b, pl, plen);
	/* pseudo header + UDP header + payload */
	sum = csum_add(0, src, alen);
	sum = csum_add(sum, dst, alen);
	sum += 17 + (uint32_t)ulen;
	sum = csum_add(sum, fb + udp_off, ulen);
	uint16_t c = csum_fold(sum);
	if (!c)
		c = 0xffff;
	fb[udp_off + 6] = (uint8_t)(c >> 8);
	fb[udp_off + 7] = (uint8_t)c;
	while (b.len < 60) /* Ethernet minimum, without FCS */
		put8(&b, 0);
	if (!fl->v6 && 20 + ulen > FRAG_MTU)
		add_fragments(st, fb, b.len, ip_off, k);
	else
		add_frame(st, fb, b.len, k);
}

/* The whole set: for each pair index, for each flow, query then response. */
static int build_set(const struct opts *o, struct set *st)
{
	unsigned pairs = o->nondns ? 1 : PAIRS_PER_FLOW;

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < pairs; i++) {
		for (unsigned f = 0; f < o->flows; f++) {
			struct flow fl;
			uint8_t pl[MAX_DGRAM - 100];
			struct buf b = { pl, 0 };

			make_flow(f, o->mix && !o->frag, &fl);
			if (o->nondns) {
				for (unsigned j = 0; j < 64; j++)
					put8(&b, (unsigned)(mix64(f * 64 + j) & 0xff));
				make_frame(st, o, &fl, 1, 9999, pl, b.len, st->n);
				b.len = 0;
				for (unsigned j = 0; j < 64; j++)
					put8(&b, (unsigned)(mix64(f * 64 + j + 7) & 0xff));
				make_frame(st, o, &fl, 0, 9999, pl, b.len, st->n);
				continue;
			}
			make_dns(&b, f, i, 0, o->mix, o->frag);
			make_frame(st, o, &fl, 0, (uint16_t)o->port, pl, b.len, st->n);
			b.len = 0;
			make_dns(&b, f, i, 1, o->mix, o->frag);
			make_frame(st, o, &fl, 1, (uint16_t)o->port, pl, b.len, st->n);
		}
	}
	return 0;
}

/* ---- output ----------------------------------------------------------- */

struct totals {
	uint64_t frames, queries, responses;
};

static void count(struct totals *t, const struct frame *fr)
{
	t->frames++;
	t->queries += fr->kind == K_QUERY;
	t->responses += fr->kind == K_RESPONSE;
}

static int write_pcap(const struct opts *o, const struct set *st, struct totals *t)
{
	FILE *f = fopen(o->pcap, "wb");
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	if (!f) {
		fprintf(stderr, "dnsgen: cannot create %s: %s\n", o->pcap, strerror(errno));
		return 1;
	}
	fwrite(gh, sizeof(gh), 1, f);
	for (uint64_t i = 0; i < o->count; i++) {
		const struct frame *fr = &st->f[i % st->n];
		uint32_t rh[4] = { 1700000000u + (uint32_t)(i / 1000000),
				   (uint32_t)(i % 1000000), fr->len, fr->len };

		fwrite(rh, sizeof(rh), 1, f);
		fwrite(st->arena + fr->off, fr->len, 1, f);
		count(t, fr);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "dnsgen: writing %s: %s\n", o->pcap, strerror(errno));
		return 1;
	}
	return 0;
}

static int open_sender(const char *iface)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int one = 1, fd;

	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "dnsgen: no such interface '%s'\n", iface);
		return -1;
	}
	/* Protocol 0: a send-only socket, it receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "dnsgen: %s: %s\n", iface, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		fprintf(stderr, "dnsgen: note: no PACKET_QDISC_BYPASS: %s\n", strerror(errno));
	return fd;
}

/* Wait until time t (monotonic seconds): sleep, then spin the last bit. */
static void wait_until(double t)
{
	double d = t - now_s();

	if (d > 200e-6) {
		struct timespec ts = { 0, (long)((d - 100e-6) * 1e9) };
		nanosleep(&ts, NULL);
	}
	while (now_s() < t && !stop)
		;
}

static int send_loop(const struct opts *o, int fd, const struct set *st,
		     struct totals *t, double *elapsed)
{
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	double t0 = now_s(), now = t0;
	uint64_t sent = 0;

	memset(msg, 0, sizeof(msg));
	for (int j = 0; j < BATCH; j++) {
		msg[j].msg_hdr.msg_iov = &iov[j];
		msg[j].msg_hdr.msg_iovlen = 1;
	}
	while (!stop && (!o->count || sent < o->count) &&
	       (!o->duration || now - t0 < o->duration)) {
		uint64_t n = BATCH;

		if (o->rate > 0) {
			uint64_t due = (uint64_t)((now - t0) * o->rate) + 1;
			if (due <= sent) {
				wait_until(t0 + (double)(sent + 1) / o->rate);
				now = now_s();
				continue;
			}
			n = due - sent < BATCH ? due - sent : BATCH;
		}
		if (o->count && o->count - sent < n)
			n = o->count - sent;
		for (uint64_t j = 0; j < n; j++) {
			const struct frame *fr = &st->f[(sent + j) % st->n];
			iov[j].iov_base = st->arena + fr->off;
			iov[j].iov_len = fr->len;
		}
		int r = sendmmsg(fd, msg, (unsigned)n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				sched_yield(); /* receiver backlog full: retry the frame */
			} else {
				fprintf(stderr, "dnsgen: send: %s\n", strerror(errno));
				return 1;
			}
			r = 0;
		}
		for (int j = 0; j < r; j++)
			count(t, &st->f[(sent + (uint64_t)j) % st->n]);
		sent += (uint64_t)r;
		now = now_s();
	}
	*elapsed = now - t0;
	return 0;
}

/* ---- options ------------------------------------------------------------ */

static void usage(FILE *f)
{
	fputs("Usage: dnsgen -i IFACE [-n COUNT] [-r PPS|max] [-d SECONDS] [--vlan ID]...\n"
	      "              [--flows N] [--mix] [--port P] [--frag] [--nondns]\n"
	      "              [--write-pcap FILE] [-q]\n"
	      "Sends DNS queries and responses (documentation addresses only) on IFACE.\n"
	      "  -n COUNT          frames to send (default 1000 unless -d is given)\n"
	      "  -r PPS|max        rate in frames/s (default max)\n"
	      "  -d SECONDS        stop after SECONDS\n"
	      "  --vlan ID         add an 802.1Q tag; twice: 802.1ad outer + 802.1Q inner\n"
	      "  --flows N         client flows (default 64, max 65536)\n"
	      "  --mix             also IPv6 flows, EDNS, NXDOMAIN responses\n"
	      "  --port P          server port (default 53)\n"
	      "  --frag            ~2 KB responses in two IPv4 fragments (IPv4 only)\n"
	      "  --nondns          send UDP to port 9999 instead of DNS\n"
	      "  --write-pcap FILE write the frames to a pcap file instead of sending\n"
	      "  -q                no summary line\n", f);
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "vlan", required_argument, NULL, 'V' },
		{ "flows", required_argument, NULL, 'F' },
		{ "mix", no_argument, NULL, 'M' },
		{ "nondns", no_argument, NULL, 'N' },
		{ "port", required_argument, NULL, 'P' },
		{ "frag", no_argument, NULL, 'G' },
		{ "write-pcap", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c, n_given = 0;

	memset(o, 0, sizeof(*o));
	o->flows = 64;
	o->port = 53;
	while ((c = getopt_long(argc, argv, "i:n:r:d:qh", lo, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'n': bad = parse_num(optarg, 1, 1e15, &v); o->count = (uint64_t)v; n_given = 1; break;
		case 'r':
			if (strcmp(optarg, "max") == 0)
				o->rate = 0;
			else
				bad = parse_num(optarg, 1, 1e9, &o->rate);
			break;
		case 'd': bad = parse_num(optarg, 0.001, 1e6, &o->duration); break;
		case 'V':
			bad = o->nvlan == 2 || parse_num(optarg, 0, 4095, &v);
			if (!bad)
				o->vlan[o->nvlan++] = (unsigned)v;
			break;
		case 'F': bad = parse_num(optarg, 1, MAX_FLOWS, &v); o->flows = (unsigned)v; break;
		case 'M': o->mix = 1; break;
		case 'N': o->nondns = 1; break;
		case 'P': bad = parse_num(optarg, 1, 65535, &v); o->port = (unsigned)v; break;
		case 'G': o->frag = 1; break;
		case 'W': o->pcap = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
		if (bad) {
			fprintf(stderr, "dnsgen: bad value for -%c: '%s'\n", c < 128 ? c : '-', optarg);
			return -1;
		}
	}
	if (optind < argc || (!o->iface && !o->pcap)) {
		usage(stderr);
		return -1;
	}
	if (!n_given && !o->duration)
		o->count = 1000;
	if (o->pcap && !o->count) {
		fprintf(stderr, "dnsgen: --write-pcap needs -n\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct totals t = { 0 };
	struct set st;
	double el = 0;
	int rc, fd;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	build_set(&o, &st);
	if (o.pcap) {
		rc = write_pcap(&o, &st, &t);
	} else {
		if ((fd = open_sender(o.iface)) < 0)
			return 1;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		rc = send_loop(&o, fd, &st, &t, &el);
		close(fd);
	}
	if (!o.quiet)
		printf("dnsgen: sent %llu frames (%llu queries, %llu responses) in %.3f s = %.0f pps\n",
		       (unsigned long long)t.frames, (unsigned long long)t.queries,
		       (unsigned long long)t.responses, el, el > 0 ? (double)t.frames / el : 0.0);
	free(st.f);
	free(st.arena);
	return rc;
}
