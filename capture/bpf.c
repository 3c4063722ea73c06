/* SPDX-License-Identifier: BSD-2-Clause */
/* bpf.c: placeholder (live capture work in progress). */
#include "config.h"
#include "capture/bpf.h"
