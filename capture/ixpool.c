/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ixpool.c: entry and chunk bookkeeping of the reassembly tables (see
 * ixpool.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "capture/ixpool.h"
#include "src/common.h"

/* ---- entries ------------------------------------------------------------------- */

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static uint32_t make_seed(const void *salt)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ixp_fmix((uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ (uint32_t)(uintptr_t)salt);
}

int ixp_ents_init(struct ixp_ents *e, uint32_t n)
{
	memset(e, 0, sizeof(*e));
	e->n = n;
	e->bmask = pow2_at_least(2 * n) - 1;
	e->link = dr_calloc(n, sizeof(*e->link));
	e->buckets = dr_calloc((size_t)e->bmask + 1, sizeof(*e->buckets));
	if (!e->link || !e->buckets)
		return -ENOMEM;
	for (uint32_t i = 0; i <= e->bmask; i++)
		e->buckets[i] = IXP_NIL;
	for (uint32_t i = 0; i < n; i++)
		e->link[i].hnext = i + 1 < n ? i + 1 : IXP_NIL;
	e->free = n ? 0 : IXP_NIL;
	e->seed = make_seed(e);
	return 0;
}

void ixp_ents_fini(struct ixp_ents *e)
{
	dr_free(e->link);
	dr_free(e->buckets);
}

uint32_t ixp_take(struct ixp_ents *e, uint32_t hash, struct ixp_list *l, uint64_t stamp)
{
	uint32_t i = e->free, *b = &e->buckets[hash & e->bmask];

	e->free = e->link[i].hnext;
	e->used++;
	e->link[i].hnext = *b;
	*b = i;
	ixp_list_add(e, l, i, stamp);
	return i;
}

void ixp_put(struct ixp_ents *e, uint32_t i, uint32_t hash, struct ixp_list *l)
{
	uint32_t *pp = &e->buckets[hash & e->bmask];

	while (*pp != i)
		pp = &e->link[*pp].hnext;
	*pp = e->link[i].hnext;
	ixp_list_del(e, l, i);
	e->link[i].hnext = e->free;
	e->free = i;
	e->used--;
}

/* ---- chunks -------------------------------------------------------------------- */

int ixp_chunks_init(struct ixp_chunks *p, uint32_t bytes, uint32_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->n = bytes / size;
	if (!p->n || p->n >= IXP_NOCHUNK)
		return -EINVAL;
	p->mem = dr_malloc((size_t)p->n * size);
	p->free = dr_calloc(p->n, sizeof(*p->free));
	if (!p->mem || !p->free)
		return -ENOMEM;
	/* Highest first on the stack, so chunks go out in ascending order. */
	for (uint32_t i = 0; i < p->n; i++)
		p->free[i] = (uint16_t)(p->n - 1 - i);
	p->nfree = p->n;
	return 0;
}

void ixp_chunks_fini(struct ixp_chunks *p)
{
	dr_free(p->mem);
	dr_free(p->free);
}
