/* SPDX-License-Identifier: BSD-2-Clause */
/* livein.c: placeholder until the TPACKET_V3 capture lands. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "capture/livein.h"

int livein_run(const struct dr_opts *opts, struct worker *workers, unsigned n,
	       struct livein_stats *st)
{
	(void)opts; (void)st;
	for (unsigned i = 0; i < n; i++)
		worker_finish(&workers[i]);
	fprintf(stderr, "dnsring: live capture is not available in this build\n");
	return -ENOSYS;
}

int livein_default_iface(char *buf, size_t len)
{
	(void)buf; (void)len;
	return -ENOSYS;
}
