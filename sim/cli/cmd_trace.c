/* cmd_trace.c: escsim trace FILE --rep K: one replication's chain of
 * incidents, attributions, messages and decisions (escsim/trace.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/trace.h"
#include "cli.h"

static void help(void)
{
	printf("usage: escsim trace [OPTIONS] RESULTS.h5 --rep K\n\n"
	       "Follow one replication of a file written with --events, in time\n"
	       "order: each incident (type, who did it, to whom, where, the dead)\n"
	       "and whom its target blames (MISATTRIBUTED when that is wrong); each\n"
	       "cell or channel message when it was sent, when and how it was\n"
	       "answered against its deadline, and whether the answer was right;\n"
	       "each decision a policy took (a retaliation: WRONG TARGET when it\n"
	       "hits someone who did not do it; a protest); each act's ladder rung\n"
	       "and the day's highest ladder level of any pair (the daily table).\n"
	       "The replication's runs row comes first.\n\n"
	       "options:\n"
	       "      --rep K           the replication (required)\n"
	       "      --arm A           the arm (default: the first, in the order\n"
	       "                        escsim inspect lists them); in a sweep a group\n"
	       "                        such as cell.p2\n"
	       "      --root ID         only the cluster of background incident ID\n"
	       "                        (the events whose root_id is ID, and their\n"
	       "                        messages)\n"
	       "      --plot OUT        also draw the timeline, one lane per party,\n"
	       "                        to OUT.png or OUT.svg (needs /usr/bin/python3\n"
	       "                        with matplotlib)\n"
	       "  -h, --help            this help\n\n"
	       "exit status: 0 ok; 1 the plot could not be drawn; 2 bad usage, not\n"
	       "a result file, no such arm or replication, or no events table.\n");
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0 || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	enum { OPT_REP = 256, OPT_ARM, OPT_ROOT, OPT_PLOT };
	static const struct option longopts[] = {
		{ "rep", required_argument, NULL, OPT_REP },
		{ "arm", required_argument, NULL, OPT_ARM },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	esc_trace_opts o = { .rep = -1, .root = -1, .argv0 = argv[0] };
	optind = 2;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': help(); return 0;
		case OPT_REP:
			if (parse_i64(optarg, &o.rep))
				return cli_usage_error("trace ", "--rep: expected an integer >= 0, got '%s'", optarg);
			break;
		case OPT_ROOT:
			if (parse_i64(optarg, &o.root))
				return cli_usage_error("trace ", "--root: expected an event id >= 0, got '%s'", optarg);
			break;
		case OPT_ARM: o.arm = optarg; break;
		case OPT_PLOT: {
			const char *dot = strrchr(optarg, '.');
			if (!dot || (strcmp(dot, ".png") != 0 && strcmp(dot, ".svg") != 0))
				return cli_usage_error("trace ", "--plot: expected a file name ending .png or .svg, got '%s'", optarg);
			o.plot = optarg;
			break;
		}
		case ':':
			return cli_usage_error("trace ", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("trace ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("trace ", "%s", argc - optind < 1 ?
		                       "expected a results file" : "expected one results file");
	if (o.rep < 0)
		return cli_usage_error("trace ", "%s", "--rep K is required (the replication to follow)");
	o.path = argv[optind];
	esc_error err = {0};
	int st = esc_trace(&o, &err);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	return st;
}
