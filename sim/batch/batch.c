/* batch.c: one experiment: arms x replications (x sweep points) on common
 * random numbers, across threads and MPI ranks (escsim/batch.h).  Owns the
 * experiment's phases, each a function of its own, called in this order by
 * esc_batch_run: set up (options, names, locks), plan (the scenario loaded
 * and every name checked; the jobs, plan.c), open (every arm of every
 * point built once, then the file created with its provenance), run (the
 * pool's workers, pool.c), close (where the finished replications go),
 * join (the parts of a resume or of MPI ranks) and summarise (the final
 * line).  Signals are caught here.  The batch keeps no statistics: the
 * caller reads the file (escsim report).
 *
 * Where the file goes.  A complete run replaces FILE (only ever a result
 * file: esc_h5_check_output).  A run that stops early keeps every finished
 * replication in a file marked incomplete: an interrupted one under FILE
 * if no file had that name (else in FILE.partial, leaving FILE as it was),
 * one stopped by an error always in FILE.partial, so that exit statuses 1
 * and 2 never create or change FILE.  A process killed outright leaves
 * FILE.partial as it was at its last checkpoint (every --flush-every
 * seconds, and at each sweep point).  --resume FILE continues from
 * FILE.partial when there is one, else from FILE: appending to it in place
 * when what it lacks comes after everything it has (an interrupted run),
 * else through a shard and a join.
 *
 * Resume and MPI write a shard (the missing replications, or this rank's
 * block of them) and join it with the rest (the old file, the other ranks'
 * shards) through esc_h5_merge, which interleaves rows by replication, so
 * the joined file is the one an uninterrupted single process writes.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escsim/h5_reader.h"
#include "escsim/h5_merge.h"
#include "escsim/log.h"
#include "escsim/rng.h"
#include "escsim/text.h"
#include "batch_impl.h"
#include "parallel.h"

/* ------------------------------------------------------ names, options */

static int append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (*len + (size_t)n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < *len + (size_t)n + 1)
			c *= 2;
		char *p = realloc(*s, c);
		if (!p)
			return -1;
		*s = p;
		*cap = c;
	}
	va_start(ap, fmt);
	vsnprintf(*s + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
	return 0;
}

/* Everything that decides the rows except reps and rep_offset, one item a
 * line, so that two files agree on it exactly when they are two parts of
 * one experiment (merge) or one run and its resumption. */
static char *options_text(const esc_batch_opts *o)
{
	char *s = NULL;
	size_t len = 0, cap = 0;
	int bad = append(&s, &len, &cap, "escsim %s\ncommand %s\nseed %llu\nevents %d\n",
	                 ESCSIM_VERSION, o->command ? o->command : "run",
	                 (unsigned long long)o->seed, o->events ? 1 : 0);
	for (size_t i = 0; !bad && i < o->n_sets; i++)
		bad = append(&s, &len, &cap, "set %s\n", o->sets[i]);
	for (size_t a = 0; !bad && a < o->n_arms; a++) {
		bad = append(&s, &len, &cap, "arm %s", o->arms[a].name);
		for (size_t i = 0; !bad && i < o->arms[a].n_overrides; i++)
			bad = append(&s, &len, &cap, "%s%s", i ? "," : " ",
			             o->arms[a].overrides[i]);
		if (!bad)
			bad = append(&s, &len, &cap, "\n");
	}
	if (!bad && o->sweep) {
		const esc_sweep *w = o->sweep;
		bad = append(&s, &len, &cap, "design %s\npoints %zu\n", w->design,
		             w->n_points);
		if (!bad && w->levels)
			bad = append(&s, &len, &cap, "levels %u\n", w->levels);
		for (size_t k = 0; !bad && k < w->n_keys; k++)
			bad = append(&s, &len, &cap, "vary %s=%s\n", w->keys[k], w->specs[k]);
	}
	if (bad) {
		free(s);
		return NULL;
	}
	return s;
}

/* Names, point assignments, options; the scenario loaded once here to
 * check every arm at every point before anything is written. */
static int prepare(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	const esc_sweep *sw = o->sweep;
	b->n_arms = o->n_arms;
	b->n_points = sw ? sw->n_points : 1;
	b->n_keys = sw ? sw->n_keys : 0;
	if (sw && b->n_points == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "the sweep has no points");
	if (b->n_points > SIZE_MAX / b->n_arms)
		return esc_error_set(err, ESC_ERR_INPUT, "too many points");
	b->n_groups = b->n_points * b->n_arms;
	b->stage_point = 0;
	b->point_sets = calloc(b->n_points * (b->n_keys ? b->n_keys : 1), sizeof *b->point_sets);
	b->group_names = calloc(b->n_groups, sizeof *b->group_names);
	b->h5_group = calloc(b->n_groups, sizeof *b->h5_group);
	b->stage = calloc(b->n_arms, sizeof *b->stage);
	b->options = options_text(o);
	if (!b->point_sets || !b->group_names || !b->h5_group || !b->stage ||
	    !b->options)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t a = 0; a < b->n_arms; a++)
		esc_bt_tables_init(&b->stage[a]);
	for (size_t a = 0; a < b->n_arms; a++) {
		const esc_arm_spec *s = &o->arms[a];
		if (esc_h5_check_arm_name(s->name, err))
			return err->status;
		for (size_t i = 0; i < a; i++)
			if (strcmp(o->arms[i].name, s->name) == 0)
				return esc_error_set(err, ESC_ERR_INPUT, "arm '%s' given twice", s->name);
		if (s->n_overrides > b->max_ov)
			b->max_ov = s->n_overrides;
	}
	b->max_ov += b->n_keys;
	if (!(b->ov = calloc(b->max_ov + 1, sizeof *b->ov)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t p = 0; p < b->n_points; p++) {
		for (size_t k = 0; k < b->n_keys; k++) {
			int n = esc_sweep_assignment(sw, p, k, NULL, 0);
			char *v = n < 0 ? NULL : malloc((size_t)n + 1);
			if (!v)
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			esc_sweep_assignment(sw, p, k, v, (size_t)n + 1);
			b->point_sets[p * b->n_keys + k] = v;
		}
		for (size_t a = 0; a < b->n_arms; a++) {
			char name[128];
			if (sw)
				esc_batch_group_name(name, sizeof name, o->arms[a].name, p);
			else
				snprintf(name, sizeof name, "%s", o->arms[a].name);
			if (sw && esc_h5_check_arm_name(name, NULL))
				return esc_error_set(err, ESC_ERR_INPUT, "arm name '%s' is too long "
				                     "for a sweep (its groups are named "
				                     "ARM.p<point>, at most 64 characters)",
				                     o->arms[a].name);
			if (!(b->group_names[p * b->n_arms + a] = strdup(name)))
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		}
	}
	return ESC_OK;
}

/* The sources the scenario loaded, as the file records them (NULL: out of
 * memory); *N: how many. */
static esc_h5_source *h5_sources(esc_scenario *scen, size_t *n)
{
	const esc_script_source *src;
	*n = esc_scenario_sources(scen, &src);
	esc_h5_source *hs = calloc(*n ? *n : 1, sizeof *hs);
	for (size_t i = 0; hs && i < *n; i++)
		hs[i] = (esc_h5_source){ src[i].name, src[i].path, src[i].text };
	return hs;
}

/* Under MPI (more than one rank, and a file to join into) ranks agree
 * through collectives; the parts are joined under MPI and when --resume
 * could not complete its file in place. */
static int is_mpi(const batch *b)
{
	return esc_par_size() > 1 && b->final;
}

static int joins_parts(const batch *b)
{
	return is_mpi(b) || (b->src && !b->inplace);
}

/* ------------------------------------------------------------ signals */

/* SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) only set
 * a flag: workers finish the job in hand and take no more, the writer
 * writes everything that finished, and the file is closed marked
 * incomplete.  A second signal kills at once. */
static void on_signal(int sig)
{
	if (esc_bt_interrupted) {       /* the second one: stop now */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	esc_bt_interrupted = sig;
}

typedef struct handlers {
	struct sigaction intr, term, hup;
} handlers;

static void catch_signals(handlers *old)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	esc_bt_interrupted = 0;
	sigaction(SIGINT, &sa, &old->intr);
	sigaction(SIGTERM, &sa, &old->term);
	sigaction(SIGHUP, &sa, &old->hup);
}

static void restore_signals(const handlers *old)
{
	sigaction(SIGINT, &old->intr, NULL);
	sigaction(SIGTERM, &old->term, NULL);
	sigaction(SIGHUP, &old->hup, NULL);
}

/* ------------------------------------------------------------- set up */

/* What needs nothing loaded: the options' sense, the file names, threads,
 * the terminal, the locks. */
static int set_up(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	if (o->n_arms == 0 || o->reps < 0 || o->rep_offset < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "need at least one arm and reps, rep offset >= 0");
	if (o->resume && o->out_path && !esc_h5_same_file(o->resume, o->out_path))
		return esc_error_set(err, ESC_ERR_INPUT, "--resume writes back to '%s': "
		                     "leave out -o, or give the same file", o->resume);
	b->final = o->resume ? o->resume : o->out_path;
	if (b->final && !(b->partial = esc_h5_sibling(b->final, ".partial")))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	b->threads = o->threads < 1 ? 1 : o->threads;
	b->show = !o->quiet && esc_par_rank() == 0 && isatty(STDERR_FILENO) &&
	          !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	b->checkpoint_every = o->flush_every_s > 0 ? o->flush_every_s :
	                      o->flush_every_s < 0 ? 0 : ESC_BATCH_FLUSH_EVERY;
	if (pthread_mutex_init(&b->mu, NULL) || pthread_cond_init(&b->space, NULL)) {
		free(b->partial);
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot set up thread locks");
	}
	return ESC_OK;
}

static void tear_down(batch *b)
{
	esc_bt_free_slots(b);
	for (size_t a = 0; b->stage && a < b->n_arms; a++)
		esc_bt_tables_free(&b->stage[a]);
	free(b->stage);
	for (size_t i = 0; b->point_sets && i < b->n_points * b->n_keys; i++)
		free(b->point_sets[i]);
	free(b->point_sets);
	for (size_t g = 0; b->group_names && g < b->n_groups; g++)
		free(b->group_names[g]);
	free(b->group_names);
	free(b->h5_group);
	free(b->options);
	free(b->digest);
	free(b->ov);
	esc_scenario_free(b->scen);
	free(b->spans);
	free(b->shard);
	free(b->partial);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->space);
}

/* ------------------------------------------------------ ranks, parts */

/* Errors outrank an interrupt when ranks disagree. */
static int64_t severity(int st)
{
	return st == ESC_OK ? 0 : st == ESC_ERR_INTERRUPTED ? 1 :
	       st == ESC_ERR_RUNTIME ? 2 : 3;
}

static int from_severity(int64_t s)
{
	return s == 0 ? ESC_OK : s == 1 ? ESC_ERR_INTERRUPTED :
	       s == 2 ? ESC_ERR_RUNTIME : ESC_ERR_INPUT;
}

static char *shard_name(const char *out, int rank, int ranks)
{
	char suffix[32];
	if (ranks > 1)
		snprintf(suffix, sizeof suffix, ".rank%d", rank);
	else
		snprintf(suffix, sizeof suffix, ".resume");
	return esc_h5_sibling(out, suffix);
}

/* None of the names the run writes under (FINAL, its .partial, a shard)
 * may be one of its inputs: the scenario or a module it loaded.  Then
 * FINAL and FINAL.partial must be result files or nothing (a --resume
 * source is checked when it is read). */
static int check_outputs(batch *b, esc_error *err)
{
	const esc_script_source *src;
	size_t n = esc_scenario_sources(b->scen, &src);
	const char *out[] = { b->final, b->partial, b->shard };
	for (size_t k = 0; k < sizeof out / sizeof out[0]; k++) {
		for (size_t i = 0; out[k] && i < n; i++) {
			if (!src[i].path || !esc_h5_same_file(out[k], src[i].path))
				continue;
			if (i == 0)
				return esc_error_set(err, ESC_ERR_INPUT, "'%s' is the scenario "
				                     "file: escsim does not write over its "
				                     "inputs (give another -o)", out[k]);
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' is the module '%s' "
			                     "the scenario loads: escsim does not write over "
			                     "its inputs (give another -o)", out[k],
			                     src[i].name ? src[i].name : "?");
		}
	}
	if (!b->o->resume && esc_h5_check_output(b->final, err))
		return err->status;
	if (esc_h5_check_partial(b->partial, err))
		return err->status;
	/* A dead run's .partial with replications in it is replaced by a new
	 * run (as asked): say what --resume would have kept. */
	esc_error e = {0};
	esc_h5_file *old = b->o->resume ? NULL : esc_h5_open(b->partial, &e);
	int64_t rows = 0;
	if (old && esc_h5_n_arms(old) > 0) {
		char path[300];
		snprintf(path, sizeof path, "/arms/%s/runs", esc_h5_arm_name(old, 0));
		if (esc_h5_table_rows(old, path, &rows, &e) == ESC_OK && rows > 0)
			fprintf(stderr, "escsim: warning: replacing '%s', which holds %lld "
			        "replication%s of a run that did not finish (--resume %s "
			        "would have completed it)\n", b->partial, (long long)rows,
			        rows == 1 ? "" : "s", b->final);
	}
	esc_h5_file_close(old);
	return ESC_OK;
}

/* --------------------------------------------------------------- plan */

/* The scenario, loaded once here with --set applied, and the digest of
 * the sources it loaded. */
static int load_scenario(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	esc_script_limits lim = { .interrupt = &esc_bt_interrupted };
	if (!(b->scen = esc_scenario_load(o->scenario_path, NULL, &lim, err)))
		return err->status;
	for (size_t i = 0; i < o->n_sets; i++)
		if (esc_scenario_set_as(b->scen, o->sets[i],
		                        o->set_labels ? o->set_labels[i] : NULL, err))
			return err->status;
	size_t n;
	esc_h5_source *hs = h5_sources(b->scen, &n);
	if (!hs || !(b->digest = esc_h5_sources_digest(hs, n))) {
		free(hs);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	free(hs);
	return ESC_OK;
}

/* Everything checked, nothing written: names, this process's block of
 * the replications (all, or this rank's share), the scenario, the names
 * written under, and the jobs (plan.c). */
static int plan(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	int rank = esc_par_rank(), ranks = esc_par_size();
	int64_t base = o->reps / ranks, extra = o->reps % ranks;
	b->block_lo = o->rep_offset + rank * base + (rank < extra ? rank : extra);
	b->block_n = base + (rank < extra);
	if (prepare(b, err) || load_scenario(b, err))
		return err->status;
	if ((is_mpi(b) || o->resume) && !(b->shard = shard_name(b->final, rank, ranks)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (b->final && check_outputs(b, err))
		return err->status;
	struct stat fst;
	if (b->final && !o->resume)
		b->had_final = stat(b->final, &fst) == 0;
	return esc_bt_plan(b, err);
}

/* --------------------------------------------------------------- open */

/* Root attributes options and rep_offset, and a sweep's /sweep/points:
 * written first, so that a checkpoint of the file says what it is. */
static int write_extra(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	const esc_sweep *sw = o->sweep;
	const char **arms = calloc(b->n_arms, sizeof *arms);
	esc_h5_sweep_desc sd;
	esc_h5_extra x = { b->options, b->block_lo, NULL };
	if (!arms)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t a = 0; a < b->n_arms; a++)
		arms[a] = o->arms[a].name;
	if (sw) {
		sd = (esc_h5_sweep_desc){
			sw->design, sw->n_keys, (const char *const *)sw->keys,
			(const char *const *)sw->specs, sw->units, sw->n_points,
			sw->values, b->n_arms, arms,
			(const char *const *)b->group_names,
			sw->base, sw->levels, sw->block, sw->role, sw->key, sw->step,
		};
		x.sweep = &sd;
	}
	int st = esc_h5_write_extra(b->out, &x, err);
	free(arms);
	return st;
}

/* Create the file (provenance, what the batch adds, the first point's
 * groups) or, completing one in place, reopen it and open the groups of
 * the first point with work left; either way, checkpoint.  The scenario
 * b->scen stays with the batch: the writer builds later points' arms in it
 * when it creates their groups. */
static int open_output(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	esc_scenario *scen = b->scen;
	if (b->inplace) {
		b->saved_jobs = b->already_done;
		if (!(b->out = esc_h5_reopen(b->final, err)))
			return err->status;
		int st = esc_h5_set_note(b->out, "resumed_by", o->command_line, err);
		return st ? st : esc_bt_add_groups(b, b->created, err);
	}
	size_t n;
	esc_h5_source *hs = h5_sources(scen, &n);
	if (!hs)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	/* The base scenario with --set applied, before any arm's overrides. */
	esc_config base;
	esc_policy unused;
	char *json = NULL;
	int st = esc_scenario_arm(scen, NULL, 0, &base, &unused, err);
	if (st == ESC_OK) {
		json = esc_config_to_json(&base);
		esc_scenario_release(scen, &unused);
		esc_config_free(&base);
	}
	if (st == ESC_OK && !json)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK) {
		esc_h5_provenance prov = {
			.escsim_version = ESCSIM_VERSION, .command_line = o->command_line,
			.scenario_name = esc_scenario_name(scen), .seed = o->seed,
			.reps = b->block_n, .sources = hs, .n_sources = n, .resolved_json = json,
			.lua_version = esc_scenario_lua_version(),
			.rng_type = esc_rng_xoshiro256pp->name,
		};
		b->out = esc_h5_create(b->file, &prov, err);
		if (!b->out)
			st = err->status;
	}
	if (st == ESC_OK)
		st = write_extra(b, err);
	if (st == ESC_OK)
		st = esc_bt_add_groups(b, 0, err);
	free(json);
	free(hs);
	return st;
}

/* Every arm of every point built once (a bad point is found before any
 * work), then the file this process writes created, or reopened to be
 * completed in place.  Without a file the scenario goes: the workers load
 * their own. */
static int open_file(batch *b, esc_error *err)
{
	b->file = joins_parts(b) ? b->shard : b->final;
	int st = esc_bt_check_arms(b, b->scen, err);
	/* Completing FILE in place: it is written as FILE.partial, as any
	 * file being written, and comes back to its name however it ends. */
	if (st == ESC_OK && b->inplace && b->src == b->final) {
		if (rename(b->final, b->partial) < 0)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "--resume: cannot move "
			                   "'%s' to '%s' to complete it: %s", b->final,
			                   b->partial, strerror(errno));
		b->src = b->partial;
		b->back_to_final = st == ESC_OK;
	}
	if (st == ESC_OK && b->final)
		st = open_output(b, err);
	if (!b->final) {
		esc_scenario_free(b->scen);
		b->scen = NULL;
	}
	return st;
}

/* -------------------------------------------------------------- close */

/* How this process's file ends after the run stopped with ST (see the top
 * of this file, "Where the file goes"). */
static esc_h5_end file_end(const batch *b, int st, int joined)
{
	if (st == ESC_OK)
		return ESC_H5_COMPLETE;
	if (joined || b->back_to_final || (st == ESC_ERR_INTERRUPTED && !b->had_final))
		return ESC_H5_INCOMPLETE;
	return ESC_H5_KEEP_PARTIAL;
}

static void append_msg(esc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void append_msg(esc_error *err, const char *fmt, ...)
{
	size_t len = strlen(err->msg);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
	va_end(ap);
}

/* Close this process's file after the run stopped with ST (every group
 * made first); the message then says where the finished replications
 * are.  *WHERE: the file they are in, or NULL.  After a failed write the
 * file is abandoned as it was at its last checkpoint. */
static int finish_file(batch *b, int st, int joined, const char **where,
                       esc_error *err)
{
	esc_error cerr = {0};
	int cst = b->wst;
	if (cst == ESC_OK)
		cst = esc_bt_add_groups(b, b->n_points - 1, &cerr);
	if (cst == ESC_OK)
		cst = esc_bt_checkpoint(b, 1, &cerr);
	esc_h5_end end = cst ? ESC_H5_ABANDON : file_end(b, st, joined);
	if (esc_h5_close(b->out, end, cst ? &(esc_error){0} : &cerr) && cst == ESC_OK)
		cst = cerr.status;
	b->out = NULL;
	*where = end == ESC_H5_KEEP_PARTIAL ? b->partial : b->file;
	if (cst) {
		struct stat sb;
		if (st == ESC_OK || joined) {
			*err = cerr;
			st = cst;
		}
		*where = stat(b->partial, &sb) == 0 && b->saved_jobs > 0 ? b->partial : NULL;
		int full = strstr(err->msg, "No space left") || strstr(err->msg, "File too large");
		if (!joined && *where)
			append_msg(err, "; %lld replications are kept in '%s' as of its "
			           "last checkpoint: %s, then repeat the command with "
			           "--resume %s", (long long)b->saved_jobs, b->partial,
			           full ? "free some space" : "when the cause is fixed",
			           b->final);
		else if (!joined)
			append_msg(err, "; nothing was kept");
	} else if (st != ESC_OK && !joined) {
		esc_error_prefix(err, "%lld finished replications kept in '%s' (marked "
		                 "incomplete%s); ", (long long)esc_bt_jobs_saved(b), *where,
		                 end == ESC_H5_KEEP_PARTIAL && b->had_final ?
		                 ", and the existing file under that name is unchanged" : "");
		if (st == ESC_ERR_INPUT && !b->o->skip_failed)
			append_msg(err, " (to finish the run leaving out replications that "
			           "fail, repeat the command with --resume %s --on-error "
			           "skip)", b->final);
	}
	return st;
}

/* ---------------------------------------------------------------- run */

/* Every rank starts, or none does.  A file opened for a run that does not
 * start is thrown away, or, the user's file completed in place, closed
 * unchanged so far. */
static int agree_to_start(batch *b, int st, esc_error *err)
{
	if (is_mpi(b)) {
		int64_t worst = esc_par_max(severity(st));
		if (worst && st == ESC_OK)
			st = esc_error_set(err, from_severity(worst), "another rank could not "
			                   "start (see its message)");
	}
	if (st != ESC_OK && b->out) {
		const char *written;
		if (b->inplace)
			st = finish_file(b, st, 0, &written, err);
		else
			esc_h5_discard(b->out);
		b->out = NULL;
	}
	return st;
}

/* What the run did, for the final line: the file the replications are in
 * (NULL: none), and how many of the planned ones finished, over every
 * rank. */
typedef struct outcome {
	const char *written;
	int64_t done, want;
} outcome;

static void log_start(const batch *b)
{
	const esc_batch_opts *o = b->o;
	if (esc_par_rank() != 0)
		return;
	esc_log(ESC_LOG_INFO, "%s '%s': %zu arm%s x %lld replication%s "
	        "(%lld jobs%s), %d thread%s%s%s%s", o->command ? o->command : "run",
	        o->scenario_path, b->n_arms, b->n_arms == 1 ? "" : "s",
	        (long long)o->reps, o->reps == 1 ? "" : "s",
	        (long long)b->n_jobs, o->sweep ? ", every point" : "",
	        b->threads, b->threads == 1 ? "" : "s",
	        esc_par_size() > 1 ? " per rank" : "",
	        b->final ? " -> " : "", b->final ? b->final : "");
}

/* The pool runs the jobs. */
static int run(batch *b, outcome *out, esc_error *err)
{
	log_start(b);
	int st = esc_bt_run_jobs(b, err);
	out->done = b->jobs_done;
	out->want = b->n_jobs;
	return st;
}

/* Close this process's file after the run stopped with ST: thrown away
 * when nothing finished and no other part or old file needs it, else
 * closed where finish_file says. */
static int close_file(batch *b, int st, outcome *out, esc_error *err)
{
	if (b->out && st != ESC_OK && b->jobs_done == 0 &&
	    st != ESC_ERR_INTERRUPTED && !joins_parts(b) && !b->inplace) {
		esc_h5_discard(b->out);         /* nothing finished: write nothing */
		b->out = NULL;
	}
	if (b->out)
		st = finish_file(b, st, joins_parts(b), &out->written, err);
	return st;
}

/* --------------------------------------------------------------- join */

/* Rank 0: join the old file (resume) and the shards (named after FINAL)
 * into OUT; the shards are removed once joined. */
static int join(batch *b, const char *out, int ranks, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	const char **in = calloc((size_t)ranks + 1, sizeof *in);
	char **names = calloc((size_t)ranks, sizeof *names);
	size_t n_in = 0;
	int st = ESC_OK;
	if (!in || !names)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK && b->src)
		in[n_in++] = b->src;
	for (int r = 0; st == ESC_OK && r < ranks; r++) {
		if (!(names[r] = shard_name(b->final, r, ranks)))
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else if (access(names[r], F_OK) == 0)
			in[n_in++] = names[r];
	}
	if (st == ESC_OK && n_in == 0)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "no rank wrote its shard: "
		                   "nothing to join");
	if (st == ESC_OK) {
		esc_h5_merge_opts mo = {
			.inputs = in, .n_inputs = n_in, .out_path = out,
			.partial_suffix = ".joining",
			.rep_offset = o->rep_offset, .reps = o->reps,
			.allow_gaps = 1,
			.command_line = o->resume ? NULL : o->command_line,
			.note_name = o->resume ? "resumed_by" : NULL,
			.note = o->resume ? o->command_line : NULL,
		};
		st = esc_h5_merge(&mo, NULL, err);
	}
	if (st == ESC_OK)
		for (int r = 0; r < ranks; r++)
			if (names[r])
				unlink(names[r]);
	for (int r = 0; names && r < ranks; r++)
		free(names[r]);
	free(names);
	free(in);
	if (st)
		esc_error_prefix(err, "joining the parts into '%s' (they are kept): ", out);
	return st;
}

/* Replications in the joined file PATH: per point, the rows of its first
 * arm's runs table (every arm of a point holds the same ones). */
static int64_t rows_in_file(const batch *b, const char *path)
{
	esc_error e = {0};
	esc_h5_file *f = esc_h5_open(path, &e);
	int64_t n = 0;
	for (size_t p = 0; f && p < b->n_points; p++) {
		char table[300];
		int64_t rows = 0;
		snprintf(table, sizeof table, "/arms/%s/runs", b->group_names[p * b->n_arms]);
		if (esc_h5_table_rows(f, table, &rows, &e) == ESC_OK)
			n += rows;
	}
	esc_h5_file_close(f);
	return n;
}

/* Where rank 0 joins the parts: the file --resume read, or FINAL (its
 * .partial after an error, or an interrupt with FINAL taken). */
static const char *join_target(const batch *b, int64_t worst)
{
	if (b->src)
		return b->src;
	int st = from_severity(worst);
	return file_end(b, st, 0) == ESC_H5_KEEP_PARTIAL ? b->partial : b->final;
}

/* Rank 0 joins the parts into the target; WORST: the worst outcome of any
 * rank.  The message then says how many replications the file keeps. */
static int join_on_rank0(batch *b, int st, int64_t worst, outcome *out,
                         esc_error *err)
{
	esc_error jerr = {0};
	const char *target = join_target(b, worst);
	void *aff = is_mpi(b) ? esc_par_widen_affinity() : NULL;
	int jst = join(b, target, is_mpi(b) ? esc_par_size() : 1, &jerr);
	esc_par_restore_affinity(aff);
	if (jst) {
		*err = jerr;
		out->written = NULL;
		return jerr.status;
	}
	out->written = target;
	/* A file completed from its .partial takes the final name. */
	if (!worst && st == ESC_OK && target == b->partial) {
		if (rename(b->partial, b->final) == 0)
			out->written = b->final;
		else
			st = esc_error_set(err, ESC_ERR_RUNTIME, "cannot rename '%s' to "
			                   "'%s': %s (the results are in '%s')", b->partial,
			                   b->final, strerror(errno), b->partial);
	}
	if (st == ESC_OK && !worst)
		return ESC_OK;
	long long kept = (long long)rows_in_file(b, target);
	long long want = (long long)(b->o->reps * (int64_t)b->n_points);
	if (st == ESC_OK) {
		st = from_severity(worst);
		esc_error_set(err, st, "another rank stopped early (see its message); "
		              "%lld of %lld replications kept in '%s' (marked "
		              "incomplete)", kept, want, target);
	} else {
		esc_error_prefix(err, "%lld of %lld replications kept in '%s' (marked "
		                 "incomplete); ", kept, want, target);
	}
	return st;
}

/* Join the parts (the old file of a resume, the ranks' shards) into one
 * file.  Every rank returns once the file is there (the caller may read
 * it), with the outcome rank 0 saw. */
static int join_parts(batch *b, int st, outcome *out, esc_error *err)
{
	int64_t worst = severity(st);
	if (is_mpi(b)) {
		worst = esc_par_max(worst);
		out->done = esc_par_sum(b->jobs_done);
		out->want = esc_par_sum(b->n_jobs);
	}
	if (esc_par_rank() == 0)
		st = join_on_rank0(b, st, worst, out, err);
	if (is_mpi(b)) {
		int64_t fin = esc_par_max(severity(st));
		if (esc_par_rank() != 0 && st == ESC_OK && fin)
			st = esc_error_set(err, from_severity(fin), "rank 0 could not "
			                   "complete '%s' (see its message)", b->final);
	}
	return st;
}

/* ---------------------------------------------------------- summarise */

/* --resume of a file that lacks nothing.  A complete .partial (its rename
 * was all that failed) takes the final name now.  The line is printed
 * also with --quiet: it is the command's only answer. */
static void already_complete(batch *b)
{
	if (esc_par_rank() != 0)
		return;
	if (b->src == b->partial && rename(b->partial, b->final) == 0)
		b->src = b->final;
	fprintf(stderr, "escsim: '%s' is complete: nothing to resume\n", b->src);
}

/* The final line: nothing with --quiet (which prints only warnings and
 * errors), and "-> FILE" only for a file this run wrote. */
static void summarise(const batch *b, double t0, const outcome *out)
{
	if (esc_par_rank() != 0 || b->o->quiet)
		return;
	double dt = esc_bt_wall_s() - t0;
	char extra[200] = "", how[64];
	size_t len = 0;
	if (b->o->sweep)
		len += (size_t)snprintf(extra + len, sizeof extra - len,
		                        " at %zu point%s (a replication: every arm "
		                        "at one point)", b->n_points, esc_plural((int64_t)b->n_points));
	if (b->src)
		snprintf(extra + len, sizeof extra - len, " (resumed: %lld were done)",
		         (long long)b->already_done);
	if (is_mpi(b))
		snprintf(how, sizeof how, "%d ranks x %d thread%s", esc_par_size(),
		         b->threads, esc_plural(b->threads));
	else
		snprintf(how, sizeof how, "%d thread%s", b->threads, esc_plural(b->threads));
	fprintf(stderr, "%sescsim: %lld of %lld replication%s x %zu arm%s%s in %.2f s "
	        "(%.1f replications/s, %s)%s%s\n", b->show ? "\r\033[K" : "",
	        (long long)out->done, (long long)out->want, esc_plural(out->want),
	        b->n_arms, esc_plural((int64_t)b->n_arms), extra, dt,
	        dt > 0 ? (double)out->done / dt : 0.0, how,
	        out->written ? " -> " : "", out->written ? out->written : "");
}

/* ------------------------------------------------------- the phases */

int esc_batch_run(const esc_batch_opts *o, esc_error *err)
{
	batch b = { .o = o, .recovered = -1 };
	int st = set_up(&b, err);
	if (st)
		return st;
	handlers old;
	catch_signals(&old);
	double t0 = esc_bt_wall_s();
	st = plan(&b, err);
	if (st == ESC_OK && !b.complete)
		st = open_file(&b, err);
	st = agree_to_start(&b, st, err);
	if (b.complete) {
		already_complete(&b);
	} else if (st == ESC_OK) {
		outcome out = { NULL, 0, 0 };
		st = run(&b, &out, err);
		st = close_file(&b, st, &out, err);
		if (joins_parts(&b))
			st = join_parts(&b, st, &out, err);
		summarise(&b, t0, &out);
	}
	tear_down(&b);
	restore_signals(&old);
	return st;
}
