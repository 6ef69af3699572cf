/* cmd_merge.c: escsim merge: join result files that hold disjoint
 * replications of one experiment (Slurm job-array tasks run with
 * --rep-offset, MPI shards) into one file, identical table by table to a
 * single run of all the replications.  Inputs from other scenarios, seeds or
 * options, a replication held twice, or one held by none (a missing or
 * interrupted shard) are refused with exit status 2. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escsim/h5_merge.h"
#include "escsim/h5_writer.h"
#include "escsim/text.h"

static void help(void)
{
	printf("usage: escsim merge [OPTIONS] -o OUT.h5 SHARD.h5 [SHARD.h5 ...]\n\n"
	       "Join result files of one experiment that hold disjoint replications\n"
	       "(job-array tasks run with --rep-offset K -n N, MPI shards) into OUT.h5,\n"
	       "whose tables are the shards' rows in replication order: the file one\n"
	       "run of all the replications writes.  The shards must come from the\n"
	       "same scenario and modules, seed, arms and options (all but -n,\n"
	       "--rep-offset, -o, -j); a replication in two shards, or in none, is an\n"
	       "error (exit 2) naming the replications and files.  Every shard is\n"
	       "checked first (its columns, and every chunk against its checksum):\n"
	       "a damaged one is refused, as is one left by a run that was killed\n"
	       "(complete it with --resume first).  Replications a shard skipped\n"
	       "(--on-error skip) count as held, and its /failures rows are joined.\n\n"
	       "options:\n"
	       "  -o, --out FILE        the joined file (required); written as\n"
	       "                        FILE.partial and renamed when done.  FILE may\n"
	       "                        not be a shard, and if it exists it must be an\n"
	       "                        escsim result file (it is replaced)\n"
	       "      --rep-offset K    first replication expected (default 0)\n"
	       "  -n, --reps N          replications expected in all (default: up to\n"
	       "                        the last one any shard was asked for); give it\n"
	       "                        to catch a missing last shard\n"
	       "      --allow-incomplete\n"
	       "                        join even with replications missing: OUT is\n"
	       "                        marked incomplete (finish it with --resume)\n"
	       "  -q, --quiet           no final line\n"
	       "  -h, --help            this help\n\n"
	       "exit status: 0 joined; 1 runtime failure (nothing is written: FILE,\n"
	       "if there is one, is left as it was); 2 bad usage, or shards that are\n"
	       "not escsim results, are damaged or do not fit together (nothing is\n"
	       "written).\n");
}

static int parse_count(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

enum { OPT_REP_OFFSET = 256, OPT_ALLOW };

static int merge(int argc, char **argv, const char *cmdline)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "reps", required_argument, NULL, 'n' },
		{ "rep-offset", required_argument, NULL, OPT_REP_OFFSET },
		{ "allow-incomplete", no_argument, NULL, OPT_ALLOW },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int64_t reps = -1, offset = 0;
	int allow = 0, quiet = 0, ch;
	optind = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:n:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (!*optarg)
				return cli_usage_error("merge ", "%s", "-o/--out: expected a file name, got ''");
			out = optarg;
			break;
		case 'n':
			if (parse_count(optarg, &reps) || reps < 1)
				return cli_usage_error("merge ", "-n/--reps: expected an integer >= 1, got '%s'", optarg);
			break;
		case OPT_REP_OFFSET:
			if (parse_count(optarg, &offset))
				return cli_usage_error("merge ", "--rep-offset: expected an integer >= 0, got '%s'", optarg);
			break;
		case OPT_ALLOW: allow = 1; break;
		case 'q': quiet = 1; break;
		case 'h': help(); return 0;
		case ':':
			return cli_usage_error("merge ", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("merge ", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!out)
		return cli_usage_error("merge ", "%s", "-o OUT.h5 is required");
	if (optind >= argc)
		return cli_usage_error("merge ", "%s", "expected the shard files to join");
	size_t n = (size_t)(argc - optind);
	const char **in = (const char **)(argv + optind);
	for (size_t i = 0; i < n; i++)
		if (esc_h5_same_file(in[i], out))
			return cli_usage_error("merge ", strcmp(in[i], out) == 0 ?
			                       "'%s' is both a shard and the output" :
			                       "'%s' is both a shard and the output (the same "
			                       "file under another name): escsim does not "
			                       "write over its inputs", out);

	/* Provenance of the join: the command, and each shard's command. */
	size_t len = 1;
	for (size_t i = 0; i < n; i++) {
		esc_h5_info info;
		esc_error ierr = {0};
		len += strlen(in[i]) + 3;
		if (esc_h5_info_read(in[i], &info, &ierr) == ESC_OK) {
			len += info.command_line ? strlen(info.command_line) : 0;
			esc_h5_info_free(&info);
		}
	}
	char *note = calloc(len + 1, 1);
	if (!note || !cmdline) {
		free(note);
		fprintf(stderr, "escsim: out of memory\n");
		return ESC_ERR_RUNTIME;
	}
	for (size_t i = 0; i < n; i++) {
		esc_h5_info info;
		esc_error ierr = {0};
		int have = esc_h5_info_read(in[i], &info, &ierr) == ESC_OK;
		size_t used = strlen(note);
		snprintf(note + used, len + 1 - used, "%s: %s\n", in[i],
		         have && info.command_line ? info.command_line : "?");
		if (have)
			esc_h5_info_free(&info);
	}

	esc_h5_merge_opts o = {
		.inputs = in, .n_inputs = n, .out_path = out, .rep_offset = offset,
		.reps = reps, .allow_gaps = allow, .command_line = cmdline,
		.note_name = "merged_from", .note = note,
	};
	esc_h5_merge_result r;
	esc_error err = {0};
	int st = esc_h5_merge(&o, &r, &err);
	if (st) {
		fprintf(stderr, "escsim: merge: %s\n", err.msg);
	} else if (!quiet) {
		fprintf(stderr, "escsim: merged %zu file%s: replications %lld..%lld of "
		        "%zu arm%s -> %s%s\n", n, esc_plural((int64_t)n), (long long)r.rep_offset,
		        (long long)(r.rep_offset + r.reps - 1), r.n_groups,
		        esc_plural((int64_t)r.n_groups), out,
		        r.complete ? "" : " (incomplete: some replications are missing)");
	}
	free(note);
	return st;
}

int cmd_merge(int argc, char **argv)
{
	/* as typed, before getopt permutes argv (see cmd_run.c) */
	char *cmdline = cli_join_argv(argc, argv);
	int st = merge(argc, argv, cmdline);
	free(cmdline);
	return st;
}
