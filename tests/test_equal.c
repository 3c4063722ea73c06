/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_equal.c: the fast DNS decoder must write exactly what the ldns
 * reference decoder writes, over whole captures.
 *
 *   test_equal [--mutate N [--seed S]] [--1m] [--quiet] [--list ERROR]
 *              [CAPTURE...]
 *
 * Every UDP DNS payload (ports 53, 5353, 5355; tests/msgload.h) of each
 * capture is rendered by both decoders. Where ldns decodes a message
 * without error, the fast path must return DNS_OK and byte-identical JSON;
 * where either flags it malformed, both must (the error names may differ:
 * the pairs are printed). trailing_bytes is the exception: it flags a
 * record written in full, so both must say it and write the same JSON.
 * The dns_summary both fill must agree too. The first differences are
 * shown as the two JSON texts. --list ERROR (an error name, e.g.
 * trailing_bytes) prints every unmutated message the reference flags
 * with it: where it is, its length and its last bytes.
 *
 * Without captures it takes $DNSRING_CORPUS (default ../shared/corpus):
 * bench/dns-10k.pcap, bench/dns-10k-vlan.pcap and every *.pcap / *.pcapng
 * under real/, and exits 77 when that directory is absent. --1m adds
 * bench/dns-1m.pcap.zst (1.4 M messages), read through a pipe from
 * `zstd -dc` so the big capture never lands on disk; any *.zst argument
 * is read that way. --mutate N also compares N corrupted copies of every
 * message (bit flips, random bytes, compression pointers, truncation,
 * counts, bytes appended; fixed seed), which is where the
 * malformed-message rules get exercised.
 * The report ends with the EDNS options the (unmutated) records carry, by
 * name, with how many were malformed: what the captures exercise of the
 * option decoding both decoders share (dns_put_edns).
 *
 * Exit: 0 all equal, 1 any difference, 77 corpus absent.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns/dns.h"
#include "tests/msgload.h"

#define OUT_CAP (1u << 20) /* far above the largest record */
#define SHOW_MAX 5

struct eq {
	struct dns_decoder *ref, *fast;
	char *out_ref, *out_fast;
	const char *file;
	uint64_t index;        /* message number in the file */
	unsigned mutate;       /* corrupted copies per message */
	uint64_t rng;
	int quiet;
	int list;              /* --list: a dns_err to print messages of, or -1 */
	/* counts */
	uint64_t msgs;         /* messages rendered (mutants included) */
	uint64_t compared;     /* ldns said DNS_OK */
	uint64_t identical;
	uint64_t differ;       /* compared, but fast differs */
	uint64_t verdict;      /* one flagged malformed, the other not */
	uint64_t malformed;    /* both flagged malformed */
	uint64_t malformed_same_json;
	uint64_t summary;      /* dns_summary differs */
	uint64_t shown;
	uint64_t pairs[DNS_E__MAX][DNS_E__MAX]; /* [ldns][fast] when either failed */
	/* EDNS options in the records of unmutated messages, by code: what
	 * the corpus exercises of the shared option decoding */
	uint64_t opt_seen[65536];
	uint64_t opt_malformed[65536];
	uint64_t ecs_shortcut;
};

/* ---- reporting ---- */

static void hexdump(const uint8_t *w, size_t len)
{
	fputs("  wire:", stdout);
	for (size_t i = 0; i < len && i < 512; i++)
		printf("%s%02x", i % 32 ? "" : "\n    ", w[i]);
	printf("%s\n", len > 512 ? " ..." : "");
}

static void show(struct eq *q, const char *what, const uint8_t *w, size_t len,
		 enum dns_err er, const char *jr, size_t nr,
		 enum dns_err ef, const char *jf, size_t nf, int mutant)
{
	if (q->quiet || q->shown++ >= SHOW_MAX)
		return;
	printf("DIFF (%s) %s message %llu%s: ldns=%s fast=%s\n", what, q->file,
	       (unsigned long long)q->index, mutant ? " (mutated)" : "",
	       dns_err_name(er), dns_err_name(ef));
	hexdump(w, len);
	printf("  ldns: %.*s\n  fast: %.*s\n", (int)nr, jr, (int)nf, jf);
}

/* --list: one line per message, and its last bytes. */
static void list_msg(const struct eq *q, const uint8_t *w, size_t len,
		     enum dns_err er, enum dns_err ef)
{
	size_t from = len > 48 ? len - 48 : 0;

	printf("LIST %s message %llu: %zu bytes, ldns=%s fast=%s, last bytes:",
	       q->file, (unsigned long long)q->index, len, dns_err_name(er),
	       dns_err_name(ef));
	for (size_t i = from; i < len; i++)
		printf(" %02x", w[i]);
	putchar('\n');
}

static int same_summary(const struct dns_summary *a, const struct dns_summary *b)
{
	if (a->has_header != b->has_header)
		return 0;
	if (a->has_header && (a->qr != b->qr || a->opcode != b->opcode ||
			      a->id != b->id || a->rcode != b->rcode))
		return 0;
	if (a->has_question != b->has_question)
		return 0;
	return !a->has_question ||
	       (a->qtype == b->qtype && a->qclass == b->qclass &&
		a->qname_len == b->qname_len &&
		memcmp(a->qname, b->qname, a->qname_len) == 0);
}

/*
 * Tally the options of one record: each '{"code":N,' after '"edns":{', and
 * whether it is malformed (then it is exactly code, name, perhaps hex and
 * "malformed":true). '{"code":' cannot occur inside a JSON string (its
 * quotes would be escaped), so the scan cannot be fooled by option text.
 */
static void count_options(struct eq *q, const char *j, size_t n)
{
	static const char key[] = "{\"code\":";
	const char *end = j + n, *p;

	p = memmem(j, n, ",\"edns\":{", 9);
	if (!p)
		return;
	if (memmem(p, (size_t)(end - p), "],\"ecs\":{", 9))
		q->ecs_shortcut++;
	while ((p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1))) {
		unsigned long code = strtoul(p + sizeof(key) - 1, (char **)&p, 10);
		const char *c;

		if (code > 65535)
			continue;
		q->opt_seen[code]++;
		if (end - p < 10)
			break;
		/* past ',"name":"..."' (a mnemonic: no escapes) */
		c = memchr(p + 9, '"', (size_t)(end - p) - 9);
		if (!c)
			continue;
		c++;
		if ((size_t)(end - c) > 7 && memcmp(c, ",\"hex\":\"", 8) == 0) {
			c = memchr(c + 8, '"', (size_t)(end - c) - 8);
			if (!c)
				continue;
			c++;
		}
		if ((size_t)(end - c) >= 18 && memcmp(c, ",\"malformed\":true}", 18) == 0)
			q->opt_malformed[code]++;
	}
}

/* ---- comparing one message ---- */

static enum dns_err render(const struct dns_decoder_ops *ops,
			   struct dns_decoder *dec, const uint8_t *w, size_t len,
			   char *buf, size_t *n, struct dns_summary *sum)
{
	struct jbuf jb;
	enum dns_err err;

	memset(sum, 0xa5, sizeof(*sum)); /* fields not filled must not matter */
	jb_init(&jb, buf, OUT_CAP);
	err = ops->render(dec, w, len, &jb, sum);
	*n = jb.overflow ? 0 : (size_t)(jb.p - buf);
	return err;
}

static void compare(struct eq *q, const uint8_t *w, size_t len, int mutant)
{
	struct dns_summary sr, sf;
	size_t nr, nf;
	enum dns_err er, ef;
	int same;

	q->msgs++;
	er = render(&dns_ldns_decoder, q->ref, w, len, q->out_ref, &nr, &sr);
	ef = render(&dns_fast_decoder, q->fast, w, len, q->out_fast, &nf, &sf);
	same = nr == nf && memcmp(q->out_ref, q->out_fast, nr) == 0;
	if (er != DNS_OK || ef != DNS_OK)
		q->pairs[er][ef]++;
	if (!mutant && q->list >= 0 && er == (enum dns_err)q->list)
		list_msg(q, w, len, er, ef);
	if (er == DNS_E_TRAILING || ef == DNS_E_TRAILING) {
		/* a full record: same verdict, same JSON */
		if (er == DNS_OK)
			q->compared++;
		if (er != ef) {
			q->verdict++;
			show(q, "verdict", w, len, er, q->out_ref, nr, ef,
			     q->out_fast, nf, mutant);
		} else if (!same) {
			q->differ++;
			show(q, "json", w, len, er, q->out_ref, nr, ef,
			     q->out_fast, nf, mutant);
		} else {
			q->malformed++;
			q->malformed_same_json++;
		}
	} else if (er == DNS_OK && ef == DNS_OK) {
		q->compared++;
		if (same) {
			q->identical++;
		} else {
			q->differ++;
			show(q, "json", w, len, er, q->out_ref, nr, ef, q->out_fast,
			     nf, mutant);
		}
	} else if (er == DNS_OK || ef == DNS_OK) {
		if (er == DNS_OK)
			q->compared++;
		q->verdict++;
		show(q, "verdict", w, len, er, q->out_ref, nr, ef, q->out_fast, nf,
		     mutant);
	} else {
		q->malformed++;
		q->malformed_same_json += same;
	}
	if (!mutant && same)
		count_options(q, q->out_fast, nf);
	if (!same_summary(&sr, &sf)) {
		q->summary++;
		show(q, "summary", w, len, er, q->out_ref, nr, ef, q->out_fast, nf,
		     mutant);
	}
}

/* xorshift64*: a fixed, portable sequence. */
static uint64_t rnd(struct eq *q)
{
	q->rng ^= q->rng >> 12;
	q->rng ^= q->rng << 25;
	q->rng ^= q->rng >> 27;
	return q->rng * 2685821657736338717ull;
}

/* One corrupted copy of w into m (room for cap bytes); its length. */
static size_t mutate(struct eq *q, const uint8_t *w, size_t len, uint8_t *m,
		     size_t cap)
{
	size_t n = len, at;

	memcpy(m, w, len);
	if (len <= 12)
		return len;
	for (unsigned k = 1 + (unsigned)(rnd(q) % 3); k > 0; k--) {
		at = 12 + (size_t)(rnd(q) % (n - 12));
		switch (rnd(q) % 7) {
		case 0: /* flip a bit */
			m[at] ^= (uint8_t)(1u << (rnd(q) % 8));
			break;
		case 1: /* any byte */
			m[at] = (uint8_t)rnd(q);
			break;
		case 2: /* a compression pointer, often near the start */
			if (at + 1 < n) {
				/* two statements: the order of two calls in
				 * one expression is the compiler's choice */
				size_t lim = rnd(q) % 2 ? 64 : n;
				size_t t = (size_t)(rnd(q) % lim);

				m[at] = (uint8_t)(0xc0 | t >> 8);
				m[at + 1] = (uint8_t)t;
			}
			break;
		case 3: /* a label length */
			m[at] = (uint8_t)(rnd(q) % 70);
			break;
		case 4: /* cut the message */
			n = 12 + (size_t)(rnd(q) % (n - 12));
			if (n <= 12)
				return n;
			break;
		case 5: /* a header count */
			m[4 + 2 * (rnd(q) % 4) + 1] = (uint8_t)(rnd(q) % 8);
			break;
		default: { /* bytes after the end: zero padding or junk */
			size_t more = 1 + (size_t)(rnd(q) % 16);
			int zero = rnd(q) % 2;

			for (; more > 0 && n < cap; more--)
				m[n++] = zero ? 0 : (uint8_t)rnd(q);
			break;
		}
		}
	}
	return n;
}

static int each_msg(void *arg, const uint8_t *w, uint32_t len)
{
	struct eq *q = arg;
	uint8_t m[65536];

	q->index++;
	compare(q, w, len, 0);
	for (unsigned i = 0; i < q->mutate && len <= sizeof(m); i++) {
		size_t n = mutate(q, w, len, m, sizeof(m));

		compare(q, m, n, 1);
	}
	return 0;
}

/* ---- captures ---- */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* `zstd -dc -- path` with its stdout as a stream; *pid to reap. */
static FILE *spawn_zstd(const char *path, pid_t *pid)
{
	int fd[2];
	FILE *fp;

	if (pipe(fd) != 0)
		return NULL;
	*pid = fork();
	if (*pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return NULL;
	}
	if (*pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execlp("zstd", "zstd", "-dcq", "--", path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	fp = fdopen(fd[0], "rb");
	if (!fp)
		close(fd[0]);
	return fp;
}

static int run_file(struct eq *q, const char *path)
{
	FILE *fp = NULL;
	pid_t pid = -1;
	int rc, status;

	q->file = path;
	q->index = 0;
	if (ends_with(path, ".zst")) {
		fp = spawn_zstd(path, &pid);
		if (!fp) {
			fprintf(stderr, "%s: zstd: %s\n", path, strerror(errno));
			return -1;
		}
	}
	rc = msgs_walk(path, fp, each_msg, q, NULL); /* closes fp */
	if (pid > 0 && (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
			WEXITSTATUS(status) != 0)) {
		fprintf(stderr, "%s: zstd failed\n", path);
		rc = -1;
	}
	return rc;
}

/* Every *.pcap and *.pcapng under dir, recursively, appended to list. */
static int find_captures(const char *dir, char ***list, size_t *n)
{
	struct dirent **ents;
	int k = scandir(dir, &ents, NULL, alphasort);

	if (k < 0)
		return -1;
	for (int i = 0; i < k; i++) {
		const char *name = ents[i]->d_name;
		char path[4096];
		struct stat st;

		if (name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
		    stat(path, &st) != 0) {
			free(ents[i]);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			find_captures(path, list, n);
		} else if (ends_with(name, ".pcap") || ends_with(name, ".pcapng")) {
			char **l = realloc(*list, (*n + 1) * sizeof(**list));

			if (l) {
				*list = l;
				l[(*n)++] = strdup(path);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

static void add_path(char ***list, size_t *n, const char *a, const char *b)
{
	char path[4096];
	char **l;

	snprintf(path, sizeof(path), "%s%s", a, b);
	l = realloc(*list, (*n + 1) * sizeof(**list));
	if (!l)
		return;
	*list = l;
	l[(*n)++] = strdup(path);
}

static void report(const struct eq *q)
{
	printf("messages rendered:   %llu\n", (unsigned long long)q->msgs);
	printf("compared (ldns ok):  %llu\n", (unsigned long long)q->compared);
	printf("  identical:         %llu\n", (unsigned long long)q->identical);
	printf("  differing:         %llu\n", (unsigned long long)q->differ);
	printf("verdict differs:     %llu\n", (unsigned long long)q->verdict);
	printf("both malformed:      %llu (same JSON: %llu)\n",
	       (unsigned long long)q->malformed,
	       (unsigned long long)q->malformed_same_json);
	printf("summary differs:     %llu\n", (unsigned long long)q->summary);
	for (int a = 0; a < DNS_E__MAX; a++)
		for (int b = 0; b < DNS_E__MAX; b++)
			if (q->pairs[a][b])
				printf("  error ldns=%-20s fast=%-20s %llu\n",
				       dns_err_name((enum dns_err)a),
				       dns_err_name((enum dns_err)b),
				       (unsigned long long)q->pairs[a][b]);
	printf("edns options:       ");
	for (unsigned c = 0; c < 65536; c++) {
		char name[32];
		struct jbuf jb;

		if (!q->opt_seen[c])
			continue;
		jb_init(&jb, name, sizeof(name) - 1);
		dns_put_edns_option_name(&jb, (uint16_t)c);
		jb.p[-1] = 0; /* the closing quote */
		printf(" %s %llu", name + 1, (unsigned long long)q->opt_seen[c]);
		if (q->opt_malformed[c])
			printf(" (%llu malformed)",
			       (unsigned long long)q->opt_malformed[c]);
	}
	printf("; \"ecs\" in %llu records\n", (unsigned long long)q->ecs_shortcut);
}

static void usage(void)
{
	fputs("usage: test_equal [--mutate N [--seed S]] [--1m] [--quiet]"
	      " [--list ERROR] [CAPTURE...]\n", stderr);
}

int main(int argc, char **argv)
{
	const char *corpus = getenv("DNSRING_CORPUS");
	static struct eq q = { .rng = 0x9e3779b97f4a7c15ull, .list = -1 }; /* large */
	char **files = NULL;
	size_t nfiles = 0;
	int big = 0, failed = 0;
	struct stat st;

	if (!corpus || !*corpus)
		corpus = "../shared/corpus";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mutate") == 0 && i + 1 < argc) {
			q.mutate = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			q.rng ^= strtoull(argv[++i], NULL, 0) * 0xbf58476d1ce4e5b9ull;
			q.rng += !q.rng; /* xorshift must not start at 0 */
		} else if (strcmp(argv[i], "--1m") == 0) {
			big = 1;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			q.quiet = 1;
		} else if (strcmp(argv[i], "--list") == 0 && i + 1 < argc) {
			i++;
			for (int e = 1; e < DNS_E__MAX; e++)
				if (strcmp(argv[i], dns_err_name((enum dns_err)e)) == 0)
					q.list = e;
			if (q.list < 0) {
				usage();
				return 2;
			}
		} else if (argv[i][0] == '-') {
			usage();
			return 2;
		} else {
			add_path(&files, &nfiles, argv[i], "");
		}
	}
	if (nfiles == 0 || big) {
		if (stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
			printf("SKIP: corpus %s absent\n", corpus);
			return 77;
		}
	}
	if (big) {
		add_path(&files, &nfiles, corpus, "/bench/dns-1m.pcap.zst");
	} else if (nfiles == 0) {
		char real[4096];

		add_path(&files, &nfiles, corpus, "/bench/dns-10k.pcap");
		add_path(&files, &nfiles, corpus, "/bench/dns-10k-vlan.pcap");
		snprintf(real, sizeof(real), "%s/real", corpus);
		find_captures(real, &files, &nfiles);
	}

	q.out_ref = malloc(OUT_CAP);
	q.out_fast = malloc(OUT_CAP);
	if (!q.out_ref || !q.out_fast ||
	    dns_ldns_decoder.create(&q.ref) != 0 ||
	    dns_fast_decoder.create(&q.fast) != 0) {
		fputs("test_equal: out of memory\n", stderr);
		return 1;
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (run_file(&q, files[i]) != 0)
			failed = 1;
		free(files[i]);
	}
	free(files);
	printf("captures: %zu%s\n", nfiles, failed ? " (some unreadable)" : "");
	report(&q);
	dns_ldns_decoder.destroy(q.ref);
	dns_fast_decoder.destroy(q.fast);
	free(q.out_ref);
	free(q.out_fast);
	if (q.differ || q.verdict || q.summary || failed) {
		printf("FAIL\n");
		return 1;
	}
	printf("PASS\n");
	return 0;
}
