/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf.c: the capture filter (see bpf.h).
 *
 * The default program is assembled here by hand rather than compiled from
 * a pcap expression, for two reasons. It is link-type independent: every
 * packet load is relative to the network header (SKF_NET_OFF) and the
 * protocol comes from skb->protocol (SKF_AD_PROTOCOL), so the same program
 * serves Ethernet, loopback, raw IP (tun), "any" and tags the kernel has
 * already stripped into metadata, without knowing where L3 starts. And the
 * port set (-p) becomes exactly the comparisons it needs.
 *
 *      ldh  proto                        ; skb->protocol, host order
 *      jeq  #0x0800        v4
 *      jeq  #0x86dd        v6
 *      jeq  #0x8100/0x88a8/0x9100  accept ; in-band tag still in the frame
 *      ret #0 ; ret #-1                 ; drop, accept
 *  v4: ldb  [net+9]        ; jeq #17 v4l4 ; jeq #6 v4l4 ; ja drop
 * v4l4:ldh  [net+6]        ; jset #0x1fff accept   ; later fragments: no ports
 *      ldxb 4*([net]&0xf)  ; ldh [x+net]   <ports> ; ldh [x+net+2] <ports>
 *      ja   drop ; ret #0 ; ret #-1
 *  v6: ldb  [net+6]        ; jeq #17 v6l4 ; jeq #6 v6l4 ; jeq #44 accept
 *      jeq  #0/#43/#60 v6ext ; ja drop   ; hop-by-hop, routing, dest opts
 * v6ext:ldb [net+40]       ; jeq #17/#6/#44/#0/#43/#60 accept ; ja drop
 * v6l4:ldh  [net+40] <ports> ; ldh [net+42] <ports>
 *      ja   drop ; ret #0 ; ret #-1
 *
 * Every section ends in its own `ret #0; ret #-1`, so no jump has to span
 * more than one section: classic BPF conditional jumps reach 255 insns.
 *
 * <ports> is, per range of the set, `jeq #p accept` for a single port or
 * `jge #lo` + `jgt #hi` for a range.
 *
 * Notes:
 * - Receive-side VLAN tags: Linux moves the outer tag of every received
 *   frame into skb metadata before packet sockets see it (in hardware with
 *   rx VLAN offload, else in software in __netif_receive_skb_core), so a
 *   singly tagged IP frame reaches this filter as plain IP and is filtered
 *   on its ports; only an inner tag (QinQ) or an outgoing frame tagged in
 *   software is still in-band, and those pass whole.
 * - IPv6 extension headers other than the fragment header are rare on DNS
 *   traffic but legal; rather than drop such a datagram silently, the
 *   filter passes it when the header after the first extension is UDP, TCP,
 *   a fragment or another extension, and the worker walks the chain. That
 *   keeps out MLD (ICMPv6 behind hop-by-hop), which every host sends.
 * - IPv4 fragments usually never get here: PACKET_FANOUT_FLAG_DEFRAG has
 *   the kernel reassemble them first (--no-defrag turns that off).
 * - Network-relative loads on a header outside the skb's linear area fail
 *   (and so drop the packet) on kernels before 6.15, which added support for
 *   SKF_NET_OFF on paged data. Drivers put the headers in the linear area in
 *   practice; the kernel drop counters would not show such a loss.
 */
#include "config.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <linux/filter.h>

#include "capture/bpf.h"
#include "src/common.h"

#define NET SKF_NET_OFF
#define ACCEPT_LEN 0xffffffffu /* whole packet (the ring caps it to a block) */

/* Jump targets: NEXT/SKIP1 are relative, the rest are labels. Each section
 * ends in its own drop/accept pair so that no jump has to cross the whole
 * program (classic BPF jump offsets are 8 bits). */
enum label {
	L_NEXT, L_SKIP1,
	L_DROP0, L_ACC0,
	L_V4, L_V4L4, L_DROP4, L_ACC4,
	L_V6, L_V6EXT, L_V6L4, L_DROP6, L_ACC6,
	L__MAX
};

#define ASM_MAX (64 + 8 * DR_BPF_MAX_RANGES)

struct asm_ctx {
	struct sock_filter insn[ASM_MAX];
	uint8_t jt[ASM_MAX], jf[ASM_MAX];  /* enum label */
	int at[L__MAX];                    /* instruction index of each label */
	unsigned n;
	int overflow;
};

static void emit(struct asm_ctx *a, uint16_t code, uint32_t k, enum label jt, enum label jf)
{
	if (a->n == ASM_MAX) {
		a->overflow = 1;
		return;
	}
	a->insn[a->n] = (struct sock_filter){ .code = code, .k = k };
	a->jt[a->n] = (uint8_t)jt;
	a->jf[a->n] = (uint8_t)jf;
	a->n++;
}

static void stmt(struct asm_ctx *a, uint16_t code, uint32_t k)
{
	emit(a, code, k, L_NEXT, L_NEXT);
}

static void label(struct asm_ctx *a, enum label l)
{
	a->at[l] = (int)a->n;
}

/* Turn label ids into relative offsets. @return 0, or -E2BIG if a jump is
 * out of classic BPF's 8-bit range. */
static int resolve(struct asm_ctx *a)
{
	for (unsigned i = 0; i < a->n; i++) {
		uint8_t *slot[2] = { &a->jt[i], &a->jf[i] };
		uint8_t *out[2] = { &a->insn[i].jt, &a->insn[i].jf };
		int is_ja = a->insn[i].code == (BPF_JMP | BPF_JA);

		for (int s = 0; s < 2; s++) {
			int off;

			if (*slot[s] == L_NEXT)
				off = 0;
			else if (*slot[s] == L_SKIP1)
				off = 1;
			else
				off = a->at[*slot[s]] - (int)i - 1;
			if (off < 0 || (!is_ja && off > 255))
				return -E2BIG;
			if (is_ja && s == 0)
				a->insn[i].k = (uint32_t)off;
			else if (!is_ja)
				*out[s] = (uint8_t)off;
		}
	}
	return 0;
}

static void jump(struct asm_ctx *a, enum label l)
{
	emit(a, BPF_JMP | BPF_JA, 0, l, L_NEXT);
}

struct port_range {
	uint16_t lo, hi;
};

/* The set's ranges, in order. @return their number (> max: too many). */
static unsigned port_ranges(const uint8_t *ports, struct port_range *r, unsigned max)
{
	unsigned n = 0;

	for (uint32_t p = 1; p <= 65535; p++) {
		if (!((ports[p >> 3] >> (p & 7)) & 1))
			continue;
		uint32_t lo = p;
		while (p < 65535 && ((ports[(p + 1) >> 3] >> ((p + 1) & 7)) & 1))
			p++;
		if (n < max)
			r[n] = (struct port_range){ (uint16_t)lo, (uint16_t)p };
		n++;
	}
	return n;
}

/* A holds a port: jump to acc if it is in one of the ranges, else fall through. */
static void port_test(struct asm_ctx *a, const struct port_range *r, unsigned n, enum label acc)
{
	for (unsigned i = 0; i < n; i++) {
		if (r[i].lo == r[i].hi) {
			emit(a, BPF_JMP | BPF_JEQ | BPF_K, r[i].lo, acc, L_NEXT);
		} else {
			emit(a, BPF_JMP | BPF_JGE | BPF_K, r[i].lo, L_NEXT, L_SKIP1);
			emit(a, BPF_JMP | BPF_JGT | BPF_K, r[i].hi, L_NEXT, acc);
		}
	}
}

/* The section's end: drop, accept. */
static void section_end(struct asm_ctx *a, enum label drop, enum label acc)
{
	label(a, drop);
	stmt(a, BPF_RET | BPF_K, 0);
	label(a, acc);
	stmt(a, BPF_RET | BPF_K, ACCEPT_LEN);
}

/* Both ports, loaded with mode (BPF_ABS or BPF_IND) from off; n == 0: any port. */
static void ports_test(struct asm_ctx *a, uint16_t mode, uint32_t off,
		       const struct port_range *r, unsigned n, enum label drop, enum label acc)
{
	if (n) {
		stmt(a, BPF_LD | BPF_H | mode, off);
		port_test(a, r, n, acc);
		stmt(a, BPF_LD | BPF_H | mode, off + 2);
		port_test(a, r, n, acc);
		jump(a, drop);
	} else {
		jump(a, acc);
	}
	section_end(a, drop, acc);
}

static void assemble(struct asm_ctx *a, const struct port_range *r, unsigned n)
{
	stmt(a, BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL));
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0x0800, L_V4, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, L_V6, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0x8100, L_ACC0, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0x88a8, L_ACC0, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0x9100, L_ACC0, L_DROP0);
	section_end(a, L_DROP0, L_ACC0);

	label(a, L_V4);
	stmt(a, BPF_LD | BPF_B | BPF_ABS, (uint32_t)(NET + 9));
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 17, L_V4L4, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 6, L_V4L4, L_DROP4);
	label(a, L_V4L4);
	stmt(a, BPF_LD | BPF_H | BPF_ABS, (uint32_t)(NET + 6));
	emit(a, BPF_JMP | BPF_JSET | BPF_K, 0x1fff, L_ACC4, L_NEXT);
	stmt(a, BPF_LDX | BPF_B | BPF_MSH, (uint32_t)NET);
	ports_test(a, BPF_IND, (uint32_t)NET, r, n, L_DROP4, L_ACC4);

	label(a, L_V6);
	stmt(a, BPF_LD | BPF_B | BPF_ABS, (uint32_t)(NET + 6));
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 17, L_V6L4, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 6, L_V6L4, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 44, L_ACC6, L_NEXT); /* fragment */
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0, L_V6EXT, L_NEXT);  /* hop-by-hop */
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 43, L_V6EXT, L_NEXT); /* routing */
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 60, L_V6EXT, L_DROP6); /* destination opts */
	/* What follows that first extension header: UDP, TCP, a fragment or
	 * another extension header pass; ICMPv6 (MLD behind hop-by-hop) does not. */
	label(a, L_V6EXT);
	stmt(a, BPF_LD | BPF_B | BPF_ABS, (uint32_t)(NET + 40));
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 17, L_ACC6, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 6, L_ACC6, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 44, L_ACC6, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 0, L_ACC6, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 43, L_ACC6, L_NEXT);
	emit(a, BPF_JMP | BPF_JEQ | BPF_K, 60, L_ACC6, L_DROP6);
	label(a, L_V6L4);
	ports_test(a, BPF_ABS, (uint32_t)(NET + 40), r, n, L_DROP6, L_ACC6);
}

static int set_prog(struct sock_fprog *prog, const struct sock_filter *insn, unsigned n)
{
	struct sock_filter *f = dr_calloc(n, sizeof(*f));

	if (!f)
		return -ENOMEM;
	memcpy(f, insn, n * sizeof(*f));
	prog->filter = f;
	prog->len = (unsigned short)n;
	return 0;
}

int bpf_build_default(const uint8_t *ports, struct sock_fprog *prog, int *all_ports)
{
	static struct asm_ctx a; /* ~3 KiB: once, on the main thread */
	struct port_range r[DR_BPF_MAX_RANGES];
	unsigned n = port_ranges(ports, r, DR_BPF_MAX_RANGES);

	*all_ports = n > DR_BPF_MAX_RANGES;
	for (int pass = 0; pass < 2; pass++) {
		memset(&a, 0, sizeof(a));
		assemble(&a, r, *all_ports ? 0 : n);
		if (!a.overflow && resolve(&a) == 0)
			return set_prog(prog, a.insn, a.n);
		*all_ports = 1; /* cannot happen with the limits above; be safe */
	}
	return -E2BIG;
}

/*
 * libpcap compiles for one link type and loads at offsets from the start of
 * the frame. An Ethernet (or loopback) socket has the Ethernet header there.
 * On "any" each device contributes its own link header, and raw IP devices
 * none, so there the expression is compiled for raw IP (offset 0 = network
 * header) and every packet load is moved to be network-header relative.
 * The only thing that cannot be moved is `len` (BPF_LEN): it still counts
 * the link header, so `greater`/`less` are off by its length there.
 */
static void relocate_to_net(struct sock_filter *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint16_t cls = BPF_CLASS(f[i].code), mode = BPF_MODE(f[i].code);

		if ((cls == BPF_LD && (mode == BPF_ABS || mode == BPF_IND)) ||
		    (cls == BPF_LDX && mode == BPF_MSH)) {
			if ((int32_t)f[i].k >= 0) /* leave ancillary loads alone */
				f[i].k += (uint32_t)SKF_NET_OFF;
		}
	}
}

int bpf_compile_expr(const char *expr, enum bpf_link link, struct sock_fprog *prog)
{
	pcap_t *pc = pcap_open_dead(link == BPF_LINK_ETHER ? DLT_EN10MB : DLT_RAW, 262144);
	struct bpf_program bp;
	int ret;

	if (!pc)
		return -ENOMEM;
	if (pcap_compile(pc, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, "dnsring: invalid -f '%s'%s: %s\n", expr,
			link == BPF_LINK_ETHER ? "" : " (compiled for raw IP on this interface)",
			pcap_geterr(pc));
		pcap_close(pc);
		return DR_EUSAGE;
	}
	/* struct bpf_insn and struct sock_filter share one layout. */
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter), "bpf_insn layout");
	ret = set_prog(prog, (const struct sock_filter *)(const void *)bp.bf_insns, bp.bf_len);
	if (ret == 0 && link == BPF_LINK_NET)
		relocate_to_net(prog->filter, prog->len);
	pcap_freecode(&bp);
	pcap_close(pc);
	return ret;
}

void bpf_free_prog(struct sock_fprog *prog)
{
	dr_free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}
