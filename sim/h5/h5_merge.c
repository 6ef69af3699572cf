/* h5_merge.c: the batch's own provenance, reading result files back, and
 * joining files whose replications are disjoint (escsim/h5merge.h).
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
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <openssl/evp.h>

#include "escsim/h5merge.h"
#include "h5_table.h"

#define BLOCK_ROWS 8192

static void quiet(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* "<file>: cannot <what>: <reason>" with HDF5's innermost reason. */
static int fail(esc_error *err, const char *file, const char *what)
{
	char reason[512];
	esc_h5_reason(reason, sizeof reason);
	return esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s': cannot %s: %s",
	                     file, what, reason);
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static char *cat2(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

static int sha256_hex(const char *text, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) != 1 ||
	    len != 32)
		return -1;
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* ------------------------------------------------------------ digests */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Join lines: first, then the others sorted. */
static char *join_lines(char **lines, size_t n)
{
	if (n > 1)
		qsort(lines + 1, n - 1, sizeof *lines, cmp_str);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s\n", lines[i]);
	*p = '\0';
	return s;
}

char *esc_h5_sources_digest(const esc_h5_source *src, size_t n)
{
	char **lines = calloc(n ? n : 1, sizeof *lines);
	char *out = NULL;
	if (!lines)
		return NULL;
	size_t i;
	for (i = 0; i < n; i++) {
		char sha[65];
		const char *name = i == 0 ? "scenario" : src[i].name ? src[i].name : "?";
		if (sha256_hex(src[i].text ? src[i].text : "", sha) < 0)
			break;
		lines[i] = malloc(strlen(name) + 66);
		if (!lines[i])
			break;
		sprintf(lines[i], "%s %s", name, sha);
	}
	if (i == n)
		out = join_lines(lines, n);
	for (size_t j = 0; j < n; j++)
		free(lines[j]);
	free(lines);
	return out;
}

/* ----------------------------------------------------------- attributes */

static int read_scalar_attr(hid_t obj, const char *name, hid_t mem, void *out)
{
	if (H5Aexists(obj, name) <= 0)
		return -1;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		return -1;
	int rc = H5Aread(a, mem, out) < 0 ? -1 : 0;
	H5Aclose(a);
	return rc;
}

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

/* ---------------------------------------------------------------- extra */

/* /sweep/design: per point its block, role, key and Morris step (sweep.h),
 * and the attributes base_points and levels of /sweep. */
typedef struct design_row {
	int64_t point, block;
	int32_t role, key;
	double step;
} design_row;

static int write_design(hid_t g, const esc_h5_sweep_desc *s, const char *partial,
                        esc_error *err)
{
	static const esc_h5_field fields[] = {
		{ "point", offsetof(design_row, point), ESC_H5_I64, NULL, NULL,
		  "design point k (row of /sweep/points)" },
		{ "block", offsetof(design_row, block), ESC_H5_I64, NULL, NULL,
		  "saltelli: base row j; morris: trajectory; else the point" },
		{ "role", offsetof(design_row, role), ESC_H5_I32, NULL,
		  "0=point,1=A,2=B,3=AB,4=start,5=step",
		  "A, B: rows of the base matrices; AB: A with `key` from B; "
		  "start, step: a Morris trajectory's points" },
		{ "key", offsetof(design_row, key), ESC_H5_I32, NULL, NULL,
		  "AB and step: the varied key changed (-1: none)" },
		{ "step", offsetof(design_row, step), ESC_H5_F64, "1", NULL,
		  "morris: the signed move of `key` as a share of its range" },
	};
	static const esc_h5_table_desc desc = {
		"design: each point's place in its design", sizeof(design_row),
		fields, sizeof fields / sizeof fields[0],
	};
	size_t len = 16;
	for (size_t k = 0; k < s->n_keys; k++)
		len += strlen(s->keys[k]) + 24;
	char *keys = malloc(len);
	design_row *rows = calloc(s->n_points ? s->n_points : 1, sizeof *rows);
	int64_t base = (int64_t)s->base, levels = (int64_t)s->levels;
	int rc = ESC_OK;
	if (!keys || !rows) {
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto out;
	}
	char *p = keys + sprintf(keys, "-1=none");
	for (size_t k = 0; k < s->n_keys; k++)
		p += sprintf(p, ",%zu=%s", k, s->keys[k]);
	for (size_t i = 0; i < s->n_points; i++)
		rows[i] = (design_row){ (int64_t)i, s->block[i], s->role[i], s->key[i],
		                        s->step[i] };
	const char *labels[] = { NULL, NULL, NULL, keys, NULL };
	esc_h5_table t;
	if (esc_h5_attr_scalar(g, "base_points", H5T_STD_I64LE, H5T_NATIVE_INT64, &base) < 0 ||
	    esc_h5_attr_scalar(g, "levels", H5T_STD_I64LE, H5T_NATIVE_INT64, &levels) < 0)
		rc = fail(err, partial, "write /sweep's base_points and levels");
	else if ((rc = esc_h5_table_create(&t, g, "design", &desc, labels, partial,
	                                   err)) == ESC_OK) {
		rc = esc_h5_table_append(&t, rows, s->n_points, partial, err);
		if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
			rc = fail(err, partial, "write /sweep/design");
	}
out:
	free(keys);
	free(rows);
	return rc;
}

int esc_h5_write_extra(const char *path, const esc_h5_extra *x, esc_error *err)
{
	quiet();
	char *partial = cat2(path, ".partial");
	if (!partial)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	/* The writer has this file open: HDF5 hands out a second handle on the
	 * same open file (no second lock, no second cache). */
	hid_t f = H5Fopen(partial, H5F_ACC_RDWR, H5P_DEFAULT);
	int rc = ESC_OK;
	if (f < 0) {
		rc = fail(err, partial, "open it to add the batch's attributes");
		free(partial);
		return rc;
	}
	if ((x->options && esc_h5_attr_text(f, "options", x->options) < 0) ||
	    esc_h5_attr_scalar(f, "rep_offset", H5T_STD_I64LE, H5T_NATIVE_INT64,
	                       &x->rep_offset) < 0)
		rc = fail(err, partial, "write the root attributes options and rep_offset");

	const esc_h5_sweep_desc *s = x->sweep;
	hid_t g = -1;
	esc_h5_field *fields = NULL;
	double *rows = NULL;
	char **docs = NULL;
	if (rc == ESC_OK && s) {
		size_t nk = s->n_keys, np = s->n_points;
		fields = calloc(nk + 1, sizeof *fields);
		docs = calloc(nk + 1, sizeof *docs);
		rows = calloc((np ? np : 1) * (nk + 1), sizeof *rows);
		if (!fields || !docs || !rows) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			goto out;
		}
		/* Row: int64 point, then one double per key. */
		fields[0] = (esc_h5_field){ "point", 0, ESC_H5_I64, NULL, NULL,
			"design point k; its arms are the groups /arms/<ARM>.p<k>" };
		for (size_t k = 0; k < nk; k++) {
			docs[k] = malloc(strlen(s->keys[k]) + strlen(s->specs[k]) + 64);
			if (!docs[k]) {
				rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
				goto out;
			}
			sprintf(docs[k], "value of %s at the point (--vary %s=%s)",
			        s->keys[k], s->keys[k], s->specs[k]);
			fields[k + 1] = (esc_h5_field){ s->keys[k], 8 * (k + 1), ESC_H5_F64,
				s->units[k], NULL, docs[k] };
		}
		for (size_t p = 0; p < np; p++) {
			int64_t idx = (int64_t)p;
			memcpy(&rows[p * (nk + 1)], &idx, sizeof idx);
			for (size_t k = 0; k < nk; k++)
				rows[p * (nk + 1) + k + 1] = s->values[p * nk + k];
		}
		esc_h5_table_desc desc = { "points: one row per design point",
			8 * (nk + 1), fields, nk + 1 };
		esc_h5_table t;
		char *arms = NULL;
		size_t alen = 1;
		for (size_t a = 0; a < s->n_arms; a++)
			alen += strlen(s->arms[a]) + 1;
		arms = calloc(alen, 1);
		for (size_t a = 0; arms && a < s->n_arms; a++) {
			if (a)
				strcat(arms, ",");
			strcat(arms, s->arms[a]);
		}
		int64_t npts = (int64_t)np;
		g = H5Gcreate2(f, "sweep", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (!arms) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		} else if (g < 0 || esc_h5_attr_text(g, "design", s->design) < 0 ||
		           esc_h5_attr_text(g, "arms", arms) < 0 ||
		           esc_h5_attr_text(g, "groups", "/arms/<ARM>.p<point>") < 0 ||
		           esc_h5_attr_scalar(g, "n_points", H5T_STD_I64LE,
		                              H5T_NATIVE_INT64, &npts) < 0) {
			rc = fail(err, partial, "create /sweep");
		} else if ((rc = esc_h5_table_create(&t, g, "points", &desc, NULL,
		                                     partial, err)) == ESC_OK) {
			rc = esc_h5_table_append(&t, rows, np, partial, err);
			if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
				rc = fail(err, partial, "write /sweep/points");
		}
		if (rc == ESC_OK && s->block)
			rc = write_design(g, s, partial, err);
		free(arms);
		for (size_t p = 0; rc == ESC_OK && p < np; p++) {
			for (size_t a = 0; rc == ESC_OK && a < s->n_arms; a++) {
				const char *gn = s->groups[p * s->n_arms + a];
				char what[160];
				hid_t arms_g = H5Gopen2(f, "arms", H5P_DEFAULT);
				hid_t ag = arms_g >= 0 ? H5Gopen2(arms_g, gn, H5P_DEFAULT) : -1;
				int64_t pi = (int64_t)p;
				if (ag < 0 ||
				    esc_h5_attr_scalar(ag, "sweep_point", H5T_STD_I64LE,
				                       H5T_NATIVE_INT64, &pi) < 0 ||
				    esc_h5_attr_text(ag, "sweep_arm", s->arms[a]) < 0) {
					snprintf(what, sizeof what, "mark /arms/%s with its point", gn);
					rc = fail(err, partial, what);
				}
				if (ag >= 0)
					H5Gclose(ag);
				if (arms_g >= 0)
					H5Gclose(arms_g);
			}
		}
	}
out:
	if (g >= 0)
		H5Gclose(g);
	if (H5Fclose(f) < 0 && rc == ESC_OK)
		rc = fail(err, partial, "add the batch's attributes");
	for (size_t k = 0; docs && s && k < s->n_keys; k++)
		free(docs[k]);
	free(docs);
	free(fields);
	free(rows);
	free(partial);
	return rc;
}

/* ----------------------------------------------------------------- info */

struct names {
	char **v;
	size_t n, cap;
	int oom;
};

static herr_t name_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	(void)g;
	(void)info;
	struct names *l = data;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			l->oom = 1;
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = dupstr(name))) {
		l->oom = 1;
		return -1;
	}
	l->n++;
	return 0;
}

/* Children of LOC/PATH in name order. */
static int list_names(hid_t loc, const char *path, struct names *l)
{
	memset(l, 0, sizeof *l);
	hid_t g = H5Gopen2(loc, path, H5P_DEFAULT);
	if (g < 0)
		return -1;
	hsize_t idx = 0;
	herr_t rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, name_cb, l);
	H5Gclose(g);
	return rc < 0 || l->oom ? -1 : 0;
}

static void free_names(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The digest of the sources as the file records them. */
static char *file_sources_digest(hid_t f)
{
	hid_t d = H5Dopen2(f, "scenario/source", H5P_DEFAULT);
	if (d < 0)
		return NULL;
	char *sha = esc_h5_attr_read_text(d, "sha256");
	H5Dclose(d);
	if (!sha)
		return NULL;
	struct names mods;
	if (H5Lexists(f, "scenario/modules", H5P_DEFAULT) <= 0)
		memset(&mods, 0, sizeof mods);
	else if (list_names(f, "scenario/modules", &mods) < 0) {
		free(sha);
		return NULL;
	}
	char **lines = calloc(mods.n + 1, sizeof *lines);
	char *out = NULL;
	size_t n = 0;
	if (lines && (lines[n] = malloc(strlen(sha) + 16)) != NULL) {
		sprintf(lines[n++], "scenario %s", sha);
		hid_t m = mods.n ? H5Gopen2(f, "scenario/modules", H5P_DEFAULT) : -1;
		size_t i;
		for (i = 0; i < mods.n; i++) {
			hid_t md = m >= 0 ? H5Dopen2(m, mods.v[i], H5P_DEFAULT) : -1;
			char *nm = md >= 0 ? esc_h5_attr_read_text(md, "name") : NULL;
			char *ms = md >= 0 ? esc_h5_attr_read_text(md, "sha256") : NULL;
			if (md >= 0)
				H5Dclose(md);
			if (nm && ms && (lines[n] = malloc(strlen(nm) + strlen(ms) + 2)))
				sprintf(lines[n++], "%s %s", nm, ms);
			int ok = nm && ms && lines[n - 1];
			free(nm);
			free(ms);
			if (!ok)
				break;
		}
		if (m >= 0)
			H5Gclose(m);
		if (i == mods.n)
			out = join_lines(lines, n);
	}
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	free(sha);
	free_names(&mods);
	return out;
}

static int open_ro(const char *path, hid_t *f, esc_error *err)
{
	quiet();
	if (access(path, R_OK) != 0)
		return esc_error_set(err, ESC_ERR_INPUT, "cannot read results file '%s': %s",
		                     path, strerror(errno));
	*f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (*f < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s' as an HDF5 "
		                     "results file: %s", path, reason);
	}
	return ESC_OK;
}

void esc_h5_info_free(esc_h5_info *info)
{
	if (!info)
		return;
	free(info->scenario_name);
	free(info->scenario_sha256);
	free(info->command_line);
	free(info->options);
	free(info->sources_digest);
	for (size_t i = 0; i < info->n_groups; i++)
		free(info->groups[i]);
	free(info->groups);
	memset(info, 0, sizeof *info);
}

static int info_from(hid_t f, const char *path, esc_h5_info *info, esc_error *err)
{
	memset(info, 0, sizeof *info);
	int8_t complete = 0;
	info->scenario_name = esc_h5_attr_read_text(f, "scenario_name");
	info->scenario_sha256 = esc_h5_attr_read_text(f, "scenario_sha256");
	info->command_line = esc_h5_attr_read_text(f, "command_line");
	info->options = esc_h5_attr_read_text(f, "options");
	if (!info->scenario_sha256 ||
	    read_scalar_attr(f, "seed", H5T_NATIVE_UINT64, &info->seed) < 0 ||
	    read_scalar_attr(f, "reps", H5T_NATIVE_INT64, &info->reps) < 0 ||
	    read_scalar_attr(f, "complete", H5T_NATIVE_INT8, &complete) < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim results "
		                     "file (no scenario_sha256, seed, reps or complete "
		                     "attribute)", path);
	if (read_scalar_attr(f, "rep_offset", H5T_NATIVE_INT64, &info->rep_offset) < 0)
		info->rep_offset = 0;
	info->complete = complete != 0;
	info->sources_digest = file_sources_digest(f);
	if (!info->sources_digest)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': cannot read /scenario "
		                     "(the sources and their sha256)", path);
	struct names arms;
	if (list_names(f, "arms", &arms) < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': cannot list /arms", path);
	info->groups = arms.v;
	info->n_groups = arms.n;
	return ESC_OK;
}

int esc_h5_info_read(const char *path, esc_h5_info *info, esc_error *err)
{
	hid_t f;
	memset(info, 0, sizeof *info);
	if (open_ro(path, &f, err))
		return err->status;
	int rc = info_from(f, path, info, err);
	H5Fclose(f);
	if (rc)
		esc_h5_info_free(info);
	return rc;
}

/* ---------------------------------------------------------------- ranges */

static int add_rep(esc_h5_range **v, size_t *n, size_t *cap, int64_t rep)
{
	if (*n && (*v)[*n - 1].hi == rep) {
		(*v)[*n - 1].hi = rep + 1;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 4;
		esc_h5_range *r = realloc(*v, c * sizeof *r);
		if (!r)
			return -1;
		*v = r;
		*cap = c;
	}
	(*v)[(*n)++] = (esc_h5_range){ rep, rep + 1 };
	return 0;
}

/* Ranges of the rep column of an open runs dataset. */
static int ranges_of(hid_t d, const char *path, const char *group,
                     esc_h5_range **out, size_t *n, esc_error *err)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	hid_t m = H5Tcreate(H5T_COMPOUND, sizeof(int64_t));
	hid_t fs = H5Dget_space(d);
	int64_t *buf = malloc(BLOCK_ROWS * sizeof *buf);
	hssize_t total = fs >= 0 ? H5Sget_simple_extent_npoints(fs) : -1;
	int rc = ESC_OK;
	if (m < 0 || fs < 0 || total < 0 || !buf ||
	    H5Tinsert(m, "rep", 0, H5T_NATIVE_INT64) < 0) {
		rc = fail(err, path, "read the rep column of a runs table");
		goto out;
	}
	int64_t prev = INT64_MIN;
	for (hsize_t start = 0; start < (hsize_t)total; start += BLOCK_ROWS) {
		hsize_t count = (hsize_t)total - start < BLOCK_ROWS ? (hsize_t)total - start : BLOCK_ROWS;
		hid_t ms = H5Screate_simple(1, &count, NULL);
		int bad = ms < 0 ||
		          H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
		          H5Dread(d, m, ms, fs, H5P_DEFAULT, buf) < 0;
		if (ms >= 0)
			H5Sclose(ms);
		if (bad) {
			char what[200];
			snprintf(what, sizeof what, "read /arms/%s/runs", group);
			rc = fail(err, path, what);
			goto out;
		}
		for (hsize_t i = 0; i < count; i++) {
			if (buf[i] <= prev) {
				rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': /arms/%s/runs is "
				                   "not in replication order (rep %lld after %lld)",
				                   path, group, (long long)buf[i], (long long)prev);
				goto out;
			}
			prev = buf[i];
			if (add_rep(out, n, &cap, buf[i]) < 0) {
				rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
				goto out;
			}
		}
	}
out:
	if (m >= 0)
		H5Tclose(m);
	if (fs >= 0)
		H5Sclose(fs);
	free(buf);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static hid_t open_table(hid_t f, const char *group, const char *table)
{
	char p[400];
	snprintf(p, sizeof p, "arms/%s/%s", group, table);
	return H5Dopen2(f, p, H5P_DEFAULT);
}

int esc_h5_rep_ranges(const char *path, const char *group, esc_h5_range **out,
                      size_t *n, esc_error *err)
{
	hid_t f;
	*out = NULL;
	*n = 0;
	if (open_ro(path, &f, err))
		return err->status;
	hid_t d = open_table(f, group, "runs");
	int rc;
	if (d < 0)
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table /arms/%s/runs",
		                   path, group);
	else
		rc = ranges_of(d, path, group, out, n, err);
	if (d >= 0)
		H5Dclose(d);
	H5Fclose(f);
	return rc;
}

/* ----------------------------------------------------------- runs reader */

struct esc_h5_runs_reader {
	hid_t f, d, mem, fs;
	hsize_t total, next;
	char *path;
};

#define RUN_MEMBER(m, t) { #m, offsetof(esc_run_row, m), t }

esc_h5_runs_reader *esc_h5_runs_open(const char *path, const char *group,
                                     esc_error *err)
{
	const struct { const char *name; size_t off; hid_t type; } mem[] = {
		RUN_MEMBER(rep, H5T_NATIVE_INT64),
		RUN_MEMBER(seed, H5T_NATIVE_UINT64),
		RUN_MEMBER(incidents, H5T_NATIVE_INT64),
		RUN_MEMBER(retaliations, H5T_NATIVE_INT64),
		RUN_MEMBER(misattributed_retaliations, H5T_NATIVE_INT64),
		RUN_MEMBER(fatalities_mil, H5T_NATIVE_INT64),
		RUN_MEMBER(fatalities_civ, H5T_NATIVE_INT64),
		RUN_MEMBER(max_level, H5T_NATIVE_INT32),
		RUN_MEMBER(hours_at_or_above_6, H5T_NATIVE_DOUBLE),
		RUN_MEMBER(spiral, H5T_NATIVE_INT8),
		RUN_MEMBER(first_crisis_h, H5T_NATIVE_DOUBLE),
		RUN_MEMBER(cell_requests, H5T_NATIVE_INT64),
		RUN_MEMBER(cell_answered_before_deadline, H5T_NATIVE_INT64),
		RUN_MEMBER(cell_mean_latency_h, H5T_NATIVE_DOUBLE),
		RUN_MEMBER(events_total, H5T_NATIVE_INT64),
	};
	esc_h5_runs_reader *r = calloc(1, sizeof *r);
	if (!r) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	r->f = r->d = r->mem = r->fs = -1;
	if (!(r->path = dupstr(path))) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	if (open_ro(path, &r->f, err))
		goto fail;
	r->d = open_table(r->f, group, "runs");
	if (r->d < 0) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table /arms/%s/runs", path, group);
		goto fail;
	}
	hid_t ft = H5Dget_type(r->d);
	r->mem = H5Tcreate(H5T_COMPOUND, sizeof(esc_run_row));
	for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++) {
		/* Only members the file has: HDF5 matches by name and leaves the
		 * others as they are (zeroed by the caller). */
		if (ft >= 0 && H5Tget_member_index(ft, mem[i].name) >= 0)
			H5Tinsert(r->mem, mem[i].name, mem[i].off, mem[i].type);
	}
	if (ft >= 0)
		H5Tclose(ft);
	r->fs = H5Dget_space(r->d);
	hssize_t np = r->fs >= 0 ? H5Sget_simple_extent_npoints(r->fs) : -1;
	if (r->mem < 0 || np < 0) {
		fail(err, path, "read a runs table");
		goto fail;
	}
	r->total = (hsize_t)np;
	return r;
fail:
	esc_h5_runs_close(r);
	return NULL;
}

long esc_h5_runs_read(esc_h5_runs_reader *r, esc_run_row *rows, size_t max,
                      esc_error *err)
{
	if (r->next >= r->total || max == 0)
		return 0;
	hsize_t count = r->total - r->next < max ? r->total - r->next : max;
	hid_t ms = H5Screate_simple(1, &count, NULL);
	memset(rows, 0, count * sizeof *rows);
	for (hsize_t i = 0; i < count; i++)
		rows[i].first_crisis_h = rows[i].cell_mean_latency_h = NAN;
	int bad = ms < 0 ||
	          H5Sselect_hyperslab(r->fs, H5S_SELECT_SET, &r->next, NULL, &count, NULL) < 0 ||
	          H5Dread(r->d, r->mem, ms, r->fs, H5P_DEFAULT, rows) < 0;
	if (ms >= 0)
		H5Sclose(ms);
	if (bad) {
		fail(err, r->path, "read a runs table");
		return -1;
	}
	r->next += count;
	return (long)count;
}

void esc_h5_runs_close(esc_h5_runs_reader *r)
{
	if (!r)
		return;
	if (r->fs >= 0)
		H5Sclose(r->fs);
	if (r->mem >= 0)
		H5Tclose(r->mem);
	if (r->d >= 0)
		H5Dclose(r->d);
	if (r->f >= 0)
		H5Fclose(r->f);
	free(r->path);
	free(r);
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
			return fail(err, o->inputs[i], what);
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
		return fail(err, o->inputs[0], what);
	if (rep_at(c[0].buf, 0, rsize, roff) >= first_other)
		return ESC_OK;
	hsize_t rows = 0;
	int rc = esc_h5_table_copy_chunks(t, c[0].d, c[0].total / t->chunk_rows,
	                                  &rows, where, err);
	c[0].next = rows;
	return rc;
}

/* Create /arms/<group>/<table> in OUT like input 0's (the table writer's
 * layout for its columns, with its attributes) and fill it from every
 * input in rep order.  *RESTORED is set when its columns are stored
 * otherwise than in input 0 (a file from before code columns were
 * narrowed). */
static int merge_table(const esc_h5_merge_opts *o, hid_t *in, hid_t out_group,
                       const char *group, const char *table, esc_h5_zpool *pool,
                       const char *partial, const char *where, int *restored,
                       esc_error *err)
{
	size_t n = o->n_inputs;
	cursor *c = calloc(n, sizeof *c);
	hid_t ftype = -1, type = -1;
	esc_h5_table t;
	memset(&t, 0, sizeof t);
	t.dset = -1;
	int rc = ESC_OK;
	char what[400];
	snprintf(what, sizeof what, "copy /arms/%s/%s", group, table);
	if (!c)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < n; i++)
		c[i].d = c[i].fs = -1;
	for (size_t i = 0; i < n; i++) {
		c[i].d = open_table(in[i], group, table);
		if (c[i].d < 0) {
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table /arms/%s/%s "
			                   "(but '%s' has)", o->inputs[i], group, table,
			                   o->inputs[0]);
			goto out;
		}
		hid_t ti = H5Dget_type(c[i].d);
		if (i == 0) {
			ftype = ti;
		} else {
			htri_t eq = H5Tequal(ftype, ti);
			H5Tclose(ti);
			if (eq <= 0) {
				rc = esc_error_set(err, ESC_ERR_INPUT, "/arms/%s/%s has different "
				                   "columns in '%s' and '%s' (written by different "
				                   "escsim versions?)", group, table, o->inputs[0],
				                   o->inputs[i]);
				goto out;
			}
		}
		c[i].fs = H5Dget_space(c[i].d);
		hssize_t np = c[i].fs >= 0 ? H5Sget_simple_extent_npoints(c[i].fs) : -1;
		if (np < 0) {
			rc = fail(err, o->inputs[i], what);
			goto out;
		}
		c[i].total = (hsize_t)np;
		c[i].last = INT64_MIN;
	}
	if (ftype < 0) {
		rc = fail(err, o->inputs[0], what);
		goto out;
	}
	int ri = H5Tget_member_index(ftype, "rep");
	hid_t rt = ri >= 0 ? H5Tget_member_type(ftype, (unsigned)ri) : -1;
	int rep_ok = rt >= 0 && H5Tget_class(rt) == H5T_INTEGER && H5Tget_size(rt) == 8 &&
	             H5Tget_sign(rt) == H5T_SGN_2;
	if (rt >= 0)
		H5Tclose(rt);
	if (!rep_ok) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "/arms/%s/%s in '%s' has no int64 "
		                   "column 'rep' to order its rows by", group, table,
		                   o->inputs[0]);
		goto out;
	}

	/* Rows are read into the output table's row struct (HDF5 converts
	 * nothing when it is the file row) and appended as they come. */
	if ((rc = esc_h5_table_create_like(&t, out_group, table, c[0].d, where, err)))
		goto out;
	t.pool = pool;
	hid_t otype = H5Dget_type(t.dset);
	if (otype < 0 || (type = esc_h5_table_row_type(&t)) < 0) {
		if (otype >= 0)
			H5Tclose(otype);
		rc = fail(err, partial, what);
		goto out;
	}
	if (H5Tequal(otype, ftype) <= 0)
		*restored = 1;
	H5Tclose(otype);
	size_t rsize = t.desc->row_size;
	size_t roff = H5Tget_member_offset(type, (unsigned)H5Tget_member_index(type, "rep"));
	for (size_t i = 0; i < n; i++)
		if (!(c[i].buf = malloc(BLOCK_ROWS * rsize))) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			goto out;
		}
	if ((rc = copy_leading_chunks(o, c, type, rsize, roff, &t, what, where, err)))
		goto out;
	for (;;) {
		/* The input whose next row has the smallest rep, and the next
		 * smallest rep of any other input. */
		size_t best = n;
		int64_t best_rep = INT64_MAX, other = INT64_MAX;
		for (size_t i = 0; i < n; i++) {
			if (cur_fill(&c[i], type) < 0) {
				rc = fail(err, o->inputs[i], what);
				goto out;
			}
			if (c[i].pos >= c[i].n)
				continue;
			int64_t r = rep_at(c[i].buf, c[i].pos, rsize, roff);
			if (best == n || r < best_rep) {
				if (best != n)
					other = best_rep;
				best = i;
				best_rep = r;
			} else if (r < other) {
				other = r;
			}
		}
		if (best == n)
			break;
		if (best_rep == other) {
			rc = esc_error_set(err, ESC_ERR_INPUT, "replication %lld of arm '%s' "
			                   "is in two inputs (%s)", (long long)best_rep, group,
			                   table);
			goto out;
		}
		/* Its rows up to the other's next rep, a block at a time. */
		cursor *b = &c[best];
		while (b->pos < b->n) {
			size_t from = b->pos;
			for (; b->pos < b->n; b->pos++) {
				int64_t r = rep_at(b->buf, b->pos, rsize, roff);
				if (r >= other)
					break;
				if (r < b->last) {
					rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': /arms/%s/%s is "
					                   "not in replication order (rep %lld after "
					                   "%lld)", o->inputs[best], group, table,
					                   (long long)r, (long long)b->last);
					goto out;
				}
				b->last = r;
			}
			if ((rc = esc_h5_table_append(&t, b->buf + from * rsize, b->pos - from,
			                              where, err)))
				goto out;
			if (b->pos < b->n)
				break;
			if (cur_fill(b, type) < 0) {
				rc = fail(err, o->inputs[best], what);
				goto out;
			}
		}
	}
	rc = esc_h5_table_flush(&t, where, err);
out:
	for (size_t i = 0; i < n; i++) {
		if (c[i].fs >= 0)
			H5Sclose(c[i].fs);
		if (c[i].d >= 0)
			H5Dclose(c[i].d);
		free(c[i].buf);
	}
	free(c);
	if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
		rc = fail(err, partial, what);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (type >= 0)
		H5Tclose(type);
	return rc;
}

static int fsync_path(const char *path, int directory)
{
	int fd = open(path, O_RDONLY | (directory ? O_DIRECTORY : 0));
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	if (rc < 0 && directory && errno == EINVAL)
		rc = 0;
	close(fd);
	return rc;
}

static int write_output(const esc_h5_merge_opts *o, hid_t *in,
                        const esc_h5_info *info, const char *partial,
                        int64_t e0, int64_t e1, int complete, esc_error *err)
{
	hid_t f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (f < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot create results file "
		                     "'%s': %s", partial, reason);
	}
	int rc = ESC_OK;
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(created, sizeof created, "unknown");
	int64_t reps = e1 - e0;
	int8_t flag = complete ? 1 : 0;
	if (copy_attrs(in[0], f) < 0 ||
	    esc_h5_attr_scalar(f, "reps", H5T_STD_I64LE, H5T_NATIVE_INT64, &reps) < 0 ||
	    esc_h5_attr_scalar(f, "rep_offset", H5T_STD_I64LE, H5T_NATIVE_INT64, &e0) < 0 ||
	    esc_h5_attr_scalar(f, "complete", H5T_STD_I8LE, H5T_NATIVE_INT8, &flag) < 0 ||
	    esc_h5_attr_text(f, "created", created) < 0 ||
	    (o->command_line && esc_h5_attr_text(f, "command_line", o->command_line) < 0) ||
	    (o->note_name && esc_h5_attr_text(f, o->note_name, o->note ? o->note : "") < 0))
		rc = fail(err, partial, "write the root attributes");
	if (rc == ESC_OK &&
	    H5Ocopy(in[0], "scenario", f, "scenario", H5P_DEFAULT, H5P_DEFAULT) < 0)
		rc = fail(err, partial, "copy /scenario");
	if (rc == ESC_OK && H5Lexists(in[0], "sweep", H5P_DEFAULT) > 0 &&
	    H5Ocopy(in[0], "sweep", f, "sweep", H5P_DEFAULT, H5P_DEFAULT) < 0)
		rc = fail(err, partial, "copy /sweep");
	/* Every table's chunks are deflated in one pool, on every CPU the
	 * process may use (rank 0 of an MPI join is let off its core first). */
	hid_t arms = -1;
	int restored = 0;
	esc_h5_zpool *pool = rc == ESC_OK ? esc_h5_zpool_new(0) : NULL;
	size_t wlen = strlen(partial) + sizeof "results file ''";
	char *where = rc == ESC_OK ? malloc(wlen) : NULL;
	if (where)
		snprintf(where, wlen, "results file '%s'", partial);
	if (rc == ESC_OK && (!pool || !where))
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (rc == ESC_OK) {
		hid_t src = H5Gopen2(in[0], "arms", H5P_DEFAULT);
		arms = H5Gcreate2(f, "arms", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (src < 0 || arms < 0 || copy_attrs(src, arms) < 0)
			rc = fail(err, partial, "create /arms");
		if (src >= 0)
			H5Gclose(src);
	}
	for (size_t g = 0; rc == ESC_OK && g < info->n_groups; g++) {
		const char *gn = info->groups[g];
		char path[300], what[400];
		snprintf(path, sizeof path, "arms/%s", gn);
		snprintf(what, sizeof what, "create /arms/%s", gn);
		hid_t src = H5Gopen2(in[0], path, H5P_DEFAULT);
		hid_t dst = H5Gcreate2(arms, gn, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		struct names tables = { 0 };
		if (src < 0 || dst < 0 || copy_attrs(src, dst) < 0 ||
		    list_names(in[0], path, &tables) < 0)
			rc = fail(err, partial, what);
		for (size_t t = 0; rc == ESC_OK && t < tables.n; t++)
			rc = merge_table(o, in, dst, gn, tables.v[t], pool, partial,
			                 where, &restored, err);
		free_names(&tables);
		if (src >= 0)
			H5Gclose(src);
		if (dst >= 0 && H5Gclose(dst) < 0 && rc == ESC_OK)
			rc = fail(err, partial, what);
	}
	if (arms >= 0)
		H5Gclose(arms);
	esc_h5_zpool_free(pool);   /* tables are closed: nothing in hand */
	free(where);
	/* Tables stored as this version stores them: the file's schema is
	 * this version's (its minor number counts storage changes). */
	if (rc == ESC_OK && restored &&
	    esc_h5_attr_text(f, "schema_version", ESC_SCHEMA_VERSION) < 0)
		rc = fail(err, partial, "write the root attribute schema_version");
	if (H5Fclose(f) < 0 && rc == ESC_OK)
		rc = fail(err, partial, "close it");
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return dupstr(".");
	if (slash == path)
		return dupstr("/");
	char *d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

int esc_h5_merge(const esc_h5_merge_opts *o, esc_h5_merge_result *res,
                 esc_error *err)
{
	quiet();
	size_t n = o->n_inputs;
	if (res)
		memset(res, 0, sizeof *res);
	if (n == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "nothing to merge: no input files");
	struct stat st;
	/* The join is renamed over the output: never over a device or folder. */
	if (stat(o->out_path, &st) == 0 && !S_ISREG(st.st_mode))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' exists and is not a "
		                     "regular file: give another output", o->out_path);
	esc_h5_info *info = calloc(n, sizeof *info);
	hid_t *in = malloc(n * sizeof *in);
	char *partial = cat2(o->out_path, ".partial");
	held *h = calloc(n, sizeof *h);
	size_t hcap = n;
	int rc = ESC_OK;
	if (!info || !in || !partial || !h) {
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		in[i] = -1;
	for (size_t i = 0; i < n && rc == ESC_OK; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->inputs[i], o->inputs[j]) == 0) {
				rc = esc_error_set(err, ESC_ERR_INPUT, "'%s' is given twice: a "
				                   "duplicated shard", o->inputs[i]);
				goto out;
			}
		if ((rc = open_ro(o->inputs[i], &in[i], err)) == ESC_OK)
			rc = info_from(in[i], o->inputs[i], &info[i], err);
	}
	if (rc || (rc = check_together(o, info, err)))
		goto out;

	int64_t e0 = o->rep_offset, e1;
	if (e0 < 0) {
		e0 = info[0].rep_offset;
		for (size_t i = 1; i < n; i++)
			if (info[i].rep_offset < e0)
				e0 = info[i].rep_offset;
	}
	if (o->reps >= 0) {
		e1 = e0 + o->reps;
	} else {
		e1 = e0;
		for (size_t i = 0; i < n; i++)
			if (info[i].rep_offset + info[i].reps > e1)
				e1 = info[i].rep_offset + info[i].reps;
	}

	/* Every group's coverage, before anything is written. */
	int64_t missing = 0;
	for (size_t g = 0; g < info[0].n_groups && rc == ESC_OK; g++) {
		size_t nh = 0;
		for (size_t i = 0; i < n && rc == ESC_OK; i++) {
			esc_h5_range *r = NULL;
			size_t nr = 0;
			hid_t d = open_table(in[i], info[0].groups[g], "runs");
			if (d < 0) {
				rc = esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table "
				                   "/arms/%s/runs", o->inputs[i], info[0].groups[g]);
				break;
			}
			rc = ranges_of(d, o->inputs[i], info[0].groups[g], &r, &nr, err);
			H5Dclose(d);
			if (rc == ESC_OK && nh + nr > hcap) {
				size_t cap = 2 * (nh + nr);
				held *v = realloc(h, cap * sizeof *v);
				if (!v)
					rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
				else {
					h = v;
					hcap = cap;
				}
			}
			for (size_t k = 0; rc == ESC_OK && k < nr; k++)
				h[nh++] = (held){ r[k], i };
			free(r);
		}
		if (rc == ESC_OK)
			rc = check_group(o, info, info[0].groups[g], h, nh, e0, e1, &missing, err);
	}
	if (rc)
		goto out;

	rc = write_output(o, in, &info[0], partial, e0, e1, missing == 0, err);
	for (size_t i = 0; i < n; i++) {
		if (in[i] >= 0)
			H5Fclose(in[i]);
		in[i] = -1;
	}
	if (rc) {
		unlink(partial);
		goto out;
	}
	char *dir = dir_of(o->out_path);
	if (fsync_path(partial, 0) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s': cannot sync "
		                   "it to disk: %s", partial, strerror(errno));
	else if (rename(partial, o->out_path) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "cannot rename '%s' to '%s': %s",
		                   partial, o->out_path, strerror(errno));
	else if (dir)
		fsync_path(dir, 1);
	free(dir);
	if (rc == ESC_OK && res) {
		res->rep_offset = e0;
		res->reps = e1 - e0;
		res->missing = missing;
		res->n_groups = info[0].n_groups;
		res->complete = missing == 0;
	}
out:
	for (size_t i = 0; in && i < n; i++)
		if (in[i] >= 0)
			H5Fclose(in[i]);
	for (size_t i = 0; info && i < n; i++)
		esc_h5_info_free(&info[i]);
	free(info);
	free(in);
	free(h);
	free(partial);
	return rc;
}
