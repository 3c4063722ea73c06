/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: the composition root. Parse options, build the writer and the
 * workers, run the capture source until it ends or a stop is requested,
 * then print the summary. Only this file exits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/livein.h"
#include "capture/pcapin.h"
#include "src/cli.h"
#include "src/stats.h"
#include "src/worker.h"

static int start_writer(const struct dr_opts *o, struct stats_src *ss, struct writer **wr)
{
	struct writer_cfg wc = {
		.path = o->output,
		.outputs = o->outputs,
		.noutputs = o->noutputs,
		.rotate_bytes = (uint64_t)o->rotate_mb << 20,
		.rotate_keep = o->rotate_keep,
		.backlog_bytes = (size_t)o->backlog_mb << 20,
		.on_full_drop = o->on_full_drop,
		.nworkers = o->workers,
		.batch_size = (size_t)o->batch_kb * 1024,
		/* 8 MiB of batches per worker (8 of the default size): with 4
		 * a worker running flat out on a file waited for the writer
		 * ~100 times a run, as many batches as 2 workers had in
		 * flight while the writer waited for a core. --on-full drop
		 * drops when the pool runs dry, so it keeps 8 MiB whatever
		 * the batch size. */
		.batches_per_worker = o->on_full_drop && o->batch_kb < 1024 ? 8192 / o->batch_kb : 8,
		.max_records = o->count,
		.duration = o->duration,
		.stats_interval = o->stats_interval,
		.tick = stats_tick,
		.tick_arg = ss,
	};
	int ret = writer_create(wr, &wc); /* says what failed itself */

	if (ret < 0)
		return ret;
	ss->wr = *wr;
	if ((ret = writer_start(*wr)) < 0)
		fprintf(stderr, "dnsring: cannot start the writer thread: %s\n", dr_strerror(ret));
	return ret;
}

/*
 * --pid-file: written before the writer starts and before live capture
 * drops privileges (so root can write it in /run), removed at exit if it
 * still holds our pid (after -u that needs a directory the user may write).
 */
static int pid_file_write(const char *path)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		fprintf(stderr, "dnsring: cannot write --pid-file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void pid_file_remove(const char *path)
{
	char buf[24] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;
	if (read(fd, buf, sizeof(buf) - 1) > 0 && strtol(buf, NULL, 10) == (long)getpid())
		unlink(path);
	close(fd);
}

/* Live capture with no -i: the default route's interface. */
static int pick_iface(struct dr_opts *o, char *buf, size_t len)
{
	int ret;

	if (o->ninputs || o->iface)
		return 0;
	if ((ret = livein_default_iface(buf, len)) < 0) {
		fprintf(stderr, "dnsring: no -i or -r given and no default route to pick an "
			"interface from (%s); see --help\n", dr_strerror(ret));
		return ret;
	}
	o->iface = buf;
	return 0;
}

/* Run the capture source to its end; @return the process exit code. */
static int run_source(const struct dr_opts *o, struct worker *workers, struct stats_src *ss)
{
	static struct pcapin_stats fst;
	static struct livein_stats lst;
	int ret;

	if (o->ninputs) {
		ss->file = &fst;
		return pcapin_run(o, workers, o->workers, &fst) < 0 ? 1 : 0;
	}
	ss->live = &lst;
	for (unsigned i = 0; i < o->workers; i++)
		workers[i].iface = o->iface;
	ret = livein_run(o, workers, o->workers, &lst);
	return ret == DR_EUSAGE ? 2 : ret < 0 ? 1 : 0;
}

static int run(const struct dr_opts *o)
{
	struct stats_src ss = { .nworkers = o->workers, .t_start = stats_now() };
	const struct dns_decoder_ops *ops = dns_decoder_find(o->decoder);
	struct writer *wr = NULL;
	struct worker *workers = dr_calloc(o->workers, sizeof(*workers));
	int ret, rc = 1;

	if (!workers) {
		fprintf(stderr, "dnsring: out of memory\n");
		return 1;
	}
	ss.workers = workers;
	for (unsigned i = 0; i < o->workers; i++) {
		if ((ret = worker_init(&workers[i], i, o, ops, NULL)) < 0) {
			fprintf(stderr, "dnsring: cannot set up worker: %s\n", dr_strerror(ret));
			goto out;
		}
	}
	if (stats_start(&ss, o) < 0 || (o->pid_file && pid_file_write(o->pid_file) < 0) ||
	    start_writer(o, &ss, &wr) < 0)
		goto out;
	for (unsigned i = 0; i < o->workers; i++)
		workers[i].wr = wr;
	rc = run_source(o, workers, &ss);
	writer_join(wr);
	if (writer_error(wr) && writer_error(wr) != -EPIPE)
		rc = 1;
	/* After a live setup error the one-line error says it all. */
	if (!o->quiet && !(ss.live && !ss.live->started)) {
		stats_summary(stderr, &ss);
		writer_print_summary(stderr, wr); /* sinks, --on-full drop */
	}
out:
	if (o->pid_file)
		pid_file_remove(o->pid_file);
	stats_stop(&ss); /* final --stats-json/--metrics: workers and writer done */
	for (unsigned i = 0; i < o->workers; i++)
		worker_fini(&workers[i]);
	writer_destroy(wr);
	dr_free(workers);
	return rc;
}

int main(int argc, char **argv)
{
	static struct dr_opts opts;
	char ifbuf[64];

	switch (cli_parse(argc, argv, &opts)) {
	case CLI_EXIT_OK:
		return 0;
	case CLI_EXIT_USAGE:
		return 2;
	case CLI_RUN:
		break;
	}
	if (pick_iface(&opts, ifbuf, sizeof(ifbuf)) < 0)
		return 1;
	return run(&opts);
}
