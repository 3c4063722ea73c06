/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msgload.h: the UDP DNS payloads of capture files, loaded into memory
 * (prefix msgs_), for tests/test_equal.c and scripts/bench-decoder.c.
 *
 * Every frame of a pcap or pcapng file goes through pkt_decode(), the
 * pipeline's own L2-L4 decoder; a complete (unfragmented) UDP datagram to
 * or from port 53, 5353 or 5355 contributes its payload as captured. TCP
 * and IP fragments are left out: the decoders see exactly the bytes the
 * pipeline would hand them for plain UDP, nothing reassembled.
 */
#ifndef DR_TESTS_MSGLOAD_H
#define DR_TESTS_MSGLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct msgs {
	uint8_t *buf;    /* every payload, back to back */
	size_t used, cap;
	size_t *off;     /* message i is buf[off[i]..off[i] + len[i]) */
	uint32_t *len;
	size_t n, ncap;
	uint64_t frames; /* frames read, DNS or not */
};

/** Called for each DNS payload; a non-zero return stops the walk. */
typedef int (*msgs_cb)(void *arg, const uint8_t *msg, uint32_t len);

/**
 * Call cb for every DNS payload of a capture, in frame order.
 * @param path  the file, or only its name for messages when fp is given
 * @param fp    NULL, or an open stream to read instead (a pipe from zstd)
 * @param frames if not NULL, incremented for every frame read
 * @return 0, 1 if cb stopped the walk, or -1 after printing why to stderr.
 */
int msgs_walk(const char *path, FILE *fp, msgs_cb cb, void *arg,
	      uint64_t *frames);

/**
 * Append the DNS payloads of the capture at path to m (zeroed at first).
 * @return 0, or -1 after printing why to stderr.
 */
int msgs_load(struct msgs *m, const char *path);

static inline const uint8_t *msgs_data(const struct msgs *m, size_t i)
{
	return m->buf + m->off[i];
}

void msgs_free(struct msgs *m);

#endif /* DR_TESTS_MSGLOAD_H */
