/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dns.c: libFuzzer target for the DNS decoders alone.
 *
 * The input is one DNS message (wire format, as a UDP payload). Both
 * decoders render it (dns/fast.c and the ldns reference, dns/ldns_dec.c)
 * inside a minimal record envelope; then:
 *  - each result, wrapped as '{"x":0' + members + '}', is one valid JSON
 *    object in valid UTF-8 (tests/fuzz/jsoncheck.c);
 *  - the two are byte-identical, with the same dns_err and the same
 *    dns_summary (what tests/test_equal.c holds over the corpus; here any
 *    difference at all is a failure, malformed messages included);
 *  - rendered again into a buffer too small by a size picked from the
 *    input, the fast decoder reports overflow and writes nothing past the
 *    buffer: it is a heap block of exactly that size, so ASan catches it.
 *    This is the path a worker takes when a record does not fit the rest of
 *    its batch.
 * The message itself is a heap copy of exactly its size (libFuzzer's own
 * buffer is too), so a read past the end is an ASan report.
 */
#include "config.h"

#include <string.h>

#include "dns/dns.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/jsoncheck.h"

/* Above any record a 65535-byte message can make (every byte a \DDD escape
 * and every name a pointer to 255 octets stays under 16 MiB). */
#define OUT_CAP (24u << 20)
#define PREFIX "{\"x\":0"

struct side {
	const struct dns_decoder_ops *ops;
	struct dns_decoder *dec;
	char *buf;
	size_t len;
	int overflow;
	enum dns_err err;
	struct dns_summary sum;
};

static struct side sides[2];

static void setup(void)
{
	sides[0].ops = &dns_fast_decoder;
	sides[1].ops = &dns_ldns_decoder;
	for (int i = 0; i < 2; i++) {
		FUZZ_CHECK(sides[i].ops->create(&sides[i].dec) == 0, "decoder create");
		sides[i].buf = malloc(OUT_CAP);
		FUZZ_CHECK(sides[i].buf != NULL, "out of memory");
	}
}

static void render(struct side *s, const uint8_t *msg, size_t n)
{
	struct jbuf jb;

	memset(&s->sum, 0xa5, sizeof(s->sum)); /* what is not filled must not count */
	jb_init(&jb, s->buf, OUT_CAP - 1);
	jb_lit(&jb, PREFIX);
	s->err = s->ops->render(s->dec, msg, n, &jb, &s->sum);
	FUZZ_CHECK(s->err >= DNS_OK && s->err < DNS_E__MAX, "%s: dns_err %d", s->ops->name,
		   (int)s->err);
	FUZZ_CHECK(jb.p >= s->buf && jb.p <= jb.end, "%s: cursor outside the buffer",
		   s->ops->name);
	s->overflow = jb.overflow;
	s->len = (size_t)(jb.p - s->buf);
	s->buf[s->len++] = '}';
}

static void check_json(const struct side *s)
{
	size_t off;

	if (s->overflow)
		return;
	if (jsonc_check(s->buf, s->len, 1, &off) < 0) {
		jsonc_report(s->ops->name, s->buf, s->len, off);
		FUZZ_CHECK(0, "%s: output is not valid JSON", s->ops->name);
	}
}

/* tests/test_equal.c's rule: fields past what was decoded do not count. */
static int same_summary(const struct dns_summary *a, const struct dns_summary *b)
{
	if (a->has_header != b->has_header)
		return 0;
	if (a->has_header && (a->qr != b->qr || a->opcode != b->opcode || a->id != b->id ||
			      a->rcode != b->rcode))
		return 0;
	if (a->has_question != b->has_question)
		return 0;
	return !a->has_question ||
	       (a->qtype == b->qtype && a->qclass == b->qclass &&
		a->qname_len == b->qname_len && memcmp(a->qname, b->qname, a->qname_len) == 0);
}

static void show_diff(const struct side *f, const struct side *l)
{
	size_t i = 0;

	while (i < f->len && i < l->len && f->buf[i] == l->buf[i])
		i++;
	fprintf(stderr, "fast=%s ldns=%s, outputs differ from byte %zu (lengths %zu, %zu)\n",
		dns_err_name(f->err), dns_err_name(l->err), i, f->len, l->len);
	fprintf(stderr, "  fast: %.*s\n  ldns: %.*s\n", (int)(f->len < 4000 ? f->len : 4000),
		f->buf, (int)(l->len < 4000 ? l->len : 4000), l->buf);
}

/* A size in [0, need) picked by a hash of the message. */
static size_t small_cap(const uint8_t *msg, size_t n, size_t need)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ msg[i]) * 1099511628211ull;
	return need ? (size_t)(h % need) : 0;
}

/* The fast decoder into a buffer too small: overflow flagged, nothing past it. */
static void render_short(const uint8_t *msg, size_t n, size_t need)
{
	struct dns_summary sum;
	struct jbuf jb;
	size_t cap = small_cap(msg, n, need);
	char *buf = malloc(cap ? cap : 1);

	FUZZ_CHECK(buf != NULL, "out of memory");
	jb_init(&jb, buf, cap);
	sides[0].ops->render(sides[0].dec, msg, n, &jb, &sum);
	FUZZ_CHECK(jb.overflow, "no overflow into %zu bytes, %zu needed", cap, need);
	FUZZ_CHECK(jb.p >= buf && jb.p <= buf + cap, "cursor outside the short buffer");
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg;
	struct side *f = &sides[0], *l = &sides[1];

	if (!f->dec)
		setup();
	msg = malloc(size ? size : 1);
	FUZZ_CHECK(msg != NULL, "out of memory");
	memcpy(msg, data, size);

	render(f, msg, size);
	render(l, msg, size);
	check_json(f);
	check_json(l);
	if (f->err != l->err || f->len != l->len || f->overflow != l->overflow ||
	    memcmp(f->buf, l->buf, f->len) != 0) {
		show_diff(f, l);
		FUZZ_CHECK(0, "decoders differ");
	}
	FUZZ_CHECK(same_summary(&f->sum, &l->sum), "dns_summary differs");
	/* what the decoder wrote: without PREFIX and the closing '}' */
	if (!f->overflow && f->len > sizeof(PREFIX))
		render_short(msg, size, f->len - sizeof(PREFIX));
	free(msg);
	return 0;
}
