/* cmd_inspect.c: escsim inspect FILE: what a result file holds, without
 * reading it into anything: provenance (the root attributes), the scenario
 * sources, each arm with its overrides and table sizes, the replications
 * each arm has (as ranges), and whether the summary and sweep tables are
 * there.  Every table is checked chunk by chunk (--verify, the default:
 * each chunk against its checksum, or read whole in files without them).
 * Reads through escsim/h5_reader.h; exit 0 for any readable result file,
 * complete or not, 2 for a file that is not one or is damaged. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/h5_reader.h"
#include "cli.h"

#define BLOCK 65536

static void help(void)
{
	printf("usage: escsim inspect [OPTIONS] RESULTS.h5\n\n"
	       "Print what a result file holds: provenance (the root attributes),\n"
	       "the scenario sources, each arm's overrides and table sizes, the\n"
	       "replications each arm has, and whether it is complete.\n\n"
	       "Every chunk of every table (runs, daily, events, messages, log,\n"
	       "/failures, /sweep and /summary) is checked against its Fletcher-32\n"
	       "checksum, or read back whole in files written before checksums\n"
	       "(schema 1.0, 1.1), and every column against the columns escsim\n"
	       "writes, so a damaged file is found and the damage named.  A\n"
	       "FILE.partial left by a run that was killed is read as it was at its\n"
	       "last checkpoint (--resume completes it).\n\n"
	       "options:\n"
	       "      --verify          check every chunk (the default)\n"
	       "      --quick           only count the rows\n"
	       "  -h, --help            this help\n\n"
	       "exit status: 0 for a readable, undamaged result file (complete or\n"
	       "not), 2 if the file cannot be opened, is not an escsim result file,\n"
	       "or is damaged.\n");
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The "rep" column of PATH, sorted, in *out (malloc'd). */
static int read_reps(const esc_h5_file *f, const char *path, int64_t **out,
                     int64_t *n, esc_error *err)
{
	*out = NULL;
	if (esc_h5_table_rows(f, path, n, err))
		return err->status;
	int64_t *v = malloc((size_t)(*n ? *n : 1) * sizeof *v);
	if (!v)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (int64_t s = 0; s < *n; s += BLOCK) {
		size_t k = (size_t)(*n - s < BLOCK ? *n - s : BLOCK);
		if (esc_h5_read_i64(f, path, "rep", s, k, v + s, err)) {
			free(v);
			return err->status;
		}
	}
	qsort(v, (size_t)*n, sizeof *v, cmp_i64);
	*out = v;
	return ESC_OK;
}

/* "0-39" or "0-9, 12, 15-20"; at most 12 ranges, then a count.  Repeated
 * replications are reported (a result file should never have them). */
static void print_ranges(const int64_t *v, int64_t n)
{
	if (n == 0) {
		printf("none");
		return;
	}
	int64_t ranges = 0, dups = 0;
	for (int64_t i = 0; i < n; ) {
		int64_t j = i;
		while (j + 1 < n && (v[j + 1] == v[j] + 1 || v[j + 1] == v[j])) {
			dups += v[j + 1] == v[j];
			j++;
		}
		if (ranges < 12) {
			printf("%s%lld", ranges ? ", " : "", (long long)v[i]);
			if (v[j] != v[i])
				printf("-%lld", (long long)v[j]);
		}
		ranges++;
		i = j + 1;
	}
	if (ranges > 12)
		printf(", ... (%lld ranges)", (long long)ranges);
	if (dups)
		printf(" (%lld repeated!)", (long long)dups);
}

static void print_attr(const esc_h5_file *f, const char *obj,
                       const char *name, int width)
{
	char *v = NULL;
	esc_error err = {0};
	if (esc_h5_get_attr_text(f, obj, name, &v, &err) == ESC_OK) {
		/* One line per attribute: a long JSON value is cut. */
		size_t len = strcspn(v, "\n");
		int cut = len > 200 || v[len];
		printf("  %-*s %.*s%s\n", width, name, (int)(len > 200 ? 200 : len),
		       v, cut ? " ..." : "");
	}
	free(v);
}

static void provenance(const esc_h5_file *f)
{
	static const char *const first[] = {
		"complete", "schema_version", "escsim_version", "created",
		"command_line", "scenario_name", "scenario_sha256", "seed", "reps",
	};
	size_t nf = sizeof first / sizeof first[0];
	printf("provenance (root attributes)\n");
	for (size_t i = 0; i < nf; i++)
		print_attr(f, "/", first[i], 16);
	char **names;
	size_t n;
	esc_error err = {0};
	if (esc_h5_attr_names(f, "/", &names, &n, &err) == ESC_OK) {
		for (size_t i = 0; i < n; i++) {
			size_t k = 0;
			while (k < nf && strcmp(first[k], names[i]))
				k++;
			if (k == nf)
				print_attr(f, "/", names[i], 16);
		}
		esc_h5_free_names(names, n);
	}
}

static void scenario(const esc_h5_file *f)
{
	esc_error err = {0};
	char *src = NULL, *path = NULL;
	printf("scenario\n");
	if (esc_h5_read_text(f, "/scenario/source", &src, &err) == ESC_OK) {
		esc_h5_get_attr_text(f, "/scenario/source", "path", &path, &err);
		printf("  %-16s %zu bytes, from %s\n", "source", strlen(src),
		       path ? path : "?");
	} else {
		printf("  %-16s missing\n", "source");
	}
	free(src);
	free(path);
	char **mods;
	size_t nm;
	if (esc_h5_list(f, "/scenario/modules", &mods, &nm, &err) == ESC_OK) {
		printf("  %-16s %zu", "modules", nm);
		for (size_t i = 0; i < nm; i++) {
			char obj[512], *name = NULL;
			snprintf(obj, sizeof obj, "/scenario/modules/%s", mods[i]);
			esc_h5_get_attr_text(f, obj, "name", &name, &err);
			printf("%s%s", i ? ", " : ": ", name ? name : mods[i]);
			free(name);
		}
		printf("\n");
		esc_h5_free_names(mods, nm);
	}
	printf("  %-16s %s\n", "resolved_json",
	       esc_h5_exists(f, "/scenario/resolved_json") ? "present" : "missing");
}

/* The sources against their sha256, and every attribute read back:
 * ESC_ERR_INPUT if damaged. */
static int sources_ok(const esc_h5_file *f, int quick)
{
	esc_error err = {0};
	if (quick || (esc_h5_verify_sources(f, &err) == ESC_OK &&
	              esc_h5_verify_attributes(f, &err) == ESC_OK))
		return ESC_OK;
	fprintf(stderr, "escsim: %s\n", err.msg);
	return ESC_ERR_INPUT;
}

/* Returns 0, or ESC_ERR_INPUT if the table is there but unreadable. */
static int table_line(const esc_h5_file *f, const char *arm,
                      const char *table, int quick)
{
	char path[256];
	snprintf(path, sizeof path, "/arms/%s/%s", arm, table);
	if (!esc_h5_exists(f, path))
		return ESC_OK;
	int64_t n = 0;
	esc_error err = {0};
	if (esc_h5_table_rows(f, path, &n, &err) == ESC_OK &&
	    (quick || esc_h5_table_verify(f, path, &err) == ESC_OK)) {
		printf("    %-10s %lld rows\n", table, (long long)n);
		return ESC_OK;
	}
	printf("    %-10s unreadable\n", table);
	fprintf(stderr, "escsim: %s\n", err.msg);
	return ESC_ERR_INPUT;
}

/* One arm: its overrides, its runs' replications (into *REPS, *NREPS) and
 * its tables; ESC_ERR_INPUT when a table is unreadable. */
static int arm_lines(const esc_h5_file *f, const char *arm, int quick,
                     int64_t **reps, int64_t *nreps)
{
	int bad = ESC_OK;
	char obj[256], *ov = NULL;
	esc_error err = {0};
	snprintf(obj, sizeof obj, "/arms/%s", arm);
	esc_h5_get_attr_text(f, obj, "overrides", &ov, &err);
	printf("  %s%s%s\n", arm, ov && *ov ? "   overrides: " : "",
	       ov && *ov ? ov : "");
	free(ov);
	snprintf(obj, sizeof obj, "/arms/%s/runs", arm);
	esc_error rerr = {0};
	if (read_reps(f, obj, reps, nreps, &rerr) == ESC_OK &&
	    (quick || esc_h5_table_verify(f, obj, &rerr) == ESC_OK)) {
		printf("    %-10s %lld rows; replications ", "runs", (long long)*nreps);
		print_ranges(*reps, *nreps);
		printf("\n");
	} else {
		printf("    %-10s unreadable\n", "runs");
		fprintf(stderr, "escsim: %s\n", rerr.msg);
		bad = ESC_ERR_INPUT;
	}
	bad |= table_line(f, arm, "daily", quick);
	bad |= table_line(f, arm, "events", quick);
	bad |= table_line(f, arm, "messages", quick);
	bad |= table_line(f, arm, "log", quick);
	return bad;
}

/* Every arm, and the replications every arm has (what a paired comparison
 * uses).  Sets *BAD when a table is unreadable; ESC_ERR_RUNTIME when out of
 * memory. */
static int arms(const esc_h5_file *f, int quick, int *bad)
{
	size_t na = esc_h5_n_arms(f);
	printf("\narms (%zu)\n", na);
	int64_t **reps = calloc(na ? na : 1, sizeof *reps), *nreps = calloc(na ? na : 1, sizeof *nreps);
	int st = (reps && nreps) ? ESC_OK : ESC_ERR_RUNTIME;
	for (size_t i = 0; st == ESC_OK && i < na; i++)
		*bad |= arm_lines(f, esc_h5_arm_name(f, i), quick, &reps[i], &nreps[i]);
	if (st == ESC_OK && na > 1) {
		int64_t common = 0;
		for (int64_t k = 0; reps[0] && k < nreps[0]; k++) {
			int all = 1;
			for (size_t i = 1; all && i < na; i++)
				all = reps[i] && bsearch(&reps[0][k], reps[i], (size_t)nreps[i],
				                         sizeof(int64_t), cmp_i64) != NULL;
			common += all;
		}
		printf("  replications in every arm (paired): %lld\n", (long long)common);
	}
	for (size_t i = 0; reps && i < na; i++)
		free(reps[i]);
	free(reps);
	free(nreps);
	return st;
}

/* /summary: who wrote it when, and its tables; ESC_ERR_INPUT when one is
 * unreadable. */
static int summary(const esc_h5_file *f, int quick)
{
	esc_error err = {0};
	int bad = ESC_OK;
	if (!esc_h5_exists(f, "/summary")) {
		printf("summary   none (escsim report writes it)\n");
		return ESC_OK;
	}
	char *by = NULL, *when = NULL;
	esc_h5_get_attr_text(f, "/summary", "command_line", &by, &err);
	esc_h5_get_attr_text(f, "/summary", "created", &when, &err);
	printf("summary   /summary written %s by '%s'\n", when ? when : "?",
	       by ? by : "?");
	free(by);
	free(when);
	static const char *const tabs[] = {
		"metrics", "differences", "binary", "tails", "survival",
		"survival_median", "sweep", "sweep_marginal",
	};
	for (size_t k = 0; k < sizeof tabs / sizeof tabs[0]; k++) {
		char path[64];
		int64_t n;
		snprintf(path, sizeof path, "/summary/%s", tabs[k]);
		if (!esc_h5_exists(f, path))
			continue;
		if (esc_h5_table_rows(f, path, &n, &err) == ESC_OK &&
		    (quick || esc_h5_table_verify(f, path, &err) == ESC_OK)) {
			printf("    %-16s %lld rows\n", tabs[k], (long long)n);
		} else {
			printf("    %-16s unreadable\n", tabs[k]);
			fprintf(stderr, "escsim: %s\n", err.msg);
			bad = ESC_ERR_INPUT;
		}
	}
	return bad;
}

/* /failures, /sweep/points, whether the run completed and whether the
 * file was closed; ESC_ERR_INPUT when a table is unreadable. */
static int state(const esc_h5_file *f, int quick)
{
	esc_error err = {0};
	int bad = ESC_OK;
	int64_t np;
	if (esc_h5_exists(f, "/failures")) {
		if (esc_h5_table_rows(f, "/failures", &np, &err) == ESC_OK &&
		    (quick || esc_h5_table_verify(f, "/failures", &err) == ESC_OK)) {
			printf("failures  /failures: %lld replication%s skipped (--on-error "
			       "skip)\n", (long long)np, np == 1 ? "" : "s");
		} else {
			fprintf(stderr, "escsim: %s\n", err.msg);
			bad = ESC_ERR_INPUT;
		}
	}
	if (esc_h5_exists(f, "/sweep/points")) {
		if (esc_h5_table_rows(f, "/sweep/points", &np, &err) == ESC_OK &&
		    (quick || esc_h5_table_verify(f, "/sweep/points", &err) == ESC_OK)) {
			printf("sweep     /sweep/points: %lld design points\n", (long long)np);
		} else {
			fprintf(stderr, "escsim: %s\n", err.msg);
			bad = ESC_ERR_INPUT;
		}
	}
	char *complete = NULL;
	if (esc_h5_get_attr_text(f, "/", "complete", &complete, &err) == ESC_OK)
		printf("complete  %s\n", strcmp(complete, "1") == 0 ?
		       "yes: every requested replication finished" :
		       "NO: the run was interrupted or failed; the file holds the "
		       "replications that finished");
	free(complete);
	if (esc_h5_crashed(f))
		printf("written   NO: left by a run that did not close it (killed, or a "
		       "write failed); read as it was at its last checkpoint (--resume "
		       "completes it)\n");
	return bad;
}

static int inspect(const char *file, int quick)
{
	esc_error err = {0};
	esc_h5_file *f = esc_h5_open(file, &err);
	if (!f) {
		fprintf(stderr, "escsim: %s\n", err.msg);
		return ESC_ERR_INPUT;
	}
	printf("escsim result file '%s'\n\n", file);
	provenance(f);
	printf("\n");
	scenario(f);
	int bad = sources_ok(f, quick);
	int st = arms(f, quick, &bad);
	printf("\n");
	bad |= summary(f, quick);
	bad |= state(f, quick);
	esc_h5_file_close(f);
	if (st == ESC_OK && bad) {
		fprintf(stderr, "escsim: '%s' is damaged: some of it cannot be "
		        "read (see above)\n", file);
		st = ESC_ERR_INPUT;
	}
	return st;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quick", no_argument, NULL, 'Q' },
		{ "verify", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	optind = 2;
	opterr = 0;
	int ch, quick = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			help();
			return 0;
		}
		if (ch == 'Q' || ch == 'V') {
			quick = ch == 'Q';
			continue;
		}
		return cli_usage_error("inspect ", "unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_usage_error("inspect ", "%s", argc - optind < 1 ?
		                       "expected a results file" :
		                       "expected one results file");
	return inspect(argv[optind], quick);
}
