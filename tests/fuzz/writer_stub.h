/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * writer_stub.h: control of the fuzz-only writer_batch_get/submit of
 * writer_stub.c (prefix stub_).
 */
#ifndef DR_WRITER_STUB_H
#define DR_WRITER_STUB_H

#include <stddef.h>
#include <stdint.h>

struct dr_batch;

/** Give the one batch cap bytes (reallocated when cap changes; not while out). */
void stub_batch_setup(size_t cap);
/** Check a batch as submit() does (whole JSON lines, nrec of them). */
void stub_batch_check(const struct dr_batch *b);
/** Take back an empty batch the worker still holds (end of a fuzz input). */
void stub_batch_release(struct dr_batch *b);
/** Records submitted so far. */
uint64_t stub_records(void);

#endif /* DR_WRITER_STUB_H */
