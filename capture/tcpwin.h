/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpwin.h: the held bytes of one TCP stream direction (prefix tcpw_), for
 * tcpreasm.c.
 *
 * A struct tcpw holds bytes by sequence number in [base, base + TCPW_SPAN):
 * up to TCPW_MAX_PIECES sorted, disjoint pieces, their bytes in chunks of a
 * pool shared by every stream of a table. A per-stream ring maps chunk
 * (seq / TCPW_CHUNK) % TCPW_RING to a pool chunk: the span covers fewer
 * chunks than the ring has entries, so two live positions never share an
 * entry, and nothing is rebased when base moves or the sequence space wraps.
 * Which bytes are valid is said by the pieces alone; tcpw_gc returns chunks
 * no piece touches.
 *
 * When the pool runs dry, it asks its owner (the reclaim callback) to free
 * some other stream's chunks, and fails only when the owner cannot.
 * Single-threaded, like the table it belongs to.
 */
#ifndef DR_TCPWIN_H
#define DR_TCPWIN_H

#include <stdint.h>

#include "capture/ixpool.h"

#define TCPW_SPAN (2u * 65537u)   /* bytes held past base: two whole messages */
#define TCPW_CHUNK 2048u          /* pool granularity */
#define TCPW_RING 128u            /* chunk slots per stream (power of 2) */
#define TCPW_MAX_PIECES 8u        /* separate runs of held bytes */

struct tcpw_piece {
	uint32_t start, end;  /* sequence numbers, end exclusive */
	uint8_t single;       /* all its bytes came from one segment */
};

/* Embedded in each stream. Fields are private but for the read-only ones. */
struct tcpw {
	uint32_t base;        /* read-only: first byte not consumed */
	uint32_t nchunks;
	uint8_t npieces;      /* read-only: 0 when nothing is held */
	struct tcpw_piece pieces[TCPW_MAX_PIECES];
	uint16_t ring[TCPW_RING];
};

/*
 * Free another stream's chunks (not keep's); return 0 if there is none to
 * free. May call tcpw_reset on other windows, never on keep.
 */
typedef int (*tcpw_reclaim_fn)(void *arg, const struct tcpw *keep);

/* Private; in the owner's table struct. */
struct tcpw_pool {
	struct ixp_chunks chunks;
	tcpw_reclaim_fn reclaim;
	void *arg;
};

/** @return 0, -EINVAL (bytes under one chunk or over 65534 chunks), -ENOMEM. */
int tcpw_pool_init(struct tcpw_pool *p, uint32_t bytes, tcpw_reclaim_fn fn, void *arg);
void tcpw_pool_fini(struct tcpw_pool *p);
/** Bytes of the pool in use. */
uint32_t tcpw_pool_used(const struct tcpw_pool *p);

/** A window that holds nothing and no chunks; once, before first use. */
void tcpw_init(struct tcpw *w);
/** Drop every held byte, give the chunks back, start over at base. */
void tcpw_reset(struct tcpw_pool *p, struct tcpw *w, uint32_t base);

/**
 * Hold bytes [seq, seq + n) (seq at or after base). Bytes held already are
 * kept as they are (the first copy wins) and counted in *dup.
 * @return 0; -ENOSPC past the span or too many pieces (nothing held);
 *         -ENOBUFS the pool is dry and nothing could be reclaimed.
 */
int tcpw_insert(struct tcpw_pool *p, struct tcpw *w, uint32_t seq, const uint8_t *d,
		uint32_t n, uint32_t *dup);

/** Copy out held bytes [seq, seq + n); every one of them must be held. */
void tcpw_read(const struct tcpw_pool *p, const struct tcpw *w, uint32_t seq, uint8_t *d,
	       uint32_t n);
/** Big-endian 16-bit value of the two held bytes at seq. */
uint32_t tcpw_rd16(const struct tcpw_pool *p, const struct tcpw *w, uint32_t seq);

/** Move base to `to` (forward), forgetting bytes before it. Call tcpw_gc after. */
void tcpw_consume(struct tcpw *w, uint32_t to);
/** Give back the chunks no piece touches. */
void tcpw_gc(struct tcpw_pool *p, struct tcpw *w);

/** End of the bytes held without a hole from base (base if none). */
uint32_t tcpw_contig_end(const struct tcpw *w);
/** Bytes held without a hole from a piece starting exactly at `at`; 0 if none does. */
uint32_t tcpw_run_at(const struct tcpw *w, uint32_t at);
/** Start of the first piece after seq, or `dflt` if there is none. */
uint32_t tcpw_next_start(const struct tcpw *w, uint32_t seq, uint32_t dflt);
/** Bytes held before seq. */
uint32_t tcpw_held_before(const struct tcpw *w, uint32_t seq);
/** 1 when [m0, m1) lies in one piece whose bytes came from one segment. */
int tcpw_single(const struct tcpw *w, uint32_t m0, uint32_t m1);

#endif /* DR_TCPWIN_H */
