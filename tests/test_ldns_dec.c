/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ldns_dec.c: the reference decoder (dns/ldns_dec.c) and the shared
 * name tables (dns/names.c) on hand-built messages (tests/wirebuild.h).
 * Each test asserts the exact JSON text, the returned error and the
 * summary; every record is also run through the strict JSON checker of
 * the fuzz targets (tests/fuzz/jsoncheck.h), since the decoder writes
 * JSON by hand. Malformed messages also assert ldns's own status, which
 * documents how coarse it is next to the error we report.
 *
 * Expected texts are written with ' for " to stay readable; expect() maps
 * them back with w_json() (nothing here contains a real ').
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <ldns/ldns.h>

#include "dns/dns.h"
#include "tests/fuzz/jsoncheck.h"
#include "tests/wirebuild.h"

/* ---- JSON validity ---- */

/* Any JSON value, as the checker's own test below wants. */
static int json_valid(const char *s, size_t n)
{
	return jsonc_check(s, n, 0, NULL) == 0;
}

/* The decoder writes ',"key":value...'; as a record it is '{' + that
 * without the comma + '}'. */
static void assert_fragment_valid(const char *frag, size_t n)
{
	static char rec[65536 + 2];
	size_t off;

	assert_true(n > 0 && frag[0] == ',');
	assert_true(n + 1 <= sizeof(rec));
	rec[0] = '{';
	memcpy(rec + 1, frag + 1, n - 1);
	rec[n] = '}';
	if (jsonc_check(rec, n + 1, 1, &off) < 0)
		fail_msg("not valid JSON at byte %zu (%s): %.*s", off, jsonc_why(),
			 (int)(n + 1), rec);
}

/* The checker itself must reject what it should. */
static void test_json_checker(void **state)
{
	static const char *const good[] = {
		"{}", "[]", "{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\\n\"]}",
		"\"\xc3\xa9\"", "0",
	};
	static const char *const bad[] = {
		"{", "{\"a\":}", "[1,]", "{\"a\" 1}", "\"\x01\"", "\"\\x\"",
		"01", "{} x", "\"\xc3\"", "\"\xed\xa0\x80\"", "tru", "{\"a\":1,}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(json_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(json_valid(bad[i], strlen(bad[i])));
}

/* ---- running the decoder ---- */

static struct dns_decoder *dec;
static char out[65536];
static size_t out_len;
static struct dns_summary sum;

static int setup(void **state)
{
	(void)state;
	return dns_ldns_decoder.create(&dec);
}

static int teardown(void **state)
{
	(void)state;
	dns_ldns_decoder.destroy(dec);
	return 0;
}

static enum dns_err render(const uint8_t *wire, size_t len)
{
	struct jbuf jb;
	enum dns_err err;

	memset(&sum, 0xa5, sizeof(sum)); /* the decoder must set what it reports */
	jb_init(&jb, out, sizeof(out) - 1);
	err = dns_ldns_decoder.render(dec, wire, len, &jb, &sum);
	assert_false(jb.overflow);
	out_len = (size_t)(jb.p - out);
	out[out_len] = 0; /* for strstr() */
	if (out_len > 0)
		assert_fragment_valid(out, out_len);
	return err;
}

/* Render and compare with want (written with ' for "). */
static void expect(const struct wire *w, enum dns_err err, const char *want)
{
	static char buf[sizeof(out)];
	size_t n = w_json(buf, sizeof(buf), want);
	enum dns_err got;

	got = render(w->b, w->n);
	if (out_len != n || memcmp(out, buf, n) != 0)
		fail_msg("JSON differs\n got: %.*s\nwant: %s", (int)out_len, out, buf);
	if (got != err)
		fail_msg("error %s, want %s", dns_err_name(got), dns_err_name(err));
}

static ldns_status ldns_says(const struct wire *w)
{
	ldns_pkt *pkt = NULL;
	ldns_status st = ldns_wire2pkt(&pkt, w->b, w->n);

	ldns_pkt_free(pkt);
	return st;
}

static void expect_qname(const void *wire_name, size_t n)
{
	assert_int_equal(sum.has_question, 1);
	assert_int_equal(sum.qname_len, n);
	assert_memory_equal(sum.qname, wire_name, n);
}

#define EMPTY_SECTIONS \
	",'queries':[],'answers':[],'authorities':[],'additionals':[]"

/* ---- well-formed messages ---- */

static void test_query_edns_cookie(void **state)
{
	static const uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 0x1234, 0x0120, 1, 0, 0, 1); /* RD, AD */
	w_question(&w, "example.com", 1, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0x00008000); /* version 0, DO */
	w_u16(&w, 10);
	w_u16(&w, sizeof(cookie));
	w_raw(&w, cookie, sizeof(cookie));
	w_rdend(&w, rd);
	expect(&w, DNS_OK,
	       ",'id':4660,'qr':'query','opcode':0,'opcode_name':'QUERY','rcode':0,"
	       "'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,'rd':true,"
	       "'ra':false,'z':false,'ad':true,'cd':false},'qdcount':1,"
	       "'ancount':0,'nscount':0,'arcount':1,"
	       "'queries':[{'name':'example.com.','type':1,'type_name':'A',"
	       "'class':1,'class_name':'IN'}],'answers':[],'authorities':[],"
	       "'additionals':[],'edns':{'udp_size':1232,'version':0,'do':true,"
	       "'z':0,'options':[{'code':10,'name':'COOKIE',"
	       "'client':'0102030405060708'}]}");
	assert_int_equal(sum.has_header, 1);
	assert_int_equal(sum.qr, 0);
	assert_int_equal(sum.opcode, 0);
	assert_int_equal(sum.id, 0x1234);
	assert_int_equal(sum.rcode, 0);
	assert_int_equal(sum.qtype, 1);
	assert_int_equal(sum.qclass, 1);
	expect_qname("\7example\3com", 13);
}

/*
 * A response using compression everywhere: pointers to the question, to a
 * suffix of it and into the RDATA of an earlier RR. The TXT string holds
 * a quote, a backslash, a control byte and a byte >= 0x80: ldns prints
 *   "a\"b\\c\007\255"
 * and JSON escapes that again to
 *   "\"a\\\"b\\\\c\\007\\255\""
 */
static void test_response_compressed(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t txt[] = { 7, 'a', '"', 'b', '\\', 'c', 0x07, 0xff };
	struct wire w;
	size_t q, example, host, rd;
	(void)state;

	w_header(&w, 0xbeef, 0x8180, 1, 5, 1, 0);
	q = w_name(&w, "www.example.com");
	example = q + 4;
	w_u16(&w, 1);
	w_u16(&w, 1);

	w_ptr(&w, q);
	rd = w_rr(&w, 5, 1, 300);
	host = w_labels(&w, "host");
	w_ptr(&w, example);
	w_rdend(&w, rd);

	w_ptr(&w, host);
	rd = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\xc0\x00\x02\x01", 4);
	w_rdend(&w, rd);

	w_ptr(&w, host);
	rd = w_rr(&w, 28, 1, 300);
	w_raw(&w, v6, sizeof(v6));
	w_rdend(&w, rd);

	w_ptr(&w, example);
	rd = w_rr(&w, 15, 1, 300);
	w_u16(&w, 10);
	w_labels(&w, "mail");
	w_ptr(&w, example);
	w_rdend(&w, rd);

	w_ptr(&w, example);
	rd = w_rr(&w, 16, 1, 60);
	w_raw(&w, txt, sizeof(txt));
	w_rdend(&w, rd);

	w_ptr(&w, example);
	rd = w_rr(&w, 6, 1, 3600);
	w_labels(&w, "ns1");
	w_ptr(&w, example);
	w_labels(&w, "hostmaster");
	w_ptr(&w, example);
	w_u32(&w, 2024010101);
	w_u32(&w, 7200);
	w_u32(&w, 3600);
	w_u32(&w, 1209600);
	w_u32(&w, 300);
	w_rdend(&w, rd);

	expect(&w, DNS_OK,
	       ",'id':48879,'qr':'response','opcode':0,'opcode_name':'QUERY',"
	       "'rcode':0,'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,"
	       "'rd':true,'ra':true,'z':false,'ad':false,'cd':false},"
	       "'qdcount':1,'ancount':5,'nscount':1,'arcount':0,"
	       "'queries':[{'name':'www.example.com.','type':1,'type_name':'A',"
	       "'class':1,'class_name':'IN'}],"
	       "'answers':["
	       "{'name':'www.example.com.','type':5,'type_name':'CNAME','class':1,"
	       "'class_name':'IN','ttl':300,'rdata':'host.example.com.'},"
	       "{'name':'host.example.com.','type':1,'type_name':'A','class':1,"
	       "'class_name':'IN','ttl':300,'rdata':'192.0.2.1'},"
	       "{'name':'host.example.com.','type':28,'type_name':'AAAA','class':1,"
	       "'class_name':'IN','ttl':300,'rdata':'2001:db8::1'},"
	       "{'name':'example.com.','type':15,'type_name':'MX','class':1,"
	       "'class_name':'IN','ttl':300,'rdata':'10 mail.example.com.'},"
	       "{'name':'example.com.','type':16,'type_name':'TXT','class':1,"
	       "'class_name':'IN','ttl':60,"
	       "'rdata':'\\'a\\\\\\'b\\\\\\\\c\\\\007\\\\255\\''}],"
	       "'authorities':[{'name':'example.com.','type':6,'type_name':'SOA',"
	       "'class':1,'class_name':'IN','ttl':3600,'rdata':'ns1.example.com. "
	       "hostmaster.example.com. 2024010101 7200 3600 1209600 300'}],"
	       "'additionals':[]");
	/* The TXT rdata once more, spelled out byte for byte. */
	assert_non_null(strstr(out, "\"rdata\":\"\\\"a\\\\\\\"b\\\\\\\\c\\\\007\\\\255\\\"\"}"));
	assert_int_equal(sum.qr, 1);
	expect_qname("\3www\7example\3com", 17);
}

/* RFC 3597: unknown type and class by number, RDATA as "\# len hex". */
static void test_unknown_type_and_class(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 7, 0x8100, 1, 2, 0, 0);
	w_question(&w, "", 65280, 32);
	w_name(&w, "");
	rd = w_rr(&w, 65280, 1, 0);
	w_raw(&w, "\x01\x02\x03", 3);
	w_rdend(&w, rd);
	w_name(&w, "");
	rd = w_rr(&w, 54, 4, 1); /* unassigned, inside ldns's table range */
	w_rdend(&w, rd);
	expect(&w, DNS_OK,
	       ",'id':7,'qr':'response','opcode':0,'opcode_name':'QUERY','rcode':0,"
	       "'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,'rd':true,"
	       "'ra':false,'z':false,'ad':false,'cd':false},'qdcount':1,"
	       "'ancount':2,'nscount':0,'arcount':0,"
	       "'queries':[{'name':'.','type':65280,'type_name':'TYPE65280',"
	       "'class':32,'class_name':'CLASS32'}],"
	       "'answers':[{'name':'.','type':65280,'type_name':'TYPE65280',"
	       "'class':1,'class_name':'IN','ttl':0,'rdata':'\\\\# 3 010203'},"
	       "{'name':'.','type':54,'type_name':'TYPE54','class':4,"
	       "'class_name':'HS','ttl':1,'rdata':''}],"
	       "'authorities':[],'additionals':[]");
	assert_int_equal(sum.qtype, 65280);
	assert_int_equal(sum.qclass, 32);
	expect_qname("", 1);
}

/* Header RCODE 0 + OPT extended RCODE 1 = 16, BADVERS (RFC 6891 6.1.3). */
static void test_extended_rcode(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 1, 0x8000, 0, 0, 0, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 512, 0x01000000);
	w_rdend(&w, rd);
	expect(&w, DNS_OK,
	       ",'id':1,'qr':'response','opcode':0,'opcode_name':'QUERY',"
	       "'rcode':16,'rcode_name':'BADVERS','flags':{'aa':false,'tc':false,"
	       "'rd':false,'ra':false,'z':false,'ad':false,'cd':false},"
	       "'qdcount':0,'ancount':0,'nscount':0,'arcount':1" EMPTY_SECTIONS
	       ",'edns':{'udp_size':512,'version':0,'do':false,'z':0,'options':[]}");
	assert_int_equal(sum.rcode, 16);
	assert_int_equal(sum.has_question, 0);

	/* Highest bits everywhere: RCODE 4095 has no name; version 255. */
	w_header(&w, 1, 0x800f, 0, 0, 0, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 4096, 0xffff0000);
	w_rdend(&w, rd);
	render(w.b, w.n);
	assert_non_null(strstr(out, "\"rcode\":4095,\"rcode_name\":\"RCODE4095\""));
	assert_non_null(strstr(out, "\"version\":255,\"do\":false,\"z\":0,"));
	assert_int_equal(sum.rcode, 4095);
}

/* An OPT RR whose fields are all zero still means EDNS is present. */
static void test_edns_all_zero(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 2, 0x8005, 0, 0, 0, 1); /* RCODE 5 stays 5 */
	w_name(&w, "");
	rd = w_rr(&w, 41, 0, 0);
	w_rdend(&w, rd);
	render(w.b, w.n);
	assert_non_null(strstr(out, ",\"rcode\":5,\"rcode_name\":\"REFUSED\""));
	assert_non_null(strstr(out, ",\"edns\":{\"udp_size\":0,\"version\":0,"
				    "\"do\":false,\"z\":0,\"options\":[]}"));
	assert_int_equal(sum.rcode, 5);

	/* Without OPT there is no "edns" member. */
	w_header(&w, 2, 0x8005, 0, 0, 0, 0);
	render(w.b, w.n);
	assert_null(strstr(out, "edns"));
}

static void test_notify(void **state)
{
	struct wire w;
	(void)state;

	w_header(&w, 0xabcd, 0x2400, 1, 0, 0, 0); /* opcode 4, AA */
	w_question(&w, "example.com", 6, 1);
	expect(&w, DNS_OK,
	       ",'id':43981,'qr':'query','opcode':4,'opcode_name':'NOTIFY',"
	       "'rcode':0,'rcode_name':'NOERROR','flags':{'aa':true,'tc':false,"
	       "'rd':false,'ra':false,'z':false,'ad':false,'cd':false},"
	       "'qdcount':1,'ancount':0,'nscount':0,'arcount':0,"
	       "'queries':[{'name':'example.com.','type':6,'type_name':'SOA',"
	       "'class':1,'class_name':'IN'}],"
	       "'answers':[],'authorities':[],'additionals':[]");
	assert_int_equal(sum.opcode, 4);
}

/* UPDATE deleting an RRset (class ANY, RDLENGTH 0) and an RR (class NONE):
 * no RDATA fields gives "", not ldns_rr2str's "\# 0". Z, TC, CD set. */
static void test_update_empty_rdata(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 9, 0x2a50, 1, 0, 2, 0); /* UPDATE, TC, Z, CD */
	w_question(&w, "example.com", 6, 1);
	w_name(&w, "www.example.com");
	rd = w_rr(&w, 1, 255, 0);
	w_rdend(&w, rd);
	w_name(&w, "www.example.com");
	rd = w_rr(&w, 1, 254, 0);
	w_raw(&w, "\x0a\x00\x00\x01", 4);
	w_rdend(&w, rd);
	expect(&w, DNS_OK,
	       ",'id':9,'qr':'query','opcode':5,'opcode_name':'UPDATE',"
	       "'rcode':0,'rcode_name':'NOERROR','flags':{'aa':false,'tc':true,"
	       "'rd':false,'ra':false,'z':true,'ad':false,'cd':true},"
	       "'qdcount':1,'ancount':0,'nscount':2,'arcount':0,"
	       "'queries':[{'name':'example.com.','type':6,'type_name':'SOA',"
	       "'class':1,'class_name':'IN'}],'answers':[],"
	       "'authorities':[{'name':'www.example.com.','type':1,"
	       "'type_name':'A','class':255,'class_name':'ANY','ttl':0,"
	       "'rdata':''},{'name':'www.example.com.','type':1,'type_name':'A',"
	       "'class':254,'class_name':'NONE','ttl':0,'rdata':'10.0.0.1'}],"
	       "'additionals':[]");
}

/*
 * Label bytes ldns escapes: '.' as \., space as \032, 0x80 as \128. A '"'
 * is left alone by ldns (zone files do not need it escaped in names), so
 * only JSON escapes it.
 */
static void test_name_escapes(void **state)
{
	static const uint8_t name[] = { 3, 'a', '.', 'b', 3, 'c', ' ', 'd',
					2, 0x80, '"', 0 };
	struct wire w;
	(void)state;

	w_header(&w, 3, 0x0100, 1, 0, 0, 0);
	w_raw(&w, name, sizeof(name));
	w_u16(&w, 1);
	w_u16(&w, 1);
	expect(&w, DNS_OK,
	       W_HDR_QUERY_RD(3, 1, 0, 0, 0) ",'queries':[{'name':"
	       "'a\\\\.b.c\\\\032d.\\\\128\\'.','type':1,'type_name':'A',"
	       "'class':1,'class_name':'IN'}],"
	       "'answers':[],'authorities':[],'additionals':[]");
	assert_non_null(strstr(out, "\"name\":\"a\\\\.b.c\\\\032d.\\\\128\\\".\""));
	expect_qname(name, sizeof(name));
}

/* A TSIG is written last in additionals although ldns keeps it apart.
 * ldns_rr2str would print its RDATA with a double space after the time
 * and a trailing space; those are trimmed. */
static void test_tsig_kept(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 5, 0x0000, 0, 0, 0, 2);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_rdend(&w, rd);
	w_name(&w, "key");
	rd = w_rr(&w, 250, 255, 0);
	w_name(&w, "hmac-sha256");
	w_raw(&w, "\x00\x00\x65\x00\x00\x00", 6); /* time signed */
	w_u16(&w, 300);                          /* fudge */
	w_u16(&w, 2);                            /* MAC size */
	w_raw(&w, "\xab\xcd", 2);
	w_u16(&w, 5);                            /* original id */
	w_u16(&w, 0);                            /* error */
	w_u16(&w, 0);                            /* other len */
	w_rdend(&w, rd);
	assert_int_equal(render(w.b, w.n), DNS_OK);
	assert_non_null(strstr(out, ",\"additionals\":[{\"name\":\"key.\","
				    "\"type\":250,\"type_name\":\"TSIG\","
				    "\"class\":255,\"class_name\":\"ANY\","
				    "\"ttl\":0,\"rdata\":\"hmac-sha256. "
				    "1694498816 300 2 q80= 5 0 0\"}]"));
	assert_non_null(strstr(out, "\"edns\":{\"udp_size\":1232"));
}

/* NSEC bitmap: ldns prints each type followed by a space; trimmed. */
static void test_nsec_bitmap(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 1, 0x8400, 0, 1, 0, 0);
	w_name(&w, "a.example");
	rd = w_rr(&w, 47, 1, 3600);
	w_name(&w, "b.example");
	w_raw(&w, "\x00\x06\x40\x00\x00\x00\x00\x03", 8); /* A, RRSIG, NSEC */
	w_rdend(&w, rd);
	assert_int_equal(render(w.b, w.n), DNS_OK);
	assert_non_null(strstr(out, "\"ttl\":3600,\"rdata\":\"b.example. A RRSIG NSEC\"}"));
}

/* ---- malformed messages ---- */

static void test_short_header(void **state)
{
	static const uint8_t w[11] = { 0x12, 0x34, 0x01 };
	(void)state;

	assert_int_equal(render(w, sizeof(w)), DNS_E_SHORT_HEADER);
	assert_int_equal(out_len, 0);
	assert_int_equal(sum.has_header, 0);
	assert_int_equal(sum.has_question, 0);
	assert_int_equal(render(w, 0), DNS_E_SHORT_HEADER);
	assert_int_equal(out_len, 0);
}

/* QDCOUNT 2, one question: header and empty sections; the summary still
 * has the question that was there. */
static void test_qdcount_lies(void **state)
{
	struct wire w;
	(void)state;

	w_header(&w, 77, 0x0100, 2, 0, 0, 0);
	w_question(&w, "a", 1, 1);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_WIRE_INCOMPLETE_QUESTION);
	expect(&w, DNS_E_QUESTION,
	       W_HDR_QUERY_RD(77, 2, 0, 0, 0) EMPTY_SECTIONS);
	assert_int_equal(sum.has_header, 1);
	assert_int_equal(sum.id, 77);
	assert_int_equal(sum.qtype, 1);
	expect_qname("\1a", 3);

	/* Question cut inside QTYPE. */
	w_header(&w, 77, 0x0100, 1, 0, 0, 0);
	w_name(&w, "a");
	w_u8(&w, 0);
	assert_int_equal(render(w.b, w.n), DNS_E_QUESTION);
	assert_int_equal(sum.has_question, 0);
}

/*
 * Pointer loops. ldns has no status for them: a loop of pointers alone
 * ends after LDNS_MAX_POINTERS (65535) hops as INVALID_POINTER, and a
 * loop through a label as DOMAINNAME_OVERFLOW once 255 octets are
 * exceeded. Both are reported as name_pointer_loop.
 */
static void test_pointer_loop(void **state)
{
	struct wire w;
	size_t rd, at;
	(void)state;

	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_ptr(&w, 12); /* points at itself */
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_INVALID_POINTER);
	expect(&w, DNS_E_NAME_LOOP,
	       W_HDR_QUERY_RD(1, 1, 0, 0, 0) EMPTY_SECTIONS);
	assert_int_equal(sum.has_question, 0);

	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_labels(&w, "a");
	w_ptr(&w, 12); /* back to the label: a.a.a.a... */
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_DOMAINNAME_OVERFLOW);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_LOOP);

	/* Two pointers pointing at each other, in an answer's RDATA. */
	w_header(&w, 1, 0x8100, 0, 1, 0, 0);
	w_name(&w, "");
	rd = w_rr(&w, 5, 1, 0);
	at = w.n;
	w_ptr(&w, at + 2);
	w_ptr(&w, at);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_INVALID_POINTER);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_LOOP);
}

/* A long name that does not loop is name_too_long: 5 x 63-octet labels. */
static void test_name_too_long(void **state)
{
	struct wire w;
	uint8_t label[64];
	(void)state;

	label[0] = 63;
	memset(label + 1, 'x', 63);
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 4; i++)
		w_raw(&w, label, sizeof(label));
	w_name(&w, "");
	w_u16(&w, 1);
	w_u16(&w, 1);
	/* 4 * 64 + 1 = 257 octets */
	assert_int_equal(ldns_says(&w), LDNS_STATUS_DOMAINNAME_OVERFLOW);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_TOO_LONG);

	/* 3 * 64 + 62 + 1 = 255 octets is the longest allowed. */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++)
		w_raw(&w, label, sizeof(label));
	label[0] = 61;
	w_raw(&w, label, 62);
	w_name(&w, "");
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(render(w.b, w.n), DNS_OK);
	assert_int_equal(sum.qname_len, 255);
}

static void test_bad_pointers(void **state)
{
	struct wire w;
	(void)state;

	/* past the end of the message */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_ptr(&w, 0x63);
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_INVALID_POINTER);
	expect(&w, DNS_E_NAME_BAD_POINTER,
	       W_HDR_QUERY_RD(1, 1, 0, 0, 0) EMPTY_SECTIONS);

	/* to offset 0 (ldns refuses it: the header is no name) */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_ptr(&w, 0);
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_BAD_POINTER);

	/* cut in half by the end of the message */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_u8(&w, 0xc0);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_WIRE_INCOMPLETE_QUESTION);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_PAST_END);
}

/* ldns says LABEL_OVERFLOW for both a label length 64..191 (the 0x40 and
 * 0x80 label types) and a label running past the end. */
static void test_bad_labels(void **state)
{
	struct wire w;
	(void)state;

	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_u8(&w, 64);
	w_raw(&w, "a", 1);
	w_u8(&w, 0);
	w_u16(&w, 1);
	w_u16(&w, 1);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_LABEL_OVERFLOW);
	expect(&w, DNS_E_NAME_LABEL_TYPE,
	       W_HDR_QUERY_RD(1, 1, 0, 0, 0) EMPTY_SECTIONS);

	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_u8(&w, 0x80);
	w_u8(&w, 0);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_LABEL_TYPE);

	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_u8(&w, 5);
	w_raw(&w, "ab", 2);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_LABEL_OVERFLOW);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_PAST_END);

	/* last label ends exactly at the end, no root label */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_labels(&w, "ab");
	assert_int_equal(ldns_says(&w), LDNS_STATUS_LABEL_OVERFLOW);
	assert_int_equal(render(w.b, w.n), DNS_E_NAME_PAST_END);
}

static void test_rdlength_past_end(void **state)
{
	struct wire w;
	(void)state;

	w_header(&w, 1, 0x8180, 1, 1, 0, 0);
	w_question(&w, "a", 1, 1);
	w_ptr(&w, 12);
	w_rr(&w, 1, 1, 60);
	w.b[w.n - 1] = 5; /* RDLENGTH 5, 4 bytes follow */
	w_raw(&w, "\x01\x02\x03\x04", 4);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_WIRE_INCOMPLETE_ANSWER);
	expect(&w, DNS_E_RR_PAST_END,
	       ",'id':1,'qr':'response','opcode':0,'opcode_name':'QUERY',"
	       "'rcode':0,'rcode_name':'NOERROR','flags':{'aa':false,"
	       "'tc':false,'rd':true,'ra':true,'z':false,'ad':false,"
	       "'cd':false},'qdcount':1,'ancount':1,'nscount':0,'arcount':0"
	       EMPTY_SECTIONS);
	expect_qname("\1a", 3);

	/* ANCOUNT 2, one answer: the missing RR is past the end too. */
	w_header(&w, 1, 0x8180, 0, 2, 0, 0);
	w_name(&w, "");
	w_rr(&w, 1, 1, 60);
	w.b[w.n - 1] = 4;
	w_raw(&w, "\x01\x02\x03\x04", 4);
	assert_int_equal(render(w.b, w.n), DNS_E_RR_PAST_END);
}

/* RDATA framing errors ldns only notices as a section running short. */
static void test_rdata_invalid(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	/* TXT string length beyond RDLENGTH */
	w_header(&w, 1, 0x8180, 0, 1, 0, 0);
	w_name(&w, "");
	rd = w_rr(&w, 16, 1, 0);
	w_raw(&w, "\x05" "ab", 3);
	w_rdend(&w, rd);
	w_raw(&w, "cde", 3);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_WIRE_INCOMPLETE_ANSWER);
	assert_int_equal(render(w.b, w.n), DNS_E_RDATA);

	/* A with 5 bytes followed by another RR: ldns reads 4 and then
	 * misframes the next RR. */
	w_header(&w, 1, 0x8180, 0, 2, 0, 0);
	w_name(&w, "");
	rd = w_rr(&w, 1, 1, 0);
	w_raw(&w, "\x01\x02\x03\x04\x05", 5);
	w_rdend(&w, rd);
	w_name(&w, "");
	rd = w_rr(&w, 1, 1, 0);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_WIRE_INCOMPLETE_ANSWER);
	assert_int_equal(render(w.b, w.n), DNS_E_RDATA);
}

/* RDATA ldns parses but will not print (SvcParam length past its end):
 * written in the RFC 3597 generic form, flagged rdata_invalid. */
static void test_rdata_unprintable(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 1, 0x8180, 0, 1, 0, 0);
	w_name(&w, "");
	rd = w_rr(&w, 64, 1, 0);
	w_u16(&w, 1);              /* priority */
	w_name(&w, "");            /* target */
	w_u16(&w, 1);              /* key alpn */
	w_u16(&w, 9);              /* length 9, 2 bytes follow */
	w_raw(&w, "h2", 2);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	assert_int_equal(render(w.b, w.n), DNS_E_RDATA);
	assert_non_null(strstr(out, "\"type_name\":\"SVCB\",\"class\":1,"
				    "\"class_name\":\"IN\",\"ttl\":0,"
				    "\"rdata\":\"\\\\# 9 000100000100096832\"}"));
}

static void test_edns_bad_options(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	/* NSID, then an option claiming 9 bytes with 2 present */
	w_header(&w, 1, 0x0000, 0, 0, 0, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_u16(&w, 3);
	w_u16(&w, 0);
	w_u16(&w, 65001);
	w_u16(&w, 9);
	w_raw(&w, "\xab\xcd", 2);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	assert_int_equal(render(w.b, w.n), DNS_E_OPT);
	assert_non_null(strstr(out, ",\"edns\":{\"udp_size\":1232,\"version\":0,"
				    "\"do\":false,\"z\":0,\"options\":[{\"code\":3,"
				    "\"name\":\"NSID\"}]}"));

	/* three stray bytes after a complete option */
	w_header(&w, 1, 0x0000, 0, 0, 0, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_u16(&w, 65001);
	w_u16(&w, 0);
	w_raw(&w, "\x00\x0c\x00", 3);
	w_rdend(&w, rd);
	assert_int_equal(render(w.b, w.n), DNS_E_OPT);
	assert_non_null(strstr(out, "\"options\":[{\"code\":65001,"
				    "\"name\":\"OPT65001\"}]}"));

	/* two OPT RRs: ldns merges them, we flag it */
	w_header(&w, 1, 0x0000, 0, 0, 0, 2);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_rdend(&w, rd);
	w_name(&w, "");
	rd = w_rr(&w, 41, 512, 0);
	w_rdend(&w, rd);
	assert_int_equal(render(w.b, w.n), DNS_E_OPT);
	assert_non_null(strstr(out, "\"additionals\":[],\"edns\":{\"udp_size\":512,"));
}

/* ---- EDNS options, decoded by type (dns_put_edns in dns/names.c) ---- */

/* One option body and what it must become. json is the option object
 * (with ' for "); a well-formed ECS option is also expected as "ecs". */
struct opt_case {
	uint16_t code;
	const char *data;
	size_t len;
	const char *json;
	enum dns_err err;
};

#define OC(code, lit, json, err) { (code), (lit), sizeof(lit) - 1, (json), (err) }

static const struct opt_case opt_cases[] = {
	/* ECS (RFC 7871): the address padded to its full length */
	OC(8, "\x00\x01\x18\x00\xc6\x33\x64",
	   "{'code':8,'name':'ECS','family':1,'source_prefix':24,"
	   "'scope_prefix':0,'address':'198.51.100.0'}", DNS_OK),
	OC(8, "\x00\x01\x00\x00",
	   "{'code':8,'name':'ECS','family':1,'source_prefix':0,"
	   "'scope_prefix':0,'address':'0.0.0.0'}", DNS_OK),
	OC(8, "\x00\x01\x20\x20\xc0\x00\x02\x01",
	   "{'code':8,'name':'ECS','family':1,'source_prefix':32,"
	   "'scope_prefix':32,'address':'192.0.2.1'}", DNS_OK),
	/* bits set beyond the source prefix: shown as sent */
	OC(8, "\x00\x01\x16\x00\xc0\x00\x03",
	   "{'code':8,'name':'ECS','family':1,'source_prefix':22,"
	   "'scope_prefix':0,'address':'192.0.3.0'}", DNS_OK),
	OC(8, "\x00\x02\x38\x00\x20\x01\x0d\xb8\x00\x01\x02",
	   "{'code':8,'name':'ECS','family':2,'source_prefix':56,"
	   "'scope_prefix':0,'address':'2001:db8:1:200::'}", DNS_OK),
	OC(8, "\x00\x02\x80\x40\x20\x01\x0d\xb8\x00\x00\x00\x00"
	   "\x00\x00\x00\x00\x00\x00\x00\x01",
	   "{'code':8,'name':'ECS','family':2,'source_prefix':128,"
	   "'scope_prefix':64,'address':'2001:db8::1'}", DNS_OK),
	OC(8, "\x00\x02\x00\x00",
	   "{'code':8,'name':'ECS','family':2,'source_prefix':0,"
	   "'scope_prefix':0,'address':'::'}", DNS_OK),
	/* other families: the octets as sent */
	OC(8, "\x00\x03\x10\x00\xab\xcd",
	   "{'code':8,'name':'ECS','family':3,'source_prefix':16,"
	   "'scope_prefix':0,'address_hex':'abcd'}", DNS_OK),
	OC(8, "\x00\x00\x00\x00",
	   "{'code':8,'name':'ECS','family':0,'source_prefix':0,"
	   "'scope_prefix':0,'address_hex':''}", DNS_OK),
	/* malformed ECS: short, too many or too few address octets,
	 * prefixes wider than the address */
	OC(8, "", "{'code':8,'name':'ECS','malformed':true}", DNS_E_OPT),
	OC(8, "\x00\x01\x18",
	   "{'code':8,'name':'ECS','hex':'000118','malformed':true}", DNS_E_OPT),
	OC(8, "\x00\x01\x18\x00\xc6\x33\x64\x00",
	   "{'code':8,'name':'ECS','hex':'00011800c6336400','malformed':true}",
	   DNS_E_OPT),
	OC(8, "\x00\x01\x18\x00\xc6\x33",
	   "{'code':8,'name':'ECS','hex':'00011800c633','malformed':true}",
	   DNS_E_OPT),
	OC(8, "\x00\x01\x21\x00\x01\x02\x03\x04\x05",
	   "{'code':8,'name':'ECS','hex':'000121000102030405','malformed':true}",
	   DNS_E_OPT),
	OC(8, "\x00\x01\x18\x21\xc6\x33\x64",
	   "{'code':8,'name':'ECS','hex':'00011821c63364','malformed':true}",
	   DNS_E_OPT),
	OC(8, "\x00\x02\x81\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	   "\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	   "{'code':8,'name':'ECS','hex':'0002810000000000000000000000000000000000"
	   "00','malformed':true}", DNS_E_OPT),
	OC(8, "\x00\x03\x08\x00",
	   "{'code':8,'name':'ECS','hex':'00030800','malformed':true}", DNS_E_OPT),

	/* COOKIE (RFC 7873): client 8, server 8..32 */
	OC(10, "\x01\x02\x03\x04\x05\x06\x07\x08",
	   "{'code':10,'name':'COOKIE','client':'0102030405060708'}", DNS_OK),
	OC(10, "\x01\x02\x03\x04\x05\x06\x07\x08\xa0\xb1\xc2\xd3\xe4\xf5\x06\x17",
	   "{'code':10,'name':'COOKIE','client':'0102030405060708',"
	   "'server':'a0b1c2d3e4f50617'}", DNS_OK),
	OC(10, "01234567" "0123456789abcdef0123456789abcdef",
	   "{'code':10,'name':'COOKIE','client':'3031323334353637',"
	   "'server':'3031323334353637383961626364656630313233343536373839616263"
	   "646566'}", DNS_OK),
	OC(10, "", "{'code':10,'name':'COOKIE','malformed':true}", DNS_E_OPT),
	OC(10, "\x01\x02\x03\x04\x05\x06\x07",
	   "{'code':10,'name':'COOKIE','hex':'01020304050607','malformed':true}",
	   DNS_E_OPT),
	OC(10, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c",
	   "{'code':10,'name':'COOKIE','hex':'0102030405060708090a0b0c',"
	   "'malformed':true}", DNS_E_OPT),
	OC(10, "01234567" "0123456789abcdef0123456789abcdef" "x",
	   "{'code':10,'name':'COOKIE','hex':'3031323334353637303132333435363738"
	   "3961626364656630313233343536373839616263646566" "78',"
	   "'malformed':true}", DNS_E_OPT),

	/* NSID (RFC 5001): empty in queries; text only when printable */
	OC(3, "", "{'code':3,'name':'NSID'}", DNS_OK),
	OC(3, "ns1.example",
	   "{'code':3,'name':'NSID','hex':'6e73312e6578616d706c65',"
	   "'text':'ns1.example'}", DNS_OK),
	OC(3, "a\"b\\c ~",
	   "{'code':3,'name':'NSID','hex':'6122625c63207e','text':'a\\\"b\\\\c ~'}",
	   DNS_OK),
	OC(3, "ab\x7f", "{'code':3,'name':'NSID','hex':'61627f'}", DNS_OK),
	OC(3, "\x00\xff", "{'code':3,'name':'NSID','hex':'00ff'}", DNS_OK),

	/* EDE (RFC 8914): info code, IANA name, extra text */
	OC(15, "\x00\x0f", "{'code':15,'name':'EDE','info_code':15,"
	   "'info_name':'Blocked'}", DNS_OK),
	OC(15, "\x00\x00", "{'code':15,'name':'EDE','info_code':0,"
	   "'info_name':'Other Error'}", DNS_OK),
	OC(15, "\x00\x09no SEP", "{'code':15,'name':'EDE','info_code':9,"
	   "'info_name':'DNSKEY Missing','extra_text':'no SEP'}", DNS_OK),
	OC(15, "\x00\x19", "{'code':15,'name':'EDE','info_code':25,"
	   "'info_name':'Signature Expired before Valid'}", DNS_OK),
	OC(15, "\x00\x1e", "{'code':15,'name':'EDE','info_code':30,"
	   "'info_name':'Invalid Query Type'}", DNS_OK),
	OC(15, "\x00\x1f", "{'code':15,'name':'EDE','info_code':31,"
	   "'info_name':'EDE31'}", DNS_OK),
	OC(15, "\xc0\x00", "{'code':15,'name':'EDE','info_code':49152,"
	   "'info_name':'EDE49152'}", DNS_OK),
	/* UTF-8 passes, quotes are escaped, a stray byte becomes \u00ff */
	OC(15, "\x00\x12\xc3\xa9 \"x\"\xff", "{'code':15,'name':'EDE','info_code':18,"
	   "'info_name':'Prohibited','extra_text':'\xc3\xa9 \\\"x\\\"\\u00ff'}",
	   DNS_OK),
	OC(15, "", "{'code':15,'name':'EDE','malformed':true}", DNS_E_OPT),
	OC(15, "\x00", "{'code':15,'name':'EDE','hex':'00','malformed':true}",
	   DNS_E_OPT),

	/* PADDING (RFC 7830): only its length; any octets */
	OC(12, "", "{'code':12,'name':'PADDING','length':0}", DNS_OK),
	OC(12, "\x00\x00\x00\xff\x01", "{'code':12,'name':'PADDING','length':5}",
	   DNS_OK),

	/* KEEPALIVE (RFC 7828): empty or a 2-octet timeout */
	OC(11, "", "{'code':11,'name':'KEEPALIVE'}", DNS_OK),
	OC(11, "\x04\xd2", "{'code':11,'name':'KEEPALIVE','timeout':1234}", DNS_OK),
	OC(11, "\x04", "{'code':11,'name':'KEEPALIVE','hex':'04','malformed':true}",
	   DNS_E_OPT),
	OC(11, "\x00\x01\x02",
	   "{'code':11,'name':'KEEPALIVE','hex':'000102','malformed':true}",
	   DNS_E_OPT),

	/* CHAIN (RFC 7901): one uncompressed name filling the option */
	OC(13, "\x00", "{'code':13,'name':'CHAIN','closest_encloser':'.'}", DNS_OK),
	OC(13, "\x03" "foo\x07" "example\x03" "com\x00",
	   "{'code':13,'name':'CHAIN','closest_encloser':'foo.example.com.'}",
	   DNS_OK),
	OC(13, "\x04" "a.b\x07\x00",
	   "{'code':13,'name':'CHAIN','closest_encloser':'a\\\\.b\\\\007.'}",
	   DNS_OK),
	OC(13, "", "{'code':13,'name':'CHAIN','malformed':true}", DNS_E_OPT),
	OC(13, "\xc0\x0c", "{'code':13,'name':'CHAIN','hex':'c00c','malformed':true}",
	   DNS_E_OPT),
	OC(13, "\x03" "com", "{'code':13,'name':'CHAIN','hex':'03636f6d',"
	   "'malformed':true}", DNS_E_OPT),
	OC(13, "\x03" "com\x00\x00", "{'code':13,'name':'CHAIN',"
	   "'hex':'03636f6d0000','malformed':true}", DNS_E_OPT),
	OC(13, "\x40", "{'code':13,'name':'CHAIN','hex':'40','malformed':true}",
	   DNS_E_OPT),

	/* EXPIRE (RFC 7314): empty or 4 octets of seconds */
	OC(9, "", "{'code':9,'name':'EXPIRE'}", DNS_OK),
	OC(9, "\x00\x12\x75\x00", "{'code':9,'name':'EXPIRE','expire':1209600}",
	   DNS_OK),
	OC(9, "\xff\xff\xff\xff", "{'code':9,'name':'EXPIRE','expire':4294967295}",
	   DNS_OK),
	OC(9, "\x00\x01", "{'code':9,'name':'EXPIRE','hex':'0001','malformed':true}",
	   DNS_E_OPT),

	/* the rest: hex of the data, none when empty */
	OC(1, "\x00\x01\x00\x01", "{'code':1,'name':'LLQ','hex':'00010001'}", DNS_OK),
	OC(5, "\x08\x0d", "{'code':5,'name':'DAU','hex':'080d'}", DNS_OK),
	OC(14, "\x4f\x66", "{'code':14,'name':'KEY-TAG','hex':'4f66'}", DNS_OK),
	OC(65001, "", "{'code':65001,'name':'OPT65001'}", DNS_OK),
	OC(4, "\xde\xad", "{'code':4,'name':'OPT4','hex':'dead'}", DNS_OK),
};

/* A query with no question and one OPT RR (UDP size 1232, TTL ttl)
 * holding the options given as raw bytes. */
static void opt_message(struct wire *w, uint32_t ttl, const void *opts, size_t n)
{
	w_header(w, 1, 0x0000, 0, 0, 0, 1);
	w_opt(w, 1232, ttl, opts, n);
}

#define OPT_MSG_HEAD \
	",'id':1,'qr':'query','opcode':0,'opcode_name':'QUERY','rcode':0," \
	"'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,'rd':false," \
	"'ra':false,'z':false,'ad':false,'cd':false},'qdcount':0," \
	"'ancount':0,'nscount':0,'arcount':1" EMPTY_SECTIONS \
	",'edns':{'udp_size':1232,'version':0,'do':false,'z':0,'options':["

static void test_edns_option_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
		const struct opt_case *c = &opt_cases[i];
		struct wire opt = { .n = 0 };
		struct wire w;
		char want[2048];
		const char *ecs = NULL;

		w_option(&opt, c->code, c->data, c->len);
		opt_message(&w, 0, opt.b, opt.n);
		/* a well-formed ECS option is repeated as "ecs" */
		if (c->code == 8 && c->err == DNS_OK)
			ecs = strstr(c->json, "'family'");
		if (ecs)
			snprintf(want, sizeof(want), OPT_MSG_HEAD "%s],'ecs':{%s}",
				 c->json, ecs);
		else
			snprintf(want, sizeof(want), OPT_MSG_HEAD "%s]}", c->json);
		assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
		expect(&w, c->err, want);
	}
}

/* Several options: the walk goes on after a malformed body; "ecs" is the
 * first well-formed ECS option; Z and DO; a bad length still ends it. */
static void test_edns_options_together(void **state)
{
	static const uint8_t opts[] = {
		0, 8, 0, 3, 0, 1, 24,                   /* ECS, malformed */
		0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,    /* COOKIE */
		0, 8, 0, 6, 0, 1, 16, 0, 10, 1,         /* ECS 10.1.0.0/16 */
		0, 8, 0, 5, 0, 1, 8, 0, 11,             /* ECS 11.0.0.0/8 */
		0, 12, 0, 2, 0, 0,                      /* PADDING */
	};
	struct wire w;
	(void)state;

	opt_message(&w, 0x0000ffff, opts, sizeof(opts)); /* DO + Z 0x7fff */
	expect(&w, DNS_E_OPT,
	       ",'id':1,'qr':'query','opcode':0,'opcode_name':'QUERY','rcode':0,"
	       "'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,'rd':false,"
	       "'ra':false,'z':false,'ad':false,'cd':false},'qdcount':0,"
	       "'ancount':0,'nscount':0,'arcount':1" EMPTY_SECTIONS
	       ",'edns':{'udp_size':1232,'version':0,'do':true,'z':32767,"
	       "'options':[{'code':8,'name':'ECS','hex':'000118','malformed':true},"
	       "{'code':10,'name':'COOKIE','client':'0102030405060708'},"
	       "{'code':8,'name':'ECS','family':1,'source_prefix':16,"
	       "'scope_prefix':0,'address':'10.1.0.0'},"
	       "{'code':8,'name':'ECS','family':1,'source_prefix':8,"
	       "'scope_prefix':0,'address':'11.0.0.0'},"
	       "{'code':12,'name':'PADDING','length':2}],"
	       "'ecs':{'family':1,'source_prefix':16,'scope_prefix':0,"
	       "'address':'10.1.0.0'}}");

	/* Z without DO, version 1; an ECS, then a length past the end: the
	 * ECS is listed and repeated, the message is opt_invalid */
	opt_message(&w, 0x00014001, "\x00\x08\x00\x05\x00\x01\x08\x00\x0b"
		    "\x00\x0a\x00\x09\x01", 14);
	expect(&w, DNS_E_OPT,
	       ",'id':1,'qr':'query','opcode':0,'opcode_name':'QUERY','rcode':0,"
	       "'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,'rd':false,"
	       "'ra':false,'z':false,'ad':false,'cd':false},'qdcount':0,"
	       "'ancount':0,'nscount':0,'arcount':1" EMPTY_SECTIONS
	       ",'edns':{'udp_size':1232,'version':1,'do':false,'z':16385,"
	       "'options':[{'code':8,'name':'ECS','family':1,'source_prefix':8,"
	       "'scope_prefix':0,'address':'11.0.0.0'}],"
	       "'ecs':{'family':1,'source_prefix':8,'scope_prefix':0,"
	       "'address':'11.0.0.0'}}");
}

/* Random option bodies for every decoded code (and a few others): the
 * record stays valid JSON (render() checks it) and the verdict is
 * DNS_OK or opt_invalid, never anything else. */
static void test_edns_random_options(void **state)
{
	static const uint16_t codes[] = { 3, 8, 9, 10, 11, 12, 13, 15, 1, 65535 };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	(void)state;

	for (unsigned round = 0; round < 20000; round++) {
		struct wire opts = { .n = 0 };
		struct wire w;
		enum dns_err err;

		for (unsigned k = 0; k < 1 + round % 3; k++) {
			uint16_t code;
			unsigned len;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			code = codes[x % (sizeof(codes) / sizeof(codes[0]))];
			len = (unsigned)(x >> 8) % 45;
			w_u16(&opts, code);
			w_u16(&opts, len);
			for (unsigned i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* small values often, so prefixes and label
				 * lengths are sometimes right */
				w_u8(&opts, (uint8_t)(x % 3 ? x % 40 : x >> 16));
			}
			if (code == 8 && len >= 4 && x % 2) { /* a fitting ECS */
				unsigned fam = 1 + (unsigned)(x >> 20) % 2;
				unsigned src = (unsigned)((x >> 24) % (fam == 1 ? 33 : 129));

				opts.n -= len;
				len = 4 + (src + 7) / 8;
				opts.b[opts.n - 1] = (uint8_t)len;
				w_u16(&opts, fam);
				w_u8(&opts, src);
				w_u8(&opts, (uint8_t)(x >> 40) % (fam == 1 ? 33 : 129));
				for (unsigned i = 4; i < len; i++)
					w_u8(&opts, (uint8_t)(x >> (i % 8 * 8)));
			}
		}
		opt_message(&w, (uint32_t)x, opts.b, opts.n);
		err = render(w.b, w.n);
		assert_true(err == DNS_OK || err == DNS_E_OPT);
		assert_non_null(strstr(out, "\"options\":[{\"code\":"));
	}
}

/* A TSIG before the OPT: ldns stops reading the section after the TSIG
 * and drops the OPT without a status; we report decode_error. */
static void test_tsig_not_last(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 1, 0x0000, 0, 0, 0, 2);
	w_name(&w, "");
	rd = w_rr(&w, 250, 255, 0);
	w_rdend(&w, rd);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	assert_int_equal(render(w.b, w.n), DNS_E_OTHER);
	assert_null(strstr(out, "edns"));
}

/* Two TSIGs that ldns would read: it would leak the first, so the
 * message is not handed to it. Three additionals without TSIGs pass. */
static void test_two_tsigs(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	w_header(&w, 1, 0x0000, 0, 0, 0, 3);
	for (int i = 0; i < 2; i++) {
		w_name(&w, "");
		rd = w_rr(&w, 250, 255, 0);
		w_rdend(&w, rd);
	}
	w_name(&w, "");
	rd = w_rr(&w, 1, 1, 0);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, rd);
	expect(&w, DNS_E_OTHER,
	       ",'id':1,'qr':'query','opcode':0,'opcode_name':'QUERY','rcode':0,"
	       "'rcode_name':'NOERROR','flags':{'aa':false,'tc':false,"
	       "'rd':false,'ra':false,'z':false,'ad':false,'cd':false},"
	       "'qdcount':0,'ancount':0,'nscount':0,'arcount':3" EMPTY_SECTIONS);

	w_header(&w, 1, 0x0000, 0, 0, 0, 3);
	for (int i = 0; i < 2; i++) {
		w_name(&w, "");
		rd = w_rr(&w, 1, 1, 0);
		w_raw(&w, "\x01\x02\x03\x04", 4);
		w_rdend(&w, rd);
	}
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_rdend(&w, rd);
	assert_int_equal(render(w.b, w.n), DNS_OK);
	assert_non_null(strstr(out, "\"rdata\":\"1.2.3.4\"}],\"edns\":{"));
}

/*
 * RDATA its fields do not fill exactly: ldns accepts it (and starts the
 * next RR where the fields ended); the record is written as ldns decoded
 * it and flagged rdata_invalid.
 */
static void test_rdata_not_filled(void **state)
{
	struct wire w;
	size_t rd;
	(void)state;

	/* an A of 6 bytes, the last RR */
	w_header(&w, 1, 0x8180, 1, 1, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	rd = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\x01\x02\x03\x04\x00\x00", 6);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	expect(&w, DNS_E_RDATA,
	       W_HDR_RESPONSE(1, 1, 1, 0, 0) W_Q_EXAMPLE_ORG_A
	       ",'answers':[{'name':'example.org.','type':1,'type_name':'A',"
	       "'class':1,'class_name':'IN','ttl':300,'rdata':'1.2.3.4'}],"
	       "'authorities':[],'additionals':[]");

	/* an A of 15 bytes whose last 11 are an RR: ldns reads them as the
	 * second answer */
	w_header(&w, 1, 0x8180, 1, 2, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	rd = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_name(&w, "");
	w_rr(&w, 1, 1, 7);
	w_rdend(&w, rd);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	expect(&w, DNS_E_RDATA,
	       W_HDR_RESPONSE(1, 1, 2, 0, 0) W_Q_EXAMPLE_ORG_A
	       ",'answers':[{'name':'example.org.','type':1,'type_name':'A',"
	       "'class':1,'class_name':'IN','ttl':300,'rdata':'1.2.3.4'},"
	       "{'name':'.','type':1,'type_name':'A','class':1,"
	       "'class_name':'IN','ttl':7,'rdata':''}],"
	       "'authorities':[],'additionals':[]");

	/* a CNAME whose name runs past RDLENGTH */
	w_header(&w, 1, 0x8180, 1, 1, 0, 0);
	w_question(&w, "example.org", 5, 1);
	w_ptr(&w, 12);
	rd = w_rr(&w, 5, 1, 300);
	w_u8(&w, 3);
	w_rdend(&w, rd); /* RDLENGTH 1 */
	w_raw(&w, "www", 3);
	w_ptr(&w, 12);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	assert_int_equal(render(w.b, w.n), DNS_E_RDATA);
	assert_non_null(strstr(out, "\"rdata\":\"www.example.org.\"}]"));
}

/*
 * Bytes after the last RR the header counts (by RDLENGTH), which ldns
 * ignores: the record is written in full and flagged trailing_bytes,
 * zero padding included.
 */
static void test_trailing_bytes(void **state)
{
	static const uint8_t zeros[300];
	struct wire w;
	size_t rd;
	(void)state;

	/* one byte */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_u8(&w, 'x');
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	expect(&w, DNS_E_TRAILING,
	       W_HDR_QUERY_RD(1, 1, 0, 0, 0) W_Q_EXAMPLE_ORG_A
	       ",'answers':[],'authorities':[],'additionals':[]");
	expect_qname("\7example\3org", 13);

	/* many zero bytes */
	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_raw(&w, zeros, sizeof(zeros));
	expect(&w, DNS_E_TRAILING,
	       W_HDR_QUERY_RD(1, 1, 0, 0, 0) W_Q_EXAMPLE_ORG_A
	       ",'answers':[],'authorities':[],'additionals':[]");

	/* after an OPT RR (with EDNS padding inside it, which is fine) */
	w_header(&w, 2, 0x0100, 1, 0, 0, 1);
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0x8000);
	w_u16(&w, 12);
	w_u16(&w, 4);
	w_raw(&w, zeros, 4);
	w_rdend(&w, rd);
	w_raw(&w, zeros, 4);
	expect(&w, DNS_E_TRAILING,
	       W_HDR_QUERY_RD(2, 1, 0, 0, 1) W_Q_EXAMPLE_ORG_A
	       ",'answers':[],'authorities':[],'additionals':[],"
	       "'edns':{'udp_size':1232,'version':0,'do':true,'z':0,"
	       "'options':[{'code':12,'name':'PADDING','length':4}]}");
	w.n -= 4;
	assert_int_equal(render(w.b, w.n), DNS_OK);

	/* after a TSIG, the last RR */
	w_header(&w, 5, 0x8180, 1, 1, 0, 1);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	rd = w_rr(&w, 1, 1, 60);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, rd);
	w_name(&w, "key");
	rd = w_rr(&w, 250, 255, 0);
	w_name(&w, "hmac-sha256");
	w_raw(&w, "\x00\x00\x65\x00\x00\x00", 6); /* time signed */
	w_u16(&w, 300);                          /* fudge */
	w_u16(&w, 2);                            /* MAC size */
	w_raw(&w, "\xab\xcd", 2);
	w_u16(&w, 5);                            /* original id */
	w_u16(&w, 0);                            /* error */
	w_u16(&w, 0);                            /* other len */
	w_rdend(&w, rd);
	w_raw(&w, "\xc0\x0c", 2);
	assert_int_equal(ldns_says(&w), LDNS_STATUS_OK);
	expect(&w, DNS_E_TRAILING,
	       W_HDR_RESPONSE(5, 1, 1, 0, 1) W_Q_EXAMPLE_ORG_A
	       ",'answers':[{'name':'example.org.','type':1,'type_name':'A',"
	       "'class':1,'class_name':'IN','ttl':60,'rdata':'1.2.3.4'}],"
	       "'authorities':[],'additionals':[{'name':'key.','type':250,"
	       "'type_name':'TSIG','class':255,'class_name':'ANY','ttl':0,"
	       "'rdata':'hmac-sha256. 1694498816 300 2 q80= 5 0 0'}]");

	/* counts that lie low: the RR past ANCOUNT is not read */
	w_header(&w, 1, 0x8180, 1, 0, 0, 0);
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	rd = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\x01\x02\x03\x04", 4);
	w_rdend(&w, rd);
	expect(&w, DNS_E_TRAILING,
	       W_HDR_RESPONSE(1, 1, 0, 0, 0) W_Q_EXAMPLE_ORG_A
	       ",'answers':[],'authorities':[],'additionals':[]");

	/* any other problem is named first */
	w_header(&w, 1, 0x8180, 1, 1, 0, 0); /* RDATA not filled */
	w_question(&w, "example.org", 1, 1);
	w_ptr(&w, 12);
	rd = w_rr(&w, 1, 1, 300);
	w_raw(&w, "\x01\x02\x03\x04\x05", 5);
	w_rdend(&w, rd);
	w_u8(&w, 0);
	assert_int_equal(render(w.b, w.n), DNS_E_RDATA);

	w_header(&w, 2, 0x0100, 1, 0, 0, 1); /* an option past the OPT */
	w_question(&w, "example.org", 1, 1);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_u16(&w, 12);
	w_u16(&w, 9);
	w_rdend(&w, rd);
	w_u8(&w, 0);
	assert_int_equal(render(w.b, w.n), DNS_E_OPT);

	w_header(&w, 1, 0x0000, 0, 0, 0, 2); /* a TSIG that is not last */
	w_name(&w, "");
	rd = w_rr(&w, 250, 255, 0);
	w_rdend(&w, rd);
	w_name(&w, "");
	rd = w_rr(&w, 41, 1232, 0);
	w_rdend(&w, rd);
	w_u8(&w, 0);
	assert_int_equal(render(w.b, w.n), DNS_E_OTHER);
}

/* ---- names.c and the registry ---- */

static void expect_put(void (*put)(struct jbuf *, uint16_t), uint16_t v,
		       const char *want)
{
	char buf[64];
	struct jbuf jb;

	jb_init(&jb, buf, sizeof(buf));
	put(&jb, v);
	assert_false(jb.overflow);
	assert_int_equal((size_t)(jb.p - buf), strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void put_opcode16(struct jbuf *jb, uint16_t v)
{
	dns_put_opcode_name(jb, (uint8_t)v);
}

static void test_names(void **state)
{
	(void)state;
	expect_put(dns_put_type_name, 1, "\"A\"");
	expect_put(dns_put_type_name, 41, "\"OPT\"");
	expect_put(dns_put_type_name, 65, "\"HTTPS\"");
	expect_put(dns_put_type_name, 257, "\"CAA\"");
	expect_put(dns_put_type_name, 0, "\"TYPE0\"");
	expect_put(dns_put_type_name, 54, "\"TYPE54\"");
	expect_put(dns_put_type_name, 260, "\"AMTRELAY\"");
	expect_put(dns_put_type_name, 255, "\"ANY\"");
	expect_put(dns_put_type_name, 252, "\"AXFR\"");
	expect_put(dns_put_type_name, 263, "\"TYPE263\"");
	expect_put(dns_put_type_name, 65280, "\"TYPE65280\"");
	expect_put(dns_put_type_name, 65535, "\"TYPE65535\"");
	expect_put(dns_put_class_name, 1, "\"IN\"");
	expect_put(dns_put_class_name, 3, "\"CH\"");
	expect_put(dns_put_class_name, 2, "\"CLASS2\"");
	expect_put(dns_put_rcode_name, 3, "\"NXDOMAIN\"");
	expect_put(dns_put_rcode_name, 11, "\"DSOTYPENI\"");
	expect_put(dns_put_rcode_name, 23, "\"BADCOOKIE\"");
	expect_put(dns_put_rcode_name, 12, "\"RCODE12\"");
	expect_put(dns_put_rcode_name, 4000, "\"RCODE4000\"");
	expect_put(put_opcode16, 6, "\"DSO\"");
	expect_put(put_opcode16, 3, "\"OPCODE3\"");
	expect_put(put_opcode16, 15, "\"OPCODE15\"");
	expect_put(dns_put_edns_option_name, 8, "\"ECS\"");
	expect_put(dns_put_edns_option_name, 14, "\"KEY-TAG\"");
	expect_put(dns_put_edns_option_name, 19, "\"ZONEVERSION\"");
	expect_put(dns_put_edns_option_name, 4, "\"OPT4\"");
	expect_put(dns_put_edns_option_name, 65535, "\"OPT65535\"");
}

static void test_err_names(void **state)
{
	static const char *const want[DNS_E__MAX] = {
		"ok", "short_header", "truncated_capture", "question_past_end",
		"rr_past_end", "name_pointer_loop", "name_bad_pointer",
		"name_bad_label_type", "name_too_long", "name_past_end",
		"rdata_invalid", "opt_invalid", "trailing_bytes", "decode_error",
	};
	(void)state;
	for (int e = 0; e < DNS_E__MAX; e++)
		assert_string_equal(dns_err_name((enum dns_err)e), want[e]);
	assert_string_equal(dns_err_name(DNS_E__MAX), "decode_error");
}

static void test_registry(void **state)
{
	(void)state;
	assert_ptr_equal(dns_decoder_find("ldns"), &dns_ldns_decoder);
	assert_string_equal(dns_ldns_decoder.name, "ldns");
	assert_null(dns_decoder_find("nope"));
	assert_null(dns_decoder_find(""));
}

/* The same decoder state serves many messages; an overflowing output
 * buffer is the caller's to notice and leaves the decoder usable. */
static void test_reuse_and_overflow(void **state)
{
	struct wire w;
	char small[40];
	struct jbuf jb;
	(void)state;

	w_header(&w, 1, 0x0100, 1, 0, 0, 0);
	w_question(&w, "example.com", 1, 1);
	jb_init(&jb, small, sizeof(small));
	assert_int_equal(dns_ldns_decoder.render(dec, w.b, w.n, &jb, &sum), DNS_OK);
	assert_true(jb.overflow);
	for (int i = 0; i < 100; i++)
		assert_int_equal(render(w.b, w.n), DNS_OK);
	assert_non_null(strstr(out, "\"name\":\"example.com.\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_query_edns_cookie),
		cmocka_unit_test(test_response_compressed),
		cmocka_unit_test(test_unknown_type_and_class),
		cmocka_unit_test(test_extended_rcode),
		cmocka_unit_test(test_edns_all_zero),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_update_empty_rdata),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_tsig_kept),
		cmocka_unit_test(test_nsec_bitmap),
		cmocka_unit_test(test_short_header),
		cmocka_unit_test(test_qdcount_lies),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_bad_pointers),
		cmocka_unit_test(test_bad_labels),
		cmocka_unit_test(test_rdlength_past_end),
		cmocka_unit_test(test_rdata_invalid),
		cmocka_unit_test(test_rdata_unprintable),
		cmocka_unit_test(test_edns_bad_options),
		cmocka_unit_test(test_edns_option_types),
		cmocka_unit_test(test_edns_options_together),
		cmocka_unit_test(test_edns_random_options),
		cmocka_unit_test(test_tsig_not_last),
		cmocka_unit_test(test_two_tsigs),
		cmocka_unit_test(test_rdata_not_filled),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_reuse_and_overflow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
