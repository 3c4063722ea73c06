/* SPDX-License-Identifier: BSD-2-Clause */
/* dnsgen.c: placeholder (traffic generator work in progress). */
#include "config.h"
int main(void) { return 0; }
