/* SPDX-License-Identifier: BSD-2-Clause */
/* common.c: error names, the stop flag and allocation wrappers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/common.h"

atomic_int dr_stopping;

void dr_request_stop(void)
{
	atomic_store_explicit(&dr_stopping, 1, memory_order_relaxed);
}

const char *dr_strerror(int err)
{
	switch (err) {
	case 0:          return "success";
	case DR_EUSAGE:  return "usage error";
	case DR_ELINK:   return "unsupported link type";
	case DR_EFORMAT: return "bad capture file";
	case DR_ETOOBIG: return "too large";
	default:
		break;
	}
	if (err < 0 && err > DR_EBASE)
		return strerror(-err);
	return "unknown error";
}

void *dr_malloc(size_t n)
{
	return malloc(n);
}

void *dr_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void dr_free(void *p)
{
	free(p);
}
