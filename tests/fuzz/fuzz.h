/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz/ share.
 *
 * Each target defines LLVMFuzzerTestOneInput() only. It is linked two ways:
 * with -fsanitize=fuzzer (./configure --enable-fuzzing, scripts/fuzz), and
 * with tests/fuzz/replay.c, a plain main() that runs it over files, so that
 * `make check` replays the seeds and the regression inputs of
 * tests/fuzz/regress/ in every build, without clang.
 *
 * A target reports a broken invariant with FUZZ_CHECK, which prints what
 * failed and aborts: libFuzzer saves the input as a crash, and the replay
 * driver dies with SIGABRT, failing the test.
 */
#ifndef DR_FUZZ_H
#define DR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                    \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,   \
				__LINE__, #cond);                                \
			fprintf(stderr, __VA_ARGS__);                            \
			fputc('\n', stderr);                                     \
			abort();                                                 \
		}                                                                \
	} while (0)

#endif /* DR_FUZZ_H */
