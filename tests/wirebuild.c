/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wirebuild.c: hand-built DNS messages for the decoder unit tests (see
 * wirebuild.h). Every write goes through w_u8() or w_raw(), the two places
 * that check the buffer, with cmocka's assert_true() so that an overlong
 * test message fails that test instead of corrupting the stack.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/wirebuild.h"

void w_u8(struct wire *w, unsigned v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = (uint8_t)v;
}

void w_u16(struct wire *w, unsigned v)
{
	w_u8(w, v >> 8);
	w_u8(w, v & 0xff);
}

void w_u32(struct wire *w, uint32_t v)
{
	w_u16(w, v >> 16);
	w_u16(w, v & 0xffff);
}

void w_raw(struct wire *w, const void *p, size_t n)
{
	assert_true(n <= sizeof(w->b) - w->n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

void w_header(struct wire *w, unsigned id, unsigned flags, unsigned qd,
	      unsigned an, unsigned ns, unsigned ar)
{
	w->n = 0;
	w_u16(w, id);
	w_u16(w, flags);
	w_u16(w, qd);
	w_u16(w, an);
	w_u16(w, ns);
	w_u16(w, ar);
}

size_t w_labels(struct wire *w, const char *dotted)
{
	size_t start = w->n;

	while (*dotted) {
		size_t l = strcspn(dotted, ".");

		w_u8(w, (unsigned)l);
		w_raw(w, dotted, l);
		dotted += l;
		if (*dotted == '.')
			dotted++;
	}
	return start;
}

size_t w_name(struct wire *w, const char *dotted)
{
	size_t start = w_labels(w, dotted);

	w_u8(w, 0);
	return start;
}

void w_ptr(struct wire *w, size_t off)
{
	w_u16(w, 0xc000 | (unsigned)off);
}

void w_question(struct wire *w, const char *name, unsigned type,
		unsigned klass)
{
	w_name(w, name);
	w_u16(w, type);
	w_u16(w, klass);
}

size_t w_rr(struct wire *w, unsigned type, unsigned klass, uint32_t ttl)
{
	size_t at;

	w_u16(w, type);
	w_u16(w, klass);
	w_u32(w, ttl);
	at = w->n;
	w_u16(w, 0);
	return at;
}

void w_rdend(struct wire *w, size_t at)
{
	size_t len = w->n - at - 2;

	w->b[at] = (uint8_t)(len >> 8);
	w->b[at + 1] = (uint8_t)len;
}

void w_option(struct wire *w, unsigned code, const void *data, size_t len)
{
	w_u16(w, code);
	w_u16(w, (unsigned)len);
	w_raw(w, data, len);
}

void w_opt(struct wire *w, unsigned udp_size, uint32_t ttl, const void *opts,
	   size_t n)
{
	size_t rd;

	w_name(w, "");
	rd = w_rr(w, 41, udp_size, ttl);
	w_raw(w, opts, n);
	w_rdend(w, rd);
}

size_t w_json(char *buf, size_t cap, const char *want)
{
	size_t n = strlen(want);

	assert_true(n < cap);
	for (size_t i = 0; i <= n; i++)
		buf[i] = want[i] == '\'' ? '"' : want[i];
	return n;
}
