/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipfrag.c: userspace IPv4/IPv6 fragment reassembly (see ipfrag.h for the
 * policy and the memory bound).
 *
 * A datagram in progress lives in a slot: its key, the runs of bytes
 * received, and a chunk table mapping each IPFRAG_CHUNK-sized stretch of the
 * payload to a chunk of the shared pool. Data is copied once, from the
 * fragment into the pool, and once more into the output buffer when the
 * datagram completes. Slots sit on a hash chain and on an age list, oldest
 * first (ixpool.h): expiry looks at the head only, and eviction takes the
 * head.
 *
 * Runs mirror Linux's rb-tree of fragment runs: a fragment that starts
 * exactly where the highest run ends extends that run; any other becomes a
 * run of its own, even when it touches a neighbour. This matters for what is
 * a duplicate: a fragment wholly inside one run is one, a fragment straddling
 * two runs is an overlap. Keeping Linux's rule keeps our verdicts identical
 * to those of the host the capture was taken for.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "capture/ipfrag.h"
#include "capture/ixpool.h"

#define SLOT_CHUNKS (65536u / IPFRAG_CHUNK) /* covers payload offsets 0..65535 */
#define IP4_HLEN 20u
#define IP6_HLEN 40u
#define IP4_MAX_END (65535u - IP4_HLEN)
#define IP6_MAX_END 65535u
#define OUT_MAX (IP6_HLEN + IP6_MAX_END)

#define DEF_DATAGRAMS 1024u
#define DEF_BYTES (4u << 20)
#define DEF_TIMEOUT_NS (30ull * 1000000000ull)
#define MIN_BYTES 65536u
#define MAX_BYTES ((uint32_t)(IXP_NOCHUNK - 1) * IPFRAG_CHUNK)
#define MAX_DATAGRAMS (1u << 20)

/* Offsets fit 16 bits: every end is checked against 65535 first. */
struct run {
	uint16_t start, end;
};

struct slot {
	/* key; IPv4 uses the first 4 address bytes, IPv6 keys proto as 0 */
	uint8_t ver, proto;
	uint8_t src[16], dst[16];
	uint32_t id;

	uint32_t len;            /* datagram payload end as far as known */
	uint32_t meat;           /* payload bytes held */
	uint8_t first_in, last_in;
	uint8_t nh;              /* IPv6: next header from the offset-0 fragment */
	uint8_t nruns;
	uint8_t hdr[IP6_HLEN];   /* IP header of the offset-0 fragment */
	struct run runs[IPFRAG_MAX_RUNS];
	uint16_t chunk[SLOT_CHUNKS];
};

struct ipfrag_table {
	struct ipfrag_stats st;
	uint64_t timeout_ns;

	struct slot *slots;
	struct ixp_ents ix;      /* free slots, hash chains */
	struct ixp_list age;     /* by first fragment, oldest first */
	struct ixp_chunks pool;  /* payload */

	uint8_t out[OUT_MAX];
};

/* What inserting [off, end) does to the runs (Linux's IPFRAG_OK/DUP/OVERLAP). */
enum ins { INS_NEW, INS_APPEND, INS_DUP, INS_OVERLAP };

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- hashing ------------------------------------------------------------- */

static unsigned addr_len(uint8_t ver)
{
	return ver == 6 ? 16 : 4;
}

/*
 * Keys are chosen by whoever sends the fragments, so the hash is seeded per
 * table: a sender cannot aim every datagram at one chain.
 */
static uint32_t key_hash(const struct ipfrag_table *t, const struct slot *k)
{
	uint32_t h = t->ix.seed ^ k->ver ^ (uint32_t)k->proto << 8;
	unsigned n = addr_len(k->ver);

	h = ixp_mix(h, k->id);
	for (unsigned i = 0; i < n; i += 4) {
		uint32_t a, b;
		memcpy(&a, k->src + i, 4);
		memcpy(&b, k->dst + i, 4);
		h = ixp_mix(ixp_mix(h, a), b);
	}
	return ixp_fmix(h);
}

static int key_equal(const struct slot *a, const struct slot *b)
{
	unsigned n = addr_len(a->ver);

	return a->ver == b->ver && a->proto == b->proto && a->id == b->id &&
	       !memcmp(a->src, b->src, n) && !memcmp(a->dst, b->dst, n);
}

/* The lookup key of a fragment, in slot form. */
static void key_from_pi(struct slot *k, const struct pkt_info *pi)
{
	memset(k->src, 0, sizeof(k->src));
	memset(k->dst, 0, sizeof(k->dst));
	k->ver = pi->ip_version;
	k->proto = pi->ip_version == 6 ? 0 : pi->l4proto;
	k->id = pi->frag_id;
	memcpy(k->src, pi->src, addr_len(k->ver));
	memcpy(k->dst, pi->dst, addr_len(k->ver));
}

/* ---- slots ----------------------------------------------------------------- */

static uint32_t slot_index(const struct ipfrag_table *t, const struct slot *s)
{
	return (uint32_t)(s - t->slots);
}

static struct slot *slot_find(struct ipfrag_table *t, const struct slot *k)
{
	for (uint32_t i = ixp_first(&t->ix, key_hash(t, k)); i != IXP_NIL; i = ixp_next(&t->ix, i))
		if (key_equal(&t->slots[i], k))
			return &t->slots[i];
	return NULL;
}

static void chunks_release(struct ipfrag_table *t, struct slot *s)
{
	for (unsigned c = 0; c < SLOT_CHUNKS; c++) {
		if (s->chunk[c] != IXP_NOCHUNK)
			ixp_chunk_put(&t->pool, s->chunk[c]);
		s->chunk[c] = IXP_NOCHUNK;
	}
}

/* Forget a datagram and give its memory back; the caller counts why. */
static void slot_kill(struct ipfrag_table *t, struct slot *s)
{
	ixp_put(&t->ix, slot_index(t, s), key_hash(t, s), &t->age);
	chunks_release(t, s);
}

/* Make room by discarding the oldest datagram other than slot keep. */
static int evict_oldest(struct ipfrag_table *t, uint32_t keep)
{
	uint32_t i = ixp_oldest_but(&t->ix, &t->age, keep);

	if (i == IXP_NIL)
		return 0;
	slot_kill(t, &t->slots[i]);
	dr_ctr_add(&t->st.evicted, 1);
	return 1;
}

static struct slot *slot_new(struct ipfrag_table *t, const struct slot *k, uint64_t now_ns)
{
	if (ixp_full(&t->ix))
		evict_oldest(t, IXP_NIL);
	struct slot *s = &t->slots[ixp_take(&t->ix, key_hash(t, k), &t->age, now_ns)];

	s->ver = k->ver;
	s->proto = k->proto;
	s->id = k->id;
	memcpy(s->src, k->src, sizeof(s->src));
	memcpy(s->dst, k->dst, sizeof(s->dst));
	s->len = s->meat = 0;
	s->first_in = s->last_in = 0;
	s->nruns = 0;
	return s;
}

/* The timeout runs from the first fragment: slots are stamped at ixp_take only. */
void ipfrag_expire(struct ipfrag_table *t, uint64_t now_ns)
{
	uint32_t i;

	while ((i = ixp_due(&t->ix, &t->age, now_ns, t->timeout_ns)) != IXP_NIL) {
		slot_kill(t, &t->slots[i]);
		dr_ctr_add(&t->st.timed_out, 1);
	}
}

/* ---- runs ------------------------------------------------------------------- */

/*
 * Where [off, end) goes (Linux inet_frag_queue_insert): past the highest run
 * it extends that run or starts a new one; below it, it must fall in a hole
 * (new run at *at), or wholly inside one run (duplicate).
 */
static enum ins run_check(const struct slot *s, uint32_t off, uint32_t end, unsigned *at)
{
	*at = s->nruns;
	if (!s->nruns)
		return INS_NEW;
	const struct run *last = &s->runs[s->nruns - 1];
	if (last->end < end) {
		if (off < last->end)
			return INS_OVERLAP;
		return off == last->end ? INS_APPEND : INS_NEW;
	}
	for (unsigned i = 0; i < s->nruns; i++) {
		const struct run *r = &s->runs[i];
		if (end <= r->start) {
			*at = i;
			return INS_NEW;
		}
		if (off >= r->end)
			continue;
		return off >= r->start && end <= r->end ? INS_DUP : INS_OVERLAP;
	}
	return INS_NEW; /* not reached: end <= last->end and off < end */
}

static void run_commit(struct slot *s, enum ins how, unsigned at, uint32_t off, uint32_t end)
{
	if (how == INS_APPEND) {
		s->runs[s->nruns - 1].end = (uint16_t)end;
		return;
	}
	memmove(&s->runs[at + 1], &s->runs[at], (s->nruns - at) * sizeof(s->runs[0]));
	s->runs[at].start = (uint16_t)off;
	s->runs[at].end = (uint16_t)end;
	s->nruns++;
}

/* ---- payload ---------------------------------------------------------------- */

static unsigned chunks_missing(const struct slot *s, uint32_t off, uint32_t end)
{
	unsigned n = 0;

	for (uint32_t c = off / IPFRAG_CHUNK; c <= (end - 1) / IPFRAG_CHUNK; c++)
		n += s->chunk[c] == IXP_NOCHUNK;
	return n;
}

/*
 * Make sure the chunks under [off, end) exist, evicting older datagrams if
 * the pool is short. Fails only when s alone would overflow the pool.
 */
static int chunks_reserve(struct ipfrag_table *t, struct slot *s, uint32_t off, uint32_t end)
{
	unsigned need = chunks_missing(s, off, end);

	while (t->pool.nfree < need)
		if (!evict_oldest(t, slot_index(t, s)))
			return -ENOBUFS;
	for (uint32_t c = off / IPFRAG_CHUNK; c <= (end - 1) / IPFRAG_CHUNK; c++)
		if (s->chunk[c] == IXP_NOCHUNK)
			s->chunk[c] = ixp_chunk_get(&t->pool);
	return 0;
}

static uint8_t *chunk_ptr(const struct ipfrag_table *t, const struct slot *s, uint32_t c)
{
	return ixp_chunk_mem(&t->pool, s->chunk[c]);
}

static void payload_store(struct ipfrag_table *t, struct slot *s, uint32_t off,
			  const uint8_t *p, uint32_t n)
{
	while (n) {
		uint32_t c = off / IPFRAG_CHUNK, in = off % IPFRAG_CHUNK;
		uint32_t k = IPFRAG_CHUNK - in < n ? IPFRAG_CHUNK - in : n;
		memcpy(chunk_ptr(t, s, c) + in, p, k);
		off += k;
		p += k;
		n -= k;
	}
}

/* ---- output ----------------------------------------------------------------- */

static uint16_t ip4_csum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < IP4_HLEN; i += 2)
		sum += rd16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t build_header(struct ipfrag_table *t, const struct slot *s)
{
	uint8_t *o = t->out;

	if (s->ver == 4) {
		memcpy(o, s->hdr, IP4_HLEN);
		o[0] = 0x45;
		wr16(o + 2, IP4_HLEN + s->len);
		wr16(o + 6, 0);
		wr16(o + 10, 0);
		wr16(o + 10, ip4_csum(o));
		return IP4_HLEN;
	}
	memcpy(o, s->hdr, IP6_HLEN);
	wr16(o + 4, s->len);
	o[6] = s->nh;
	return IP6_HLEN;
}

/* Complete: runs cover [0, len) exactly, so every chunk below len exists. */
static uint32_t build_datagram(struct ipfrag_table *t, const struct slot *s)
{
	uint32_t h = build_header(t, s);

	for (uint32_t off = 0; off < s->len; off += IPFRAG_CHUNK) {
		uint32_t k = s->len - off < IPFRAG_CHUNK ? s->len - off : IPFRAG_CHUNK;
		memcpy(t->out + h + off, chunk_ptr(t, s, off / IPFRAG_CHUNK), k);
	}
	return h + s->len;
}

/* ---- adding a fragment ------------------------------------------------------ */

/* Bytes of fragment payload the IP header says there are (pkt.c trimmed the
 * capture to them), so a snap-length cut shows as frag_len < the result. */
static uint32_t frag_wire_len(const struct pkt_info *pi)
{
	const uint8_t *ip = pi->l3;

	if (pi->ip_version == 4)
		return rd16(ip + 2) - (uint32_t)(ip[0] & 0x0f) * 4;
	return IP6_HLEN + rd16(ip + 4) - (uint32_t)(pi->frag_data - ip);
}

static int drop(dr_ctr *c, int err)
{
	dr_ctr_add(c, 1);
	return err;
}

static int kill_and_drop(struct ipfrag_table *t, struct slot *s, dr_ctr *c, int err)
{
	if (s)
		slot_kill(t, s);
	return drop(c, err);
}

/*
 * The end checks of Linux ip_frag_queue()/ip6_frag_queue(): they run before
 * the overlap check and may move the known end. *end may be rounded down.
 * @return 0, or a negative code after discarding and counting.
 */
static int check_end(struct ipfrag_table *t, struct slot *s, const struct pkt_info *pi,
		     uint32_t *end)
{
	if (!pi->more_frags) {
		if (*end < s->len || (s->last_in && *end != s->len))
			return kill_and_drop(t, s, &t->st.bad, -EPROTO);
		s->last_in = 1;
		s->len = *end;
	} else {
		*end &= ~7u; /* IPv6 was refused unaligned before reaching here */
		if (*end > s->len) {
			if (s->last_in)
				return kill_and_drop(t, s, &t->st.bad, -EPROTO);
			s->len = *end;
		}
	}
	if (*end == pi->frag_offset)
		return kill_and_drop(t, s, &t->st.bad, -EPROTO);
	return 0;
}

/* Checks that need no slot. Returns 1 to go on, else a negative code. */
static int precheck(struct ipfrag_table *t, const struct pkt_info *pi, const struct slot *k,
		    uint32_t end)
{
	if (pi->frag_len < frag_wire_len(pi))
		return kill_and_drop(t, slot_find(t, k), &t->st.truncated, -ENODATA);
	if (pi->ip_version == 4 && end > IP4_MAX_END)
		return kill_and_drop(t, slot_find(t, k), &t->st.too_big, -EMSGSIZE);
	if (pi->ip_version == 6) {
		if (end > IP6_MAX_END)
			return drop(&t->st.too_big, -EMSGSIZE);
		if (pi->more_frags && (end & 7))
			return drop(&t->st.bad, -EINVAL);
	}
	return 1;
}

static void note_first(struct slot *s, const struct pkt_info *pi)
{
	s->first_in = 1;
	s->nh = pi->l4proto;
	memcpy(s->hdr, pi->l3, pi->ip_version == 4 ? IP4_HLEN : IP6_HLEN);
}

static int insert(struct ipfrag_table *t, struct slot *s, const struct pkt_info *pi,
		  uint32_t end)
{
	uint32_t off = pi->frag_offset;
	unsigned at;
	enum ins how = run_check(s, off, end, &at);
	int err;

	if (how == INS_DUP)
		return drop(&t->st.duplicates, -EALREADY);
	if (how == INS_OVERLAP)
		return kill_and_drop(t, s, &t->st.overlap_dropped, -EPROTO);
	if (how == INS_NEW && s->nruns == IPFRAG_MAX_RUNS)
		return kill_and_drop(t, s, &t->st.bad, -EPROTO);
	err = chunks_reserve(t, s, off, end);
	if (err < 0)
		return kill_and_drop(t, s, &t->st.evicted, err);
	run_commit(s, how, at, off, end);
	payload_store(t, s, off, pi->frag_data, end - off);
	s->meat += end - off;
	if (off == 0)
		note_first(s, pi);
	return 0;
}

static int usable(const struct pkt_info *pi)
{
	return pi->is_frag && pi->l3 && pi->frag_data &&
	       (pi->ip_version == 4 || pi->ip_version == 6);
}

int ipfrag_add(struct ipfrag_table *t, const struct pkt_info *pi, uint64_t now_ns,
	       const uint8_t **dgram, uint32_t *len)
{
	struct slot k;
	uint32_t end;
	int rc;

	dr_ctr_add(&t->st.fragments, 1);
	if (!usable(pi))
		return drop(&t->st.bad, -EINVAL);
	ipfrag_expire(t, now_ns);
	key_from_pi(&k, pi);
	end = (uint32_t)pi->frag_offset + pi->frag_len;
	rc = precheck(t, pi, &k, end);
	if (rc < 0)
		return rc;

	struct slot *s = slot_find(t, &k);
	if (!s)
		s = slot_new(t, &k, now_ns);
	rc = check_end(t, s, pi, &end);
	if (rc < 0)
		return rc;
	rc = insert(t, s, pi, end);
	if (rc < 0)
		return rc;
	if (!s->first_in || !s->last_in || s->meat != s->len)
		return 0;

	*len = build_datagram(t, s);
	*dgram = t->out;
	slot_kill(t, s);
	dr_ctr_add(&t->st.reassembled, 1);
	return 1;
}

/* ---- table ------------------------------------------------------------------ */

/* Sizes and allocates the shared bookkeeping; the slots come after. */
static int limits_apply(struct ipfrag_table *t, const struct ipfrag_limits *lim)
{
	uint32_t d = lim && lim->max_datagrams ? lim->max_datagrams : DEF_DATAGRAMS;
	uint32_t b = lim && lim->max_bytes ? lim->max_bytes : DEF_BYTES;
	int err;

	if (d > MAX_DATAGRAMS || b < MIN_BYTES || b > MAX_BYTES)
		return -EINVAL;
	t->timeout_ns = lim && lim->timeout_ns ? lim->timeout_ns : DEF_TIMEOUT_NS;
	err = ixp_ents_init(&t->ix, d);
	return err < 0 ? err : ixp_chunks_init(&t->pool, b, IPFRAG_CHUNK);
}

static void table_init(struct ipfrag_table *t)
{
	for (uint32_t i = 0; i < t->ix.n; i++)
		memset(t->slots[i].chunk, 0xff, sizeof(t->slots[i].chunk));
	ixp_list_init(&t->age);
}

int ipfrag_create(struct ipfrag_table **out, const struct ipfrag_limits *lim)
{
	struct ipfrag_table *t = dr_calloc(1, sizeof(*t));
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	err = limits_apply(t, lim);
	if (err < 0) {
		ipfrag_destroy(t);
		return err;
	}
	t->slots = dr_calloc(t->ix.n, sizeof(*t->slots));
	if (!t->slots) {
		ipfrag_destroy(t);
		return -ENOMEM;
	}
	table_init(t);
	*out = t;
	return 0;
}

void ipfrag_destroy(struct ipfrag_table *t)
{
	if (!t)
		return;
	dr_free(t->slots);
	ixp_ents_fini(&t->ix);
	ixp_chunks_fini(&t->pool);
	dr_free(t);
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag_table *t)
{
	return &t->st;
}

void ipfrag_usage(const struct ipfrag_table *t, uint32_t *datagrams, uint32_t *bytes)
{
	*datagrams = t->ix.used;
	*bytes = ixp_chunks_used(&t->pool);
}
