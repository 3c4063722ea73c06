/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ixpool.h: fixed-size bookkeeping shared by the reassembly tables (prefix
 * ixp_), for ipfrag.c, tcpreasm.c and tcpwin.c.
 *
 * struct ixp_ents tracks entries 0..n-1 of an array its owner keeps: which
 * are free, a hash table of chains, and age lists (oldest first, each entry
 * on exactly one list while in use). The links live in a parallel array, so
 * this code needs nothing of the owner's entry type, and the owner's entry
 * holds only its key and its own state. Keys are
 * the owner's business: it hashes them (seeded with `seed`, since senders
 * choose them), walks a chain with ixp_first/ixp_next and compares.
 *
 * struct ixp_chunks hands out fixed-size byte chunks of one block by number
 * (uint16_t, so at most 65534 chunks), from a stack of free numbers.
 *
 * Everything is allocated by the *_init functions, nothing after. The
 * per-packet operations are static inline here so that they cost what the
 * open-coded versions they replace did. Single-threaded, like the tables.
 */
#ifndef DR_IXPOOL_H
#define DR_IXPOOL_H

#include <stddef.h>
#include <stdint.h>

#define IXP_NIL UINT32_MAX       /* no entry */
#define IXP_NOCHUNK UINT16_MAX   /* no chunk */

struct ixp_link {
	uint32_t hnext;          /* hash chain, or free list */
	uint32_t older, newer;   /* age list */
	uint64_t stamp;          /* set by ixp_take, ixp_list_add, ixp_touch */
};

/* Oldest first; {IXP_NIL, IXP_NIL} when empty. */
struct ixp_list {
	uint32_t oldest, newest;
};

/* Fields are private but for the read-only ones. */
struct ixp_ents {
	struct ixp_link *link;   /* parallel to the owner's entries */
	uint32_t *buckets;
	uint32_t bmask;
	uint32_t n, used;        /* read-only: entries, of which in use */
	uint32_t free;           /* head of the free list (via hnext) */
	uint32_t seed;           /* read-only: per-table hash seed */
};

struct ixp_chunks {
	uint8_t *mem;
	uint16_t *free;          /* stack of free chunk numbers */
	uint32_t size;           /* read-only: bytes per chunk */
	uint32_t n, nfree;       /* read-only: chunks, of which free */
};

/* ---- hashing (murmur3 rounds, for the owners' key hashes) ---------------------- */

static inline uint32_t ixp_mix(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = k << 15 | k >> 17;
	h ^= k * 0x1b873593u;
	return (h << 13 | h >> 19) * 5 + 0xe6546b64u;
}

static inline uint32_t ixp_fmix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* ---- entries ------------------------------------------------------------------- */

/**
 * n entries, all free, and 2n rounded up to a power of 2 hash buckets.
 * @return 0 or -ENOMEM (ixp_ents_fini cleans up either way).
 */
int ixp_ents_init(struct ixp_ents *e, uint32_t n);
void ixp_ents_fini(struct ixp_ents *e);

/**
 * Take a free entry (there must be one: see ixp_full), chain it under hash
 * and append it to l stamped `stamp`.
 * @return its index.
 */
uint32_t ixp_take(struct ixp_ents *e, uint32_t hash, struct ixp_list *l, uint64_t stamp);

/** Give entry i back: off its chain (hash as at ixp_take) and off l. */
void ixp_put(struct ixp_ents *e, uint32_t i, uint32_t hash, struct ixp_list *l);

static inline int ixp_full(const struct ixp_ents *e)
{
	return e->free == IXP_NIL;
}

/* Walk a chain: for (i = ixp_first(e, h); i != IXP_NIL; i = ixp_next(e, i)). */
static inline uint32_t ixp_first(const struct ixp_ents *e, uint32_t hash)
{
	return e->buckets[hash & e->bmask];
}

static inline uint32_t ixp_next(const struct ixp_ents *e, uint32_t i)
{
	return e->link[i].hnext;
}

/* ---- age lists ----------------------------------------------------------------- */

static inline void ixp_list_init(struct ixp_list *l)
{
	l->oldest = l->newest = IXP_NIL;
}

static inline void ixp_list_del(struct ixp_ents *e, struct ixp_list *l, uint32_t i)
{
	struct ixp_link *k = &e->link[i];

	if (k->older != IXP_NIL)
		e->link[k->older].newer = k->newer;
	else
		l->oldest = k->newer;
	if (k->newer != IXP_NIL)
		e->link[k->newer].older = k->older;
	else
		l->newest = k->older;
}

/* Append i (on no list) at the newest end. */
static inline void ixp_list_add(struct ixp_ents *e, struct ixp_list *l, uint32_t i,
				uint64_t stamp)
{
	struct ixp_link *k = &e->link[i];

	k->stamp = stamp;
	k->older = l->newest;
	k->newer = IXP_NIL;
	if (l->newest != IXP_NIL)
		e->link[l->newest].newer = i;
	else
		l->oldest = i;
	l->newest = i;
}

/* Move i (on l) to the newest end of l, stamped anew. */
static inline void ixp_touch(struct ixp_ents *e, struct ixp_list *l, uint32_t i, uint64_t stamp)
{
	if (l->newest == i) {
		e->link[i].stamp = stamp;
		return;
	}
	ixp_list_del(e, l, i);
	ixp_list_add(e, l, i, stamp);
}

/* The oldest entry of l other than keep (IXP_NIL for none), or IXP_NIL. */
static inline uint32_t ixp_oldest_but(const struct ixp_ents *e, const struct ixp_list *l,
				      uint32_t keep)
{
	uint32_t i = l->oldest;

	return i != IXP_NIL && i == keep ? e->link[i].newer : i;
}

/*
 * The oldest entry of l if it is due (stamped at least timeout before now),
 * else IXP_NIL. UINT64_MAX (end of input) makes everything due, even entries
 * stamped within a timeout of the end of time. Time may go backwards between
 * capture files: an entry stamped after now just waits.
 */
static inline uint32_t ixp_due(const struct ixp_ents *e, const struct ixp_list *l,
			       uint64_t now, uint64_t timeout)
{
	uint32_t i = l->oldest;

	if (i == IXP_NIL || now == UINT64_MAX)
		return i;
	uint64_t t = e->link[i].stamp;
	return now < t || now - t < timeout ? IXP_NIL : i;
}

/* ---- chunks -------------------------------------------------------------------- */

/**
 * bytes / size chunks of size bytes, all free.
 * @return 0, -EINVAL (no whole chunk, or more than 65534), -ENOMEM
 *         (ixp_chunks_fini cleans up either way).
 */
int ixp_chunks_init(struct ixp_chunks *p, uint32_t bytes, uint32_t size);
void ixp_chunks_fini(struct ixp_chunks *p);

/* A free chunk's number; there must be one (nfree > 0). */
static inline uint16_t ixp_chunk_get(struct ixp_chunks *p)
{
	return p->free[--p->nfree];
}

static inline void ixp_chunk_put(struct ixp_chunks *p, uint16_t c)
{
	p->free[p->nfree++] = c;
}

static inline uint8_t *ixp_chunk_mem(const struct ixp_chunks *p, uint16_t c)
{
	return p->mem + (size_t)c * p->size;
}

/* Bytes in chunks handed out. */
static inline uint32_t ixp_chunks_used(const struct ixp_chunks *p)
{
	return (p->n - p->nfree) * p->size;
}

#endif /* DR_IXPOOL_H */
