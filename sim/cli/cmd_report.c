/* cmd_report.c: escsim report FILE: the comparison of a result file's arms
 * (escsim/report.h): printed as text, CSV or JSON, stored under /summary,
 * and drawn with --plots. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/html.h"
#include "escsim/report.h"
#include "cli.h"

static void help(void)
{
	printf("usage: escsim report [OPTIONS] RESULTS.h5\n\n"
	       "The comparison of the file's arms: every runs metric per arm (mean,\n"
	       "95%% t interval); paired differences, each arm minus the baseline, over\n"
	       "the replications both have (95%% t interval, paired t test); spiral and\n"
	       "crisis shares (Wilson intervals) with McNemar's test on discordant\n"
	       "pairs; fatality tails P90 and P99; time to first crisis (Kaplan-Meier,\n"
	       "censored at the horizon).  The same numbers are stored under /summary\n"
	       "in the file, replacing an earlier report's (docs/analysis.md).\n\n"
	       "options:\n"
	       "      --csv             print CSV (one row per estimate) instead of text\n"
	       "      --json            print JSON instead of text\n"
	       "      --baseline ARM    the arm the others are compared with (default\n"
	       "                        no_cell if there is one, else the first arm)\n"
	       "      --plots DIR       also draw PNG and SVG plots into DIR (needs\n"
	       "                        /usr/bin/python3 with matplotlib)\n"
	       "      --html FILE       also write the report as one self-contained\n"
	       "                        page: provenance, arms, every /summary table,\n"
	       "                        sweep and sensitivity sections, the plots as\n"
	       "                        inline SVG; it loads nothing from the network.\n"
	       "                        The text report is then not printed (unless\n"
	       "                        --csv or --json)\n"
	       "      --no-figures      leave the plots out of the --html page\n"
	       "      --no-store        do not write /summary (for a read-only file)\n"
	       "  -h, --help            this help\n\n"
	       "exit status: 0 ok; 1 the summary or the plots could not be written (the\n"
	       "report was printed); 2 bad usage, or not a readable result file.\n");
}

int cmd_report(int argc, char **argv)
{
	enum { OPT_CSV = 256, OPT_JSON, OPT_BASELINE, OPT_PLOTS, OPT_NO_STORE,
	       OPT_HTML, OPT_NO_FIGURES };
	static const struct option longopts[] = {
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "plots", required_argument, NULL, OPT_PLOTS },
		{ "no-store", no_argument, NULL, OPT_NO_STORE },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "no-figures", no_argument, NULL, OPT_NO_FIGURES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	esc_report_opts o = { .format = ESC_REPORT_TEXT, .store = 1,
	                      .argv0 = argv[0] };
	int n_formats = 0;
	esc_html_opts html = { .argv0 = argv[0], .plots = 1 };
	optind = 2;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': help(); return 0;
		case OPT_CSV: o.format = ESC_REPORT_CSV; n_formats++; break;
		case OPT_JSON: o.format = ESC_REPORT_JSON; n_formats++; break;
		case OPT_BASELINE: o.baseline = optarg; break;
		case OPT_PLOTS: o.plots_dir = optarg; break;
		case OPT_NO_STORE: o.store = 0; break;
		case OPT_HTML:
			if (!*optarg)
				return cli_usage_error("report ", "%s", "--html: expected a file name, got ''");
			html.out = optarg;
			break;
		case OPT_NO_FIGURES: html.plots = 0; break;
		case ':':
			return cli_usage_error("report ", "option '%s' needs a value",
			                       argv[optind - 1]);
		default:
			return cli_usage_error("report ", "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (n_formats > 1)
		return cli_usage_error("report ", "%s", "give at most one of --csv and --json");
	if (argc - optind != 1)
		return cli_usage_error("report ", "%s", argc - optind < 1 ?
		                       "expected a results file" :
		                       "expected one results file");
	o.path = argv[optind];
	if (html.out && n_formats == 0)
		o.format = ESC_REPORT_NONE;
	char *cl = cli_join_argv(argc, argv);
	o.command_line = cl;
	esc_error err = {0};
	int st = esc_report(&o, &err);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	if (html.out && st != ESC_ERR_INPUT) {
		html.path = o.path;
		html.baseline = o.baseline;
		esc_error herr = {0};
		int hst = esc_html_report(&html, &herr);
		if (hst)
			fprintf(stderr, "escsim: %s\n", herr.msg);
		if (!st)
			st = hst;
	}
	free(cl);
	return st;
}
