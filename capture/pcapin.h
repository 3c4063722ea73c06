/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapin.h: capture-file input (prefix pcapin_).
 *
 * Reads pcap and pcapng files (libpcap), several in order, "-" for stdin,
 * copies packets into fixed-size blocks (capture/block.h views) and hands
 * each block to one worker, chosen per packet by the symmetric flow hash so
 * a query and its response meet on one worker. It runs one thread per
 * worker; the calling thread reads.
 *
 * File input never drops: when workers fall behind, the reader waits for a
 * free block (each worker has a small fixed pool of them).
 */
#ifndef DR_PCAPIN_H
#define DR_PCAPIN_H

#include "src/common.h"
#include "src/opts.h"
#include "src/worker.h"

struct pcapin_stats {
	dr_ctr files;            /* files opened */
	dr_ctr pkts;             /* packets read */
	dr_ctr bytes;            /* their captured bytes */
	dr_ctr skip_linktype;    /* packets of files with an unsupported link type */
};

/** The DR_LINK_* (pcap LINKTYPE_) value for a pcap_datalink() DLT_ value,
 * or -1 when dnsring does not decode that link type. */
int pcapin_link_from_dlt(int dlt);

/**
 * Read every input of opts in order and run workers[0..n) until all packets
 * are processed (or a stop is requested); each worker is finished
 * (worker_finish) before this returns.
 * @return 0, or a negative error when an input could not be read (after
 *         printing one line about it); what was read is still processed.
 */
int pcapin_run(const struct dr_opts *opts, struct worker *workers, unsigned n,
	       struct pcapin_stats *st);

#endif /* DR_PCAPIN_H */
