/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_jsoncheck.c: the fuzz targets' JSON validator must itself be right:
 * a validator that accepts too much hides every bug the targets look for.
 * Tables of texts it must accept and must refuse (RFC 8259 and the UTF-8
 * rules of RFC 3629), then NDJSON framing. Exit 0 when all pass.
 */
#include "config.h"

#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/jsoncheck.h"

struct tc {
	const char *s;
	size_t n; /* 0: strlen */
};

static const struct tc good[] = {
	{ "{}", 0 },
	{ " { \"a\" : [ 1 , -0 , 0.5 , 1e5 , -2.25E-3 , true , false , null ] } \n", 0 },
	{ "{\"a\":{\"b\":{\"c\":[[],{}]}},\"b\":\"\"}", 0 },
	{ "{\"s\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"}", 0 },
	{ "{\"u\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf\"}", 0 },
	{ "{\"a\":1,\"A\":2,\"a \":3}", 0 },
	{ "{\"n\":123456789012345678901234567890}", 0 },
	{ "{\"x\":0,\"id\":1,\"queries\":[{\"name\":\"a.\"},{\"name\":\"a.\"}]}", 0 },
};

static const struct tc bad[] = {
	{ "", 0 },
	{ "[]", 0 },                         /* not an object */
	{ "{", 0 },
	{ "{}}", 0 },
	{ "{} {}", 0 },
	{ "{\"a\"}", 0 },
	{ "{\"a\":}", 0 },
	{ "{\"a\":1,}", 0 },
	{ "{,}", 0 },
	{ "{\"a\":[1,]}", 0 },
	{ "{\"a\":[1 2]}", 0 },
	{ "{a:1}", 0 },
	{ "{'a':1}", 0 },
	{ "{\"a\":01}", 0 },
	{ "{\"a\":-}", 0 },
	{ "{\"a\":1.}", 0 },
	{ "{\"a\":.5}", 0 },
	{ "{\"a\":1e}", 0 },
	{ "{\"a\":+1}", 0 },
	{ "{\"a\":0x10}", 0 },
	{ "{\"a\":NaN}", 0 },
	{ "{\"a\":tru}", 0 },
	{ "{\"a\":True}", 0 },
	{ "{\"a\":\"x}", 0 },
	{ "{\"a\":\"\\x\"}", 0 },
	{ "{\"a\":\"\\u12\"}", 0 },
	{ "{\"a\":\"\\u12G4\"}", 0 },
	{ "{\"a\":\"\\uDE00\"}", 0 },             /* lone low surrogate */
	{ "{\"a\":\"\\uD83D\"}", 0 },             /* lone high surrogate */
	{ "{\"a\":\"\\uD83D\\u0041\"}", 0 },
	{ "{\"a\":\"tab\there\"}", 0 },           /* raw control character */
	{ "{\"a\":\"nl\nhere\"}", 0 },
	{ "{\"a\":\"\x7f\x80\"}", 0 },            /* lone continuation byte */
	{ "{\"a\":\"\xc0\xaf\"}", 0 },            /* overlong */
	{ "{\"a\":\"\xc1\xbf\"}", 0 },
	{ "{\"a\":\"\xe0\x80\xaf\"}", 0 },
	{ "{\"a\":\"\xf0\x80\x80\xaf\"}", 0 },
	{ "{\"a\":\"\xed\xa0\x80\"}", 0 },        /* UTF-8 surrogate */
	{ "{\"a\":\"\xf4\x90\x80\x80\"}", 0 },    /* past U+10FFFF */
	{ "{\"a\":\"\xf5\x80\x80\x80\"}", 0 },
	{ "{\"a\":\"\xc3\"}", 0 },                /* cut sequence */
	{ "{\"a\":\"\xe2\x82\"}", 0 },
	{ "{\"a\":\"\xff\"}", 0 },
	{ "{\"a\":1,\"a\":2}", 0 },               /* duplicate key */
	{ "{\"a\":{\"b\":1,\"b\":1}}", 0 },
	{ "{\"a\":1}\0", 8 },                     /* NUL after */
	{ "{\"a\":\"\0\"}", 9 },                  /* NUL inside */
};

static int fails;

static void expect(const struct tc *t, int want_ok, unsigned i)
{
	size_t n = t->n ? t->n : strlen(t->s), off = 0;
	int ok = jsonc_check(t->s, n, 1, &off) == 0;

	if (ok != want_ok) {
		fprintf(stderr, "FAIL: %s case %u accepted=%d (%s at %zu)\n",
			want_ok ? "good" : "bad", i, ok, ok ? "" : jsonc_why(), off);
		fails++;
	}
}

static void deep(void)
{
	char buf[256];
	size_t n = 0;

	n += (size_t)snprintf(buf, sizeof(buf), "{\"a\":");
	for (int i = 0; i < JSONC_MAX_DEPTH + 5; i++)
		buf[n++] = '[';
	for (int i = 0; i < JSONC_MAX_DEPTH + 5; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	if (jsonc_check(buf, n, 1, NULL) == 0) {
		fprintf(stderr, "FAIL: nesting past JSONC_MAX_DEPTH accepted\n");
		fails++;
	}
}

static void ndjson(void)
{
	static const char two[] = "{\"a\":1}\n{\"b\":[]}\n";
	static const char *const wrong[] = {
		"{\"a\":1}",               /* no newline */
		"{\"a\":1}\n\n",           /* empty line */
		" {\"a\":1}\n",            /* space before */
		"{\"a\":1} \n",            /* space after */
		"{\"a\":1}\n[]\n",         /* not an object */
		"{\"a\":1}\r\n",
	};
	uint32_t lines = 99;

	if (jsonc_ndjson(two, sizeof(two) - 1, &lines, NULL) != 0 || lines != 2) {
		fprintf(stderr, "FAIL: two NDJSON lines: %u\n", lines);
		fails++;
	}
	if (jsonc_ndjson("", 0, &lines, NULL) != 0 || lines != 0) {
		fprintf(stderr, "FAIL: empty NDJSON\n");
		fails++;
	}
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		if (jsonc_ndjson(wrong[i], strlen(wrong[i]), &lines, NULL) == 0) {
			fprintf(stderr, "FAIL: bad NDJSON case %zu accepted\n", i);
			fails++;
		}
	}
}

int main(void)
{
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect(&good[i], 1, i);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(&bad[i], 0, i);
	deep();
	ndjson();
	printf("test_jsoncheck: %s\n", fails ? "FAILED" : "all passed");
	return fails ? 1 : 0;
}
