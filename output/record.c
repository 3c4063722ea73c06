/* SPDX-License-Identifier: BSD-2-Clause */
/* record.c: the envelope members of a record; see record.h for the layout. */
#include "config.h"

#include <netinet/in.h>

#include "output/record.h"

static void put_vlans(struct jbuf *jb, const struct pkt_info *pi)
{
	if (!pi->nvlan)
		return;
	jb_lit(jb, ",\"vlan\":[");
	for (unsigned i = 0; i < pi->nvlan; i++) {
		if (i)
			jb_char(jb, ',');
		jb_u64(jb, pi->vlan[i]);
	}
	jb_char(jb, ']');
}

void rec_begin(struct jbuf *jb, struct jb_tscache *tsc, const struct rec_meta *m)
{
	const struct pkt_info *pi = m->pi;

	jb_lit(jb, "{\"ts\":");
	jb_ts(jb, tsc, m->ts_ns);
	if (m->iface) {
		jb_lit(jb, ",\"iface\":");
		jb_cstr(jb, m->iface);
	}
	put_vlans(jb, pi);
	jb_lit(jb, ",\"src_ip\":");
	jb_ip(jb, pi->ip_version, pi->src);
	jb_lit(jb, ",\"src_port\":");
	jb_u64(jb, pi->sport);
	jb_lit(jb, ",\"dst_ip\":");
	jb_ip(jb, pi->ip_version, pi->dst);
	jb_lit(jb, ",\"dst_port\":");
	jb_u64(jb, pi->dport);
	jb_lit(jb, ",\"ip_version\":");
	jb_u64(jb, pi->ip_version);
	if (m->transport == IPPROTO_TCP)
		jb_lit(jb, ",\"transport\":\"tcp\"");
	else
		jb_lit(jb, ",\"transport\":\"udp\"");
	jb_lit(jb, ",\"size\":");
	jb_u64(jb, m->size);
}

void rec_end(struct jbuf *jb, const struct rec_meta *m, enum dns_err err)
{
	rec_end_error(jb, m, err == DNS_OK ? NULL : dns_err_name(err));
}

void rec_end_error(struct jbuf *jb, const struct rec_meta *m, const char *error)
{
	if (m->rtt_us >= 0) {
		jb_lit(jb, ",\"rtt_us\":");
		jb_u64(jb, (uint64_t)m->rtt_us);
	}
	jb_lit(jb, ",\"ip_defragmented\":");
	jb_bool(jb, m->ip_defragmented);
	jb_lit(jb, ",\"tcp_reassembled\":");
	jb_bool(jb, m->tcp_reassembled);
	if (m->unanswered)
		jb_lit(jb, ",\"unanswered\":true");
	if (m->worker >= 0) {
		jb_lit(jb, ",\"worker\":");
		jb_u64(jb, (uint64_t)m->worker);
	}
	if (error) {
		jb_lit(jb, ",\"malformed\":true,\"error\":");
		jb_cstr(jb, error);
	}
	jb_lit(jb, "}\n");
}
