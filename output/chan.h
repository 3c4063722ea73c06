/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * chan.h: bounded single-producer/single-consumer handoff (prefix spsc_, chan_).
 *
 * struct spsc is a lock-free ring of pointers: one thread pushes, one pops,
 * head and tail are published with release stores and read with acquire
 * loads. It never blocks; the capacity is fixed at init.
 *
 * struct chan adds a counting semaphore so the consumer can sleep until an
 * item arrives (sem_wait only enters the kernel when the count is zero).
 *
 * Boundedness comes from pools: every buffer in dnsring (file blocks,
 * output batches) circulates between a fixed-size pool and these rings, and
 * each ring is at least as large as its pool, so a push can never find the
 * ring full. A producer that needs a buffer waits on the pool's chan: that
 * is the backpressure.
 */
#ifndef DR_CHAN_H
#define DR_CHAN_H

#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>

struct spsc {
	void **slots;
	uint32_t mask;                  /* capacity - 1 (capacity is a power of 2) */
	_Alignas(64) _Atomic uint32_t head; /* next slot to pop (consumer owns) */
	_Alignas(64) _Atomic uint32_t tail; /* next slot to push (producer owns) */
};

/** @return 0 or -ENOMEM. Capacity is rounded up to a power of two. */
int spsc_init(struct spsc *q, uint32_t capacity);
void spsc_fini(struct spsc *q);
/** @return 0, or -ENOSPC when full. */
int spsc_push(struct spsc *q, void *item);
/** @return the oldest item, or NULL when empty. */
void *spsc_pop(struct spsc *q);

struct chan {
	struct spsc q;
	sem_t items; /* number of items in q */
};

int chan_init(struct chan *c, uint32_t capacity);
void chan_fini(struct chan *c);
/** Push (never blocks, see above) and wake the consumer. @return 0 or -ENOSPC. */
int chan_push(struct chan *c, void *item);
/** Wait for an item. */
void *chan_pop(struct chan *c);
/** Wait at most timeout_ms for an item; NULL on timeout. */
void *chan_pop_timed(struct chan *c, unsigned timeout_ms);
/** Pop without waiting; NULL when empty. */
void *chan_trypop(struct chan *c);

#endif /* DR_CHAN_H */
