/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpwin.c: the held bytes of one TCP stream direction (see tcpwin.h).
 *
 * Sequence numbers wrap, so positions are compared as differences: a - b
 * read as int32. Every piece lies within TCPW_SPAN of base, far below 2^31,
 * so offsets from base can also be compared as plain uint32.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "capture/tcpwin.h"

#define CHUNK_SHIFT 11

_Static_assert(1u << CHUNK_SHIFT == TCPW_CHUNK, "TCPW_CHUNK must be 1 << CHUNK_SHIFT");
_Static_assert((TCPW_RING & (TCPW_RING - 1)) == 0, "TCPW_RING must be a power of 2");
_Static_assert(TCPW_SPAN / TCPW_CHUNK + 2 <= TCPW_RING, "the span must fit the ring");

static inline int32_t sdiff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t ring_idx(uint32_t seq)
{
	return (seq >> CHUNK_SHIFT) & (TCPW_RING - 1);
}

/* ---- pool --------------------------------------------------------------------- */

int tcpw_pool_init(struct tcpw_pool *p, uint32_t bytes, tcpw_reclaim_fn fn, void *arg)
{
	p->reclaim = fn;
	p->arg = arg;
	return ixp_chunks_init(&p->chunks, bytes, TCPW_CHUNK);
}

void tcpw_pool_fini(struct tcpw_pool *p)
{
	ixp_chunks_fini(&p->chunks);
}

uint32_t tcpw_pool_used(const struct tcpw_pool *p)
{
	return ixp_chunks_used(&p->chunks);
}

/* ---- chunks ------------------------------------------------------------------- */

void tcpw_init(struct tcpw *w)
{
	memset(w, 0, sizeof(*w));
	memset(w->ring, 0xff, sizeof(w->ring));
}

static void chunk_put(struct tcpw_pool *p, struct tcpw *w, uint32_t idx)
{
	ixp_chunk_put(&p->chunks, w->ring[idx]);
	w->ring[idx] = IXP_NOCHUNK;
	w->nchunks--;
}

void tcpw_reset(struct tcpw_pool *p, struct tcpw *w, uint32_t base)
{
	for (uint32_t i = 0; w->nchunks && i < TCPW_RING; i++)
		if (w->ring[i] != IXP_NOCHUNK)
			chunk_put(p, w, i);
	w->npieces = 0;
	w->base = base;
}

/* Does any piece hold a byte of [lo, lo + TCPW_CHUNK)? */
static int chunk_in_use(const struct tcpw *w, uint32_t lo)
{
	for (unsigned i = 0; i < w->npieces; i++) {
		const struct tcpw_piece *pc = &w->pieces[i];
		if (sdiff(pc->start, lo + TCPW_CHUNK) < 0 && sdiff(pc->end, lo) > 0)
			return 1;
	}
	return 0;
}

/*
 * The entry at ring position (c0 + k) stands for chunk c0 + k of the span;
 * an entry left over from before base moved maps to a position no piece
 * holds, and goes too.
 */
void tcpw_gc(struct tcpw_pool *p, struct tcpw *w)
{
	uint32_t c0 = w->base >> CHUNK_SHIFT;

	if (!w->npieces) {
		tcpw_reset(p, w, w->base);
		return;
	}
	for (uint32_t k = 0; w->nchunks && k < TCPW_RING; k++) {
		uint32_t idx = (c0 + k) & (TCPW_RING - 1);
		if (w->ring[idx] != IXP_NOCHUNK && !chunk_in_use(w, (c0 + k) << CHUNK_SHIFT))
			chunk_put(p, w, idx);
	}
}

static uint8_t *chunk_at(struct tcpw_pool *p, struct tcpw *w, uint32_t seq)
{
	uint32_t idx = ring_idx(seq);

	if (w->ring[idx] == IXP_NOCHUNK) {
		while (!p->chunks.nfree)
			if (!p->reclaim(p->arg, w))
				return NULL;
		w->ring[idx] = ixp_chunk_get(&p->chunks);
		w->nchunks++;
	}
	return ixp_chunk_mem(&p->chunks, w->ring[idx]) + (seq & (TCPW_CHUNK - 1));
}

static int write_bytes(struct tcpw_pool *p, struct tcpw *w, uint32_t seq, const uint8_t *d,
		       uint32_t n)
{
	while (n) {
		uint32_t k = min_u32(TCPW_CHUNK - (seq & (TCPW_CHUNK - 1)), n);
		uint8_t *dst = chunk_at(p, w, seq);
		if (!dst)
			return -ENOBUFS;
		memcpy(dst, d, k);
		seq += k;
		d += k;
		n -= k;
	}
	return 0;
}

void tcpw_read(const struct tcpw_pool *p, const struct tcpw *w, uint32_t seq, uint8_t *d,
	       uint32_t n)
{
	while (n) {
		uint32_t in = seq & (TCPW_CHUNK - 1), k = min_u32(TCPW_CHUNK - in, n);
		memcpy(d, ixp_chunk_mem(&p->chunks, w->ring[ring_idx(seq)]) + in, k);
		seq += k;
		d += k;
		n -= k;
	}
}

uint32_t tcpw_rd16(const struct tcpw_pool *p, const struct tcpw *w, uint32_t seq)
{
	uint8_t b[2];

	tcpw_read(p, w, seq, b, 2);
	return (uint32_t)b[0] << 8 | b[1];
}

/* ---- pieces ------------------------------------------------------------------- */

static void piece_add(struct tcpw *w, uint32_t start, uint32_t end)
{
	unsigned at = 0;

	while (at < w->npieces && sdiff(w->pieces[at].start, start) < 0)
		at++;
	memmove(&w->pieces[at + 1], &w->pieces[at], (w->npieces - at) * sizeof(w->pieces[0]));
	w->pieces[at] = (struct tcpw_piece){ start, end, 1 };
	w->npieces++;
}

static void piece_remove(struct tcpw *w, unsigned i)
{
	memmove(&w->pieces[i], &w->pieces[i + 1], (w->npieces - i - 1) * sizeof(w->pieces[0]));
	w->npieces--;
}

/* Merge one pair of touching pieces to make room; 0 if none touch. */
static int pieces_coalesce(struct tcpw *w)
{
	for (unsigned i = 0; i + 1 < w->npieces; i++) {
		if (w->pieces[i].end == w->pieces[i + 1].start) {
			w->pieces[i].end = w->pieces[i + 1].end;
			w->pieces[i].single = 0;
			piece_remove(w, i + 1);
			return 1;
		}
	}
	return 0;
}

/* The parts of [a, a + n) no piece holds yet, as sequence numbers. */
static unsigned find_holes(const struct tcpw *w, uint32_t a, uint32_t n,
			   struct tcpw_piece holes[TCPW_MAX_PIECES + 1])
{
	uint32_t cur = a - w->base, end = cur + n;
	unsigned nh = 0;

	for (unsigned i = 0; i < w->npieces && cur < end; i++) {
		uint32_t ps = w->pieces[i].start - w->base, pe = w->pieces[i].end - w->base;
		if (pe <= cur)
			continue;
		if (ps >= end)
			break;
		if (ps > cur)
			holes[nh++] = (struct tcpw_piece){ w->base + cur, w->base + ps, 1 };
		cur = pe;
	}
	if (cur < end)
		holes[nh++] = (struct tcpw_piece){ w->base + cur, w->base + end, 1 };
	return nh;
}

int tcpw_insert(struct tcpw_pool *p, struct tcpw *w, uint32_t seq, const uint8_t *d,
		uint32_t n, uint32_t *dup)
{
	struct tcpw_piece holes[TCPW_MAX_PIECES + 1];
	uint32_t fresh = 0;
	unsigned nh;

	*dup = 0;
	if (seq - w->base + n > TCPW_SPAN)
		return -ENOSPC;
	nh = find_holes(w, seq, n, holes);
	for (unsigned i = 0; i < nh; i++)
		fresh += holes[i].end - holes[i].start;
	*dup = n - fresh;
	while (w->npieces + nh > TCPW_MAX_PIECES && pieces_coalesce(w))
		;
	if (w->npieces + nh > TCPW_MAX_PIECES)
		return -ENOSPC;
	for (unsigned i = 0; i < nh; i++) {
		uint32_t len = holes[i].end - holes[i].start;
		if (write_bytes(p, w, holes[i].start, d + (holes[i].start - seq), len) < 0)
			return -ENOBUFS;
		piece_add(w, holes[i].start, holes[i].end);
	}
	return 0;
}

void tcpw_consume(struct tcpw *w, uint32_t to)
{
	w->base = to;
	for (unsigned i = 0; i < w->npieces;) {
		struct tcpw_piece *pc = &w->pieces[i];
		if (sdiff(pc->end, to) <= 0) {
			piece_remove(w, i);
			continue;
		}
		if (sdiff(pc->start, to) < 0)
			pc->start = to;
		i++;
	}
}

/* ---- queries ------------------------------------------------------------------ */

uint32_t tcpw_contig_end(const struct tcpw *w)
{
	uint32_t end = w->base;

	for (unsigned i = 0; i < w->npieces && w->pieces[i].start == end; i++)
		end = w->pieces[i].end;
	return end;
}

uint32_t tcpw_run_at(const struct tcpw *w, uint32_t at)
{
	unsigned i = 0;

	while (i < w->npieces && w->pieces[i].start != at)
		i++;
	if (i == w->npieces)
		return 0;
	uint32_t end = w->pieces[i].end;
	while (++i < w->npieces && w->pieces[i].start == end)
		end = w->pieces[i].end;
	return end - at;
}

uint32_t tcpw_next_start(const struct tcpw *w, uint32_t seq, uint32_t dflt)
{
	for (unsigned i = 0; i < w->npieces; i++)
		if (sdiff(w->pieces[i].start, seq) > 0)
			return w->pieces[i].start;
	return dflt;
}

uint32_t tcpw_held_before(const struct tcpw *w, uint32_t seq)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < w->npieces && sdiff(w->pieces[i].start, seq) < 0; i++) {
		uint32_t end = sdiff(w->pieces[i].end, seq) < 0 ? w->pieces[i].end : seq;
		n += end - w->pieces[i].start;
	}
	return n;
}

int tcpw_single(const struct tcpw *w, uint32_t m0, uint32_t m1)
{
	for (unsigned i = 0; i < w->npieces; i++) {
		const struct tcpw_piece *pc = &w->pieces[i];
		if (sdiff(m0, pc->start) >= 0 && sdiff(pc->end, m1) >= 0)
			return pc->single;
	}
	return 0;
}
