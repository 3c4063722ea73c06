/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_fast.c: unit tests for the fast DNS decoder (dns/fast.c), its
 * wire cursor (dns/wire.h) and its RDATA printers (dns/rdtext.c).
 *
 * Messages are built byte by byte (tests/wirebuild.h) and decoded from
 * an exact-size heap copy, so ASan or valgrind see a read even one byte
 * past the message.
 * The cursor and name tests assert exact errors and positions on crafted
 * bytes (loops, forward pointers, a pointer to itself, label 64, names of
 * 255 and 256 octets, the 0x40/0x80 label types, pointers and labels past
 * the end, RDLENGTH past the end, counts that lie). The message tests
 * assert exact JSON pieces and, everywhere, that the reference decoder
 * (dns/ldns_dec.c) writes the same bytes and the same verdict. The last
 * tests generate RDATA for every RR type ldns knows, well-formed and not,
 * and hold the two decoders equal on all of it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dns/dns.h"
#include "dns/wire.h"
#include "tests/wirebuild.h"

/* ---- running the decoders ---- */

struct run {
	char out[65536];
	size_t len;
	enum dns_err err;
	struct dns_summary sum;
};

static struct dns_decoder *fast_dec, *ref_dec;
static struct run fast, ref;
static unsigned verdicts[DNS_E__MAX]; /* of decode(), for coverage */

static int setup(void **state)
{
	(void)state;
	if (dns_fast_decoder.create(&fast_dec) != 0)
		return -1;
	return dns_ldns_decoder.create(&ref_dec);
}

static int teardown(void **state)
{
	(void)state;
	dns_fast_decoder.destroy(fast_dec);
	dns_ldns_decoder.destroy(ref_dec);
	return 0;
}

/* Decode from an exact-size heap copy. */
static void run1(const struct dns_decoder_ops *ops, struct dns_decoder *dec,
		 const uint8_t *b, size_t n, struct run *r)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct jbuf jb;

	assert_non_null(copy);
	memcpy(copy, b, n);
	memset(&r->sum, 0xa5, sizeof(r->sum));
	jb_init(&jb, r->out, sizeof(r->out) - 1);
	r->err = ops->render(dec, copy, n, &jb, &r->sum);
	assert_false(jb.overflow);
	r->len = (size_t)(jb.p - r->out);
	r->out[r->len] = 0;
	free(copy);
}

/* The summaries agree on everything they report. */
static void same_summary(const struct dns_summary *a, const struct dns_summary *b)
{
	assert_int_equal(a->has_header, b->has_header);
	if (a->has_header) {
		assert_int_equal(a->qr, b->qr);
		assert_int_equal(a->opcode, b->opcode);
		assert_int_equal(a->id, b->id);
		assert_int_equal(a->rcode, b->rcode);
	}
	assert_int_equal(a->has_question, b->has_question);
	if (a->has_question) {
		assert_int_equal(a->qtype, b->qtype);
		assert_int_equal(a->qclass, b->qclass);
		assert_int_equal(a->qname_len, b->qname_len);
		assert_memory_equal(a->qname, b->qname, a->qname_len);
	}
}

/* Both decoders; the fast one must match the reference exactly. */
static enum dns_err decode(const uint8_t *b, size_t n)
{
	run1(&dns_fast_decoder, fast_dec, b, n, &fast);
	run1(&dns_ldns_decoder, ref_dec, b, n, &ref);
	same_summary(&fast.sum, &ref.sum);
	if (fast.err != ref.err || fast.len != ref.len ||
	    memcmp(fast.out, ref.out, fast.len) != 0)
		fail_msg("decoders differ: fast %s ldns %s\nfast: %s\nldns: %s",
			 dns_err_name(fast.err), dns_err_name(ref.err), fast.out,
			 ref.out);
	verdicts[fast.err]++;
	return fast.err;
}

static enum dns_err decode_w(const struct wire *w)
{
	return decode(w->b, w->n);
}

/* The fast decoder's output contains want (written with ' for "). */
static void expect_has(const char *want)
{
	char buf[2048];

	w_json(buf, sizeof(buf), want);
	if (!strstr(fast.out, buf))
		fail_msg("missing %s\nin: %s", buf, fast.out);
}

/* The fast decoder's output ends with want (written with ' for "). */
static void expect_tail(const char *want)
{
	char buf[2048];
	size_t n = w_json(buf, sizeof(buf), want);

	if (fast.len < n || memcmp(fast.out + fast.len - n, buf, n) != 0)
		fail_msg("does not end with %s\nin: %s", buf, fast.out);
}

/* A response with one question (example.org/type) and one answer whose
 * owner points to the question name; returns the RDLENGTH offset. */
static size_t answer_start(struct wire *w, unsigned type)
{
	w_header(w, 0x1234, 0x8180, 1, 1, 0, 0);
	w_question(w, "example.org", type, 1);
	w_ptr(w, 12);
	return w_rr(w, type, 1, 300);
}

/* ---- the cursor ---- */

static void test_cursor_reads(void **state)
{
	static const uint8_t b[] = { 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 7 };
	struct dnsw c;

	(void)state;
	dnsw_init(&c, b, sizeof(b));
	assert_true(dnsw_need(&c, 6, DNS_E_RR_PAST_END));
	assert_int_equal(dnsw_u16(&c), 0x1234);
	assert_int_equal(dnsw_u32(&c), 0xdeadbeef);
	assert_int_equal(c.pos, 6);
	assert_int_equal(dnsw_left(&c), 1);
	dnsw_skip(&c, 1);
	assert_int_equal(dnsw_left(&c), 0);
	assert_int_equal(c.err, DNS_OK);
}

static void test_cursor_sticky(void **state)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct dnsw c;

	(void)state;
	dnsw_init(&c, b, sizeof(b));
	assert_false(dnsw_need(&c, 4, DNS_E_QUESTION));
	assert_int_equal(c.err, DNS_E_QUESTION);
	/* nothing moves or reads after the first failure */
	assert_int_equal(dnsw_u16(&c), 0);
	assert_int_equal(dnsw_u32(&c), 0);
	dnsw_skip(&c, 1);
	assert_int_equal(c.pos, 0);
	/* and the first reason stays */
	assert_false(dnsw_need(&c, 1, DNS_E_RR_PAST_END));
	dnsw_fail(&c, DNS_E_OPT);
	assert_int_equal(c.err, DNS_E_QUESTION);
	assert_int_equal(dnsw_name(&c, NULL, NULL), DNS_E_QUESTION);
}

/* ---- names on crafted bytes ---- */

/* dnsw_name at pos of b[0..n); the cursor must stay put on failure. */
static enum dns_err name_at(const uint8_t *b, size_t n, size_t pos,
			    uint8_t *out, size_t *out_len, size_t *end)
{
	uint8_t *copy = malloc(n);
	struct dnsw c;
	enum dns_err err;

	assert_non_null(copy);
	memcpy(copy, b, n);
	dnsw_init(&c, copy, n);
	c.pos = pos;
	err = dnsw_name(&c, out, out_len);
	if (err != DNS_OK)
		assert_int_equal(c.pos, pos);
	assert_int_equal(c.err, err);
	if (end)
		*end = c.pos;
	free(copy);
	return err;
}

static void test_name_plain_and_compressed(void **state)
{
	/* 0: 3foo7example3org0  15: 3www + pointer to 4 */
	static const uint8_t b[] = { 3, 'f', 'o', 'o', 7, 'e', 'x', 'a', 'm', 'p', 'l',
				     'e', 3, 'o', 'r', 'g', 0, 3, 'w', 'w', 'w', 0xc0, 4 };
	uint8_t out[DNSW_MAX_NAME];
	size_t n, end;

	(void)state;
	assert_int_equal(name_at(b, sizeof(b), 0, out, &n, &end), DNS_OK);
	assert_int_equal(n, 17);
	assert_memory_equal(out, b, 17);
	assert_int_equal(end, 17);
	assert_int_equal(name_at(b, sizeof(b), 17, out, &n, &end), DNS_OK);
	assert_int_equal(end, sizeof(b)); /* after the first pointer */
	assert_int_equal(n, 4 + 13);
	assert_memory_equal(out, "\003www\007example\003org", 17);
	/* the root alone */
	assert_int_equal(name_at(b, sizeof(b), 16, out, &n, &end), DNS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(end, 17);
}

static void test_name_forward_pointer(void **state)
{
	/* as ldns: a pointer may point forward */
	static const uint8_t b[] = { 0xc0, 2, 1, 'a', 0 };
	uint8_t out[DNSW_MAX_NAME];
	size_t n, end;

	(void)state;
	assert_int_equal(name_at(b, sizeof(b), 0, out, &n, &end), DNS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(end, 2);
}

static void test_name_loops(void **state)
{
	static const uint8_t self[] = { 0, 0xc0, 1 };           /* to itself */
	static const uint8_t two[] = { 0, 0xc0, 3, 0xc0, 1 };   /* 1 -> 3 -> 1 */
	static const uint8_t labels[] = { 0, 1, 'a', 0xc0, 1 }; /* grows */

	(void)state;
	assert_int_equal(name_at(self, sizeof(self), 1, NULL, NULL, NULL),
			 DNS_E_NAME_LOOP);
	assert_int_equal(name_at(two, sizeof(two), 1, NULL, NULL, NULL),
			 DNS_E_NAME_LOOP);
	/* a loop with labels passes 255 octets first: still a loop */
	assert_int_equal(name_at(labels, sizeof(labels), 1, NULL, NULL, NULL),
			 DNS_E_NAME_LOOP);
}

static void test_name_hop_cap(void **state)
{
	/* a chain of pointers, each to the next, ending at a root label */
	uint8_t b[2 * (DNSW_MAX_HOPS + 2) + 1];
	size_t n = 0;

	(void)state;
	b[n++] = 0xff; /* offset 0 is never a valid target */
	for (unsigned i = 0; i < DNSW_MAX_HOPS + 1; i++) {
		size_t next = n + 2;

		b[n++] = (uint8_t)(0xc0 | next >> 8);
		b[n++] = (uint8_t)next;
	}
	b[n++] = 0;
	/* DNSW_MAX_HOPS + 1 pointers from offset 1, DNSW_MAX_HOPS from 3 */
	assert_int_equal(name_at(b, n, 1, NULL, NULL, NULL), DNS_E_NAME_LOOP);
	assert_int_equal(name_at(b, n, 3, NULL, NULL, NULL), DNS_OK);
}

static void test_name_label_types(void **state)
{
	uint8_t b[80];

	(void)state;
	memset(b, 'a', sizeof(b));
	b[sizeof(b) - 1] = 0;
	b[0] = 64; /* one more than a label may have: the 0x40 type */
	assert_int_equal(name_at(b, sizeof(b), 0, NULL, NULL, NULL),
			 DNS_E_NAME_LABEL_TYPE);
	b[0] = 0x80;
	assert_int_equal(name_at(b, sizeof(b), 0, NULL, NULL, NULL),
			 DNS_E_NAME_LABEL_TYPE);
	b[0] = 0xbf;
	assert_int_equal(name_at(b, sizeof(b), 0, NULL, NULL, NULL),
			 DNS_E_NAME_LABEL_TYPE);
	b[0] = 63;
	b[64] = 0;
	assert_int_equal(name_at(b, sizeof(b), 0, NULL, NULL, NULL), DNS_OK);
}

/* A name of labels of 63, 63, 63 and last octets, root included. */
static size_t long_name(uint8_t *b, size_t last)
{
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		b[n++] = 63;
		memset(b + n, 'x', 63);
		n += 63;
	}
	b[n++] = (uint8_t)last;
	memset(b + n, 'y', last);
	n += last;
	b[n++] = 0;
	return n;
}

static void test_name_length(void **state)
{
	uint8_t b[300], out[DNSW_MAX_NAME];
	size_t n, got;

	(void)state;
	n = long_name(b, 61); /* 3 * 64 + 62 + 1 = 255 */
	assert_int_equal(n, 255);
	assert_int_equal(name_at(b, n, 0, out, &got, NULL), DNS_OK);
	assert_int_equal(got, 255);
	assert_memory_equal(out, b, 255);
	n = long_name(b, 62); /* 256 */
	assert_int_equal(name_at(b, n, 0, out, &got, NULL), DNS_E_NAME_TOO_LONG);
	/* 255 octets at 1; at 256 one more label and a pointer to it */
	b[0] = 0xff;
	n = 1 + long_name(b + 1, 61);
	b[n++] = 1;
	b[n++] = 'z';
	b[n++] = 0xc0;
	b[n++] = 1;
	assert_int_equal(name_at(b, n, 1, NULL, NULL, NULL), DNS_OK);
	assert_int_equal(name_at(b, n, 256, NULL, NULL, NULL), DNS_E_NAME_TOO_LONG);
}

static void test_name_bad_pointers(void **state)
{
	static const uint8_t to_zero[] = { 0, 0xc0, 0 };
	static const uint8_t past[] = { 0, 0xc0, 5, 0 };
	static const uint8_t far[] = { 0, 0xff, 0xff, 0 };

	(void)state;
	assert_int_equal(name_at(to_zero, sizeof(to_zero), 1, NULL, NULL, NULL),
			 DNS_E_NAME_BAD_POINTER);
	assert_int_equal(name_at(past, sizeof(past), 1, NULL, NULL, NULL),
			 DNS_E_NAME_BAD_POINTER);
	assert_int_equal(name_at(far, sizeof(far), 1, NULL, NULL, NULL),
			 DNS_E_NAME_BAD_POINTER);
}

static void test_name_past_end(void **state)
{
	static const uint8_t cut_label[] = { 5, 'a', 'b' };
	static const uint8_t no_root[] = { 1, 'a' };
	static const uint8_t half_ptr[] = { 1, 'a', 0xc0 };
	static const uint8_t empty[] = { 0 };

	(void)state;
	assert_int_equal(name_at(cut_label, sizeof(cut_label), 0, NULL, NULL, NULL),
			 DNS_E_NAME_PAST_END);
	assert_int_equal(name_at(no_root, sizeof(no_root), 0, NULL, NULL, NULL),
			 DNS_E_NAME_PAST_END);
	assert_int_equal(name_at(half_ptr, sizeof(half_ptr), 0, NULL, NULL, NULL),
			 DNS_E_NAME_PAST_END);
	assert_int_equal(name_at(empty, sizeof(empty), 1, NULL, NULL, NULL),
			 DNS_E_NAME_PAST_END);
}

/* ---- messages: errors ---- */

static void test_short_header(void **state)
{
	static const uint8_t b[11] = { 0 };

	(void)state;
	assert_int_equal(decode(b, sizeof(b)), DNS_E_SHORT_HEADER);
	assert_int_equal(fast.len, 0);
	assert_int_equal(fast.sum.has_header, 0);
	assert_int_equal(decode(b, 0), DNS_E_SHORT_HEADER);
}

static void test_counts_that_lie(void **state)
{
	struct wire w;

	(void)state;
	w_header(&w, 1, 0x0100, 2, 0, 0, 0); /* two questions, one sent */
	w_question(&w, "example.org", 1, 1);
	assert_int_equal(decode_w(&w), DNS_E_QUESTION);
	expect_has(",'queries':[],'answers':[],'authorities':[],'additionals':[]");
	/* the first question still reaches the summary */
	assert_int_equal(fast.sum.has_question, 1);
	assert_int_equal(fast.sum.qtype, 1);

	w_header(&w, 1, 0x8180, 1, 3, 0, 0); /* three answers, one sent */
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	w_rdend(&w, w_rr(&w, 1, 1, 60));
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w.b[w.n - 5] = 4; /* RDLENGTH 4 */
	assert_int_equal(decode_w(&w), DNS_E_RR_PAST_END);

	w_header(&w, 1, 0x0100, 1, 0, 0, 0); /* question type/class cut */
	w_name(&w, "example.org");
	w_u16(&w, 1);
	assert_int_equal(decode_w(&w), DNS_E_QUESTION);
	assert_int_equal(fast.sum.has_question, 0);
}

static void test_rdlength_past_end(void **state)
{
	struct wire w;
	size_t at = answer_start(&w, 1);

	(void)state;
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, at);
	w.b[at + 1] = 5; /* one byte more than there is */
	assert_int_equal(decode_w(&w), DNS_E_RR_PAST_END);
	/* the RR header itself cut */
	w.n = at - 3;
	assert_int_equal(decode_w(&w), DNS_E_RR_PAST_END);
}

static void test_name_errors_in_messages(void **state)
{
	struct wire w;
	size_t at;

	(void)state;
	w_header(&w, 1, 0x0100, 1, 0, 0, 0); /* qname points to itself */
	w_ptr(&w, 12);
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(decode_w(&w), DNS_E_NAME_LOOP);
	assert_int_equal(fast.sum.has_question, 0);

	at = answer_start(&w, 5); /* CNAME target with a 0x40 label */
	w_u8(&w, 0x41);
	w_u8(&w, 0);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_NAME_LABEL_TYPE);

	at = answer_start(&w, 2); /* NS target points past the end */
	w_ptr(&w, 0x3fff);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_NAME_BAD_POINTER);
}

static void test_rdata_invalid(void **state)
{
	struct wire w;
	size_t at;

	(void)state;
	at = answer_start(&w, 1); /* A with RDLENGTH 2 */
	w_raw(&w, "\x01\x02", 2);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);

	at = answer_start(&w, 16); /* TXT string longer than the RDATA */
	w_raw(&w, "\x05" "ab", 3);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);

	/* CAA with a tag ldns refuses: the RDATA in RFC 3597 form */
	at = answer_start(&w, 257);
	w_raw(&w, "\x00\x03" "a-b" "x", 6);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);
	expect_has("'rdata':'\\\\# 6 0003612d6278'");
}

/* The fast decoder's whole output is want (written with ' for "). */
static void expect_json(const char *want)
{
	static char buf[8192];
	size_t n = w_json(buf, sizeof(buf), want);

	if (fast.len != n || memcmp(fast.out, buf, n) != 0)
		fail_msg("JSON differs\n got: %s\nwant: %s", fast.out, buf);
}

/*
 * RDATA its fields do not fill, which ldns accepts: ldns reads the fields
 * and starts the next RR after them. Both decoders write the record as
 * ldns decoded it and flag it rdata_invalid.
 */
static void test_rdata_not_filled(void **state)
{
	struct wire w;
	size_t at;

	(void)state;
	/* an A of 6 bytes, the last RR: two bytes left over */
	at = answer_start(&w, 1);
	w_raw(&w, "\x01\x02\x03\x04\x00\x00", 6);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);
	expect_json(",'id':4660,'qr':'response','opcode':0,'opcode_name':'QUERY',"
		    "'rcode':0,'rcode_name':'NOERROR','flags':{'aa':false,"
		    "'tc':false,'rd':true,'ra':true,'z':false,'ad':false,"
		    "'cd':false},'qdcount':1,'ancount':1,'nscount':0,'arcount':0"
		    W_Q_EXAMPLE_ORG_A ",'answers':[{'name':'example.org.','type':1,"
		    "'type_name':'A','class':1,'class_name':'IN','ttl':300,"
		    "'rdata':'1.2.3.4'}],'authorities':[],'additionals':[]");

	/* an A of 15 bytes whose last 11 are an RR: ldns reads it as the
	 * second answer, and the message as complete */
	w_header(&w, 0x1234, 0x8180, 1, 2, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	at = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_name(&w, "");
	w_rr(&w, 1, 1, 7);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);
	expect_has("'answers':[{'name':'example.org.','type':1,'type_name':'A',"
		   "'class':1,'class_name':'IN','ttl':300,'rdata':'1.2.3.4'},"
		   "{'name':'.','type':1,'type_name':'A','class':1,"
		   "'class_name':'IN','ttl':7,'rdata':''}],'authorities':[]");

	/* a CNAME whose name runs past RDLENGTH (ldns reads names up to the
	 * end of the message) */
	at = answer_start(&w, 5);
	w_u8(&w, 3);
	w_rdend(&w, at); /* RDLENGTH 1 */
	w_raw(&w, "www", 3);
	w_ptr(&w, 12);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);
	expect_has("'ttl':300,'rdata':'www.example.org.'}]");

	/* an MX of only a preference: the fields ldns reads end at
	 * RDLENGTH, so it passes (ldns does not check minimum fields) */
	at = answer_start(&w, 15);
	w_u16(&w, 10);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_OK);
	expect_has("'rdata':'10'}");
}

/*
 * Bytes after the last RR the header counts, by RDLENGTH: the record is
 * written in full and flagged trailing_bytes, zero padding included.
 */
static void test_trailing_bytes(void **state)
{
	static const uint8_t tsig_rd[] = {
		11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0,
		0, 0, 0x65, 0x92, 0, 0x80, 1, 0x2c, 0, 2, 0xab, 0xcd,
		0, 9, 0, 0, 0, 0,
	};
	static const uint8_t zeros[300];
	struct wire w;
	size_t at;

	(void)state;
	/* one byte */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_u8(&w, 'x');
	assert_int_equal(decode_w(&w), DNS_E_TRAILING);
	expect_json(W_HDR_QUERY_RD(1, 1, 0, 0, 0) W_Q_EXAMPLE_ORG_A
		    ",'answers':[],'authorities':[],'additionals':[]");
	assert_int_equal(fast.sum.has_question, 1);
	assert_int_equal(fast.sum.qtype, 1);

	/* many zero bytes: padding is no part of a DNS message either */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_raw(&w, zeros, sizeof(zeros));
	assert_int_equal(decode_w(&w), DNS_E_TRAILING);
	expect_json(W_HDR_QUERY_RD(1, 1, 0, 0, 0) W_Q_EXAMPLE_ORG_A
		    ",'answers':[],'authorities':[],'additionals':[]");

	/* after an OPT RR: still EDNS, then the junk */
	w_header(&w, 2, 0x0100, 1, 0, 0, 1);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "");
	at = w_rr(&w, 41, 1232, 0x8000);
	w_u16(&w, 12); /* PADDING, 4 zero bytes: inside the OPT, fine */
	w_u16(&w, 4);
	w_raw(&w, zeros, 4);
	w_rdend(&w, at);
	w_raw(&w, zeros, 4);
	assert_int_equal(decode_w(&w), DNS_E_TRAILING);
	expect_json(W_HDR_QUERY_RD(2, 1, 0, 0, 1) W_Q_EXAMPLE_ORG_A
		    ",'answers':[],'authorities':[],'additionals':[],"
		    "'edns':{'udp_size':1232,'version':0,'do':true,'z':0,"
		    "'options':[{'code':12,'name':'PADDING','length':4}]}");
	w.n -= 4; /* without them: fine */
	assert_int_equal(decode_w(&w), DNS_OK);

	/* after a TSIG, the last RR: kept, listed last */
	w_header(&w, 9, 0x8180, 1, 1, 0, 1);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	at = w_rr(&w, 1, 1, 60);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, at);
	w_name(&w, "key");
	at = w_rr(&w, 250, 255, 0);
	w_raw(&w, tsig_rd, sizeof(tsig_rd));
	w_rdend(&w, at);
	w_raw(&w, "\xc0\x0c", 2);
	assert_int_equal(decode_w(&w), DNS_E_TRAILING);
	expect_json(W_HDR_RESPONSE(9, 1, 1, 0, 1) W_Q_EXAMPLE_ORG_A
		    ",'answers':[{'name':'example.org.','type':1,'type_name':'A',"
		    "'class':1,'class_name':'IN','ttl':60,'rdata':'1.2.3.4'}],"
		    "'authorities':[],'additionals':[{'name':'key.','type':250,"
		    "'type_name':'TSIG','class':255,'class_name':'ANY','ttl':0,"
		    "'rdata':'hmac-sha256. 1704067200 300 2 q80= 9 0 0'}]");

	/* counts that lie low: the RR past ANCOUNT is not read */
	w_header(&w, 0x1234, 0x8180, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	at = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_TRAILING);
	expect_has("'answers':[],");

	/* any other problem is named first: RDATA its fields do not fill,
	 * bad OPT option lengths, a TSIG that is not last */
	at = answer_start(&w, 1);
	w_raw(&w, "\x01\x02\x03\x04\x05", 5);
	w_rdend(&w, at);
	w_u8(&w, 0);
	assert_int_equal(decode_w(&w), DNS_E_RDATA);

	w_header(&w, 2, 0x0100, 1, 0, 0, 1);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "");
	at = w_rr(&w, 41, 1232, 0);
	w_u16(&w, 12);
	w_u16(&w, 9); /* past the RDATA */
	w_rdend(&w, at);
	w_u8(&w, 0);
	assert_int_equal(decode_w(&w), DNS_E_OPT);

	w_header(&w, 9, 0x8180, 1, 0, 0, 2);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "key");
	at = w_rr(&w, 250, 255, 0);
	w_raw(&w, tsig_rd, sizeof(tsig_rd));
	w_rdend(&w, at);
	w_ptr(&w, 12);
	at = w_rr(&w, 1, 1, 0);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, at);
	w_u8(&w, 0);
	assert_int_equal(decode_w(&w), DNS_E_OTHER);

	/* a message cut inside its last RR is not "trailing" */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w.n--;
	assert_int_equal(decode_w(&w), DNS_E_QUESTION);
}

/*
 * The one verdict that differs on purpose: a question name reached
 * through a chain of more than DNSW_MAX_HOPS pointers. ldns follows up to
 * 65535 and accepts it; the fast path calls it a pointer loop, so that a
 * crafted message cannot cost 65535 steps per name.
 */
static void test_known_divergence_hops(void **state)
{
	struct wire w;
	size_t first;

	size_t at;

	(void)state;
	/* the chain is the RDATA of an RR of an unknown type, so that no
	 * byte lies after the last RR */
	w_header(&w, 1, 0x0100, 1, 0, 0, 1);
	w_ptr(&w, 29); /* the question name: into the chain */
	w_u16(&w, 1);
	w_u16(&w, 1);
	w_name(&w, "");
	at = w_rr(&w, 65280, 1, 0);
	first = w.n;
	assert_int_equal(first, 29);
	for (unsigned i = 0; i < DNSW_MAX_HOPS; i++)
		w_ptr(&w, w.n + 2);
	w_u8(&w, 0);
	w_rdend(&w, at);
	run1(&dns_fast_decoder, fast_dec, w.b, w.n, &fast);
	run1(&dns_ldns_decoder, ref_dec, w.b, w.n, &ref);
	assert_int_equal(fast.err, DNS_E_NAME_LOOP);
	assert_int_equal(ref.err, DNS_OK);
	/* one pointer fewer: both accept it */
	w.b[13] = 31;
	assert_int_equal(decode_w(&w), DNS_OK);
	expect_has("'queries':[{'name':'.'");
}

/* ---- messages: output ---- */

static void test_name_escapes(void **state)
{
	static const uint8_t odd[] = { 12, 'a', '.', 'b', '\\', '"', ';', '(', ')',
				       '@', '$', ' ', 0x7f, 3, 0, 0x1f, 0xff, 0 };
	struct wire w;

	(void)state;
	w_header(&w, 7, 0x0100, 1, 0, 0, 0);
	w_raw(&w, odd, sizeof(odd));
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(decode_w(&w), DNS_OK);
	/* \. \\ " \; \( \) @ $ \032 \127 . \000 \031 \255 ., then as JSON */
	expect_has("'name':'a\\\\.b\\\\\\\\\\'\\\\;\\\\(\\\\)@$\\\\032\\\\127."
		   "\\\\000\\\\031\\\\255.'");
	assert_int_equal(fast.sum.qname_len, sizeof(odd));
	assert_memory_equal(fast.sum.qname, odd, sizeof(odd));

	w_header(&w, 7, 0x0100, 1, 0, 0, 0); /* the root, and case kept */
	w_question(&w, "", 1, 1);
	assert_int_equal(decode_w(&w), DNS_OK);
	expect_has("'name':'.'");
	w_header(&w, 7, 0x0100, 1, 0, 0, 0);
	w_question(&w, "ExAmPlE.oRg", 1, 1);
	assert_int_equal(decode_w(&w), DNS_OK);
	expect_has("'name':'ExAmPlE.oRg.'");
}

static void test_txt_escapes(void **state)
{
	static const uint8_t txt[] = { 7, 'a', '"', '\\', '\t', 0x7f, 0x80, ' ',
				       0, 2, 'x', ';' };
	struct wire w;
	size_t at = answer_start(&w, 16);

	(void)state;
	w_raw(&w, txt, sizeof(txt));
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_OK);
	/* "a\"\\<tab>\127\128 " "" "x;" as JSON */
	expect_has("'rdata':'\\'a\\\\\\'\\\\\\\\\\t\\\\127\\\\128 \\' \\'\\' \\'x;\\''");
}

/* One answer of type with RDATA rd[0..n); expect its text. */
static void expect_rdata(unsigned type, const void *rd, size_t n,
			 const char *want)
{
	struct wire w;
	size_t at = answer_start(&w, type);
	char buf[1024];

	w_raw(&w, rd, n);
	w_rdend(&w, at);
	if (decode_w(&w) != DNS_OK)
		fail_msg("type %u: %s\n%s", type, dns_err_name(fast.err), fast.out);
	snprintf(buf, sizeof(buf), "'rdata':'%s'}", want);
	expect_has(buf);
}

static void test_common_types(void **state)
{
	(void)state;
	expect_rdata(1, "\xc0\x00\x02\x01", 4, "192.0.2.1");
	expect_rdata(28, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16,
		     "2001:db8::1");
	expect_rdata(28, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01", 16,
		     "::ffff:192.0.2.1");
	expect_rdata(28, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, "::");
	expect_rdata(5, "\x03www\xc0\x0c", 6, "www.example.org.");
	expect_rdata(15, "\x00\x0a\x04mail\xc0\x0c", 9, "10 mail.example.org.");
	expect_rdata(33, "\x00\x01\x00\x02\x01\xbb\x03sip\xc0\x0c", 12,
		     "1 2 443 sip.example.org.");
	expect_rdata(6, "\x02ns\xc0\x0c\x04host\xc0\x0c\x78\xa5\x82\x3d"
		     "\x00\x00\x1c\x20\x00\x00\x0e\x10\x00\x12\x75\x00\x00\x00\x01\x2c",
		     5 + 7 + 20, "ns.example.org. host.example.org. 2024112701 "
		     "7200 3600 1209600 300");
	expect_rdata(257, "\x00\x05issueletsencrypt.org", 22,
		     "0 issue \\'letsencrypt.org\\'");
	expect_rdata(52, "\x03\x01\x01\xab\xcd", 5, "3 1 1 abcd");
	expect_rdata(44, "\x01\x02\x12\x34", 4, "1 2 1234");
	expect_rdata(43, "\xe4\x4a\x0d\x02\xab\xcd", 6, "58442 13 2 abcd");
	expect_rdata(48, "\x01\x01\x03\x0d\x01\x02\x03", 7, "257 3 13 AQID");
	expect_rdata(35, "\x00\x64\x00\x0a\x01u\x07" "E2U+sip\x00\x00", 16,
		     "100 10 \\'u\\' \\'E2U+sip\\' \\'\\' .");
	expect_rdata(65, "\x00\x01\x00\x00\x01\x00\x06\x02h2\x02h3"
		     "\x00\x04\x00\x04\xc0\x00\x02\x01", 21,
		     "1 . alpn=h2,h3 ipv4hint=192.0.2.1");
	expect_rdata(47, "\x01" "a\xc0\x0c\x00\x06\x40\x01\x00\x00\x00\x03", 12,
		     "a.example.org. A MX RRSIG NSEC");
	/* NSEC3: salt, base32hex hash, bitmap; no stray spaces */
	expect_rdata(50, "\x01\x00\x00\x0a\x02\xab\xcd\x05\x01\x02\x03\x04\x05"
		     "\x00\x01\x40", 16, "1 0 10 abcd 04106105 A");
	expect_rdata(50, "\x01\x00\x00\x00\x00\x03\x01\x02\x03\x00\x01\x40", 12,
		     "1 0 0 - 04106=== A");
	/* an unknown type: RFC 3597 through ldns */
	expect_rdata(65280, "\x01\x02", 2, "\\\\# 2 0102");
	/* RDLENGTH 0: no fields */
	expect_rdata(1, "", 0, "");
}

static void test_rrsig_time(void **state)
{
	(void)state;
	/* 2030-12-31 00:00:00 and 2024-01-01 00:00:00 UTC */
	expect_rdata(46, "\x00\x01\x0d\x02\x00\x00\x0e\x10\x72\xbb\xba\x80"
		     "\x65\x92\x00\x80\xe2\x13\x00\x01\x02\x03", 22,
		     "A 13 2 3600 20301231000000 20240101000000 57875 . AQID");
}

static void test_edns(void **state)
{
	struct wire w;

	(void)state;
	/* extended RCODE 1 + header 0 = 16 (BADVERS), DO, two options */
	w_header(&w, 9, 0x8180, 1, 0, 0, 1);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "");
	w_rr(&w, 41, 1232, 0x01008000);
	w.n -= 2;
	w_u16(&w, 12);
	w_raw(&w, "\x00\x0a\x00\x02\xab\xcd\x00\x0c\x00\x00", 10);
	w_raw(&w, "\x00\x03\x00\x00", 0);
	w.b[w.n - 11] = 10; /* RDLENGTH */
	w.b[w.n - 12] = 0;
	/* a 2-byte COOKIE is malformed (RFC 7873: client cookie is 8) */
	assert_int_equal(decode_w(&w), DNS_E_OPT);
	expect_has("'rcode':16,'rcode_name':'BADVERS'");
	expect_has("'edns':{'udp_size':1232,'version':0,'do':true,'z':0,'options':"
		   "[{'code':10,'name':'COOKIE','hex':'abcd','malformed':true},"
		   "{'code':12,'name':'PADDING','length':0}]}");
	assert_int_equal(fast.sum.rcode, 16);

	w.b[w.n - 1] = 1; /* PADDING claims one byte more than there is */
	assert_int_equal(decode_w(&w), DNS_E_OPT);

	/* two OPT RRs */
	w_header(&w, 9, 0x8180, 1, 0, 0, 2);
	w_question(&w, "example.org", 1, 1);
	for (int i = 0; i < 2; i++) {
		w_name(&w, "");
		w_rr(&w, 41, 512, 0);
	}
	assert_int_equal(decode_w(&w), DNS_E_OPT);
}

/* ---- EDNS options (shared dns_put_edns: both decoders hand it the same
 * OPT RR) ---- */

struct opt_case {
	uint16_t code;
	const char *data;
	size_t len;
	const char *json; /* the option object, ' for " */
	const char *ecs;  /* the "ecs" members, or NULL */
	enum dns_err err;
};

#define OC(code, lit, json, ecs, err) \
	{ (code), (lit), sizeof(lit) - 1, (json), (ecs), (err) }

static const struct opt_case opt_cases[] = {
	OC(8, "\x00\x01\x18\x00\xc6\x33\x64",
	   "{'code':8,'name':'ECS','family':1,'source_prefix':24,"
	   "'scope_prefix':0,'address':'198.51.100.0'}",
	   "'family':1,'source_prefix':24,'scope_prefix':0,"
	   "'address':'198.51.100.0'", DNS_OK),
	OC(8, "\x00\x02\x30\x30\x20\x01\x0d\xb8\xff\xfe",
	   "{'code':8,'name':'ECS','family':2,'source_prefix':48,"
	   "'scope_prefix':48,'address':'2001:db8:fffe::'}",
	   "'family':2,'source_prefix':48,'scope_prefix':48,"
	   "'address':'2001:db8:fffe::'", DNS_OK),
	OC(8, "\x00\x1a\x08\x00\x7f",
	   "{'code':8,'name':'ECS','family':26,'source_prefix':8,"
	   "'scope_prefix':0,'address_hex':'7f'}",
	   "'family':26,'source_prefix':8,'scope_prefix':0,'address_hex':'7f'",
	   DNS_OK),
	OC(8, "\x00\x01\x20\x00\xd5\x3d\x1d", /* /32, 3 octets */
	   "{'code':8,'name':'ECS','hex':'00012000d53d1d','malformed':true}",
	   NULL, DNS_E_OPT),
	OC(8, "\x00\x02\x81\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	   "\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	   "{'code':8,'name':'ECS','hex':'0002810000000000000000000000000000000000"
	   "00','malformed':true}", NULL, DNS_E_OPT),
	OC(10, "\x01\x02\x03\x04\x05\x06\x07\x08",
	   "{'code':10,'name':'COOKIE','client':'0102030405060708'}", NULL, DNS_OK),
	OC(10, "\x01\x02\x03\x04\x05\x06\x07\x08\xa0\xb1\xc2\xd3\xe4\xf5\x06\x17",
	   "{'code':10,'name':'COOKIE','client':'0102030405060708',"
	   "'server':'a0b1c2d3e4f50617'}", NULL, DNS_OK),
	OC(10, "\x01\x02\x03\x04\x05\x06\x07\x08\x09",
	   "{'code':10,'name':'COOKIE','hex':'010203040506070809',"
	   "'malformed':true}", NULL, DNS_E_OPT),
	OC(3, "", "{'code':3,'name':'NSID'}", NULL, DNS_OK),
	OC(3, "gpdns-ams", "{'code':3,'name':'NSID','hex':'6770646e732d616d73',"
	   "'text':'gpdns-ams'}", NULL, DNS_OK),
	OC(3, "\x01\x23", "{'code':3,'name':'NSID','hex':'0123'}", NULL, DNS_OK),
	OC(15, "\x00\x06", "{'code':15,'name':'EDE','info_code':6,"
	   "'info_name':'DNSSEC Bogus'}", NULL, DNS_OK),
	OC(15, "\x00\x1d" "a\\b", "{'code':15,'name':'EDE','info_code':29,"
	   "'info_name':'Synthesized','extra_text':'a\\\\b'}", NULL, DNS_OK),
	OC(15, "\x00", "{'code':15,'name':'EDE','hex':'00','malformed':true}",
	   NULL, DNS_E_OPT),
	OC(12, "\x00\x00\x00", "{'code':12,'name':'PADDING','length':3}", NULL,
	   DNS_OK),
	OC(11, "\x00\x64", "{'code':11,'name':'KEEPALIVE','timeout':100}", NULL,
	   DNS_OK),
	OC(11, "\x00", "{'code':11,'name':'KEEPALIVE','hex':'00','malformed':true}",
	   NULL, DNS_E_OPT),
	OC(13, "\x07" "example\x00",
	   "{'code':13,'name':'CHAIN','closest_encloser':'example.'}", NULL, DNS_OK),
	OC(13, "\x07" "example",
	   "{'code':13,'name':'CHAIN','hex':'076578616d706c65','malformed':true}",
	   NULL, DNS_E_OPT),
	OC(9, "\x00\x00\x0e\x10", "{'code':9,'name':'EXPIRE','expire':3600}", NULL,
	   DNS_OK),
	OC(9, "\x00", "{'code':9,'name':'EXPIRE','hex':'00','malformed':true}",
	   NULL, DNS_E_OPT),
	OC(7, "\x01", "{'code':7,'name':'N3U','hex':'01'}", NULL, DNS_OK),
	OC(20, "", "{'code':20,'name':'OPT20'}", NULL, DNS_OK),
};

/* A response for example.org/A with one OPT RR: UDP size 1232, the given
 * TTL and options. */
static void opt_response(struct wire *w, uint32_t ttl, const void *opts, size_t n)
{
	w_header(w, 9, 0x8180, 1, 0, 0, 1);
	w_question(w, "example.org", 1, 1);
	w_opt(w, 1232, ttl, opts, n);
}

static void test_edns_option_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
		const struct opt_case *c = &opt_cases[i];
		struct wire opt = { .n = 0 };
		struct wire w;
		char want[1024];

		w_option(&opt, c->code, c->data, c->len);
		opt_response(&w, 0, opt.b, opt.n);
		assert_int_equal(decode_w(&w), c->err);
		if (c->ecs)
			snprintf(want, sizeof(want), "'additionals':[],'edns':{"
				 "'udp_size':1232,'version':0,'do':false,'z':0,"
				 "'options':[%s],'ecs':{%s}}", c->json, c->ecs);
		else
			snprintf(want, sizeof(want), "'additionals':[],'edns':{"
				 "'udp_size':1232,'version':0,'do':false,'z':0,"
				 "'options':[%s]}", c->json);
		expect_tail(want);
	}
}

/* Which OPT RR counts when there are two (ldns: the fixed fields of the
 * last, the options of the last one that has any): the same for both. */
static void test_edns_two_opts(void **state)
{
	struct wire w;
	size_t rd;

	(void)state;
	w_header(&w, 9, 0x8180, 1, 0, 0, 2);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 4096, 0x00008000);
	w_raw(&w, "\x00\x0b\x00\x02\x00\x0a", 6);
	w_rdend(&w, rd);
	w_name(&w, "");
	rd = w_rr(&w, 41, 512, 0x00010003);
	w_rdend(&w, rd);
	assert_int_equal(decode_w(&w), DNS_E_OPT);
	expect_tail("'edns':{'udp_size':512,'version':1,'do':false,'z':3,"
		    "'options':[{'code':11,'name':'KEEPALIVE','timeout':10}]}");
}

/* Every output size up to the whole record for a message with every kind
 * of option: overflow flagged, nothing written past the end, and the
 * "ecs" copy never reads what was not written. */
static void test_edns_small_buffers(void **state)
{
	static const uint8_t opts[] = {
		0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0, 8, 0, 20, 0, 2, 128, 0, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1,
		0, 3, 0, 3, 'n', 's', '1',
		0, 15, 0, 5, 0, 3, 'o', 'l', 'd',
		0, 13, 0, 5, 3, 'c', 'o', 'm', 0,
		0, 12, 0, 1, 0,
	};
	const struct dns_decoder_ops *ops[2] = { &dns_fast_decoder,
						 &dns_ldns_decoder };
	struct dns_decoder *decs[2] = { fast_dec, ref_dec };
	struct wire w;
	char buf[4096];

	(void)state;
	opt_response(&w, 0x8000, opts, sizeof(opts));
	assert_int_equal(decode_w(&w), DNS_OK);
	expect_has("'ecs':{'family':2,'source_prefix':128,'scope_prefix':0,"
		   "'address':'2001:db8::1'}}");
	for (int d = 0; d < 2; d++) {
		for (size_t cap = 0; cap <= fast.len; cap++) {
			struct dns_summary sum;
			struct jbuf jb;

			memset(buf, 0x5a, sizeof(buf));
			jb_init(&jb, buf, cap);
			ops[d]->render(decs[d], w.b, w.n, &jb, &sum);
			assert_int_equal(jb.overflow, cap < fast.len);
			assert_true(jb.p <= buf + cap);
			assert_int_equal(buf[cap], 0x5a);
			if (!jb.overflow)
				assert_memory_equal(buf, fast.out, fast.len);
		}
	}
}

/* Random option bodies, decoded from exact-size heap copies (so a read
 * past the message shows under valgrind/ASan), both decoders equal. */
static void test_edns_random_options(void **state)
{
	static const uint16_t codes[] = { 3, 8, 9, 10, 11, 12, 13, 15, 5, 65000 };
	uint64_t x = 0x2545f4914f6cdd1dull;

	(void)state;
	for (unsigned round = 0; round < 5000; round++) {
		struct wire opts = { .n = 0 };
		struct wire w;
		enum dns_err err;

		for (unsigned k = 0; k < 1 + round % 4; k++) {
			unsigned len;
			uint16_t code;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			code = codes[x % (sizeof(codes) / sizeof(codes[0]))];
			len = (unsigned)(x >> 16) % 42;
			w_u16(&opts, code);
			w_u16(&opts, len);
			for (unsigned i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				w_u8(&opts, (uint8_t)(x % 2 ? x % 24 : x >> 32));
			}
		}
		/* sometimes a last option whose length runs past the end */
		if (round % 7 == 0)
			opts.b[opts.n - 1 - (x >> 8) % 3] ^= 0x20;
		opt_response(&w, (uint32_t)x, opts.b, opts.n);
		err = decode_w(&w);
		assert_true(err == DNS_OK || err == DNS_E_OPT);
	}
}

static void test_tsig(void **state)
{
	static const uint8_t tsig_rd[] = {
		11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0,
		0, 0, 0x65, 0x92, 0, 0x80, 1, 0x2c, 0, 2, 0xab, 0xcd,
		0, 9, 0, 0, 0, 0,
	};
	struct wire w;
	size_t at;

	(void)state;
	/* TSIG first, an A after it: ldns stops early, decode_error */
	w_header(&w, 9, 0x8180, 1, 0, 0, 2);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "key");
	at = w_rr(&w, 250, 255, 0);
	w_raw(&w, tsig_rd, sizeof(tsig_rd));
	w_rdend(&w, at);
	w_ptr(&w, 12);
	at = w_rr(&w, 1, 1, 0);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_E_OTHER);

	/* TSIG last: fine, listed last */
	w_header(&w, 9, 0x8180, 1, 0, 0, 2);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	at = w_rr(&w, 1, 1, 0);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, at);
	w_name(&w, "key");
	at = w_rr(&w, 250, 255, 0);
	w_raw(&w, tsig_rd, sizeof(tsig_rd));
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_OK);
	expect_has("'type':250,'type_name':'TSIG','class':255,'class_name':'ANY'");

	/* two TSIGs read: decode_error, nothing listed (ldns would leak) */
	w_header(&w, 9, 0x8180, 1, 0, 0, 3);
	w_question(&w, "example.org", 1, 1);
	for (int i = 0; i < 3; i++) {
		w_name(&w, "key");
		at = w_rr(&w, 250, 255, 0);
		w_raw(&w, tsig_rd, sizeof(tsig_rd));
		w_rdend(&w, at);
	}
	assert_int_equal(decode_w(&w), DNS_E_OTHER);
	expect_has("'additionals':[]");
}

static void test_small_buffers(void **state)
{
	struct wire w;
	size_t at = answer_start(&w, 16);
	char buf[4096];

	(void)state;
	w_raw(&w, "\x05hello\x05world", 12);
	w_rdend(&w, at);
	assert_int_equal(decode_w(&w), DNS_OK);
	/* every size up to the record: overflow flagged, nothing past it */
	for (size_t cap = 0; cap <= fast.len; cap++) {
		struct dns_summary sum;
		struct jbuf jb;

		memset(buf, 0x5a, sizeof(buf));
		jb_init(&jb, buf, cap);
		dns_fast_decoder.render(fast_dec, w.b, w.n, &jb, &sum);
		assert_int_equal(jb.overflow, cap < fast.len);
		assert_true(jb.p <= buf + cap);
		assert_int_equal(buf[cap], 0x5a);
		if (!jb.overflow)
			assert_memory_equal(buf, fast.out, fast.len);
	}
}

/* ---- generated RDATA, both decoders ---- */

static uint64_t rng = 0x853c49e6748fea9bull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A byte, mostly letters and digits, some specials and any value. */
static unsigned rnd_octet(void)
{
	static const char pick[] = "az09AZ-_.\\\"; ()@,=\t";

	switch (rnd(4)) {
	case 0:
		return rnd(256);
	case 1:
		return (unsigned)pick[rnd(sizeof(pick) - 1)];
	default:
		return 'a' + rnd(26);
	}
}

static void rnd_name(struct wire *w)
{
	for (unsigned k = rnd(3); k > 0; k--) {
		unsigned l = 1 + rnd(8);

		w_u8(w, l);
		while (l--)
			w_u8(w, rnd_octet());
	}
	if (rnd(2))
		w_ptr(w, 12);
	else
		w_u8(w, 0);
}

static void rnd_bytes(struct wire *w, unsigned n)
{
	while (n--)
		w_u8(w, rnd_octet());
}

static void rnd_bitmap(struct wire *w)
{
	for (unsigned win = 0, k = rnd(3); k > 0; k--) {
		unsigned l = 1 + rnd(6);

		win += rnd(3);
		w_u8(w, win);
		w_u8(w, rnd(9) ? l : 40); /* sometimes past the end */
		while (l--)
			w_u8(w, rnd(256));
	}
}

/* SvcParams: keys in order, values right or slightly wrong. */
static void rnd_svcparams(struct wire *w)
{
	for (unsigned key = rnd(3); key < 9; key += 1 + rnd(3)) {
		size_t at;

		w_u16(w, key == 8 ? 100 + rnd(3) : key);
		at = w->n;
		w_u16(w, 0);
		switch (key) {
		case 0:
			for (unsigned k = 1 + rnd(3); k > 0; k--)
				w_u16(w, rnd(9));
			break;
		case 1:
			for (unsigned k = 1 + rnd(3); k > 0; k--) {
				unsigned l = rnd(5);

				w_u8(w, l);
				rnd_bytes(w, l);
			}
			break;
		case 3:
			rnd_bytes(w, 2);
			break;
		case 4:
			rnd_bytes(w, 4 * (1 + rnd(2)));
			break;
		case 6:
			rnd_bytes(w, 16);
			break;
		default:
			rnd_bytes(w, rnd(6));
			break;
		}
		if (rnd(10) == 0)
			w_u8(w, rnd(256)); /* one byte too many */
		w->b[at] = (uint8_t)((w->n - at - 2) >> 8);
		w->b[at + 1] = (uint8_t)(w->n - at - 2);
	}
}

/* One field of ldns type ft, mostly well-formed. */
static void rnd_field(struct wire *w, ldns_rdf_type ft)
{
	static const uint8_t fixed[] = {
		[LDNS_RDF_TYPE_INT8] = 1, [LDNS_RDF_TYPE_ALG] = 1,
		[LDNS_RDF_TYPE_CLASS] = 1, [LDNS_RDF_TYPE_CERTIFICATE_USAGE] = 1,
		[LDNS_RDF_TYPE_SELECTOR] = 1, [LDNS_RDF_TYPE_MATCHING_TYPE] = 1,
		[LDNS_RDF_TYPE_INT16] = 2, [LDNS_RDF_TYPE_TYPE] = 2,
		[LDNS_RDF_TYPE_CERT_ALG] = 2, [LDNS_RDF_TYPE_INT32] = 4,
		[LDNS_RDF_TYPE_TIME] = 4, [LDNS_RDF_TYPE_A] = 4,
		[LDNS_RDF_TYPE_PERIOD] = 4, [LDNS_RDF_TYPE_TSIGTIME] = 6,
		[LDNS_RDF_TYPE_EUI48] = 6, [LDNS_RDF_TYPE_ILNP64] = 8,
		[LDNS_RDF_TYPE_EUI64] = 8, [LDNS_RDF_TYPE_AAAA] = 16,
	};
	unsigned l;

	if ((size_t)ft < sizeof(fixed) && fixed[ft]) {
		if (ft == LDNS_RDF_TYPE_AAAA) /* zero runs */
			for (int i = 0; i < 8; i++)
				w_u16(w, rnd(3) ? 0 : rnd(3) ? 0xffff : rnd(65536));
		else
			for (l = fixed[ft]; l > 0; l--)
				w_u8(w, rnd(4) ? rnd(256) : 0);
		return;
	}
	switch (ft) {
	case LDNS_RDF_TYPE_DNAME:
		rnd_name(w);
		break;
	case LDNS_RDF_TYPE_STR: case LDNS_RDF_TYPE_NSEC3_SALT:
	case LDNS_RDF_TYPE_B32_EXT: case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER:
	case LDNS_RDF_TYPE_TAG:
		l = rnd(12);
		w_u8(w, l);
		rnd_bytes(w, l);
		break;
	case LDNS_RDF_TYPE_NSEC:
		rnd_bitmap(w);
		break;
	case LDNS_RDF_TYPE_SVCPARAMS:
		rnd_svcparams(w);
		break;
	case LDNS_RDF_TYPE_INT16_DATA:
		l = rnd(6);
		w_u16(w, l);
		rnd_bytes(w, l);
		break;
	default:
		rnd_bytes(w, rnd(24));
		break;
	}
}

/* One answer of type with RDATA generated from its ldns descriptor,
 * sometimes cut or extended; both decoders must agree. */
static void compare_generated(unsigned type)
{
	const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)type);
	size_t nf = d ? ldns_rr_descriptor_minimum(d) : 0, at, start;
	struct wire w;

	if (d && ldns_rr_descriptor_maximum(d) > nf)
		nf += rnd(3);
	if (d && nf > ldns_rr_descriptor_maximum(d))
		nf = ldns_rr_descriptor_maximum(d);
	at = answer_start(&w, type);
	start = w.n;
	for (size_t i = 0; d && i < nf && w.n < sizeof(w.b) - 300; i++)
		rnd_field(&w, ldns_rr_descriptor_field_type(d, i));
	if (rnd(8) == 0 && w.n > start)
		w.n -= 1 + rnd((unsigned)(w.n - start)); /* cut */
	else if (rnd(8) == 0)
		rnd_bytes(&w, 1 + rnd(4)); /* leftover */
	w_rdend(&w, at);
	decode_w(&w);
}

/* How the generated messages came out: most must be well-formed. */
static void print_verdicts(const char *what)
{
	unsigned total = 0;

	for (int e = 0; e < DNS_E__MAX; e++)
		total += verdicts[e];
	print_message("%s: %u messages, %u ok, %u rdata_invalid\n", what, total,
		      verdicts[DNS_OK], verdicts[DNS_E_RDATA]);
	assert_true(verdicts[DNS_OK] > total / 2);
	memset(verdicts, 0, sizeof(verdicts));
}

static void test_generated_rdata(void **state)
{
	(void)state;
	memset(verdicts, 0, sizeof(verdicts));
	for (unsigned type = 0; type < 270; type++)
		for (int i = 0; i < 300; i++)
			compare_generated(type);
	for (unsigned type = 32768; type < 32770; type++)
		for (int i = 0; i < 300; i++)
			compare_generated(type);
	print_verdicts("generated RDATA");
}

static void test_random_rdata(void **state)
{
	(void)state;
	memset(verdicts, 0, sizeof(verdicts));
	for (unsigned type = 0; type < 270; type++) {
		for (int i = 0; i < 100; i++) {
			struct wire w;
			size_t at = answer_start(&w, type);

			for (unsigned n = rnd(40); n > 0; n--)
				w_u8(&w, rnd(256));
			w_rdend(&w, at);
			decode_w(&w);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_reads),
		cmocka_unit_test(test_cursor_sticky),
		cmocka_unit_test(test_name_plain_and_compressed),
		cmocka_unit_test(test_name_forward_pointer),
		cmocka_unit_test(test_name_loops),
		cmocka_unit_test(test_name_hop_cap),
		cmocka_unit_test(test_name_label_types),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_name_bad_pointers),
		cmocka_unit_test(test_name_past_end),
		cmocka_unit_test(test_short_header),
		cmocka_unit_test(test_counts_that_lie),
		cmocka_unit_test(test_rdlength_past_end),
		cmocka_unit_test(test_name_errors_in_messages),
		cmocka_unit_test(test_rdata_invalid),
		cmocka_unit_test(test_rdata_not_filled),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_known_divergence_hops),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_txt_escapes),
		cmocka_unit_test(test_common_types),
		cmocka_unit_test(test_rrsig_time),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_edns_option_types),
		cmocka_unit_test(test_edns_two_opts),
		cmocka_unit_test(test_edns_small_buffers),
		cmocka_unit_test(test_edns_random_options),
		cmocka_unit_test(test_tsig),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_generated_rdata),
		cmocka_unit_test(test_random_rdata),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
