/* SPDX-License-Identifier: BSD-2-Clause */
/* ring.c: placeholder (live capture work in progress). */
#include "config.h"
#include "capture/ring.h"
