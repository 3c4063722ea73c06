/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * livein.h: live capture input (prefix livein_): one AF_PACKET socket with
 * a TPACKET_V3 RX ring per worker, all in one PACKET_FANOUT group, each
 * driven by its own thread that walks blocks and hands them to its worker.
 */
#ifndef DR_LIVEIN_H
#define DR_LIVEIN_H

#include <stddef.h>

#include "src/common.h"
#include "src/opts.h"
#include "src/worker.h"

/* Per ring, accumulated from PACKET_STATISTICS (which resets on read) by the
 * ring's own thread; read by the stats reporter. */
struct livein_ring_stats {
	dr_ctr packets;  /* tp_packets: frames the kernel queued (incl. dropped) */
	dr_ctr drops;    /* tp_drops: frames dropped because the ring was full */
	dr_ctr freezes;  /* tp_freeze_q_cnt */
	dr_ctr blocks;   /* blocks walked */
	dr_ctr frames;   /* frames walked (handed to the worker, or not with --no-decode) */
	dr_ctr unknown_link; /* frames from a device type with no known link header
	                      * (sll_hatype): decoded from the network header on */
	dr_ctr unread;   /* frames the kernel queued but still in the ring at exit */
};

struct livein_stats {
	int started;    /* capture ran (rings open, threads started): a summary
	                 * is meaningful; 0 after a setup error */
	unsigned nrings;
	struct livein_ring_stats *ring; /* nrings entries, allocated by livein_run;
	                                 * kept after it returns, for the summary */
};

/**
 * Open the rings on opts->iface, drop privileges (-u), run until a stop is
 * requested, finish every worker (worker_finish) and return.
 * @return 0, or a negative error after printing one line about it; on
 *         DR_EUSAGE-class errors (no such interface, bad filter) the caller
 *         exits 2, otherwise 1.
 */
int livein_run(const struct dr_opts *opts, struct worker *workers, unsigned n,
	       struct livein_stats *st);

/** Name of the interface of the default route into buf. @return 0 or -errno. */
int livein_default_iface(char *buf, size_t len);

#endif /* DR_LIVEIN_H */
