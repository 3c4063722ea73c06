/* SPDX-License-Identifier: BSD-2-Clause */
/* chan.c: the SPSC ring and its semaphore-backed blocking wrapper. */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "output/chan.h"
#include "src/common.h"

int spsc_init(struct spsc *q, uint32_t capacity)
{
	uint32_t cap = 2;

	while (cap < capacity)
		cap <<= 1;
	q->slots = dr_calloc(cap, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	q->mask = cap - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	return 0;
}

void spsc_fini(struct spsc *q)
{
	dr_free(q->slots);
	q->slots = NULL;
}

int spsc_push(struct spsc *q, void *item)
{
	uint32_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (tail - head > q->mask)
		return -ENOSPC;
	q->slots[tail & q->mask] = item;
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	return 0;
}

void *spsc_pop(struct spsc *q)
{
	uint32_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	void *item;

	if (head == tail)
		return NULL;
	item = q->slots[head & q->mask];
	atomic_store_explicit(&q->head, head + 1, memory_order_release);
	return item;
}

int chan_init(struct chan *c, uint32_t capacity)
{
	int ret = spsc_init(&c->q, capacity);

	if (ret < 0)
		return ret;
	if (sem_init(&c->items, 0, 0) != 0) {
		ret = -errno;
		spsc_fini(&c->q);
		return ret;
	}
	return 0;
}

void chan_fini(struct chan *c)
{
	sem_destroy(&c->items);
	spsc_fini(&c->q);
}

int chan_push(struct chan *c, void *item)
{
	int ret = spsc_push(&c->q, item);

	if (ret == 0)
		sem_post(&c->items);
	return ret;
}

void *chan_pop(struct chan *c)
{
	while (sem_wait(&c->items) != 0)
		; /* EINTR: a signal arrived; keep waiting */
	return spsc_pop(&c->q);
}

void *chan_pop_timed(struct chan *c, unsigned timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (sem_timedwait(&c->items, &ts) != 0) {
		if (errno != EINTR)
			return NULL;
	}
	return spsc_pop(&c->q);
}

void *chan_trypop(struct chan *c)
{
	if (sem_trywait(&c->items) != 0)
		return NULL;
	return spsc_pop(&c->q);
}
