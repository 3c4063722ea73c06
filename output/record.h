/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record.h: the envelope of a schema-v1 record (prefix rec_).
 *
 * A record is one JSON object on one line:
 *   rec_begin()  {"ts":..,"iface":..,"vlan":[..],"src_ip":..,"src_port":..,
 *                "dst_ip":..,"dst_port":..,"ip_version":..,"transport":..,"size":..
 *   decoder      ,"id":.. through ,"edns":{..}        (dns/dns.h)
 *   rec_end()    ,"rtt_us":..,"ip_defragmented":..,"tcp_reassembled":..
 *                ,"unanswered":true,"worker":..,"malformed":true,"error":".."}\n
 * Optional members are omitted when they do not apply: iface (file input),
 * vlan (untagged), rtt_us (no matching query seen), malformed/error (well
 * formed), worker (only with --worker-id). docs/schema.json is the contract.
 */
#ifndef DR_RECORD_H
#define DR_RECORD_H

#include <stdint.h>

#include "capture/pkt.h"
#include "dns/dns.h"
#include "output/json.h"

struct rec_meta {
	uint64_t ts_ns;
	const char *iface;          /* NULL: omitted */
	const struct pkt_info *pi;  /* addresses, ports, VLAN ids, IP version */
	uint8_t transport;          /* IPPROTO_UDP or IPPROTO_TCP */
	uint32_t size;              /* DNS message length on the wire */
	int64_t rtt_us;             /* < 0: omitted */
	uint8_t ip_defragmented;
	uint8_t tcp_reassembled;
	uint8_t unanswered;         /* --unanswered: a query logged at its timeout */
	int worker;                 /* < 0: omitted (--worker-id not given) */
};

void rec_begin(struct jbuf *jb, struct jb_tscache *tsc, const struct rec_meta *m);
void rec_end(struct jbuf *jb, const struct rec_meta *m, enum dns_err err);
/** rec_end with the error named (NULL: well formed), for errors that are
 * not the decoder's, such as record_too_large. */
void rec_end_error(struct jbuf *jb, const struct rec_meta *m, const char *error);

#endif /* DR_RECORD_H */
