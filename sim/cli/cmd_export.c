/* cmd_export.c: escsim export FILE --table T: a table of a result file as
 * tidy CSV or TSV (escsim/export.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "escsim/export.h"
#include "cli.h"

static void help(void)
{
	printf("usage: escsim export [OPTIONS] RESULTS.h5 --table T [-o OUT]\n\n"
	       "Write one table of a result file in tidy long format: one row per\n"
	       "record of every arm, with the columns arm, then (for a sweep) point\n"
	       "and the design point's parameter values, then the table's own.\n"
	       "Codes are written as their labels (ISR, rocket, answered); 0/1 flags\n"
	       "stay numbers; NaN is an empty field; floats read back exactly.\n"
	       "Fields are quoted as RFC 4180 asks.  Units and descriptions go into\n"
	       "a sidecar OUT.columns.csv (column,units,labels,description).\n\n"
	       "  pandas: pd.read_csv(\"runs.csv\")     R: read.csv(\"runs.csv\")\n\n"
	       "options:\n"
	       "      --table T         runs, daily, events, messages (written with\n"
	       "                        --events), log, summary (= summary/metrics) or\n"
	       "                        summary/NAME (differences, binary, tails,\n"
	       "                        survival, sweep, sensitivity, ...)\n"
	       "      --format F        csv (default) or tsv\n"
	       "      --gzip            compress with gzip (implied by OUT ending .gz)\n"
	       "      --arm A           only arm A (in a sweep: every point of A, or\n"
	       "                        one group such as cell.p2)\n"
	       "      --units WHERE     sidecar (default), header (\"t_h [h]\") or none\n"
	       "  -o, --out OUT         output file (default, or -: standard output,\n"
	       "                        without a sidecar)\n"
	       "  -h, --help            this help\n\n"
	       "exit status: 0 ok; 1 the output could not be written (nothing is left\n"
	       "behind); 2 bad usage, not a result file, or a table it does not hold.\n");
}

int cmd_export(int argc, char **argv)
{
	enum { OPT_TABLE = 256, OPT_FORMAT, OPT_GZIP, OPT_ARM, OPT_UNITS };
	static const struct option longopts[] = {
		{ "table", required_argument, NULL, OPT_TABLE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "gzip", no_argument, NULL, OPT_GZIP },
		{ "arm", required_argument, NULL, OPT_ARM },
		{ "units", required_argument, NULL, OPT_UNITS },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	esc_export_opts o = { .sep = ',', .units = ESC_UNITS_SIDECAR };
	optind = 2;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': help(); return 0;
		case OPT_TABLE: o.table = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				o.sep = ',';
			else if (strcmp(optarg, "tsv") == 0)
				o.sep = '\t';
			else
				return cli_usage_error("export ", "--format: expected csv or tsv, got '%s'", optarg);
			break;
		case OPT_GZIP: o.gzip = 1; break;
		case OPT_ARM: o.arm = optarg; break;
		case OPT_UNITS:
			if (strcmp(optarg, "sidecar") == 0)
				o.units = ESC_UNITS_SIDECAR;
			else if (strcmp(optarg, "header") == 0)
				o.units = ESC_UNITS_HEADER;
			else if (strcmp(optarg, "none") == 0)
				o.units = ESC_UNITS_NONE;
			else
				return cli_usage_error("export ", "--units: expected sidecar, header or none, got '%s'", optarg);
			break;
		case 'o':
			if (!*optarg)
				return cli_usage_error("export ", "%s", "-o/--out: expected a file name, got ''");
			o.out = optarg;
			break;
		case ':':
			return cli_usage_error("export ", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("export ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("export ", "%s", argc - optind < 1 ?
		                       "expected a results file" : "expected one results file");
	if (!o.table)
		return cli_usage_error("export ", "%s", "--table is required (runs, daily, "
		                       "events, messages, log, summary)");
	size_t n = o.out ? strlen(o.out) : 0;
	if (n > 3 && strcmp(o.out + n - 3, ".gz") == 0)
		o.gzip = 1;
	o.path = argv[optind];
	esc_error err = {0};
	int st = esc_export(&o, &err);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	return st;
}
