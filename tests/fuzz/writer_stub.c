/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * writer_stub.c: a single-threaded stand-in for the writer's batch handoff,
 * linked into fuzz_frame in place of output/writer.c.
 *
 * A worker touches the writer through two calls only, writer_batch_get()
 * and writer_batch_submit() (src/worker.c). This file defines both, so the
 * linker takes them from here and never pulls writer.o out of
 * libdnsring.a: no writer thread, no libuv loop, no queue. There is one
 * batch, in a heap block of exactly its capacity (so ASan sees a write one
 * byte past it). get() hands it out emptied; submit() checks it the way
 * the writer would consume it (whole NDJSON lines, each a JSON object, as
 * many as nrec says, within cap) and takes it back. Handing out the batch
 * twice or submitting one that is not out is a protocol error.
 */
#include "config.h"

#include <string.h>

#include "output/writer.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/jsoncheck.h"
#include "tests/fuzz/writer_stub.h"

static struct dr_batch batch;
static int out;           /* the batch is with the worker */
static uint64_t nsubmitted;
static uint64_t nrecords;

void stub_batch_setup(size_t cap)
{
	FUZZ_CHECK(!out, "batch resized while the worker holds it");
	if (batch.cap != cap) {
		free(batch.buf);
		batch.buf = malloc(cap);
		FUZZ_CHECK(batch.buf != NULL, "out of memory");
		batch.cap = cap;
	}
}

struct dr_batch *writer_batch_get(struct writer *wr, unsigned w)
{
	(void)wr;
	FUZZ_CHECK(!out, "writer_batch_get while the batch is out");
	FUZZ_CHECK(batch.buf != NULL, "stub_batch_setup not called");
	out = 1;
	batch.len = 0;
	batch.nrec = 0;
	batch.last = 0;
	batch.worker = (uint16_t)w;
	return &batch;
}

void stub_batch_check(const struct dr_batch *b)
{
	uint32_t lines = 0;
	size_t off = 0;

	FUZZ_CHECK(b->len <= b->cap, "batch len %zu > cap %zu", b->len, b->cap);
	if (jsonc_ndjson(b->buf, b->len, &lines, &off) < 0) {
		jsonc_report("batch", b->buf, b->len, off);
		FUZZ_CHECK(0, "record is not valid JSON");
	}
	FUZZ_CHECK(lines == b->nrec, "batch holds %u lines, nrec says %u", lines, b->nrec);
	/* every record starts with the envelope */
	for (off = 0; off < b->len; off = (size_t)((char *)memchr(b->buf + off, '\n',
								 b->len - off) - b->buf) + 1)
		FUZZ_CHECK(b->len - off > 7 && memcmp(b->buf + off, "{\"ts\":\"", 7) == 0,
			   "record at %zu does not start with ts", off);
}

void writer_batch_submit(struct writer *wr, struct dr_batch *b)
{
	(void)wr;
	FUZZ_CHECK(out && b == &batch, "submit of a batch that is not out");
	stub_batch_check(b);
	nsubmitted++;
	nrecords += b->nrec;
	out = 0;
}

void stub_batch_release(struct dr_batch *b)
{
	FUZZ_CHECK(out && b == &batch, "release of a batch that is not out");
	FUZZ_CHECK(b->nrec == 0 && b->len == 0, "release of a batch holding records");
	out = 0;
}

uint64_t stub_records(void)
{
	return nrecords;
}
