/* h5_merge.c: joining result files whose replications are disjoint
 * (escsim/h5_merge.h).  The inputs are read through the reader
 * (h5_reader_impl.h: provenance, replications, /failures); the join is
 * written under a name of its own (.partial unless told), closed, synced
 * and renamed.
 *
 * A joined table is written by the table writer (h5_table.c), as one run
 * writes it: made like the first input's (esc_h5_table_create_like, so the
 * writer's column types, chunks and filters), its rows appended in
 * replication order and deflated in a pool of threads, and the first
 * input's leading whole chunks copied as stored when the layouts are the
 * same; so it is chunk for chunk the table one run would have written.
 * Rows are read into the table's row struct, which is the file row (no
 * conversion) unless a code column is narrowed to int16.  Every escsim
 * table starts with an int64 `rep`;
 * each input's rows are in replication order, so a table is joined by a
 * k-way merge on `rep`: plain concatenation for job-array shards, and
 * interleaving for --resume, where the old file may have holes that the
 * new rows fill.
 *
 * Which replications a file holds is read from each group's runs table.
 * Before anything is written every group's ranges are checked: a
 * replication in two inputs, or (unless gaps are allowed) in none, is an
 * error naming the files and the range.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "escsim/h5_merge.h"
#include "escsim/h5_writer.h"
#include "h5_attr.h"
#include "h5_file.h"
#include "h5_reader_impl.h"
#include "h5_schema.h"
#include "h5_table.h"
#include "h5_util.h"

#define BLOCK_ROWS 8192

struct copy_ctx {
	hid_t dst;
	int failed;
};

static herr_t copy_attr_cb(hid_t loc, const char *name, const H5A_info_t *info,
                           void *data)
{
	(void)info;
	struct copy_ctx *c = data;
	hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
	hid_t t = a >= 0 ? H5Aget_type(a) : -1;
	hid_t s = a >= 0 ? H5Aget_space(a) : -1;
	hssize_t np = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
	size_t sz = t >= 0 ? H5Tget_size(t) : 0;
	unsigned char *buf = NULL;
	int ok = a >= 0 && t >= 0 && s >= 0 && np >= 0 && sz > 0 &&
	         (buf = calloc((size_t)(np ? np : 1), sz)) != NULL &&
	         H5Aread(a, t, buf) >= 0;
	if (ok) {
		if (H5Aexists(c->dst, name) > 0)
			H5Adelete(c->dst, name);
		hid_t b = H5Acreate2(c->dst, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
		ok = b >= 0 && H5Awrite(b, t, buf) >= 0;
		if (b >= 0 && H5Aclose(b) < 0)
			ok = 0;
		if (H5Tdetect_class(t, H5T_VLEN) > 0 ||
		    (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0))
			H5Dvlen_reclaim(t, s, H5P_DEFAULT, buf);
	}
	free(buf);
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	if (a >= 0)
		H5Aclose(a);
	if (!ok) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

static int copy_attrs(hid_t src, hid_t dst)
{
	struct copy_ctx c = { dst, 0 };
	hsize_t idx = 0;
	if (H5Aiterate2(src, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, copy_attr_cb, &c) < 0) {
		/* Creation order is only tracked when asked for; fall back. */
		idx = 0;
		c.failed = 0;
		if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_attr_cb, &c) < 0)
			return -1;
	}
	return c.failed ? -1 : 0;
}

static int cmp_failure(const void *a, const void *b)
{
	const esc_failure_row *x = a, *y = b;
	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	return (x->rep > y->rep) - (x->rep < y->rep);
}

/* ----------------------------------------------------------------- merge */

/* The first line where two texts differ, for messages. */
static void first_difference(const char *a, const char *b, char *out, size_t size)
{
	const char *la = a, *lb = b;
	while (*la || *lb) {
		size_t na = strcspn(la, "\n"), nb = strcspn(lb, "\n");
		if (na != nb || strncmp(la, lb, na) != 0) {
			snprintf(out, size, "'%.*s' against '%.*s'", (int)(na > 200 ? 200 : na),
			         la, (int)(nb > 200 ? 200 : nb), lb);
			return;
		}
		la += na + (la[na] == '\n');
		lb += nb + (lb[nb] == '\n');
	}
	snprintf(out, size, "(no line differs)");
}

static int check_together(const esc_h5_merge_opts *o, const esc_h5_info *in,
                          esc_error *err)
{
	const char *f0 = o->inputs[0];
	if (!in[0].options)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' was written by an escsim "
		                     "that did not record its options (no attribute "
		                     "'options'): it cannot be merged or resumed", f0);
	for (size_t i = 1; i < o->n_inputs; i++) {
		const esc_h5_info *a = &in[0], *b = &in[i];
		const char *fi = o->inputs[i];
		char diff[512];
		if (!b->options)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' was written by an "
			                     "escsim that did not record its options (no "
			                     "attribute 'options'): it cannot be merged", fi);
		if (strcmp(a->scenario_sha256, b->scenario_sha256) != 0)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' and '%s' come from "
			                     "different scenario files (sha256 %.12s... and "
			                     "%.12s...)", f0, fi, a->scenario_sha256,
			                     b->scenario_sha256);
		if (strcmp(a->sources_digest, b->sources_digest) != 0) {
			first_difference(a->sources_digest, b->sources_digest, diff, sizeof diff);
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' and '%s' loaded "
			                     "different modules: %s", f0, fi, diff);
		}
		if (a->seed != b->seed)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' and '%s' have different "
			                     "seeds (%llu and %llu)", f0, fi,
			                     (unsigned long long)a->seed, (unsigned long long)b->seed);
		if (strcmp(a->options, b->options) != 0) {
			first_difference(a->options, b->options, diff, sizeof diff);
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' and '%s' were run with "
			                     "different options: %s", f0, fi, diff);
		}
		int same = a->n_groups == b->n_groups;
		for (size_t g = 0; same && g < a->n_groups; g++)
			same = strcmp(a->groups[g], b->groups[g]) == 0;
		if (!same)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' and '%s' have different "
			                     "arms", f0, fi);
	}
	return ESC_OK;
}

typedef struct held {
	esc_h5_range r;
	size_t input;
} held;

static int cmp_held(const void *a, const void *b)
{
	const held *x = a, *y = b;
	return x->r.lo < y->r.lo ? -1 : x->r.lo > y->r.lo ? 1 :
	       x->input < y->input ? -1 : x->input > y->input;
}

/* Check one group's coverage of [e0, e1): overlaps are errors; gaps are
 * counted in *missing (and are errors unless allowed). */
static int check_group(const esc_h5_merge_opts *o, const esc_h5_info *in,
                       const char *group, held *h, size_t nh, int64_t e0,
                       int64_t e1, int64_t *missing, esc_error *err)
{
	qsort(h, nh, sizeof *h, cmp_held);
	for (size_t i = 0; i < nh; i++) {
		if (h[i].r.lo < e0 || h[i].r.hi > e1)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' holds replications "
			                     "%lld..%lld of arm '%s', outside the %lld..%lld "
			                     "asked for", o->inputs[h[i].input],
			                     (long long)h[i].r.lo, (long long)h[i].r.hi - 1,
			                     group, (long long)e0, (long long)e1 - 1);
		if (i && h[i].r.lo < h[i - 1].r.hi) {
			int64_t lo = h[i].r.lo;
			int64_t hi = h[i].r.hi < h[i - 1].r.hi ? h[i].r.hi : h[i - 1].r.hi;
			return esc_error_set(err, ESC_ERR_INPUT, "replications %lld..%lld of "
			                     "arm '%s' are in both '%s' and '%s': a duplicated "
			                     "shard (overlapping --rep-offset and -n)",
			                     (long long)lo, (long long)hi - 1, group,
			                     o->inputs[h[i - 1].input], o->inputs[h[i].input]);
		}
	}
	int64_t at = e0;
	for (size_t i = 0; i <= nh; i++) {
		int64_t next = i < nh ? h[i].r.lo : e1;
		if (next > at) {
			*missing += next - at;
			if (!o->allow_gaps) {
				/* Say which input should have held them, if one claims to. */
				const char *owner = NULL;
				for (size_t k = 0; k < o->n_inputs; k++)
					if (in[k].rep_offset <= at && at < in[k].rep_offset + in[k].reps)
						owner = o->inputs[k];
				if (owner)
					return esc_error_set(err, ESC_ERR_INPUT, "replications "
					                     "%lld..%lld of arm '%s' are missing: "
					                     "'%s' is incomplete (interrupted?): "
					                     "rerun its command with --resume, or "
					                     "join with --allow-incomplete and "
					                     "--resume the result",
					                     (long long)at, (long long)next - 1,
					                     group, owner);
				return esc_error_set(err, ESC_ERR_INPUT, "replications %lld..%lld "
				                     "of arm '%s' are missing: no input holds them "
				                     "(a missing shard?)", (long long)at,
				                     (long long)next - 1, group);
			}
		}
		if (i < nh && h[i].r.hi > at)
			at = h[i].r.hi;
	}
	return ESC_OK;
}

/* One input's table, read a block of rows at a time into the output
 * table's row struct. */
typedef struct cursor {
	hid_t d, fs;
	hsize_t total, next;      /* rows in the table; the next to read */
	unsigned char *buf;       /* BLOCK_ROWS rows */
	size_t n, pos;            /* rows in buf; the next to take */
	int64_t last;             /* rep of the last row taken */
} cursor;

static int cur_fill(cursor *c, hid_t type)
{
	if (c->pos < c->n || c->next >= c->total)
		return 0;
	hsize_t count = c->total - c->next < BLOCK_ROWS ? c->total - c->next : BLOCK_ROWS;
	hid_t ms = H5Screate_simple(1, &count, NULL);
	int bad = ms < 0 ||
	          H5Sselect_hyperslab(c->fs, H5S_SELECT_SET, &c->next, NULL, &count, NULL) < 0 ||
	          H5Dread(c->d, type, ms, c->fs, H5P_DEFAULT, c->buf) < 0;
	if (ms >= 0)
		H5Sclose(ms);
	if (bad)
		return -1;
	c->next += count;
	c->n = count;
	c->pos = 0;
	return 0;
}

/* The rep of row I of a block. */
static int64_t rep_at(const unsigned char *buf, size_t i, size_t rsize, size_t roff)
{
	int64_t r;
	memcpy(&r, buf + i * rsize + roff, sizeof r);
	return r;
}

/* Input 0's rows that come before every other input's first row, in whole
 * chunks, are copied as stored: compressed chunk to compressed chunk, with
 * no inflate and no deflate (esc_h5_table_copy_chunks, when input 0's table
 * is laid out as the output's; else they are appended like the others).
 * That is input 0's whole table, but for its last partial chunk, when the
 * inputs are consecutive blocks of replications (MPI ranks, job arrays);
 * none of it when an old file's holes are filled (--resume).  Input 0's
 * rows are in replication order (escsim writes them so; rows copied this
 * way are not checked one by one), so its last row's rep decides. */
static int copy_leading_chunks(const esc_h5_merge_opts *o, cursor *c, hid_t type,
                               size_t rsize, size_t roff, esc_h5_table *t,
                               const char *what, const char *where, esc_error *err)
{
	if (c[0].total < t->chunk_rows)
		return ESC_OK;
	int64_t first_other = INT64_MAX;
	for (size_t i = 1; i < o->n_inputs; i++) {
		if (cur_fill(&c[i], type) < 0)
			return esc_h5_fail_file(err, o->inputs[i], what);
		if (c[i].pos < c[i].n) {
			int64_t r = rep_at(c[i].buf, c[i].pos, rsize, roff);
			if (r < first_other)
				first_other = r;
		}
	}
	/* The last row of input 0 (a one-row read: one chunk decoded). */
	hsize_t last = c[0].total - 1, one = 1;
	hid_t ms = H5Screate_simple(1, &one, NULL);
	int bad = ms < 0 ||
	          H5Sselect_hyperslab(c[0].fs, H5S_SELECT_SET, &last, NULL, &one, NULL) < 0 ||
	          H5Dread(c[0].d, type, ms, c[0].fs, H5P_DEFAULT, c[0].buf) < 0;
	if (ms >= 0)
		H5Sclose(ms);
	if (bad)
		return esc_h5_fail_file(err, o->inputs[0], what);
	if (rep_at(c[0].buf, 0, rsize, roff) >= first_other)
		return ESC_OK;
	hsize_t rows = 0;
	int rc = esc_h5_table_copy_chunks(t, c[0].d, c[0].total / t->chunk_rows,
	                                  &rows, where, err);
	c[0].next = rows;
	return rc;
}

/* Open every input's GROUP/TABLE into the cursors C; they must have the
 * same file type (returned in *FTYPE, the caller closes it), with an int64
 * `rep` to order rows by. */
static int open_cursors(const esc_h5_merge_opts *o, hid_t *in, cursor *c,
                        const char *group, const char *table, const char *what,
                        hid_t *ftype, esc_error *err)
{
	*ftype = -1;
	for (size_t i = 0; i < o->n_inputs; i++) {
		c[i].d = esc_h5_open_arm_table(in[i], group, table);
		if (c[i].d < 0)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table "
			                     "/arms/%s/%s (but '%s' has)", o->inputs[i],
			                     group, table, o->inputs[0]);
		hid_t ti = H5Dget_type(c[i].d);
		if (i == 0) {
			*ftype = ti;
		} else {
			htri_t eq = H5Tequal(*ftype, ti);
			H5Tclose(ti);
			if (eq <= 0)
				return esc_error_set(err, ESC_ERR_INPUT, "/arms/%s/%s has "
				                     "different columns in '%s' and '%s' "
				                     "(written by different escsim versions?)",
				                     group, table, o->inputs[0], o->inputs[i]);
		}
		c[i].fs = H5Dget_space(c[i].d);
		hssize_t np = c[i].fs >= 0 ? H5Sget_simple_extent_npoints(c[i].fs) : -1;
		if (np < 0)
			return esc_h5_fail_file(err, o->inputs[i], what);
		c[i].total = (hsize_t)np;
		c[i].last = INT64_MIN;
	}
	if (*ftype < 0)
		return esc_h5_fail_file(err, o->inputs[0], what);
	int ri = H5Tget_member_index(*ftype, "rep");
	hid_t rt = ri >= 0 ? H5Tget_member_type(*ftype, (unsigned)ri) : -1;
	int rep_ok = rt >= 0 && H5Tget_class(rt) == H5T_INTEGER && H5Tget_size(rt) == 8 &&
	             H5Tget_sign(rt) == H5T_SGN_2;
	if (rt >= 0)
		H5Tclose(rt);
	if (!rep_ok)
		return esc_error_set(err, ESC_ERR_INPUT, "/arms/%s/%s in '%s' has no "
		                     "int64 column 'rep' to order its rows by", group,
		                     table, o->inputs[0]);
	return ESC_OK;
}

/* One table being joined: the inputs' cursors and the output table. */
typedef struct join {
	const esc_h5_merge_opts *o;
	cursor *c;
	hid_t type;               /* the output's row struct, to read rows into */
	size_t rsize, roff;       /* its size, and where `rep` is in it */
	esc_h5_table *t;
	const char *group, *table, *what, *where;
} join;

/* The input whose next row has the smallest rep (*BEST, n_inputs when
 * every input is done), and the next smallest rep of any other input
 * (*OTHER, INT64_MAX if none). */
static int next_input(join *j, size_t *best, int64_t *best_rep, int64_t *other,
                      esc_error *err)
{
	size_t n = j->o->n_inputs;
	*best = n;
	*best_rep = *other = INT64_MAX;
	for (size_t i = 0; i < n; i++) {
		cursor *c = &j->c[i];
		if (cur_fill(c, j->type) < 0)
			return esc_h5_fail_file(err, j->o->inputs[i], j->what);
		if (c->pos >= c->n)
			continue;
		int64_t r = rep_at(c->buf, c->pos, j->rsize, j->roff);
		if (*best == n || r < *best_rep) {
			if (*best != n)
				*other = *best_rep;
			*best = i;
			*best_rep = r;
		} else if (r < *other) {
			*other = r;
		}
	}
	return ESC_OK;
}

/* Append input B's rows up to the other inputs' next rep OTHER, a block at
 * a time. */
static int take_rows(join *j, size_t best, int64_t other, esc_error *err)
{
	cursor *b = &j->c[best];
	while (b->pos < b->n) {
		size_t from = b->pos;
		for (; b->pos < b->n; b->pos++) {
			int64_t r = rep_at(b->buf, b->pos, j->rsize, j->roff);
			if (r >= other)
				break;
			if (r < b->last)
				return esc_error_set(err, ESC_ERR_INPUT, "'%s': /arms/%s/%s is "
				                     "not in replication order (rep %lld after "
				                     "%lld)", j->o->inputs[best], j->group,
				                     j->table, (long long)r, (long long)b->last);
			b->last = r;
		}
		int rc = esc_h5_table_append(j->t, b->buf + from * j->rsize,
		                             b->pos - from, j->where, err);
		if (rc)
			return rc;
		if (b->pos < b->n)
			break;
		if (cur_fill(b, j->type) < 0)
			return esc_h5_fail_file(err, j->o->inputs[best], j->what);
	}
	return ESC_OK;
}

/* Every input's rows in rep order: a k-way merge on `rep`. */
static int merge_rows(join *j, esc_error *err)
{
	for (;;) {
		size_t best;
		int64_t best_rep, other;
		int rc = next_input(j, &best, &best_rep, &other, err);
		if (rc)
			return rc;
		if (best == j->o->n_inputs)
			return ESC_OK;
		if (best_rep == other)
			return esc_error_set(err, ESC_ERR_INPUT, "replication %lld of arm "
			                     "'%s' is in two inputs (%s)", (long long)best_rep,
			                     j->group, j->table);
		if ((rc = take_rows(j, best, other, err)))
			return rc;
	}
}

/* Create /arms/<group>/<table> in OUT like input 0's (the table writer's
 * layout for its columns, with its attributes) and fill it from every
 * input in rep order. */
static int merge_table(const esc_h5_merge_opts *o, hid_t *in, hid_t out_group,
                       const char *group, const char *table, esc_h5_zpool *pool,
                       const char *partial, const char *where, esc_error *err)
{
	size_t n = o->n_inputs;
	cursor *c = calloc(n, sizeof *c);
	hid_t ftype = -1;
	esc_h5_table t;
	memset(&t, 0, sizeof t);
	t.dset = -1;
	char what[400];
	snprintf(what, sizeof what, "copy /arms/%s/%s", group, table);
	if (!c)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < n; i++)
		c[i].d = c[i].fs = -1;
	join j = { o, c, -1, 0, 0, &t, group, table, what, where };
	int rc = open_cursors(o, in, c, group, table, what, &ftype, err);
	/* Rows are read into the output table's row struct (HDF5 converts
	 * nothing when it is the file row) and appended as they come. */
	if (rc == ESC_OK &&
	    (rc = esc_h5_table_create_like(&t, out_group, table, c[0].d, where, err)) == ESC_OK) {
		t.pool = pool;
		if ((j.type = esc_h5_table_row_type(&t)) < 0)
			rc = esc_h5_fail_file(err, partial, what);
	}
	if (rc == ESC_OK) {
		j.rsize = t.desc->row_size;
		j.roff = H5Tget_member_offset(j.type, (unsigned)H5Tget_member_index(j.type, "rep"));
		for (size_t i = 0; rc == ESC_OK && i < n; i++)
			if (!(c[i].buf = malloc(BLOCK_ROWS * j.rsize)))
				rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	if (rc == ESC_OK)
		rc = copy_leading_chunks(o, c, j.type, j.rsize, j.roff, &t, what, where, err);
	if (rc == ESC_OK)
		rc = merge_rows(&j, err);
	if (rc == ESC_OK)
		rc = esc_h5_table_flush(&t, where, err);
	for (size_t i = 0; i < n; i++) {
		if (c[i].fs >= 0)
			H5Sclose(c[i].fs);
		if (c[i].d >= 0)
			H5Dclose(c[i].d);
		free(c[i].buf);
	}
	free(c);
	if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
		rc = esc_h5_fail_file(err, partial, what);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (j.type >= 0)
		H5Tclose(j.type);
	return rc;
}

/* The sweep point of group G (0 outside a sweep). */
static int64_t group_point(hid_t f, const char *g)
{
	char path[400];
	int64_t p = 0;
	snprintf(path, sizeof path, "arms/%s", g);
	hid_t o = H5Oopen(f, path, H5P_DEFAULT);
	if (o >= 0 && esc_h5_attr_read_scalar(o, "sweep_point", H5T_NATIVE_INT64, &p) < 0)
		p = 0;
	if (o >= 0)
		H5Oclose(o);
	return p;
}

/* Before anything of an input is trusted: every table of every arm has the
 * columns escsim writes and every chunk its checksum (a table without one,
 * from schema 1.0 or 1.1, is read whole by the join itself). */
static int verify_input(hid_t f, const char *path, const esc_h5_info *info,
                        esc_error *err)
{
	int rc = ESC_OK;
	char *v = esc_h5_attr_read_text(f, "schema_version");
	int later = v && strtol(v, NULL, 10) == 1 && strchr(v, '.') &&
	            strtol(strchr(v, '.') + 1, NULL, 10) > 2;
	free(v);
	for (size_t g = 0; rc == ESC_OK && g < info->n_groups; g++) {
		char gp[300];
		snprintf(gp, sizeof gp, "arms/%s", info->groups[g]);
		esc_h5_names_list tables;
		if (esc_h5_link_names(f, gp, &tables) < 0) {
			rc = esc_h5_fail_file(err, path, "list the tables of an arm");
			break;
		}
		for (size_t t = 0; rc == ESC_OK && t < tables.n; t++) {
			const esc_h5_schema *s = esc_h5_schema_named(tables.v[t], 1);
			char tp[400];
			snprintf(tp, sizeof tp, "/%s/%s", gp, tables.v[t]);
			hid_t d = H5Dopen2(f, tp, H5P_DEFAULT);
			int checked;
			if (d < 0)
				rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s cannot be opened: "
				                   "the file is damaged", path, tp);
			else if (!s)
				rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s is not a table "
				                   "escsim writes", path, tp);
			else if ((rc = esc_h5_schema_check(d, s, later, path, tp, err)) == ESC_OK)
				rc = esc_h5_table_check(d, path, tp, &checked, err);
			if (d >= 0)
				H5Dclose(d);
		}
		esc_h5_names_free(&tables);
	}
	return rc;
}

/* /failures of the join in F: every input's, in job order. */
static int write_failures(hid_t f, const char *partial, const char *where,
                          esc_failure_row **fr, const size_t *nfr, size_t n_in,
                          esc_error *err)
{
	size_t total = 0;
	for (size_t i = 0; i < n_in; i++)
		total += nfr[i];
	if (total == 0)
		return ESC_OK;
	esc_failure_row *all = malloc(total * sizeof *all);
	if (!all)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n_in; i++) {
		memcpy(all + k, fr[i], nfr[i] * sizeof *all);
		k += nfr[i];
	}
	qsort(all, total, sizeof *all, cmp_failure);
	esc_h5_table t;
	int rc = esc_h5_table_create(&t, f, "failures",
	                             esc_h5_schemas[SCHEMA_FAILURES].desc, NULL,
	                             where, err);
	if (rc == ESC_OK) {
		rc = esc_h5_table_append(&t, all, total, where, err);
		if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
			rc = esc_h5_fail_file(err, partial, "write /failures");
	}
	free(all);
	return rc;
}

/* The root attributes of the join F: input 0's, with what the join covers
 * and, if given, its own command line and note. */
static int join_attrs(const esc_h5_merge_opts *o, hid_t in0, hid_t f,
                      int64_t e0, int64_t e1, int complete)
{
	char created[32];
	esc_h5_created(created);
	int64_t reps = e1 - e0;
	int8_t flag = complete ? 1 : 0;
	return copy_attrs(in0, f) < 0 ||
	       esc_h5_attr_scalar(f, "reps", H5T_STD_I64LE, H5T_NATIVE_INT64, &reps) < 0 ||
	       esc_h5_attr_scalar(f, "rep_offset", H5T_STD_I64LE, H5T_NATIVE_INT64, &e0) < 0 ||
	       esc_h5_attr_scalar(f, "complete", H5T_STD_I8LE, H5T_NATIVE_INT8, &flag) < 0 ||
	       esc_h5_attr_text(f, "created", created) < 0 ||
	       (o->command_line && esc_h5_attr_text(f, "command_line", o->command_line) < 0) ||
	       (o->note_name && esc_h5_attr_text(f, o->note_name, o->note ? o->note : "") < 0)
	       ? -1 : 0;
}

/* /arms/<GROUP> of the join under ARMS: input 0's attributes, and each of
 * its tables joined. */
static int write_group(const esc_h5_merge_opts *o, hid_t *in, hid_t arms,
                       const char *gn, esc_h5_zpool *pool, const char *partial,
                       const char *where, esc_error *err)
{
	char path[300], what[400];
	snprintf(path, sizeof path, "arms/%s", gn);
	snprintf(what, sizeof what, "create /arms/%s", gn);
	hid_t src = H5Gopen2(in[0], path, H5P_DEFAULT);
	hid_t dst = H5Gcreate2(arms, gn, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	esc_h5_names_list tables = { 0 };
	int rc = ESC_OK;
	if (src < 0 || dst < 0 || copy_attrs(src, dst) < 0 ||
	    esc_h5_link_names(in[0], path, &tables) < 0)
		rc = esc_h5_fail_file(err, partial, what);
	for (size_t t = 0; rc == ESC_OK && t < tables.n; t++)
		rc = merge_table(o, in, dst, gn, tables.v[t], pool, partial, where, err);
	esc_h5_names_free(&tables);
	if (src >= 0)
		H5Gclose(src);
	if (dst >= 0 && H5Gclose(dst) < 0 && rc == ESC_OK)
		rc = esc_h5_fail_file(err, partial, what);
	return rc;
}

/* /arms of the join F, every group's tables deflated in one pool, on every
 * CPU the process may use (rank 0 of an MPI join is let off its core
 * first). */
static int write_arms(const esc_h5_merge_opts *o, hid_t *in, hid_t f,
                      const esc_h5_info *info, const char *partial,
                      const char *where, esc_error *err)
{
	esc_h5_zpool *pool = esc_h5_zpool_new(0);
	if (!pool)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int rc = ESC_OK;
	hid_t src = H5Gopen2(in[0], "arms", H5P_DEFAULT);
	hid_t arms = H5Gcreate2(f, "arms", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (src < 0 || arms < 0 || copy_attrs(src, arms) < 0)
		rc = esc_h5_fail_file(err, partial, "create /arms");
	if (src >= 0)
		H5Gclose(src);
	for (size_t g = 0; rc == ESC_OK && g < info->n_groups; g++)
		rc = write_group(o, in, arms, info->groups[g], pool, partial, where, err);
	if (arms >= 0)
		H5Gclose(arms);
	esc_h5_zpool_free(pool);   /* tables are closed: nothing in hand */
	return rc;
}

/* The join, written to PARTIAL (created here) and closed. */
static int write_output(const esc_h5_merge_opts *o, hid_t *in,
                        const esc_h5_info *info, const char *partial,
                        int64_t e0, int64_t e1, int complete,
                        esc_failure_row **fr, const size_t *nfr, esc_error *err)
{
	hid_t fcpl = esc_h5_create_plist(), fapl = esc_h5_access_plist(0);
	hid_t f = fcpl < 0 || fapl < 0 ? -1 :
	          H5Fcreate(partial, H5F_ACC_TRUNC, fcpl, fapl);
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (f < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot create results file "
		                     "'%s': %s", partial, reason);
	}
	int rc = ESC_OK;
	size_t wlen = strlen(partial) + sizeof "results file ''";
	char *where = malloc(wlen);
	if (where)
		snprintf(where, wlen, "results file '%s'", partial);
	if (!where)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	else if (join_attrs(o, in[0], f, e0, e1, complete) < 0)
		rc = esc_h5_fail_file(err, partial, "write the root attributes");
	if (rc == ESC_OK &&
	    H5Ocopy(in[0], "scenario", f, "scenario", H5P_DEFAULT, H5P_DEFAULT) < 0)
		rc = esc_h5_fail_file(err, partial, "copy /scenario");
	if (rc == ESC_OK && H5Lexists(in[0], "sweep", H5P_DEFAULT) > 0 &&
	    H5Ocopy(in[0], "sweep", f, "sweep", H5P_DEFAULT, H5P_DEFAULT) < 0)
		rc = esc_h5_fail_file(err, partial, "copy /sweep");
	if (rc == ESC_OK)
		rc = write_arms(o, in, f, info, partial, where, err);
	if (rc == ESC_OK)
		rc = write_failures(f, partial, where, fr, nfr, o->n_inputs, err);
	free(where);
	/* Tables stored as this version stores them (checksums, code columns
	 * narrowed): the file's schema is this version's, whatever the inputs'
	 * (its minor number counts storage changes). */
	if (rc == ESC_OK &&
	    esc_h5_attr_text(f, "schema_version", ESC_SCHEMA_VERSION) < 0)
		rc = esc_h5_fail_file(err, partial, "write the root attribute schema_version");
	if (H5Fclose(f) < 0 && rc == ESC_OK)
		rc = esc_h5_fail_file(err, partial, "close it");
	return rc;
}

/* Open every input (none given twice, none the join's own name), read its
 * provenance, check its tables, and read its /failures. */
static int open_inputs(const esc_h5_merge_opts *o, const char *partial,
                       hid_t *in, esc_h5_info *info, esc_failure_row **fr,
                       size_t *nfr, esc_error *err)
{
	int rc = ESC_OK;
	for (size_t i = 0; i < o->n_inputs && rc == ESC_OK; i++) {
		for (size_t j = 0; j < i; j++)
			if (esc_h5_same_file(o->inputs[i], o->inputs[j])) {
				int same = strcmp(o->inputs[i], o->inputs[j]) == 0;
				return esc_error_set(err, ESC_ERR_INPUT, "'%s' is given twice%s%s%s: "
				                     "a duplicated shard", o->inputs[i],
				                     same ? "" : " (as '", same ? "" : o->inputs[j],
				                     same ? "" : "')");
			}
		if (esc_h5_same_file(o->inputs[i], partial))
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' is the name the join "
			                     "is written under before it is renamed: give "
			                     "another output", o->inputs[i]);
		if ((rc = esc_h5_open_ro(o->inputs[i], &in[i], err)) == ESC_OK)
			rc = esc_h5_info_from(in[i], o->inputs[i], &info[i], err);
		if (rc == ESC_OK)
			rc = verify_input(in[i], o->inputs[i], &info[i], err);
		if (rc == ESC_OK)
			rc = esc_h5_failures_of(in[i], o->inputs[i], &fr[i], &nfr[i], err);
	}
	return rc;
}

/* The replications the join covers, [*E0, *E1): as asked, or from the
 * smallest first replication to the last any input was asked to run. */
static void join_span(const esc_h5_merge_opts *o, const esc_h5_info *info,
                      int64_t *e0, int64_t *e1)
{
	size_t n = o->n_inputs;
	*e0 = o->rep_offset;
	if (*e0 < 0) {
		*e0 = info[0].rep_offset;
		for (size_t i = 1; i < n; i++)
			if (info[i].rep_offset < *e0)
				*e0 = info[i].rep_offset;
	}
	if (o->reps >= 0) {
		*e1 = *e0 + o->reps;
		return;
	}
	*e1 = *e0;
	for (size_t i = 0; i < n; i++)
		if (info[i].rep_offset + info[i].reps > *e1)
			*e1 = info[i].rep_offset + info[i].reps;
}

/* The replications held, input by input, for check_group. */
typedef struct holdings {
	held *v;
	size_t n, cap;
} holdings;

static int hold(holdings *h, esc_h5_range r, size_t input, esc_error *err)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		held *v = realloc(h->v, cap * sizeof *v);
		if (!v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = (held){ r, input };
	return ESC_OK;
}

/* What input I holds of GROUP: the replications in its runs table, and
 * those it skipped with --on-error skip (FR: its /failures), which are
 * covered too. */
static int input_holds(const esc_h5_merge_opts *o, hid_t in, size_t i,
                       const char *group, const esc_failure_row *fr, size_t nfr,
                       holdings *h, esc_error *err)
{
	esc_h5_range *r = NULL;
	size_t nr = 0;
	hid_t d = esc_h5_open_arm_table(in, group, "runs");
	if (d < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table "
		                     "/arms/%s/runs", o->inputs[i], group);
	int rc = esc_h5_ranges_of(d, o->inputs[i], group, &r, &nr, err);
	H5Dclose(d);
	for (size_t k = 0; rc == ESC_OK && k < nr; k++)
		rc = hold(h, r[k], i, err);
	free(r);
	int64_t point = group_point(in, group);
	for (size_t k = 0; rc == ESC_OK && k < nfr; k++)
		if (fr[k].point == point)
			rc = hold(h, (esc_h5_range){ fr[k].rep, fr[k].rep + 1 }, i, err);
	return rc;
}

/* Every group's coverage of [E0, E1), before anything is written; the
 * replications no input holds, per group, added up in *MISSING. */
static int check_coverage(const esc_h5_merge_opts *o, hid_t *in,
                          const esc_h5_info *info, esc_failure_row **fr,
                          const size_t *nfr, int64_t e0, int64_t e1,
                          int64_t *missing, esc_error *err)
{
	holdings h = { 0 };
	int rc = ESC_OK;
	*missing = 0;
	for (size_t g = 0; g < info[0].n_groups && rc == ESC_OK; g++) {
		h.n = 0;
		for (size_t i = 0; i < o->n_inputs && rc == ESC_OK; i++)
			rc = input_holds(o, in[i], i, info[0].groups[g], fr[i], nfr[i], &h, err);
		if (rc == ESC_OK)
			rc = check_group(o, info, info[0].groups[g], h.v, h.n, e0, e1,
			                 missing, err);
	}
	free(h.v);
	return rc;
}

/* Put the closed join PARTIAL on disk under its name OUT. */
static int publish(const char *partial, const char *out, esc_error *err)
{
	int rc = ESC_OK;
	char *dir = esc_h5_dir_of(out);
	if (esc_h5_fsync_path(partial, 0) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s': cannot sync "
		                   "it to disk: %s", partial, strerror(errno));
	else if (rename(partial, out) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "cannot rename '%s' to '%s': %s",
		                   partial, out, strerror(errno));
	else if (dir)
		esc_h5_fsync_path(dir, 1);
	free(dir);
	return rc;
}

int esc_h5_merge(const esc_h5_merge_opts *o, esc_h5_merge_result *res,
                 esc_error *err)
{
	esc_h5_enter();
	size_t n = o->n_inputs;
	if (res)
		memset(res, 0, sizeof *res);
	if (n == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "nothing to merge: no input files");
	/* The join is renamed over the output: only over a result file. */
	int rc = esc_h5_check_output(o->out_path, err);
	if (rc)
		return rc;
	esc_h5_info *info = calloc(n, sizeof *info);
	hid_t *in = malloc(n * sizeof *in);
	char *partial = o->partial_suffix ? esc_h5_sibling(o->out_path, o->partial_suffix)
	                                  : esc_h5_partial_path(o->out_path);
	esc_failure_row **fr = calloc(n, sizeof *fr);
	size_t *nfr = calloc(n, sizeof *nfr);
	int64_t e0 = 0, e1 = 0, missing = 0;
	if (!info || !in || !partial || !fr || !nfr)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; in && i < n; i++)
		in[i] = -1;
	if (rc == ESC_OK)
		rc = open_inputs(o, partial, in, info, fr, nfr, err);
	if (rc == ESC_OK)
		rc = check_together(o, info, err);
	if (rc == ESC_OK) {
		join_span(o, info, &e0, &e1);
		rc = check_coverage(o, in, info, fr, nfr, e0, e1, &missing, err);
	}
	if (rc == ESC_OK) {
		rc = write_output(o, in, &info[0], partial, e0, e1, missing == 0, fr,
		                  nfr, err);
		for (size_t i = 0; i < n; i++) {
			H5Fclose(in[i]);
			in[i] = -1;
		}
		if (rc)
			unlink(partial);
		else
			rc = publish(partial, o->out_path, err);
	}
	if (rc == ESC_OK && res) {
		res->rep_offset = e0;
		res->reps = e1 - e0;
		res->missing = missing;
		res->n_groups = info[0].n_groups;
		res->complete = missing == 0;
	}
	for (size_t i = 0; in && i < n; i++)
		if (in[i] >= 0)
			H5Fclose(in[i]);
	for (size_t i = 0; fr && i < n; i++)
		free(fr[i]);
	free(fr);
	free(nfr);
	for (size_t i = 0; info && i < n; i++)
		esc_h5_info_free(&info[i]);
	free(info);
	free(in);
	free(partial);
	return rc;
}
