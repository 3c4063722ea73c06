/* SPDX-License-Identifier: BSD-2-Clause */
/* bpf.h: placeholder (live capture work in progress). */
#ifndef DR_BPF_H
#define DR_BPF_H
#endif
