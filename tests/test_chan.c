/* SPDX-License-Identifier: BSD-2-Clause */
/* test_chan.c: the SPSC ring and blocking channel: order, capacity, and a
 * two-thread run where every item arrives exactly once and in order. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "output/chan.h"

static void test_spsc_order_and_full(void **state)
{
	struct spsc q;
	(void)state;
	assert_int_equal(spsc_init(&q, 3), 0); /* rounds up to 4 */
	for (uintptr_t i = 1; i <= 4; i++)
		assert_int_equal(spsc_push(&q, (void *)i), 0);
	assert_int_equal(spsc_push(&q, (void *)5), -ENOSPC);
	for (uintptr_t i = 1; i <= 4; i++)
		assert_ptr_equal(spsc_pop(&q), (void *)i);
	assert_null(spsc_pop(&q));
	spsc_fini(&q);
}

static void test_chan_timed_and_try(void **state)
{
	struct chan c;
	(void)state;
	assert_int_equal(chan_init(&c, 2), 0);
	assert_null(chan_trypop(&c));
	assert_null(chan_pop_timed(&c, 10));
	assert_int_equal(chan_push(&c, (void *)7), 0);
	assert_ptr_equal(chan_pop_timed(&c, 10), (void *)7);
	chan_fini(&c);
}

#define N_ITEMS 200000u

struct pingpong {
	struct chan to, back;
	uintptr_t bad;
};

/* Consumer: expects 1..N in order, returns each item so the producer's pool
 * of 8 stays bounded (the same pattern as batches and file blocks). */
static void *consumer(void *arg)
{
	struct pingpong *pp = arg;

	for (uintptr_t want = 1; want <= N_ITEMS; want++) {
		uintptr_t got = (uintptr_t)chan_pop(&pp->to);
		if (got != want && !pp->bad)
			pp->bad = want;
		chan_push(&pp->back, (void *)1);
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct pingpong pp = { .bad = 0 };
	pthread_t t;
	(void)state;
	assert_int_equal(chan_init(&pp.to, 8), 0);
	assert_int_equal(chan_init(&pp.back, 8), 0);
	for (int i = 0; i < 8; i++)
		chan_push(&pp.back, (void *)1); /* the pool */
	assert_int_equal(pthread_create(&t, NULL, consumer, &pp), 0);
	for (uintptr_t i = 1; i <= N_ITEMS; i++) {
		chan_pop(&pp.back);
		assert_int_equal(chan_push(&pp.to, (void *)i), 0);
	}
	pthread_join(t, NULL);
	assert_int_equal(pp.bad, 0);
	chan_fini(&pp.to);
	chan_fini(&pp.back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spsc_order_and_full),
		cmocka_unit_test(test_chan_timed_and_try),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
