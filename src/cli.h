/* SPDX-License-Identifier: BSD-2-Clause */
/* cli.h: command-line parsing into struct dr_opts (prefix cli_). */
#ifndef DR_CLI_H
#define DR_CLI_H

#include <stdio.h>

#include "src/opts.h"

enum cli_result {
	CLI_RUN = 0,    /* opts filled: run */
	CLI_EXIT_OK,    /* --help / --version printed: exit 0 */
	CLI_EXIT_USAGE, /* bad usage, one line printed on stderr: exit 2 */
};

enum cli_result cli_parse(int argc, char **argv, struct dr_opts *o);
void cli_usage(FILE *f);

/** Parse "53,5353,8000-8010" into the port bitmap. @return 0 or -EINVAL. */
int cli_parse_ports(const char *s, uint8_t *bits);

#endif /* DR_CLI_H */
