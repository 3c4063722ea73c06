/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.h: append-only JSON text writer into a caller-owned buffer (prefix jb_).
 *
 * A struct jbuf is a (cursor, end) pair over memory someone else owns (a
 * batch buffer). Every append checks the remaining room; on overflow it sets
 * a sticky flag and writes nothing more, so a record is formatted with no
 * per-call error checks and tested once at the end (ldns buffer _status,
 * Knot wire_ctx). Nothing here allocates.
 *
 * Strings: jb_str() writes a quoted JSON string from arbitrary bytes. Valid
 * UTF-8 passes through; '"', '\\' and control characters are escaped; each
 * byte that is not part of valid UTF-8 is written as the escape \u00HH (its
 * Latin-1 reading), so the output is always valid UTF-8 and no byte is lost
 * silently. DNS names and RDATA reach here already in presentation format
 * (\DDD escapes, pure ASCII), so that path is rare.
 */
#ifndef DR_JSON_H
#define DR_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jbuf {
	char *p;      /* next byte to write */
	char *end;    /* one past the last writable byte */
	int overflow; /* sticky: set when an append did not fit */
};

static inline void jb_init(struct jbuf *jb, char *buf, size_t cap)
{
	jb->p = buf;
	jb->end = buf + cap;
	jb->overflow = 0;
}

static inline size_t jb_room(const struct jbuf *jb)
{
	return (size_t)(jb->end - jb->p);
}

static inline void jb_raw(struct jbuf *jb, const void *s, size_t n)
{
	if (__builtin_expect(jb_room(jb) < n, 0)) {
		jb->overflow = 1;
		jb->p = jb->end;
		return;
	}
	memcpy(jb->p, s, n);
	jb->p += n;
}

static inline void jb_char(struct jbuf *jb, char c)
{
	if (__builtin_expect(jb->p >= jb->end, 0)) {
		jb->overflow = 1;
		return;
	}
	*jb->p++ = c;
}

/* Append a string literal (length known at compile time). */
#define jb_lit(jb, lit) jb_raw((jb), (lit), sizeof(lit) - 1)

/** Unsigned decimal, no printf. */
void jb_u64(struct jbuf *jb, uint64_t v);
/** Signed decimal. */
void jb_i64(struct jbuf *jb, int64_t v);
/** true / false */
static inline void jb_bool(struct jbuf *jb, int v)
{
	if (v)
		jb_lit(jb, "true");
	else
		jb_lit(jb, "false");
}
/** Quoted, escaped JSON string from n arbitrary bytes (see header comment). */
void jb_str(struct jbuf *jb, const void *s, size_t n);
/** Quoted string of a NUL-terminated C string. */
static inline void jb_cstr(struct jbuf *jb, const char *s)
{
	jb_str(jb, s, strlen(s));
}
/** Quoted lower-case hex of n bytes. */
void jb_hex(struct jbuf *jb, const uint8_t *s, size_t n);
/** Quoted IP address: version 4 (4 bytes) or 6 (16 bytes, RFC 5952 form). */
void jb_ip(struct jbuf *jb, int version, const uint8_t *addr);

/*
 * Timestamps as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". The date part only changes
 * once a second, so each worker keeps its own cache of it.
 */
struct jb_tscache {
	int64_t sec;     /* second the prefix below is for, or INT64_MIN */
	char prefix[20]; /* "YYYY-MM-DDTHH:MM:SS" */
};
void jb_tscache_init(struct jb_tscache *c);
/** Quoted ISO 8601 UTC timestamp with microseconds. */
void jb_ts(struct jbuf *jb, struct jb_tscache *c, uint64_t ts_ns);

#endif /* DR_JSON_H */
