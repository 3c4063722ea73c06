/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * opts.h: the run configuration, filled from the command line (src/cli.c)
 * and read-only once the pipeline starts.
 */
#ifndef DR_OPTS_H
#define DR_OPTS_H

#include <stdint.h>

#include "src/filter.h"

#define DR_MAX_INPUTS 64

struct dr_opts {
	/* input */
	const char *inputs[DR_MAX_INPUTS]; /* -r FILE|-, in order */
	unsigned ninputs;
	const char *iface;                 /* -i IFACE|any */
	uint8_t ports[65536 / 8];          /* -p: bitmap of DNS ports */

	/* live capture (capture/livein.c) */
	unsigned ring_mb;                  /* --ring-mb: ring size per worker, MiB */
	unsigned block_kb;                 /* --block-kb: TPACKET_V3 block size, KiB */
	unsigned block_timeout_ms;         /* --block-timeout-ms: block retire timeout */
	int fanout;                        /* --fanout: PACKET_FANOUT_HASH, _CPU, _LB, _QM */
	int defrag;                        /* !--no-defrag: PACKET_FANOUT_FLAG_DEFRAG */
	int promisc;                       /* !--no-promisc */
	const char *bpf;                   /* -f: user filter expression (libpcap syntax) */
	const char *user;                  /* -u: drop privileges to this user after setup */
	int no_decode;                     /* --no-decode: capture only (benchmark baseline) */

	/* processing */
	unsigned workers;                  /* -w */
	const char *decoder;               /* --decoder */
	int no_match;                      /* --no-match: no query/response matching */
	double match_timeout;              /* --match-timeout seconds */
	int unanswered;                    /* --unanswered: log queries never answered */

	/* output */
	const char *output;                /* -o: NULL or "-" = stdout */
	uint64_t count;                    /* -c: stop after this many records */
	double duration;                   /* --duration seconds */
	unsigned batch_kb;                 /* --batch-kb */
	unsigned stats_interval;           /* --stats-interval seconds, 0 = off */
	int quiet;                         /* -q: no summary */
	int worker_id;                     /* --worker-id: records say which worker made them */
	const char *outputs[8];            /* -o, each: "-", FILE, tcp://HOST:PORT, unix:PATH */
	unsigned noutputs;                 /* fan-out: every record goes to each */
	unsigned rotate_mb;                /* --rotate-mb: rotate files at this size, 0 = off */
	unsigned rotate_keep;              /* --rotate-keep: FILE.1 .. FILE.K */
	unsigned backlog_mb;               /* --backlog-mb: per stream sink */
	int on_full_drop;                  /* --on-full drop (live only): drop, do not wait */
	const char *pid_file;              /* --pid-file PATH */

	/* stats, metrics, filters (src/stats.c, src/metrics.c, src/filter.c) */
	int stats_line;                    /* print the stats line on stderr each interval */
	const char *stats_json;            /* --stats-json FILE: one JSON object per interval */
	const char *metrics;               /* --metrics FILE: Prometheus text, replaced atomically */
	struct dr_filter filter;           /* --only, --qtype, --rcode, --*-suffix, --sample */
};

static inline int dr_opts_port(const struct dr_opts *o, uint16_t port)
{
	return (o->ports[port >> 3] >> (port & 7)) & 1;
}

#endif /* DR_OPTS_H */
