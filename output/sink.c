/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink.c: the output sinks. See sink.h for the four kinds.
 *
 * stdout and FILE live here; tcp:// and unix: are output/stream.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "output/sink.h"
#include "output/stream.h"

#define SINK_IOV_MAX     64
#define HOST_MAX         256

struct sink {
	struct sink_cfg cfg;
	enum sink_kind kind;
	char *name;           /* the -o value */
	struct sink_stats st;

	/* stdout, FILE */
	int fd;
	int own_fd;
	int err;              /* the error that broke it, then every write fails */
	uint64_t size;        /* bytes in the current file (rotation) */
	int regular;          /* a regular file: reopen and rotation apply */

	/* streams */
	struct stream *stream;
	int done;             /* sink_finish() called on_done */
};

/* ---- specs ---- */

/* tcp://HOST:PORT, HOST a name, an IPv4 literal or [IPv6]. */
static int parse_tcp(const char *s, char *host, char *port, const char **why)
{
	const char *h = s, *colon;
	size_t hlen;
	char *end;
	unsigned long p;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return *why = "expected tcp://[IPV6]:PORT", -EINVAL;
		h = s + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return *why = "expected tcp://HOST:PORT", -EINVAL;
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen))
			return *why = "an IPv6 address needs brackets: tcp://[::1]:PORT", -EINVAL;
	}
	if (hlen == 0 || hlen >= HOST_MAX)
		return *why = "expected a host name or address before :PORT", -EINVAL;
	if (colon[1] < '0' || colon[1] > '9')
		return *why = "expected a port number 1-65535", -EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || p == 0 || p > 65535)
		return *why = "expected a port number 1-65535", -EINVAL;
	if (host) {
		memcpy(host, h, hlen);
		host[hlen] = '\0';
		snprintf(port, 8, "%lu", p);
	}
	return 0;
}

int sink_spec_check(const char *spec, const char **why)
{
	if (!*spec)
		return *why = "expected a file, '-', tcp://HOST:PORT or unix:PATH", -EINVAL;
	if (strcmp(spec, "-") == 0)
		return SINK_STDOUT;
	if (strncmp(spec, "tcp://", 6) == 0)
		return parse_tcp(spec + 6, NULL, NULL, why) < 0 ? -EINVAL : SINK_TCP;
	if (strncmp(spec, "unix:", 5) == 0) {
		size_t n = strlen(spec + 5);

		if (n == 0 || n >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return *why = "expected unix:PATH, PATH at most 107 bytes", -EINVAL;
		return SINK_UNIX;
	}
	return SINK_FILE;
}

/* ---- stdout and FILE ---- */

static int file_open(struct sink *s)
{
	struct stat sb;

	if (s->kind == SINK_STDOUT) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->fd = open(s->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		int err = -errno;

		fprintf(stderr, "dnsring: cannot open output %s: %s\n", s->name, strerror(-err));
		return err;
	}
	s->own_fd = 1;
	s->size = fstat(s->fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	s->regular = fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (s->cfg.rotate_bytes && !s->regular) {
		/* Never rename /dev/null or a FIFO. */
		fprintf(stderr, "dnsring: %s is not a regular file: --rotate-mb does not apply to it\n",
			s->name);
		s->cfg.rotate_bytes = 0;
	}
	return 0;
}

static void count_failed(struct sink *s, uint64_t recs)
{
	dr_ctr_add(&s->st.failed, recs);
}

/*
 * After a write failed with done bytes of the gather written: count what
 * was written whole, cut a torn last record off a regular file (so the
 * file holds whole lines only) and count the rest as failed.
 */
static void file_account_failure(struct sink *s, const struct sink_chunk *c, unsigned n,
				 size_t done, int err)
{
	uint64_t whole = 0, bytes = 0, all = 0;
	size_t torn = 0;
	struct stat sb;

	for (unsigned i = 0; i < n; i++) {
		all += c[i].nrec;
		if (done >= c[i].len) {
			whole += c[i].nrec;
			bytes += c[i].len;
			done -= c[i].len;
		} else if (done) {
			size_t end;

			whole += sink_count_lines(c[i].buf, done, &end);
			bytes += end;
			torn = done - end;
			done = 0;
		}
	}
	if (torn && s->kind == SINK_FILE && fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size >= torn && ftruncate(s->fd, sb.st_size - (off_t)torn) == 0)
		torn = 0;
	dr_ctr_add(&s->st.records, whole);
	dr_ctr_add(&s->st.bytes, bytes);
	count_failed(s, all - whole);
	s->err = err;
	if (err != -EPIPE)
		fprintf(stderr, "dnsring: cannot write to %s: %s; stopping%s\n",
			s->kind == SINK_STDOUT ? "standard output" : s->name, strerror(-err),
			torn ? " (the file ends with a partial record)" : "");
}

/* One blocking writev of whole chunks (n <= SINK_IOV_MAX), written completely. */
static int file_writev(struct sink *s, const struct sink_chunk *c, unsigned n)
{
	struct iovec iov[SINK_IOV_MAX], *v = iov;
	size_t total = 0, done = 0;
	uint64_t recs = 0;
	int left = (int)n;

	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){ .iov_base = (void *)c[i].buf, .iov_len = c[i].len };
		total += c[i].len;
		recs += c[i].nrec;
	}
	while (left > 0) {
		ssize_t r = writev(s->fd, v, left);

		if (r < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			file_account_failure(s, c, n, done, err);
			return err;
		}
		done += (size_t)r;
		while (left > 0 && (size_t)r >= v->iov_len) {
			r -= (ssize_t)v->iov_len;
			v++;
			left--;
		}
		if (left > 0) {
			v->iov_base = (char *)v->iov_base + r;
			v->iov_len -= (size_t)r;
		}
	}
	s->size += total;
	dr_ctr_add(&s->st.records, recs);
	dr_ctr_add(&s->st.bytes, total);
	return 0;
}

/* Switch to a freshly opened FILE (the old fd is kept if that fails). */
static int file_switch(struct sink *s, const char *why)
{
	int fd = open(s->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct stat sb;

	if (fd < 0) {
		fprintf(stderr, "dnsring: %s: cannot reopen %s: %s; still writing to the old file\n",
			why, s->name, strerror(errno));
		return -1;
	}
	close(s->fd);
	s->fd = fd;
	s->size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	return 0;
}

/* FILE -> FILE.1 -> ... -> FILE.K (the oldest is replaced), then a new FILE. */
static int file_rotate(struct sink *s)
{
	char from[PATH_MAX], to[PATH_MAX];

	for (unsigned i = s->cfg.rotate_keep; i >= 1; i--) {
		int a = i > 1 ? snprintf(from, sizeof(from), "%s.%u", s->name, i - 1)
			      : snprintf(from, sizeof(from), "%s", s->name);
		int b = snprintf(to, sizeof(to), "%s.%u", s->name, i);

		if (a < 0 || b < 0 || (size_t)a >= sizeof(from) || (size_t)b >= sizeof(to)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		if (rename(from, to) < 0 && errno != ENOENT)
			goto fail;
	}
	if (file_switch(s, "rotation") < 0)
		return -1;
	dr_ctr_add(&s->st.rotations, 1);
	return 0;
fail:
	fprintf(stderr, "dnsring: cannot rotate %s (%s -> %s): %s; rotation off, writing on\n",
		s->name, from, to, strerror(errno));
	return -1;
}

/* With size rotation: chunk by chunk, split at the record where the file fills. */
static int file_write_rotating(struct sink *s, const struct sink_chunk *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct sink_chunk part = c[i];

		while (part.len) {
			uint64_t lim = s->cfg.rotate_bytes;
			size_t room = !lim ? SIZE_MAX : s->size >= lim ? 0 : (size_t)(lim - s->size);
			struct sink_chunk w = part;
			int ret;

			w.len = sink_fit_records(&part, room, &w.nrec);
			if (!w.nrec && s->size > 0) {
				if (file_rotate(s) < 0)
					s->cfg.rotate_bytes = 0;
				continue;
			}
			if (!w.nrec) { /* a record larger than the limit: a file of its own */
				const char *nl = memchr(part.buf, '\n', part.len);

				w.len = (size_t)(nl - part.buf) + 1;
				w.nrec = 1;
			}
			if ((ret = file_writev(s, &w, 1)) < 0) {
				uint64_t rest = part.nrec - w.nrec;

				for (unsigned j = i + 1; j < n; j++)
					rest += c[j].nrec;
				count_failed(s, rest);
				return ret;
			}
			part.buf += w.len;
			part.len -= w.len;
			part.nrec -= w.nrec;
		}
	}
	return 0;
}

static int file_write(struct sink *s, const struct sink_chunk *c, unsigned n)
{
	if (s->err) {
		uint64_t all = 0;

		for (unsigned i = 0; i < n; i++)
			all += c[i].nrec;
		count_failed(s, all);
		return s->err;
	}
	if (s->kind == SINK_FILE && s->cfg.rotate_bytes)
		return file_write_rotating(s, c, n);
	return file_writev(s, c, n);
}

/* ---- the interface ---- */

static int is_stream(const struct sink *s)
{
	return s->kind == SINK_TCP || s->kind == SINK_UNIX;
}

int sink_create(struct sink **out, const struct sink_cfg *cfg)
{
	const char *why = NULL;
	int kind = sink_spec_check(cfg->spec, &why);
	char host[HOST_MAX], port[8];
	struct stream_cfg sc;
	struct sink *s;
	size_t n;

	*out = NULL;
	if (kind < 0) {
		fprintf(stderr, "dnsring: invalid -o '%s': %s\n", cfg->spec, why);
		return -EINVAL;
	}
	if (!(s = dr_calloc(1, sizeof(*s))))
		return -ENOMEM;
	*out = s;
	s->cfg = *cfg;
	s->kind = (enum sink_kind)kind;
	s->fd = -1;
	n = strlen(cfg->spec) + 1;
	if (!(s->name = dr_malloc(n)))
		return -ENOMEM;
	memcpy(s->name, cfg->spec, n);
	if (!is_stream(s))
		return file_open(s);
	sc = (struct stream_cfg){
		.name = s->name,
		.is_unix = s->kind == SINK_UNIX,
		.host = s->kind == SINK_UNIX ? cfg->spec + 5 : host,
		.port = port,
		.backlog_bytes = cfg->backlog_bytes,
		.st = &s->st,
		.on_room = cfg->on_room,
		.on_done = cfg->on_done,
		.arg = cfg->arg,
	};
	if (s->kind == SINK_TCP)
		parse_tcp(cfg->spec + 6, host, port, &why);
	return stream_create(&s->stream, &sc);
}

int sink_start(struct sink *s, uv_loop_t *loop)
{
	if (is_stream(s))
		stream_start(s->stream, loop);
	return 0;
}

void sink_destroy(struct sink *s)
{
	if (!s)
		return;
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	stream_destroy(s->stream);
	dr_free(s->name);
	dr_free(s);
}

enum sink_kind sink_kind(const struct sink *s)
{
	return s->kind;
}

const char *sink_name(const struct sink *s)
{
	return s->kind == SINK_STDOUT ? "stdout" : s->name;
}

const struct sink_stats *sink_stats(const struct sink *s)
{
	return &s->st;
}

size_t sink_room(const struct sink *s)
{
	return is_stream(s) ? stream_room(s->stream) : SIZE_MAX;
}

int sink_write(struct sink *s, const struct sink_chunk *c, unsigned n)
{
	if (!is_stream(s))
		return file_write(s, c, n);
	stream_write(s->stream, c, n);
	return 0;
}

void sink_reopen(struct sink *s)
{
	if (s->kind != SINK_FILE || !s->regular || s->err)
		return; /* reopening a FIFO could block the writer */
	if (file_switch(s, "SIGHUP") == 0)
		dr_ctr_add(&s->st.reopens, 1);
}

void sink_finish(struct sink *s, int give_up)
{
	if (is_stream(s)) {
		stream_finish(s->stream, give_up);
		return;
	}
	if (!s->done && s->cfg.on_done) {
		s->done = 1;
		s->cfg.on_done(s->cfg.arg);
	}
}
