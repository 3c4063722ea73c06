/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf.h: the kernel capture filter (prefix bpf_): the default classic BPF
 * program built from the DNS port set, or a user expression compiled by
 * libpcap. Both are attached to every ring with SO_ATTACH_FILTER.
 */
#ifndef DR_BPF_H
#define DR_BPF_H

#include <stdint.h>

struct sock_fprog;

/* How many port ranges the default program compares one by one; a port set
 * with more ranges gets a program passing every UDP/TCP port (the workers
 * select the ports exactly either way). */
#define DR_BPF_MAX_RANGES 32

/* Which link-layer view the filter is compiled for (bpf_compile_expr). */
enum bpf_link {
	BPF_LINK_ETHER,  /* the socket sees an Ethernet header at offset 0 */
	BPF_LINK_NET,    /* "any", raw IP and other devices: only the network
	                  * header is a common reference */
};

/**
 * Build the default program: IPv4/IPv6 UDP or TCP with either port in the
 * bitmap, IPv4 fragments with a non-zero offset, IPv6 packets whose first
 * next header is a fragment (or another extension) header, and frames still
 * carrying an in-band 802.1Q/802.1ad tag. All loads are relative to the
 * network header (SKF_NET_OFF), so one program serves every link type.
 * @param ports     the DNS port bitmap (struct dr_opts.ports)
 * @param prog      filled; prog->filter is allocated, free with bpf_free_prog
 * @param all_ports set to 1 when the set had more than DR_BPF_MAX_RANGES
 *                  ranges and the program passes every UDP/TCP port
 * @return 0 or -ENOMEM
 */
int bpf_build_default(const uint8_t *ports, struct sock_fprog *prog, int *all_ports);

/**
 * Compile a libpcap filter expression for the given link view. Prints one
 * line naming the expression and libpcap's complaint when it is invalid.
 * @return 0, DR_EUSAGE (bad expression) or -ENOMEM
 */
int bpf_compile_expr(const char *expr, enum bpf_link link, struct sock_fprog *prog);

/** Free what bpf_build_default / bpf_compile_expr allocated. */
void bpf_free_prog(struct sock_fprog *prog);

#endif /* DR_BPF_H */
