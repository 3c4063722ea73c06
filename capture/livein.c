/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * livein.c: live capture: n TPACKET_V3 rings in one PACKET_FANOUT group,
 * one thread per ring, each feeding its own worker (see livein.h).
 *
 * Mirrors pcapin.c: a "lane" per worker. Here the lane's blocks are the
 * ring's blocks, so nothing is copied: the packet views handed to the
 * worker point into the mmap'ed block, and the block goes back to the
 * kernel (release store of TP_STATUS_KERNEL) once the worker has processed
 * all of it. The kernel's flow hash (PACKET_FANOUT_HASH, symmetric) puts a
 * query and its response on the same ring, hence the same worker.
 *
 * Setup order: everything that can be a usage error (interface name, -u
 * user, -f expression, ring geometry) is checked before the first socket
 * is opened; then all rings are opened with a drop-everything filter, the
 * real filter goes on once the whole group is in place (ring.c says why),
 * privileges are dropped, and only then do the threads start.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>

#include "capture/block.h"
#include "capture/bpf.h"
#include "capture/livein.h"
#include "capture/ring.h"

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif
#ifndef ARPHRD_IP6GRE
#define ARPHRD_IP6GRE 823
#endif

#define LIVEIN_POLL_MS   100          /* idle wake-up: stop flag, stats */
#define LIVEIN_STATS_NS  200000000ull /* PACKET_STATISTICS at least this often */
#define LIVEIN_MIN_FRAME (TPACKET3_HDRLEN + 16) /* smallest frame the kernel writes */
#define LIVEIN_MAX_GRACE_MS 2000

struct lane {
	struct ring ring;
	struct worker *w;
	struct livein_ring_stats *st;
	const char *iface;
	int no_decode;
	uint64_t grace_ns;       /* after a stop: wait this long for the open block */
	struct dr_pkt *pkts;     /* views of one block (or part of it) */
	unsigned max_pkts;
	uint64_t in_ring;        /* frames the kernel put in the ring (packets - drops) */
	uint64_t walked;         /* frames walked */
	uint64_t next_stats;     /* monotonic ns */
	int warned_err;
	pthread_t thread;
	int started;
};

/* Who to become after setup (-u). */
struct drop_to {
	uid_t uid;
	gid_t gid;
	char name[256];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the ring thread ---------------------------------------------------- */

/* Accumulate PACKET_STATISTICS (it resets on read). tp_packets includes
 * tp_drops on a V3 socket, so packets - drops is what went into the ring. */
static void lane_stats(struct lane *l)
{
	struct tpacket_stats_v3 ks;

	if (ring_stats(&l->ring, &ks) < 0)
		return;
	dr_ctr_add(&l->st->packets, ks.tp_packets);
	dr_ctr_add(&l->st->drops, ks.tp_drops);
	dr_ctr_add(&l->st->freezes, ks.tp_freeze_q_cnt);
	l->in_ring += ks.tp_packets - ks.tp_drops;
	l->next_stats = now_ns() + LIVEIN_STATS_NS;
}

/*
 * Where the frame's bytes start and what link type they are, from the
 * sockaddr_ll the kernel puts after every tpacket3_hdr. Ethernet and
 * loopback (which carries a zeroed Ethernet header on Linux) start at
 * tp_mac; devices without a link header (tun, GRE, SIT, raw IP, PPP) and
 * any type we do not know start at the network header, tp_net.
 */
static void fill_pkt(struct lane *l, struct dr_pkt *p, const struct tpacket3_hdr *h)
{
	const uint8_t *base = (const uint8_t *)h;
	const struct sockaddr_ll *sll = (const void *)(base + TPACKET_ALIGN(sizeof(*h)));
	uint32_t off = h->tp_mac, caplen = h->tp_snaplen, wirelen = h->tp_len;
	uint16_t link = DR_LINK_RAW;

	switch (sll->sll_hatype) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		link = DR_LINK_ETHERNET;
		break;
	case ARPHRD_NONE:
	case ARPHRD_RAWIP:
	case ARPHRD_PPP:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
	case ARPHRD_IPGRE:
	case ARPHRD_IP6GRE:
		break;
	default:
		dr_ctr_add(&l->st->unknown_link, 1);
		break;
	}
	if (link == DR_LINK_RAW && h->tp_net > h->tp_mac) {
		uint32_t l2 = (uint32_t)(h->tp_net - h->tp_mac);

		off = h->tp_net;
		caplen = caplen > l2 ? caplen - l2 : 0;
		wirelen = wirelen > l2 ? wirelen - l2 : 0;
	}
	*p = (struct dr_pkt){
		.data = base + off,
		.ts_ns = (uint64_t)h->tp_sec * 1000000000u + h->tp_nsec,
		.caplen = caplen,
		.wirelen = wirelen < caplen ? caplen : wirelen,
		.linktype = link,
	};
	if (h->tp_status & TP_STATUS_VLAN_VALID) {
		p->flags = DR_PKT_VLAN_VALID;
		p->vlan_tci = (uint16_t)h->hv1.tp_vlan_tci;
		if (h->tp_status & TP_STATUS_VLAN_TPID_VALID)
			p->vlan_tpid = (uint16_t)h->hv1.tp_vlan_tpid;
	}
}

static void deliver(struct lane *l, unsigned n)
{
	if (n && !l->no_decode)
		worker_process(l->w, l->pkts, n);
}

/*
 * Walk one block the kernel handed over. Offsets come from the kernel; they
 * are still checked against the block, so a bad one ends the walk instead
 * of a read outside the mapping.
 */
static void walk_block(struct lane *l, const struct tpacket_block_desc *bd)
{
	const uint8_t *b = (const uint8_t *)bd;
	uint32_t bsize = l->ring.req.tp_block_size;
	uint32_t npkts = bd->hdr.bh1.num_pkts;
	uint32_t off = bd->hdr.bh1.offset_to_first_pkt;
	unsigned k = 0;
	uint32_t i;

	for (i = 0; i < npkts; i++) {
		const struct tpacket3_hdr *h = (const void *)(b + off);

		if (off < sizeof(*bd) || off > bsize - TPACKET3_HDRLEN ||
		    h->tp_mac + (uint64_t)h->tp_snaplen > bsize - off)
			break;
		fill_pkt(l, &l->pkts[k], h);
		if (++k == l->max_pkts) {
			deliver(l, k);
			k = 0;
		}
		off += h->tp_next_offset;
	}
	deliver(l, k);
	l->walked += npkts;
	dr_ctr_add(&l->st->frames, i);
	dr_ctr_add(&l->st->blocks, 1);
}

/* Wait for the next block. A socket error (ENETDOWN when the interface goes
 * down; the kernel re-hooks the socket when it comes back up) is read to
 * clear it, and reported once. */
static void lane_poll(struct lane *l, int ms)
{
	struct pollfd pfd = { .fd = l->ring.fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) <= 0 || !(pfd.revents & POLLERR))
		return;
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(l->ring.fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err && !l->warned_err) {
		fprintf(stderr, "dnsring: %s: capture socket error: %s (capture resumes "
			"when the interface is back)\n", l->iface, strerror(err));
		l->warned_err = 1;
	}
}

/*
 * The ring loop. After a stop request it keeps going a little, so that what
 * was in flight is not lost: it walks the blocks that are ready (at most one
 * ring's worth, so a sender that never stops cannot keep it alive), and
 * waits for the kernel to retire the block it is filling as long as the
 * kernel's counters say frames are in it, up to grace_ns.
 */
static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct ring *r = &l->ring;
	uint64_t deadline = 0, blocks_left = 0;

	for (;;) {
		uint64_t now = now_ns();
		struct tpacket_block_desc *bd = ring_block(r, r->cur);

		if (!deadline && dr_should_stop()) {
			deadline = now + l->grace_ns;
			blocks_left = (uint64_t)r->req.tp_block_nr + 1;
		}
		if (ring_block_ready(bd)) {
			walk_block(l, bd);
			ring_block_release(bd);
			r->cur = (r->cur + 1) % r->req.tp_block_nr;
			if (now >= l->next_stats)
				lane_stats(l);
			if (deadline && --blocks_left == 0)
				break;
			continue;
		}
		lane_stats(l);
		if (deadline && (l->in_ring <= l->walked || now >= deadline))
			break;
		worker_flush(l->w); /* idle: let records out promptly */
		uint64_t wait = deadline ? (deadline - now) / 1000000 + 1 : LIVEIN_POLL_MS;
		lane_poll(l, wait < LIVEIN_POLL_MS ? (int)wait : LIVEIN_POLL_MS);
	}
	lane_stats(l);
	if (l->in_ring > l->walked)
		dr_ctr_add(&l->st->unread, l->in_ring - l->walked);
	worker_finish(l->w);
	return NULL;
}

static int lane_start(struct lane *l, unsigned index)
{
	char name[16];
	int ret;

	l->max_pkts = l->ring.req.tp_block_size / LIVEIN_MIN_FRAME + 1;
	l->pkts = dr_calloc(l->max_pkts, sizeof(*l->pkts));
	if (!l->pkts)
		return -ENOMEM;
	l->next_stats = now_ns() + LIVEIN_STATS_NS;
	if ((ret = pthread_create(&l->thread, NULL, lane_main, l)) != 0)
		return -ret;
	snprintf(name, sizeof(name), "dnsring-rx%u", index % 1000);
	pthread_setname_np(l->thread, name);
	l->started = 1;
	return 0;
}

/* ---- setup checks --------------------------------------------------------- */

/* ifindex and ARPHRD_ type of name; "any" is index 0, type -1. */
static int iface_lookup(const char *name, int *ifindex, int *hatype)
{
	struct ifreq ifr;
	unsigned idx;
	int fd;

	*ifindex = 0;
	*hatype = -1;
	if (strcmp(name, "any") == 0)
		return 0;
	if (strlen(name) >= IFNAMSIZ || (idx = if_nametoindex(name)) == 0) {
		fprintf(stderr, "dnsring: no such interface '%s' (see ip link)\n", name);
		return DR_EUSAGE;
	}
	*ifindex = (int)idx;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return 0; /* cannot check: bind() will tell */
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		close(fd);
		fprintf(stderr, "dnsring: interface %s is down (ip link set %s up)\n", name, name);
		return -ENETDOWN;
	}
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		*hatype = ifr.ifr_hwaddr.sa_family;
	close(fd);
	return 0;
}

/* -u USER: a name, or a numeric uid. */
static int lookup_user(const char *user, struct drop_to *d)
{
	static char buf[16384];
	struct passwd pw, *res = NULL;
	char *end;

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res) {
		unsigned long uid = strtoul(user, &end, 10);

		if (*user && !*end)
			getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res);
	}
	if (!res || strlen(res->pw_name) >= sizeof(d->name)) {
		fprintf(stderr, "dnsring: invalid -u '%s': no such user\n", user);
		return DR_EUSAGE;
	}
	d->uid = res->pw_uid;
	d->gid = res->pw_gid;
	memcpy(d->name, res->pw_name, strlen(res->pw_name) + 1);
	return 0;
}

static int caps_zero(int clear)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (clear)
		return syscall(SYS_capset, &h, d) == 0;
	if (syscall(SYS_capget, &h, d) != 0)
		return 0;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return 0;
	return 1;
}

/*
 * Become d's user and group, with its supplementary groups, and keep no
 * capability. setuid() from root to another user clears the permitted and
 * effective sets (KEEPCAPS is turned off first, ambient ones cleared); glibc
 * applies the id changes to every thread of the process. Each step is
 * checked, and so is the result: ids, no way back to root, no capability.
 */
static int drop_privileges(const struct drop_to *d)
{
	const char *what = NULL;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (initgroups(d->name, d->gid) < 0)
		what = "set its groups";
	else if (setgid(d->gid) < 0)
		what = "set its group id";
	else if (setuid(d->uid) < 0)
		what = "set its user id";
	if (what) {
		fprintf(stderr, "dnsring: -u %s: cannot %s: %s\n", d->name, what, strerror(errno));
		return -EPERM;
	}
	if (!caps_zero(0))
		caps_zero(1); /* -u root: drop them explicitly */
	if (getuid() != d->uid || geteuid() != d->uid || getgid() != d->gid ||
	    getegid() != d->gid || (d->uid != 0 && setuid(0) == 0) || !caps_zero(0)) {
		fprintf(stderr, "dnsring: -u %s: privileges were not dropped as expected\n", d->name);
		return -EPERM;
	}
	return 0;
}

/* The default program, or -f compiled for the interface's link type. */
static int build_filter(const struct dr_opts *opts, int hatype, struct sock_fprog *prog)
{
	int all_ports = 0, ret;

	if (opts->bpf) {
		int ether = hatype == ARPHRD_ETHER || hatype == ARPHRD_LOOPBACK;
		return bpf_compile_expr(opts->bpf, ether ? BPF_LINK_ETHER : BPF_LINK_NET, prog);
	}
	ret = bpf_build_default(opts->ports, prog, &all_ports);
	if (ret < 0)
		fprintf(stderr, "dnsring: cannot build the capture filter: %s\n", dr_strerror(ret));
	else if (all_ports)
		fprintf(stderr, "dnsring: note: -p has more than %d port ranges; the kernel filter "
			"passes every UDP/TCP port and the workers select the DNS ones\n",
			DR_BPF_MAX_RANGES);
	return ret;
}

/* Ring geometry from the options; a ring needs at least two blocks. */
static int ring_geometry(const struct dr_opts *opts, struct ring_cfg *cfg)
{
	uint64_t nr = (uint64_t)opts->ring_mb * 1024 / opts->block_kb;
	long page = sysconf(_SC_PAGESIZE);

	if (page > 0 && (uint64_t)opts->block_kb * 1024 % (uint64_t)page) {
		fprintf(stderr, "dnsring: invalid --block-kb %u: must be a multiple of the "
			"page size (%ld KiB)\n", opts->block_kb, page / 1024);
		return DR_EUSAGE;
	}
	if (nr < 2) {
		fprintf(stderr, "dnsring: invalid --ring-mb %u: must hold at least two "
			"blocks of --block-kb %u\n", opts->ring_mb, opts->block_kb);
		return DR_EUSAGE;
	}
	cfg->block_size = opts->block_kb * 1024;
	cfg->block_nr = (unsigned)nr;
	cfg->block_timeout_ms = opts->block_timeout_ms;
	cfg->fanout_mode = opts->fanout;
	cfg->defrag = opts->defrag;
	cfg->fanout_id = -1;
	cfg->promisc = opts->promisc;
	cfg->lock = 1;
	return 0;
}

/* Everything that can fail without touching the network. */
static int prepare(const struct dr_opts *opts, struct ring_cfg *cfg, struct sock_fprog *prog,
		   struct drop_to *user)
{
	int hatype, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->iface = opts->iface;
	if ((ret = ring_geometry(opts, cfg)) < 0 ||
	    (ret = iface_lookup(opts->iface, &cfg->ifindex, &hatype)) < 0)
		return ret;
	if (opts->user && (ret = lookup_user(opts->user, user)) < 0)
		return ret;
	return build_filter(opts, hatype, prog);
}

/* Open every ring, then let packets in, then drop privileges. */
static int open_rings(const struct dr_opts *opts, struct lane *lanes, unsigned n,
		      struct ring_cfg *cfg, const struct sock_fprog *prog,
		      const struct drop_to *user)
{
	int ret;

	for (unsigned i = 0; i < n; i++)
		if ((ret = ring_open(&lanes[i].ring, cfg)) < 0)
			return ret;
	for (unsigned i = 0; i < n; i++) {
		if ((ret = ring_set_filter(&lanes[i].ring, prog)) < 0) {
			fprintf(stderr, "dnsring: %s: cannot attach the capture filter: %s\n",
				opts->iface, dr_strerror(ret));
			return ret;
		}
	}
	return opts->user ? drop_privileges(user) : 0;
}

/* Like tcpdump's "listening on": capture is live from here on (tests wait for it). */
static void say_listening(const struct dr_opts *opts, const struct ring_cfg *cfg, unsigned n)
{
	static const char *const modes[] = { [PACKET_FANOUT_HASH] = "hash",
		[PACKET_FANOUT_LB] = "lb", [PACKET_FANOUT_CPU] = "cpu", [PACKET_FANOUT_QM] = "qm" };
	const char *mode = (unsigned)opts->fanout < DR_ARRAY_SIZE(modes) && modes[opts->fanout]
			   ? modes[opts->fanout] : "?";

	fprintf(stderr, "dnsring: listening on %s: %u ring%s of %u x %u KiB, fanout %s%s, "
		"filter %s\n", opts->iface, n, n == 1 ? "" : "s", cfg->block_nr,
		cfg->block_size / 1024, mode, opts->defrag ? "+defrag" : "",
		opts->bpf ? "-f" : "default");
}

int livein_run(const struct dr_opts *opts, struct worker *workers, unsigned n,
	       struct livein_stats *st)
{
	struct lane *lanes = dr_calloc(n, sizeof(*lanes));
	struct sock_fprog prog = { 0 };
	struct ring_cfg cfg;
	struct drop_to user;
	int ret = 0;

	/* Stats first: the reporter may look at them any time from now on. */
	st->ring = dr_calloc(n, sizeof(*st->ring));
	if (!lanes || !st->ring) {
		fprintf(stderr, "dnsring: out of memory setting up capture\n");
		ret = -ENOMEM;
		goto out;
	}
	st->nrings = n;
	for (unsigned i = 0; i < n; i++) {
		ring_init(&lanes[i].ring);
		lanes[i].w = &workers[i];
		lanes[i].st = &st->ring[i];
		lanes[i].iface = opts->iface;
		lanes[i].no_decode = opts->no_decode;
	}
	memset(&user, 0, sizeof(user));
	if ((ret = prepare(opts, &cfg, &prog, &user)) < 0 ||
	    (ret = open_rings(opts, lanes, n, &cfg, &prog, &user)) < 0)
		goto out;
	for (unsigned i = 0; i < n && ret == 0; i++) {
		uint64_t grace = 2 * (uint64_t)opts->block_timeout_ms + 50;

		lanes[i].grace_ns = (grace < LIVEIN_MAX_GRACE_MS ? grace : LIVEIN_MAX_GRACE_MS)
				    * 1000000u;
		if ((ret = lane_start(&lanes[i], i)) < 0)
			fprintf(stderr, "dnsring: cannot start capture thread: %s\n",
				dr_strerror(ret));
	}
	if (ret == 0) {
		st->started = 1;
		if (!opts->quiet)
			say_listening(opts, &cfg, n);
	}
out:
	if (ret < 0)
		dr_request_stop(); /* threads already started wind down */
	for (unsigned i = 0; lanes && i < n; i++) {
		if (lanes[i].started)
			pthread_join(lanes[i].thread, NULL);
		else
			worker_finish(&workers[i]);
		ring_close(&lanes[i].ring);
		dr_free(lanes[i].pkts);
	}
	if (!lanes)
		for (unsigned i = 0; i < n; i++)
			worker_finish(&workers[i]);
	bpf_free_prog(&prog);
	dr_free(lanes);
	return ret;
}

/* ---- default interface -------------------------------------------------- */

/* /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex) */
static int default_v4(char *buf, size_t len)
{
	FILE *f = fopen("/proc/net/route", "re");
	char line[512], name[64], best[64] = "";
	unsigned long dst, gw, flags, metric, mask, best_metric = ~0ul;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lx %lx %lx %*d %*d %lu %lx", name, &dst, &gw, &flags,
			   &metric, &mask) != 6)
			continue; /* the header line */
		if (dst || mask || !(flags & 0x1 /* RTF_UP */) || metric >= best_metric)
			continue;
		best_metric = metric;
		snprintf(best, sizeof(best), "%s", name);
	}
	fclose(f);
	if (!*best || strlen(best) >= len)
		return -ENOENT;
	memcpy(buf, best, strlen(best) + 1);
	return 0;
}

/* /proc/net/ipv6_route: dst plen src plen nexthop metric refcnt use flags iface */
static int default_v6(char *buf, size_t len)
{
	FILE *f = fopen("/proc/net/ipv6_route", "re");
	char line[512], dst[40], name[64], best[64] = "";
	unsigned plen, flags;
	unsigned long metric, best_metric = ~0ul;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%39s %x %*s %*x %*s %lx %*x %*x %x %63s", dst, &plen, &metric,
			   &flags, name) != 5)
			continue;
		if (plen || strspn(dst, "0") != strlen(dst) || !(flags & 0x1 /* RTF_UP */) ||
		    (flags & 0x200 /* RTF_REJECT */) || strcmp(name, "lo") == 0 ||
		    metric >= best_metric)
			continue;
		best_metric = metric;
		snprintf(best, sizeof(best), "%s", name);
	}
	fclose(f);
	if (!*best || strlen(best) >= len)
		return -ENOENT;
	memcpy(buf, best, strlen(best) + 1);
	return 0;
}

int livein_default_iface(char *buf, size_t len)
{
	if (default_v4(buf, len) == 0)
		return 0;
	return default_v6(buf, len) == 0 ? 0 : -ENOENT;
}
