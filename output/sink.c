/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink.c: the output sinks. See sink.h for the four kinds.
 *
 * stdout and FILE live here; tcp:// and unix: are output/stream.c.
 *
 * stdout on a pipe, FIFO, terminal or socket is written without blocking,
 * so a reader that stops reading cannot stall the writer thread (and with
 * it the signal handles, the timers and the other outputs). fd 1 itself is
 * never made non-blocking: its open file description is shared with the
 * shell and whoever else holds it. A pipe, FIFO or terminal is opened again
 * through /proc/self/fd/1, which gives a description of our own that can be
 * O_NONBLOCK; a socket is written with sendmsg(MSG_DONTWAIT), and its
 * writability is watched through an epoll fd of our own (uv_poll_init would
 * set O_NONBLOCK on the fd it watches). A regular file or /dev/null keeps the
 * blocking writev: it never waits for a reader.
 *
 * Non-blocking, a gather is written as far as the kernel takes it; the rest
 * waits in the event loop (uv_poll, writable) and the sink keeps the
 * writer's batches (sink_write() returns SINK_BUSY) until the whole gather is
 * out, so a record begun is always finished before anything else is
 * written, and the writer holds everything behind it: the same backpressure
 * as a blocking write, without blocking the thread. After a stop, the writer
 * gives up on it after its grace (sink_give_up()): what is not written is
 * counted as lost at exit, and nothing more is written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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

	/* stdout written without blocking (see the top of this file) */
	enum { NB_OFF, NB_FD, NB_SOCK } nb;
	int pfd;              /* what uv_poll watches: fd (NB_FD), an epoll fd (NB_SOCK) */
	uv_poll_t poll;
	int poll_init;
	struct sink_chunk q[SINK_IOV_MAX]; /* the gather being written (the writer's batches) */
	unsigned qn;
	size_t qlen, qdone;   /* its bytes, and how many of them are written */
	int busy;             /* q is not completely written: waiting for the fd */
	int give_up;          /* after the stop's grace: wait no more */
	int stalled;          /* gave up on a gather: nothing more is written */
	int finishing;

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

/*
 * stdout: on a pipe, FIFO, terminal or socket, set up non-blocking writes
 * (without touching fd 1's own flags); anything else, or when that is not
 * possible (no /proc, a reader already gone), stays a blocking writev.
 */
static void stdout_open(struct sink *s)
{
	struct stat sb, nb;
	int fd;

	s->fd = STDOUT_FILENO;
	if (fstat(STDOUT_FILENO, &sb) < 0)
		return;
	if (S_ISSOCK(sb.st_mode)) {
		struct epoll_event ev = { .events = EPOLLOUT };

		if ((fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
			return;
		if (epoll_ctl(fd, EPOLL_CTL_ADD, STDOUT_FILENO, &ev) < 0) {
			close(fd);
			return;
		}
		s->nb = NB_SOCK;
		s->pfd = fd;
		return;
	}
	if (!S_ISFIFO(sb.st_mode) && !isatty(STDOUT_FILENO))
		return;
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	if (fstat(fd, &nb) < 0 || nb.st_dev != sb.st_dev || nb.st_ino != sb.st_ino ||
	    nb.st_rdev != sb.st_rdev) {
		close(fd);
		return;
	}
	s->fd = s->pfd = fd;
	s->own_fd = 1;
	s->nb = NB_FD;
}

static int file_open(struct sink *s)
{
	struct stat sb;

	if (s->kind == SINK_STDOUT) {
		stdout_open(s);
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
 * done bytes of the gather c[0..n) went out: count the records written
 * whole (records, bytes). @return the records not written whole; *torn:
 * the bytes of a record cut after them.
 */
static uint64_t account_partial(struct sink *s, const struct sink_chunk *c, unsigned n,
				size_t done, size_t *torn)
{
	uint64_t whole = 0, bytes = 0, all = 0;

	*torn = 0;
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
			*torn = done - end;
			done = 0;
		}
	}
	dr_ctr_add(&s->st.records, whole);
	dr_ctr_add(&s->st.bytes, bytes);
	s->size += bytes;
	return all - whole;
}

/*
 * After a write failed with done bytes of the gather written: count what
 * was written whole, cut a torn last record off a regular file (so the
 * file holds whole lines only) and count the rest as failed.
 */
static void file_account_failure(struct sink *s, const struct sink_chunk *c, unsigned n,
				 size_t done, int err)
{
	size_t torn;
	uint64_t rest = account_partial(s, c, n, done, &torn);
	struct stat sb;

	if (torn && s->kind == SINK_FILE && fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size >= torn && ftruncate(s->fd, sb.st_size - (off_t)torn) == 0)
		torn = 0;
	count_failed(s, rest);
	s->err = err;
	if (err != -EPIPE)
		fprintf(stderr, "dnsring: cannot write to %s: %s; stopping%s\n",
			s->kind == SINK_STDOUT ? "standard output" : s->name, strerror(-err),
			torn ? (s->kind == SINK_FILE ? " (the file ends with a partial record)"
						     : " (the output ends with a partial record)") : "");
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

/* ---- stdout without blocking ---- */

static void on_writable(uv_poll_t *h, int status, int events);

/* Watch the fd for room (an epoll fd on a socket: readable when fd 1 is writable). */
static void nb_poll(struct sink *s, int on)
{
	if (!s->poll_init || uv_is_closing((uv_handle_t *)&s->poll))
		return;
	if (on)
		uv_poll_start(&s->poll, s->nb == NB_SOCK ? UV_READABLE : UV_WRITABLE, on_writable);
	else
		uv_poll_stop(&s->poll);
}

/*
 * Write the rest of the gather q as far as the fd takes it. @return 0 when
 * it is all out, -EAGAIN when the fd is full, or the -errno of a failure.
 */
static int nb_push(struct sink *s)
{
	struct iovec iov[SINK_IOV_MAX];

	while (s->qdone < s->qlen) {
		size_t skip = s->qdone, left = s->qlen - s->qdone;
		unsigned k = 0;
		ssize_t r;

		for (unsigned i = 0; i < s->qn; i++) {
			if (skip >= s->q[i].len) {
				skip -= s->q[i].len;
				continue;
			}
			iov[k++] = (struct iovec){ .iov_base = (char *)s->q[i].buf + skip,
						   .iov_len = s->q[i].len - skip };
			skip = 0;
		}
		if (s->nb == NB_SOCK) {
			struct msghdr m = { .msg_iov = iov, .msg_iovlen = k };

			r = sendmsg(s->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else {
			r = writev(s->fd, iov, (int)k);
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		s->qdone += (size_t)r;
		if ((size_t)r < left)
			return -EAGAIN; /* the pipe or socket is full: wait until writable */
	}
	return 0;
}

/* Give up on the gather in q: what is not written whole is lost at exit. */
static void nb_abandon(struct sink *s)
{
	size_t torn;
	uint64_t rest = account_partial(s, s->q, s->qn, s->qdone, &torn);

	dr_ctr_add(&s->st.lost_exit, rest);
	if (!s->stalled)
		fprintf(stderr, "dnsring: standard output is not being read: giving up after the "
			"stop, the records not written are counted as lost%s\n",
			torn ? " (the output ends with a partial record)" : "");
	s->stalled = 1;
	s->busy = 0;
	s->qn = 0;
	nb_poll(s, 0);
}

/* What a write attempt left: done, waiting for the fd, given up or failed. */
static int nb_settle(struct sink *s, int ret)
{
	if (ret == 0) {
		uint64_t recs = 0;

		for (unsigned i = 0; i < s->qn; i++)
			recs += s->q[i].nrec;
		dr_ctr_add(&s->st.records, recs);
		dr_ctr_add(&s->st.bytes, s->qlen);
		s->size += s->qlen;
		s->busy = 0;
		s->qn = 0;
		nb_poll(s, 0);
		return 0;
	}
	if (ret == -EAGAIN && !s->give_up && s->poll_init) {
		if (!s->busy)
			nb_poll(s, 1);
		s->busy = 1;
		return SINK_BUSY;
	}
	if (ret == -EAGAIN) {
		nb_abandon(s);
		return 0;
	}
	file_account_failure(s, s->q, s->qn, s->qdone, ret);
	s->busy = 0;
	s->qn = 0;
	nb_poll(s, 0);
	return ret;
}

static int nb_write(struct sink *s, const struct sink_chunk *c, unsigned n)
{
	s->qn = n;
	s->qlen = 0;
	s->qdone = 0;
	for (unsigned i = 0; i < n; i++) {
		s->q[i] = c[i];
		s->qlen += c[i].len;
	}
	if (s->stalled) {
		nb_abandon(s);
		return 0;
	}
	return nb_settle(s, nb_push(s));
}

static void nb_done(struct sink *s)
{
	if (s->done)
		return;
	s->done = 1;
	if (s->poll_init && !uv_is_closing((uv_handle_t *)&s->poll))
		uv_close((uv_handle_t *)&s->poll, NULL);
	if (s->cfg.on_done)
		s->cfg.on_done(s->cfg.arg);
}

/* The fd is writable (or broke): go on with the gather; tell the writer when it is out. */
static void on_writable(uv_poll_t *h, int status, int events)
{
	struct sink *s = h->data;
	int ret;

	(void)events;
	if (!s->busy)
		return;
	/* libuv says UV_EBADF for POLLERR (and stops the handle): the write
	 * tells what it really is, EPIPE when the reader went away. */
	ret = nb_push(s);
	if (status < 0 && ret == -EAGAIN)
		ret = status;
	nb_settle(s, ret);
	if (s->busy)
		return;
	if (s->cfg.on_room)
		s->cfg.on_room(s->cfg.arg);
	if (s->finishing)
		nb_done(s);
}

/* ---- stdout and FILE: the entry ---- */

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
	if (s->nb)
		return nb_write(s, c, n);
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
	if (s->nb && uv_poll_init(loop, &s->poll, s->pfd) == 0) {
		s->poll.data = s;
		s->poll_init = 1;
	} else if (s->nb) {
		/* Cannot watch it: back to a blocking writev on fd 1. */
		if (s->pfd != s->fd)
			close(s->pfd);
		if (s->own_fd)
			close(s->fd);
		s->own_fd = 0;
		s->fd = STDOUT_FILENO;
		s->nb = NB_OFF;
	}
	return 0;
}

void sink_destroy(struct sink *s)
{
	if (!s)
		return;
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	if (s->nb == NB_SOCK)
		close(s->pfd);
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

int sink_async(const struct sink *s)
{
	return is_stream(s) || s->nb;
}

int sink_busy(const struct sink *s)
{
	return s->busy;
}

int sink_error(const struct sink *s)
{
	return is_stream(s) ? 0 : s->err;
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

void sink_give_up(struct sink *s)
{
	if (!s->nb)
		return;
	s->give_up = 1;
	if (s->busy)
		nb_abandon(s);
}

void sink_finish(struct sink *s, int give_up)
{
	if (is_stream(s)) {
		stream_finish(s->stream, give_up);
		return;
	}
	/* stdout gives up through sink_give_up() only: the writer decides
	 * when (a signal or an error), not every stop. */
	if (s->busy) {
		s->finishing = 1; /* on_writable, or sink_give_up + sink_finish, finishes */
		return;
	}
	nb_done(s);
}
