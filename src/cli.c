/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.c: command-line parsing. Every option is validated here, once, and a
 * bad value gets one line naming the option and the value (exit code 2).
 * --help lists exactly what this parser accepts.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>

#include <ldns/ldns.h>
#include <pcap/pcap.h>
#include <uv.h>

#include "dns/dns.h"
#include "output/sink.h"
#include "src/cli.h"
#include "src/common.h"

enum {
	OPT_DURATION = 256,
	OPT_DECODER,
	OPT_BATCH_KB,
	OPT_STATS_INTERVAL,
	OPT_RING_MB,
	OPT_BLOCK_KB,
	OPT_BLOCK_TIMEOUT,
	OPT_FANOUT,
	OPT_NO_DEFRAG,
	OPT_NO_PROMISC,
	OPT_NO_DECODE,
	OPT_WORKER_ID,
	OPT_NO_MATCH,
	OPT_MATCH_TIMEOUT,
	OPT_ROTATE_MB,
	OPT_ROTATE_KEEP,
	OPT_BACKLOG_MB,
	OPT_ON_FULL,
	OPT_PID_FILE,
	OPT_STATS_JSON,
	OPT_METRICS,
	OPT_ONLY,
	OPT_QTYPE,
	OPT_RCODE,
	OPT_QNAME_SUFFIX,
	OPT_EXCLUDE_SUFFIX,
	OPT_SAMPLE,
	OPT_UNANSWERED,
};

#define STATS_UNSET UINT32_MAX

static const struct option long_opts[] = {
	{ "read",           required_argument, NULL, 'r' },
	{ "interface",      required_argument, NULL, 'i' },
	{ "workers",        required_argument, NULL, 'w' },
	{ "ports",          required_argument, NULL, 'p' },
	{ "output",         required_argument, NULL, 'o' },
	{ "count",          required_argument, NULL, 'c' },
	{ "duration",       required_argument, NULL, OPT_DURATION },
	{ "decoder",        required_argument, NULL, OPT_DECODER },
	{ "batch-kb",       required_argument, NULL, OPT_BATCH_KB },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "filter",         required_argument, NULL, 'f' },
	{ "user",           required_argument, NULL, 'u' },
	{ "ring-mb",        required_argument, NULL, OPT_RING_MB },
	{ "block-kb",       required_argument, NULL, OPT_BLOCK_KB },
	{ "block-timeout-ms", required_argument, NULL, OPT_BLOCK_TIMEOUT },
	{ "fanout",         required_argument, NULL, OPT_FANOUT },
	{ "no-defrag",      no_argument,       NULL, OPT_NO_DEFRAG },
	{ "no-promisc",     no_argument,       NULL, OPT_NO_PROMISC },
	{ "no-decode",      no_argument,       NULL, OPT_NO_DECODE },
	{ "worker-id",      no_argument,       NULL, OPT_WORKER_ID },
	{ "no-match",       no_argument,       NULL, OPT_NO_MATCH },
	{ "match-timeout",  required_argument, NULL, OPT_MATCH_TIMEOUT },
	{ "rotate-mb",      required_argument, NULL, OPT_ROTATE_MB },
	{ "rotate-keep",    required_argument, NULL, OPT_ROTATE_KEEP },
	{ "backlog-mb",     required_argument, NULL, OPT_BACKLOG_MB },
	{ "on-full",        required_argument, NULL, OPT_ON_FULL },
	{ "pid-file",       required_argument, NULL, OPT_PID_FILE },
	{ "stats-json",     required_argument, NULL, OPT_STATS_JSON },
	{ "metrics",        required_argument, NULL, OPT_METRICS },
	{ "only",           required_argument, NULL, OPT_ONLY },
	{ "qtype",          required_argument, NULL, OPT_QTYPE },
	{ "rcode",          required_argument, NULL, OPT_RCODE },
	{ "qname-suffix",   required_argument, NULL, OPT_QNAME_SUFFIX },
	{ "exclude-suffix", required_argument, NULL, OPT_EXCLUDE_SUFFIX },
	{ "sample",         required_argument, NULL, OPT_SAMPLE },
	{ "unanswered",     no_argument,       NULL, OPT_UNANSWERED },
	{ "quiet",          no_argument,       NULL, 'q' },
	{ "version",        no_argument,       NULL, 'V' },
	{ "help",           no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f)
{
	fputs(
"Usage: dnsring [-i IFACE|any | -r FILE|- [-r FILE]...] [options]\n"
"Passive DNS sniffer: one NDJSON record per DNS message (schema: docs/schema.json).\n"
"With neither -i nor -r it captures on the interface of the default route.\n"
"\n"
"Input:\n"
"  -i, --interface IFACE    live capture on IFACE ('any': all interfaces)\n"
"  -r, --read FILE|-        read a pcap or pcapng file ('-' = standard input);\n"
"                           repeat to read several files in order; never drops\n"
"  -p, --ports LIST         DNS ports, e.g. 53,5353,5355 or 5300-5310 (default 53);\n"
"                           a packet is DNS when either port is in LIST\n"
"  -f, --filter EXPR        kernel filter in pcap syntax, replacing the default one\n"
"                           (UDP/TCP on the DNS ports, VLAN-tagged, IP fragments)\n"
"\n"
"Live capture:\n"
"      --ring-mb N          ring size per worker in MiB (default 64, 1..4096)\n"
"      --block-kb N         ring block size in KiB, a power of two (default 1024, 4..65536)\n"
"      --block-timeout-ms N hand over a partly filled block after N ms (default 10)\n"
"      --fanout MODE        spread packets over workers: hash (default; flow hash, so\n"
"                           queries and responses meet), cpu, lb (round robin), qm\n"
"      --no-defrag          do not let the kernel reassemble IPv4 fragments first\n"
"      --no-promisc         do not put the interface in promiscuous mode\n"
"  -u, --user USER          after opening the rings, drop to USER (and its groups)\n"
"      --no-decode          capture only: walk the rings, decode nothing (benchmark)\n"
"\n"
"Processing:\n"
"  -w, --workers N          parser threads (default: one per online CPU, max 64);\n"
"                           packets are spread by a symmetric flow hash\n"
"      --decoder NAME       DNS decoder: fast (default) or ldns (the reference;\n"
"                           ~12x slower, byte-identical output, for cross-checks)\n"
"      --match-timeout S    how long a query waits for its response (default 5);\n"
"                           a response that finds its query gets \"rtt_us\"\n"
"      --unanswered         also log each query that got no response within the\n"
"                           match timeout (or by the end of input), marked\n"
"                           \"unanswered\":true, at that time\n"
"      --no-match           no query/response matching (no rtt_us)\n"
"\n"
"Filters (all must agree; matching sees every message first):\n"
"      --only WHAT          queries or responses\n"
"      --qtype LIST         first question's type, e.g. A,AAAA,TYPE65280,28\n"
"      --rcode LIST         responses with these RCODEs, e.g. NXDOMAIN,SERVFAIL\n"
"      --qname-suffix LIST  question names in these domains, e.g. example.com\n"
"                           (on label boundaries, any case)\n"
"      --exclude-suffix LIST  leave out question names in these domains\n"
"      --sample N           keep 1 flow in N (by flow hash: queries and responses\n"
"                           stay together; decided before decoding)\n"
"\n"
"Output:\n"
"  -o, --output SINK        where records go; repeat to send every record to each:\n"
"                           '-' standard output (default), FILE (appended; SIGHUP\n"
"                           reopens it), tcp://HOST:PORT, tcp://[IPV6]:PORT or\n"
"                           unix:PATH (reconnects; a backlog bridges outages)\n"
"      --rotate-mb N        rotate FILE before it passes N MiB: FILE -> FILE.1 ...\n"
"      --rotate-keep K      rotated files kept, FILE.1 .. FILE.K (default 5)\n"
"      --backlog-mb N       backlog of each tcp/unix output in MiB (default 64,\n"
"                           1..1024; at least two batches)\n"
"      --on-full MODE       when the output falls behind: block (default; workers\n"
"                           wait, the kernel ring absorbs and counts its drops) or\n"
"                           drop (drop batches, counted; live capture only)\n"
"      --pid-file PATH      write the process id to PATH; removed at exit\n"
"  -c, --count N            stop after N records\n"
"      --duration SECONDS   stop after SECONDS\n"
"      --batch-kb N         output batch size in KiB (default 1024, 64..65536);\n"
"                           also the largest record: bigger ones become a stub\n"
"      --stats-interval S   print a stats line on stderr every S seconds; 0 = off\n"
"                           (default 10 for live capture, 0 for files; with\n"
"                           --stats-json or --metrics 10 for files too, no line)\n"
"      --stats-json FILE    append one JSON object of counters to FILE per interval\n"
"                           and at exit (per worker and total)\n"
"      --metrics FILE       write Prometheus text format to FILE per interval and\n"
"                           at exit, atomically (node_exporter textfile collector)\n"
"      --worker-id          add \"worker\":N to each record (which parser thread made it)\n"
"  -q, --quiet              no summary on stderr at exit\n"
"\n"
"  -V, --version            print version and library versions\n"
"  -h, --help               this help\n"
"\n"
"Exit status: 0 success, 1 runtime failure (unreadable input, output error),\n"
"2 usage error. SIGINT/SIGTERM stop cleanly: everything read is written first.\n",
	f);
}

static void print_version(void)
{
	printf("dnsring %s\nldns %s, libuv %s, %s\n", PACKAGE_VERSION, ldns_version(),
	       uv_version_string(), pcap_lib_version());
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "dnsring: invalid %s '%s': %s (see --help)\n", opt, val, why);
	return -EINVAL;
}

/* Strict unsigned parse: digits only, within [lo, hi]. */
static int parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return bad(opt, s, "expected a whole number");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return bad(opt, s, "expected a whole number");
	if (v < lo || v > hi) {
		char why[96];
		snprintf(why, sizeof(why), "must be between %llu and %llu",
			 (unsigned long long)lo, (unsigned long long)hi);
		return bad(opt, s, why);
	}
	*out = v;
	return 0;
}

static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e9)
		return bad(opt, s, "expected a positive number of seconds");
	*out = v;
	return 0;
}

static void port_set(uint8_t *bits, unsigned p)
{
	bits[p >> 3] |= (uint8_t)(1u << (p & 7));
}

int cli_parse_ports(const char *s, uint8_t *bits)
{
	char buf[1024];
	char *save = NULL;

	if (strlen(s) >= sizeof(buf) || !*s)
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	memset(bits, 0, 65536 / 8);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long lo, hi;

		if (*tok < '0' || *tok > '9')
			return -EINVAL;
		lo = strtoul(tok, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			hi = strtoul(end + 1, &end, 10);
		}
		if (*end || lo == 0 || hi > 65535 || lo > hi)
			return -EINVAL;
		for (unsigned long p = lo; p <= hi; p++)
			port_set(bits, (unsigned)p);
	}
	return 0;
}

static unsigned default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

static void set_defaults(struct dr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->workers = default_workers();
	o->decoder = "fast";
	o->match_timeout = 5;
	o->batch_kb = 1024;
	o->rotate_keep = 5;
	o->backlog_mb = 64;
	o->stats_interval = STATS_UNSET;
	o->ring_mb = 64;
	o->block_kb = 1024;
	o->block_timeout_ms = 10;
	o->fanout = PACKET_FANOUT_HASH;
	o->defrag = 1;
	o->promisc = 1;
	port_set(o->ports, 53);
}

static int parse_fanout(const char *arg, int *out)
{
	static const struct { const char *name; int mode; } modes[] = {
		{ "hash", PACKET_FANOUT_HASH }, { "cpu", PACKET_FANOUT_CPU },
		{ "lb", PACKET_FANOUT_LB },     { "qm", PACKET_FANOUT_QM },
	};

	for (size_t i = 0; i < DR_ARRAY_SIZE(modes); i++) {
		if (strcmp(arg, modes[i].name) == 0) {
			*out = modes[i].mode;
			return 0;
		}
	}
	return bad("--fanout", arg, "expected hash, cpu, lb or qm");
}

static int parse_one(int c, const char *arg, struct dr_opts *o)
{
	uint64_t v;
	int ret = 0;

	switch (c) {
	case 'r':
		if (o->ninputs == DR_MAX_INPUTS)
			return bad("-r", arg, "too many input files (max 64)");
		o->inputs[o->ninputs++] = arg;
		break;
	case 'i':
		o->iface = arg;
		break;
	case 'w':
		if ((ret = parse_u64("-w", arg, 1, 64, &v)) == 0)
			o->workers = (unsigned)v;
		break;
	case 'p':
		if (cli_parse_ports(arg, o->ports) < 0)
			return bad("-p", arg, "expected ports 1-65535 as a list like 53,5353,5300-5310");
		break;
	case 'o': {
		const char *why = NULL;

		if (sink_spec_check(arg, &why) < 0)
			return bad("-o", arg, why);
		if (o->noutputs == DR_ARRAY_SIZE(o->outputs))
			return bad("-o", arg, "at most 8 outputs");
		o->output = arg;
		o->outputs[o->noutputs++] = arg;
		break;
	}
	case 'c':
		ret = parse_u64("-c", arg, 1, UINT64_MAX, &o->count);
		break;
	case OPT_DURATION:
		ret = parse_seconds("--duration", arg, &o->duration);
		break;
	case OPT_DECODER:
		if (!dns_decoder_find(arg))
			return bad("--decoder", arg, "known decoders: fast, ldns");
		o->decoder = arg;
		break;
	case OPT_BATCH_KB:
		if ((ret = parse_u64("--batch-kb", arg, 64, 65536, &v)) == 0)
			o->batch_kb = (unsigned)v;
		break;
	case OPT_STATS_INTERVAL:
		if ((ret = parse_u64("--stats-interval", arg, 0, 86400, &v)) == 0)
			o->stats_interval = (unsigned)v;
		break;
	case 'f':
		o->bpf = arg;
		break;
	case 'u':
		o->user = arg;
		break;
	case OPT_RING_MB:
		if ((ret = parse_u64("--ring-mb", arg, 1, 4096, &v)) == 0)
			o->ring_mb = (unsigned)v;
		break;
	case OPT_BLOCK_KB:
		if ((ret = parse_u64("--block-kb", arg, 4, 65536, &v)) == 0 && (v & (v - 1)))
			ret = bad("--block-kb", arg, "must be a power of two");
		if (ret == 0)
			o->block_kb = (unsigned)v;
		break;
	case OPT_BLOCK_TIMEOUT:
		if ((ret = parse_u64("--block-timeout-ms", arg, 1, 60000, &v)) == 0)
			o->block_timeout_ms = (unsigned)v;
		break;
	case OPT_FANOUT:
		ret = parse_fanout(arg, &o->fanout);
		break;
	case OPT_NO_DEFRAG:
		o->defrag = 0;
		break;
	case OPT_NO_PROMISC:
		o->promisc = 0;
		break;
	case OPT_NO_DECODE:
		o->no_decode = 1;
		break;
	case OPT_NO_MATCH:
		o->no_match = 1;
		break;
	case OPT_MATCH_TIMEOUT:
		ret = parse_seconds("--match-timeout", arg, &o->match_timeout);
		break;
	case OPT_ROTATE_MB:
		if ((ret = parse_u64("--rotate-mb", arg, 1, 1048576, &v)) == 0)
			o->rotate_mb = (unsigned)v;
		break;
	case OPT_ROTATE_KEEP:
		if ((ret = parse_u64("--rotate-keep", arg, 1, 1000, &v)) == 0)
			o->rotate_keep = (unsigned)v;
		break;
	case OPT_BACKLOG_MB:
		if ((ret = parse_u64("--backlog-mb", arg, 1, 1024, &v)) == 0)
			o->backlog_mb = (unsigned)v;
		break;
	case OPT_ON_FULL:
		if (strcmp(arg, "block") && strcmp(arg, "drop"))
			return bad("--on-full", arg, "expected block or drop");
		o->on_full_drop = strcmp(arg, "drop") == 0;
		break;
	case OPT_PID_FILE:
		o->pid_file = arg;
		break;
	case OPT_UNANSWERED:
		o->unanswered = 1;
		break;
	case OPT_WORKER_ID:
		o->worker_id = 1;
		break;
	case OPT_STATS_JSON:
		o->stats_json = arg;
		break;
	case OPT_METRICS:
		o->metrics = arg;
		break;
	case OPT_ONLY:
		ret = filter_parse_only(&o->filter, arg);
		break;
	case OPT_QTYPE:
		ret = filter_parse_qtype(&o->filter, arg);
		break;
	case OPT_RCODE:
		ret = filter_parse_rcode(&o->filter, arg);
		break;
	case OPT_QNAME_SUFFIX:
	case OPT_EXCLUDE_SUFFIX:
		ret = filter_parse_suffixes(&o->filter, arg, c == OPT_EXCLUDE_SUFFIX);
		break;
	case OPT_SAMPLE:
		ret = filter_parse_sample(&o->filter, arg);
		break;
	case 'q':
		o->quiet = 1;
		break;
	default:
		return -EINVAL;
	}
	return ret;
}

enum cli_result cli_parse(int argc, char **argv, struct dr_opts *o)
{
	int c;

	set_defaults(o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":r:i:w:p:o:c:f:u:qVh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (c == 'V') {
			print_version();
			return CLI_EXIT_OK;
		}
		if (c == '?' || c == ':') {
			const char *what = optopt ? NULL : argv[optind - 1];
			if (c == ':')
				fprintf(stderr, "dnsring: option %s needs a value (see --help)\n",
					what ? what : (char[]){ '-', (char)optopt, 0 });
			else
				fprintf(stderr, "dnsring: unknown option %s (see --help)\n",
					what ? what : (char[]){ '-', (char)optopt, 0 });
			return CLI_EXIT_USAGE;
		}
		if (parse_one(c, optarg, o) < 0)
			return CLI_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "dnsring: unexpected argument '%s' (see --help)\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (o->iface && o->ninputs) {
		fprintf(stderr, "dnsring: -i and -r cannot be combined (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	if (o->ninputs && (o->bpf || o->user || o->no_decode)) {
		fprintf(stderr, "dnsring: -f, -u and --no-decode apply to live capture only (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	if (o->ninputs && o->on_full_drop) {
		fprintf(stderr, "dnsring: --on-full drop applies to live capture only: "
			"file input never drops (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	if (o->rotate_mb) {
		unsigned files = 0;
		const char *why;

		for (unsigned i = 0; i < o->noutputs; i++)
			files += sink_spec_check(o->outputs[i], &why) == SINK_FILE;
		if (!files) {
			fprintf(stderr, "dnsring: --rotate-mb needs -o FILE (see --help)\n");
			return CLI_EXIT_USAGE;
		}
	}
	/* The stats line: every 10 s live, on request for files. --stats-json
	 * and --metrics tick at 10 s for files too, without the line. */
	o->stats_line = o->stats_interval != STATS_UNSET || !o->ninputs;
	if (o->unanswered && o->no_match) {
		fprintf(stderr, "dnsring: --unanswered needs matching; drop --no-match (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	if (o->stats_interval == STATS_UNSET)
		o->stats_interval = !o->ninputs || o->stats_json || o->metrics ? 10 : 0;
	return CLI_RUN;
}
