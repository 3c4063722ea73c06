/* SPDX-License-Identifier: BSD-2-Clause */
/* ring.h: placeholder (live capture work in progress). */
#ifndef DR_RING_H
#define DR_RING_H
#endif
