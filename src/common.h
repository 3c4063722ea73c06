/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common.h: small things every dnsring module shares: error codes, relaxed
 * statistics counters, the process-wide stop flag and allocation wrappers.
 *
 * Errors follow libuv/Knot: functions return 0 or a negative code. Codes in
 * the errno range are -errno; dnsring's own codes sit below DR_EBASE so they
 * never collide with errno values. dr_strerror() names both.
 */
#ifndef DR_COMMON_H
#define DR_COMMON_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define DR_EBASE    (-10000)
#define DR_EUSAGE   (DR_EBASE - 1)   /* bad command line */
#define DR_ELINK    (DR_EBASE - 2)   /* unsupported link type */
#define DR_EFORMAT  (DR_EBASE - 3)   /* bad capture file */
#define DR_ETOOBIG  (DR_EBASE - 4)   /* a capped buffer would overflow */

/** Name of an error code (negative errno or DR_E*). Never NULL. */
const char *dr_strerror(int err);

/*
 * Statistics counters. Each counter has exactly one writer thread; the
 * stats reporter reads them concurrently. A relaxed load + store pair
 * compiles to a plain add on x86-64 and arm64 (no lock prefix), yet keeps
 * the concurrent read well defined in C11.
 */
typedef _Atomic uint64_t dr_ctr;

static inline void dr_ctr_add(dr_ctr *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint64_t dr_ctr_get(const dr_ctr *c)
{
	return atomic_load_explicit((dr_ctr *)c, memory_order_relaxed);
}

/*
 * Set once when the process should wind down (signal, -c reached,
 * --duration elapsed, fatal sink error). Readers poll it; nobody clears it.
 */
extern atomic_int dr_stopping;

static inline int dr_should_stop(void)
{
	return atomic_load_explicit(&dr_stopping, memory_order_relaxed);
}

void dr_request_stop(void);

/* Allocation goes through these so tests can inject failures later. */
void *dr_malloc(size_t n);
void *dr_calloc(size_t n, size_t size);
void dr_free(void *p);

#define DR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DR_LIKELY(x)   __builtin_expect(!!(x), 1)
#define DR_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif /* DR_COMMON_H */
