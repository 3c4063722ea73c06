/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msgload.c: load the UDP DNS payloads of capture files (see msgload.h).
 * libpcap reads the file (pcap or pcapng); pkt_decode() finds the UDP
 * payload exactly as the pipeline does. Test support: plain realloc, and
 * exit-free error reporting on stderr.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture/pcapin.h"
#include "capture/pkt.h"
#include "tests/msgload.h"

static int dns_port(uint16_t p)
{
	return p == 53 || p == 5353 || p == 5355;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static int add(struct msgs *m, const uint8_t *data, uint32_t len)
{
	if (grow((void **)&m->buf, &m->cap, m->used + len, 1) != 0)
		return -1;
	if (m->n == m->ncap) { /* off[] and len[] grow together */
		size_t n = m->ncap ? 2 * m->ncap : 1024;
		size_t *off = realloc(m->off, n * sizeof(*off));
		uint32_t *l;

		if (!off)
			return -1;
		m->off = off;
		l = realloc(m->len, n * sizeof(*l));
		if (!l)
			return -1;
		m->len = l;
		m->ncap = n;
	}
	memcpy(m->buf + m->used, data, len);
	m->off[m->n] = m->used;
	m->len[m->n] = len;
	m->used += len;
	m->n++;
	return 0;
}

int msgs_walk(const char *path, FILE *fp, msgs_cb cb, void *arg,
	      uint64_t *frames)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int link, rc, stop = 0;

	pc = fp ? pcap_fopen_offline(fp, errbuf) : pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(stderr, "%s: %s\n", path, errbuf);
		return -1;
	}
	link = pcapin_link_from_dlt(pcap_datalink(pc));
	for (;;) {
		struct dr_pkt p;
		struct pkt_info pi;

		rc = stop ? 0 : pcap_next_ex(pc, &h, &data);
		if (rc != 1)
			break;
		p = (struct dr_pkt){ .data = data, .caplen = h->caplen,
				     .wirelen = h->len, .linktype = (uint16_t)link };
		if (frames)
			(*frames)++;
		if (link < 0 || pkt_decode(&p, &pi) != PKT_OK || pi.l4proto != 17)
			continue;
		if (!dns_port(pi.sport) && !dns_port(pi.dport))
			continue;
		stop = cb(arg, pi.payload, pi.payload_len);
	}
	if (!stop && rc == -1)
		fprintf(stderr, "%s: %s\n", path, pcap_geterr(pc));
	pcap_close(pc); /* closes fp too */
	if (stop)
		return 1;
	return rc == -1 ? -1 : 0;
}

static int load_cb(void *arg, const uint8_t *msg, uint32_t len)
{
	return add(arg, msg, len) != 0;
}

int msgs_load(struct msgs *m, const char *path)
{
	int rc = msgs_walk(path, NULL, load_cb, m, &m->frames);

	if (rc == 1)
		fprintf(stderr, "%s: out of memory\n", path);
	return rc == 0 ? 0 : -1;
}

void msgs_free(struct msgs *m)
{
	free(m->buf);
	free(m->off);
	free(m->len);
	memset(m, 0, sizeof(*m));
}
