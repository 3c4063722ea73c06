/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring.h: one AF_PACKET socket with a TPACKET_V3 RX ring (prefix ring_).
 *
 * A ring is a run of tp_block_nr blocks of tp_block_size bytes, mmap'ed
 * from the kernel. The kernel fills one block at a time with variable-length
 * frames and hands it over by setting TP_STATUS_USER in its header (when it
 * is full or its retire timeout expires); the reader walks the block and
 * gives it back by storing TP_STATUS_KERNEL. Blocks are used strictly in
 * order, so the reader only ever looks at the block at index `cur`.
 *
 * Setup follows netsniff-ng's order (socket, version, ring, mmap, bind,
 * fanout); the capture filter is installed last, with ring_set_filter(),
 * once every ring of the fanout group is in place (see ring_open).
 */
#ifndef DR_RING_H
#define DR_RING_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_packet.h>

struct sock_fprog;

/* Geometry and membership, shared by all rings of one run. ring_open may
 * lower block_nr (ENOMEM fallback) and clear lock (no mlock allowed), so
 * that the next ring starts from what worked. */
struct ring_cfg {
	const char *iface;          /* for messages */
	int ifindex;                /* 0: all interfaces ("any") */
	unsigned block_size;        /* bytes, a power of two >= page size */
	unsigned block_nr;          /* blocks per ring (>= 2) */
	unsigned block_timeout_ms;  /* tp_retire_blk_tov */
	int fanout_mode;            /* PACKET_FANOUT_* */
	int defrag;                 /* add PACKET_FANOUT_FLAG_DEFRAG */
	int fanout_id;              /* group id; -1 until the first ring made one */
	int promisc;                /* PACKET_MR_PROMISC (ignored for "any") */
	int lock;                   /* try MAP_LOCKED */
	int warned_size;            /* the ENOMEM fallback warning was printed */
};

struct ring {
	int fd;                     /* -1 when closed */
	uint8_t *map;               /* block_nr * block_size bytes */
	size_t map_len;
	struct tpacket_req3 req;
	unsigned cur;               /* next block to read (reader thread only) */
};

/**
 * Open one ring on cfg->ifindex: socket, TPACKET_V3, RX ring, mmap, a
 * drop-everything filter, bind, fanout group, promiscuous membership.
 * Prints one line on failure. On success the ring receives nothing until
 * ring_set_filter() replaces the drop-everything filter.
 * @return 0, or -errno (-EPERM: not allowed to open packet sockets).
 */
int ring_open(struct ring *r, struct ring_cfg *cfg);

/** Replace the ring's filter (SO_ATTACH_FILTER). @return 0 or -errno. */
int ring_set_filter(struct ring *r, const struct sock_fprog *prog);

/** Read and reset the kernel's counters. @return 0 or -errno. */
int ring_stats(struct ring *r, struct tpacket_stats_v3 *out);

/** Unmap and close; safe on a ring that failed to open or was never opened
 * (fd must be -1 then: see ring_init). */
void ring_close(struct ring *r);

/** Mark r closed, so ring_close on it is a no-op. */
static inline void ring_init(struct ring *r)
{
	r->fd = -1;
	r->map = NULL;
	r->map_len = 0;
	r->cur = 0;
}

static inline struct tpacket_block_desc *ring_block(const struct ring *r, unsigned i)
{
	return (struct tpacket_block_desc *)(void *)(r->map + (size_t)i * r->req.tp_block_size);
}

/* The status word of block i: the kernel publishes a block by writing its
 * frames and then the status, so the acquire load orders our reads of the
 * frames after it; the release store orders our reads before giving it back. */
static inline int ring_block_ready(const struct tpacket_block_desc *bd)
{
	return (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
}

static inline void ring_block_release(struct tpacket_block_desc *bd)
{
	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

#endif /* DR_RING_H */
