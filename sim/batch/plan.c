/* plan.c: the jobs of a batch (batch_impl.h): which replications of which
 * points this process runs, as spans of consecutive jobs; from scratch, or
 * to complete a file (--resume): which file to continue, whether it is
 * this experiment's and undamaged, what it lacks, and whether that can be
 * appended to it in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escsim/h5_reader.h"
#include "escsim/h5_merge.h"
#include "escsim/text.h"
#include "batch_impl.h"

static int add_span(batch *b, size_t *cap, size_t p, int64_t lo, int64_t hi,
                    esc_error *err)
{
	if (hi <= lo)
		return ESC_OK;
	if (b->n_spans == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		span *v = realloc(b->spans, c * sizeof *v);
		if (!v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		b->spans = v;
		*cap = c;
	}
	b->spans[b->n_spans++] = (span){ p, lo, hi - lo, b->n_jobs };
	b->n_jobs += hi - lo;
	return ESC_OK;
}

/* Jobs: per point, [lo, hi) less DONE (sorted ranges; NULL: none). */
static int plan_point(batch *b, size_t *cap, size_t p, int64_t lo, int64_t hi,
                      const esc_h5_range *done, size_t n_done, esc_error *err)
{
	int64_t at = lo;
	for (size_t i = 0; i < n_done && at < hi; i++) {
		int64_t dlo = done[i].lo, dhi = done[i].hi;
		if (dhi <= at)
			continue;
		if (dlo >= hi)
			break;
		if (dlo > at && add_span(b, cap, p, at, dlo, err))
			return err->status;
		at = dhi > at ? dhi : at;
	}
	return add_span(b, cap, p, at, hi, err);
}

static void first_line_difference(const char *a, const char *b, char *out, size_t size)
{
	while (*a || *b) {
		size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
		if (na != nb || strncmp(a, b, na) != 0) {
			snprintf(out, size, "'%.*s' in the file, '%.*s' now",
			         (int)(na > 160 ? 160 : na), a, (int)(nb > 160 ? 160 : nb), b);
			return;
		}
		a += na + (a[na] == '\n');
		b += nb + (b[nb] == '\n');
	}
	snprintf(out, size, "(none)");
}

static int cmp_range(const void *a, const void *b)
{
	const esc_h5_range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* RUNS (sorted ranges) with the replications of point P in FAILED added:
 * what a file covers at that point, as sorted disjoint ranges in *OUT. */
static int covered(const esc_h5_range *runs, size_t n_runs,
                   const esc_failure_row *failed, size_t n_failed, size_t p,
                   esc_h5_range **out, size_t *n, esc_error *err)
{
	esc_h5_range *v = malloc((n_runs + n_failed + 1) * sizeof *v);
	if (!v)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n_runs; i++)
		v[k++] = runs[i];
	for (size_t i = 0; i < n_failed; i++)
		if (failed[i].point == (int32_t)p)
			v[k++] = (esc_h5_range){ failed[i].rep, failed[i].rep + 1 };
	qsort(v, k, sizeof *v, cmp_range);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && v[i].lo <= v[m - 1].hi) {
			if (v[i].hi > v[m - 1].hi)
				v[m - 1].hi = v[i].hi;
		} else {
			v[m++] = v[i];
		}
	}
	*out = v;
	*n = m;
	return ESC_OK;
}

/* Is the work left after everything the file holds?  Jobs are numbered
 * point by point: before the first point with work left, every point must
 * be complete; at it, the file's replications a prefix; after it, none.
 * Then the rows still to come are exactly what an uninterrupted run would
 * append, and the file can be completed in place. */
static int after_all_done(const esc_h5_range *done, size_t n, size_t p,
                          int64_t lo, int64_t hi, int *first_left)
{
	int64_t first_missing = lo;
	for (size_t i = 0; i < n && done[i].lo <= first_missing; i++)
		if (done[i].hi > first_missing)
			first_missing = done[i].hi;
	int has_after = 0;
	for (size_t i = 0; i < n; i++)
		has_after |= done[i].hi > first_missing && done[i].lo < hi;
	if (*first_left < 0) {
		if (first_missing < hi)
			*first_left = (int)p;
		return !has_after;
	}
	/* A point after the first with work left: it must hold nothing. */
	for (size_t i = 0; i < n; i++)
		if (done[i].hi > lo && done[i].lo < hi)
			return 0;
	return 1;
}

/* Which file --resume FILE continues: FILE.partial when there is one (a run
 * that was killed, stopped by an error, or interrupted with FILE taken),
 * else FILE.  A .partial is first recovered (cut back to its last
 * checkpoint); one that saved nothing is set aside. */
static int resume_source(batch *b, esc_error *err)
{
	const char *f = b->final;
	struct stat st;
	b->had_final = stat(f, &st) == 0;
	if (stat(b->partial, &st) == 0) {
		int64_t jobs = 0;
		if (esc_h5_check_partial(b->partial, err))
			return esc_error_prefix(err, "--resume: ");
		/* One that does not open was killed before it saved anything (a
		 * file with a checkpoint always opens). */
		int not_open = st.st_size == 0 || !esc_h5_opens(b->partial);
		if (!not_open && esc_h5_recover(b->partial, &jobs, err))
			return esc_error_prefix(err, "--resume: ");
		if (jobs == 0)
			fprintf(stderr, "escsim: warning: '%s' holds nothing that can be "
			        "used (its run was killed before it saved anything)%s\n",
			        b->partial, stat(f, &st) == 0 ? "" : ": starting over");
		if (jobs != 0) {
			b->src = b->partial;
			if (jobs > 0)
				b->recovered = jobs;
			return ESC_OK;
		}
		/* Killed before it saved anything: what it had is started over. */
		b->recovered = 0;
	}
	if (!b->had_final)
		return b->recovered == 0 ? ESC_OK :
		       esc_error_set(err, ESC_ERR_INPUT, "--resume: neither '%s' nor "
		                     "'%s' exists: nothing to resume (run the command "
		                     "without --resume)", f, b->partial);
	b->src = f;
	return ESC_OK;
}

/* Is F (--resume's source) this experiment's, undamaged, with every arm?
 * Then b->complete says whether it lacks nothing. */
static int check_resume_file(batch *b, const char *f, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	esc_h5_info info;
	char diff[400];
	/* Every table and chunk checked before any of it is trusted. */
	if (esc_h5_verify(f, err) != ESC_OK || esc_h5_info_read(f, &info, err))
		return esc_error_prefix(err, "--resume: ");
	int st = ESC_OK;
	if (!info.options)
		st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was written "
		                   "without the options it was run with (an older "
		                   "escsim): it cannot be resumed", f);
	else if (strcmp(info.sources_digest, b->digest) != 0) {
		first_line_difference(info.sources_digest, b->digest, diff, sizeof diff);
		st = esc_error_set(err, ESC_ERR_INPUT, "--resume: the scenario or a module "
		                   "it loads is not the one '%s' was run with (sha256: %s)",
		                   f, diff);
	} else if (strcmp(info.options, b->options) != 0) {
		first_line_difference(info.options, b->options, diff, sizeof diff);
		const char *w[] = { info.command_line ? info.command_line : "", "--resume", f };
		char *repeat = info.command_line && *info.command_line ? esc_shell_join(w + 1, 2) : NULL;
		if (repeat)
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was run with other "
			                   "options: %s; to finish it, repeat its command with "
			                   "--resume: %s %s", f, diff, info.command_line, repeat);
		else
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was run with other "
			                   "options: %s; repeat the original command (see its "
			                   "command_line attribute) with --resume", f, diff);
		free(repeat);
	} else if (info.reps != o->reps || info.rep_offset != o->rep_offset) {
		st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was run with -n %lld "
		                   "--rep-offset %lld, not -n %lld --rep-offset %lld", f,
		                   (long long)info.reps, (long long)info.rep_offset,
		                   (long long)o->reps, (long long)o->rep_offset);
	}
	for (size_t g = 0; st == ESC_OK && g < b->n_groups; g++) {
		int found = 0;
		for (size_t i = 0; !found && i < info.n_groups; i++)
			found = strcmp(info.groups[i], b->group_names[g]) == 0;
		if (!found && b->n_points == 1)
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' has no arm "
			                   "'%s'", f, b->group_names[g]);
	}
	b->complete = st == ESC_OK && info.complete;
	esc_h5_info_free(&info);
	return st;
}

/* What F holds at point P (runs, and skipped ones in FAILED), from its
 * first arm; the others must hold the same (a job is written whole or not
 * at all).  A group a killed sweep had not made yet holds nothing. */
static int point_done(const batch *b, const char *f, size_t p,
                      const esc_failure_row *failed, size_t n_failed,
                      esc_h5_range **done, size_t *n_done, esc_error *err)
{
	esc_h5_range *r0 = NULL;
	size_t n0 = 0;
	int st = ESC_OK;
	const char *g0 = b->group_names[p * b->n_arms];
	int have = esc_h5_rep_ranges(f, g0, &r0, &n0, NULL) == ESC_OK;
	for (size_t a = 1; have && st == ESC_OK && a < b->n_arms; a++) {
		esc_h5_range *r = NULL;
		size_t n = 0;
		st = esc_h5_rep_ranges(f, b->group_names[p * b->n_arms + a], &r, &n, err);
		if (st == ESC_OK && (n != n0 || (n && memcmp(r, r0, n * sizeof *r))))
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: in '%s' arms "
			                   "'%s' and '%s' hold different replications "
			                   "(the file was not written by one escsim run)",
			                   f, g0, b->group_names[p * b->n_arms + a]);
		free(r);
	}
	if (st == ESC_OK)
		st = covered(r0, n0, failed, n_failed, p, done, n_done, err);
	free(r0);
	return st;
}

/* Plan the jobs F lacks, and whether they can be appended to it in
 * place. */
static int plan_missing(batch *b, size_t *cap, const char *f, esc_error *err)
{
	esc_failure_row *failed = NULL;
	size_t n_failed = 0;
	int st = esc_h5_failures_read(f, &failed, &n_failed, err);
	int in_place = 1, first_left = -1;
	for (size_t p = 0; st == ESC_OK && p < b->n_points; p++) {
		esc_h5_range *done = NULL;
		size_t n_done = 0;
		st = point_done(b, f, p, failed, n_failed, &done, &n_done, err);
		for (size_t i = 0; st == ESC_OK && i < n_done; i++)
			b->already_done += done[i].hi - done[i].lo;
		if (st == ESC_OK) {
			int64_t lo = b->block_lo, hi = b->block_lo + b->block_n;
			in_place &= after_all_done(done, n_done, p, lo, hi, &first_left);
			st = plan_point(b, cap, p, lo, hi, done, n_done, err);
		}
		free(done);
	}
	free(failed);
	if (st)
		return st;
	/* In place: only a file of this version's layout (older ones are
	 * joined, which rewrites them). */
	esc_h5_file *h = in_place ? esc_h5_open(f, err) : NULL;
	char *v = NULL;
	b->inplace = h && esc_h5_get_attr_text(h, "/", "schema_version", &v,
	                                       err) == ESC_OK &&
	             strcmp(v, ESC_SCHEMA_VERSION) == 0;
	free(v);
	esc_h5_file_close(h);
	esc_error_clear(err);
	b->created = first_left < 0 ? b->n_points - 1 : (size_t)first_left;
	b->stage_point = b->created;
	return ESC_OK;
}

static int plan_all(batch *b, size_t *cap, esc_error *err)
{
	int st = ESC_OK;
	for (size_t p = 0; st == ESC_OK && p < b->n_points; p++)
		st = plan_point(b, cap, p, b->block_lo, b->block_lo + b->block_n, NULL, 0, err);
	return st;
}

int esc_bt_plan(batch *b, esc_error *err)
{
	size_t cap = 0;
	if (!b->o->resume)
		return plan_all(b, &cap, err);
	int st = resume_source(b, err);
	if (st)
		return st;
	if (!b->src)            /* nothing usable: start over, as without --resume */
		return plan_all(b, &cap, err);
	if ((st = check_resume_file(b, b->src, err)) || b->complete)
		return st;
	return plan_missing(b, &cap, b->src, err);
}
