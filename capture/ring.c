/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring.c: opening one TPACKET_V3 ring (see ring.h).
 *
 * The recipe, in the order netsniff-ng uses (ring_rx.c) and the kernel
 * wants: socket with protocol 0 (a packet socket with protocol 0 is not
 * hooked into the receive path, so nothing is queued yet), PACKET_VERSION,
 * a drop-everything filter, PACKET_RX_RING, mmap, bind (this hooks the
 * socket in), PACKET_FANOUT (needs a bound socket), promiscuous membership.
 *
 * Why the drop-everything filter, and the real filter only at the end
 * (ring_set_filter, called by livein once every ring has joined the group):
 * between bind() and PACKET_FANOUT a socket is hooked in on its own and
 * gets a copy of every packet, while the group's existing members get
 * theirs too; with the real filter already attached, those packets would be
 * captured twice. With nothing passing until the whole group is in place,
 * no packet is duplicated and no unfiltered packet sneaks in, and there is
 * no need to drain the ring afterwards.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>

#include "capture/ring.h"
#include "src/common.h"

/*
 * tp_frame_size. TPACKET_V3 frames are variable-length: the kernel packs
 * each one at the next aligned offset in the block and only truncates a
 * packet that would not fit in a whole block. The frame size only has to
 * be sane (aligned, at least one header, at most a block): big enough here
 * for a 64 KiB packet behind the frame header, sockaddr_ll and the MAC.
 */
#define RING_FRAME_SIZE TPACKET_ALIGN(TPACKET_ALIGN(TPACKET3_HDRLEN) + 16 + 65535)

#define RING_MIN_BLOCKS 2

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static int fail(const struct ring_cfg *cfg, const char *what, int err)
{
	fprintf(stderr, "dnsring: %s: cannot %s: %s\n", cfg->iface, what, strerror(-err));
	return err;
}

static int open_socket(const struct ring_cfg *cfg)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		return fd;
	if (errno == EPERM || errno == EACCES) {
		fprintf(stderr, "dnsring: needs CAP_NET_RAW: run as root or "
			"setcap cap_net_raw,cap_ipc_lock+ep dnsring\n");
		return -EPERM;
	}
	return fail(cfg, "open a packet socket", -errno);
}

static int setopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return setsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

/* Nothing passes: see the comment at the top. */
static int attach_drop_all(int fd)
{
	static struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = drop };

	return setopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static void fill_req(struct tpacket_req3 *req, const struct ring_cfg *cfg)
{
	unsigned fsize = RING_FRAME_SIZE < cfg->block_size ? RING_FRAME_SIZE : cfg->block_size;

	memset(req, 0, sizeof(*req));
	req->tp_block_size = cfg->block_size;
	req->tp_block_nr = cfg->block_nr;
	req->tp_frame_size = fsize;
	req->tp_frame_nr = (cfg->block_size / fsize) * cfg->block_nr;
	req->tp_retire_blk_tov = cfg->block_timeout_ms;
	req->tp_sizeof_priv = 0;
	req->tp_feature_req_word = 0;
}

/*
 * PACKET_RX_RING, halving the block count on ENOMEM down to RING_MIN_BLOCKS.
 * The kernel allocates every block as physically contiguous pages (vmalloc
 * as a fallback), so a large ring can fail on a fragmented or small host.
 */
static int create_ring(struct ring *r, struct ring_cfg *cfg)
{
	uint64_t wanted = (uint64_t)cfg->block_size * cfg->block_nr;
	int ret;

	for (;;) {
		fill_req(&r->req, cfg);
		ret = setopt(r->fd, SOL_PACKET, PACKET_RX_RING, &r->req, sizeof(r->req));
		if (ret != -ENOMEM || cfg->block_nr / 2 < RING_MIN_BLOCKS)
			break;
		cfg->block_nr /= 2;
	}
	if (ret == -ENOMEM) {
		fprintf(stderr, "dnsring: %s: cannot allocate a capture ring even of %.2f MiB "
			"(%u blocks of %u KiB): out of memory; lower --ring-mb or --block-kb\n",
			cfg->iface, mib((uint64_t)cfg->block_size * cfg->block_nr), cfg->block_nr,
			cfg->block_size / 1024);
		return ret;
	}
	if (ret < 0)
		return fail(cfg, "set up the TPACKET_V3 ring", ret);
	if ((uint64_t)cfg->block_size * cfg->block_nr < wanted)
		fprintf(stderr, "dnsring: warning: %s: a %.2f MiB ring does not fit in memory; "
			"using %.2f MiB per worker\n", cfg->iface, mib(wanted),
			mib((uint64_t)cfg->block_size * cfg->block_nr));
	return 0;
}

/*
 * MAP_LOCKED keeps the ring resident; without CAP_IPC_LOCK it is refused
 * past RLIMIT_MEMLOCK (EPERM, EAGAIN). The ring pages are kernel pages that
 * are never swapped anyway, so running without the lock is safe: warn once.
 */
static int map_ring(struct ring *r, struct ring_cfg *cfg)
{
	size_t len = (size_t)r->req.tp_block_size * r->req.tp_block_nr;
	int flags = MAP_SHARED | MAP_POPULATE;
	void *p;

	for (;;) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | (cfg->lock ? MAP_LOCKED : 0),
			 r->fd, 0);
		if (p != MAP_FAILED)
			break;
		if (!cfg->lock || (errno != EPERM && errno != EAGAIN))
			return fail(cfg, "map the capture ring", -errno);
		fprintf(stderr, "dnsring: warning: cannot lock the capture ring in memory (%s); "
			"continuing without MAP_LOCKED (grant CAP_IPC_LOCK or raise RLIMIT_MEMLOCK)\n",
			strerror(errno));
		cfg->lock = 0;
	}
	r->map = p;
	r->map_len = len;
	return 0;
}

static int bind_ring(struct ring *r, const struct ring_cfg *cfg)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = cfg->ifindex,
	};

	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return fail(cfg, "bind the packet socket", -errno);
	return 0;
}

static int fanout_join(int fd, unsigned type_flags, unsigned id)
{
	uint32_t val = (uint32_t)type_flags << 16 | (id & 0xffff);

	return setopt(fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof(val));
}

/*
 * The group id. The first ring asks the kernel for an unused one
 * (PACKET_FANOUT_FLAG_UNIQUEID, Linux 4.9): two dnsring instances on one
 * host (or in containers sharing a network namespace) can then never end up
 * in each other's group. Older kernels refuse the flag with EINVAL; fall
 * back to the low 16 bits of the pid, unique among the processes of a pid
 * namespace.
 */
static int join_fanout(struct ring *r, struct ring_cfg *cfg)
{
	unsigned tf = (unsigned)cfg->fanout_mode | (cfg->defrag ? PACKET_FANOUT_FLAG_DEFRAG : 0);
	int ret;

	if (cfg->fanout_id >= 0) {
		ret = fanout_join(r->fd, tf, (unsigned)cfg->fanout_id);
	} else if ((ret = fanout_join(r->fd, tf | PACKET_FANOUT_FLAG_UNIQUEID, 0)) == 0) {
		uint32_t val = 0;
		socklen_t len = sizeof(val);

		if (getsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &val, &len) < 0)
			return fail(cfg, "read the fanout group id", -errno);
		cfg->fanout_id = (int)(val & 0xffff);
	} else if (ret == -EINVAL) {
		cfg->fanout_id = (int)(getpid() & 0xffff);
		ret = fanout_join(r->fd, tf, (unsigned)cfg->fanout_id);
	}
	if (ret < 0)
		return fail(cfg, "join the PACKET_FANOUT group", ret);
	return 0;
}

/* "any" has no single device to make promiscuous (libpcap skips it too). */
static int add_promisc(struct ring *r, const struct ring_cfg *cfg)
{
	struct packet_mreq mr = { .mr_ifindex = cfg->ifindex, .mr_type = PACKET_MR_PROMISC };
	int ret;

	if (!cfg->promisc || cfg->ifindex == 0)
		return 0;
	ret = setopt(r->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	return ret < 0 ? fail(cfg, "enable promiscuous mode", ret) : 0;
}

int ring_open(struct ring *r, struct ring_cfg *cfg)
{
	int version = TPACKET_V3;
	int ret;

	ring_init(r);
	if ((ret = open_socket(cfg)) < 0)
		return ret;
	r->fd = ret;
	if ((ret = setopt(r->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version))) < 0)
		ret = fail(cfg, "select TPACKET_V3 (Linux 3.2 or later needed)", ret);
	else if ((ret = attach_drop_all(r->fd)) < 0)
		ret = fail(cfg, "attach a socket filter", ret);
	if (ret == 0)
		ret = create_ring(r, cfg);
	if (ret == 0)
		ret = map_ring(r, cfg);
	if (ret == 0)
		ret = bind_ring(r, cfg);
	if (ret == 0)
		ret = join_fanout(r, cfg);
	if (ret == 0)
		ret = add_promisc(r, cfg);
	if (ret < 0)
		ring_close(r);
	return ret;
}

int ring_set_filter(struct ring *r, const struct sock_fprog *prog)
{
	return setopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, sizeof(*prog));
}

int ring_stats(struct ring *r, struct tpacket_stats_v3 *out)
{
	socklen_t len = sizeof(*out);

	memset(out, 0, sizeof(*out));
	if (getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, out, &len) < 0)
		return -errno;
	return 0;
}

void ring_close(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	ring_init(r);
}
