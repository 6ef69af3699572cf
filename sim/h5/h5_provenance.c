/* h5_provenance.c: what a result file says about where it came from
 * (h5_provenance.h), written by the writer (h5_writer.c) when it creates
 * the file: the root attributes, /scenario (the scenario's text and each
 * module's, with their sha256), the digest of those sources that merge and
 * --resume compare, and the batch's extras: a sweep's /sweep, /sweep/points
 * and /sweep/design.  Part of the writer, in a file of its own for size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>

#include "escsim/h5_writer.h"
#include "h5_attr.h"
#include "h5_provenance.h"
#include "h5_table.h"
#include "h5_util.h"

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
		if (esc_h5_sha256_hex(src[i].text ? src[i].text : "", sha) < 0)
			break;
		lines[i] = malloc(strlen(name) + 66);
		if (!lines[i])
			break;
		sprintf(lines[i], "%s %s", name, sha);
	}
	if (i == n)
		out = esc_h5_join_lines(lines, n);
	for (size_t j = 0; j < n; j++)
		free(lines[j]);
	free(lines);
	return out;
}


static int root_attrs(hid_t file, const char *where, const esc_h5_provenance *p,
                      const char *sha, esc_error *err)
{
	char created[32], hdf5_version[32];
	esc_h5_created(created);
	unsigned maj = 0, min = 0, rel = 0;
	H5get_libversion(&maj, &min, &rel);
	snprintf(hdf5_version, sizeof hdf5_version, "%u.%u.%u", maj, min, rel);

	const struct { const char *name, *value; } text[] = {
		{ "escsim_version", p->escsim_version },
		{ "schema_version", ESC_SCHEMA_VERSION },
		{ "created", created },
		{ "command_line", p->command_line },
		{ "scenario_name", p->scenario_name },
		{ "scenario_sha256", sha },
		{ "gsl_version", GSL_VERSION },
		{ "hdf5_version", hdf5_version },
	};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		if (esc_h5_attr_text(file, text[i].name, text[i].value) < 0)
			return esc_h5_fail_at(err, where, "write the root attributes");
	if ((p->lua_version &&
	     esc_h5_attr_text(file, "lua_version", p->lua_version) < 0) ||
	    (p->rng_type && esc_h5_attr_text(file, "rng_type", p->rng_type) < 0))
		return esc_h5_fail_at(err, where, "write the root attributes");

	int8_t complete = 0;
	if (esc_h5_attr_scalar(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
	                       &p->seed) < 0 ||
	    esc_h5_attr_scalar(file, "reps", H5T_STD_I64LE, H5T_NATIVE_INT64,
	                       &p->reps) < 0 ||
	    esc_h5_attr_scalar(file, "complete", H5T_STD_I8LE, H5T_NATIVE_INT8,
	                       &complete) < 0)
		return esc_h5_fail_at(err, where, "write the root attributes");
	return ESC_OK;
}

/* A text dataset with its provenance attributes, closed again. */
static int source_dataset(hid_t loc, const char *link, const esc_h5_source *s,
                          int with_name)
{
	char sha[65];
	hid_t d = -1;
	if (esc_h5_sha256_hex(s->text, sha) < 0 ||
	    esc_h5_text_dataset(loc, link, s->text, &d) < 0)
		return -1;
	int rc = (esc_h5_attr_text(d, "path", s->path) < 0 ||
	          esc_h5_attr_text(d, "sha256", sha) < 0 ||
	          (with_name && esc_h5_attr_text(d, "name", s->name) < 0)) ? -1 : 0;
	if (H5Dclose(d) < 0)
		rc = -1;
	return rc;
}

/* Link name for a module: '/' would make a path, "" and "." are not names;
 * a clash after replacing gets "~2", "~3", ... */
static int module_link(hid_t modules, const char *name, char *out, size_t size)
{
	char base[256];
	snprintf(base, sizeof base, "%s", name && *name ? name : "_");
	for (char *c = base; *c; c++)
		if (*c == '/')
			*c = '_';
	if (!strcmp(base, "."))
		base[0] = '_';
	snprintf(out, size, "%s", base);
	for (int k = 2; k < 10000; k++) {
		htri_t e = H5Lexists(modules, out, H5P_DEFAULT);
		if (e < 0)
			return -1;
		if (!e)
			return 0;
		snprintf(out, size, "%s~%d", base, k);
	}
	return -1;
}

static int scenario_group(hid_t file, const char *where,
                          const esc_h5_provenance *p, esc_error *err)
{
	hid_t g = H5Gcreate2(file, "scenario", H5P_DEFAULT, H5P_DEFAULT,
	                     H5P_DEFAULT);
	if (g < 0)
		return esc_h5_fail_at(err, where, "create /scenario");
	int rc = ESC_OK;
	if (source_dataset(g, "source", &p->sources[0], 0) < 0)
		rc = esc_h5_fail_at(err, where, "write /scenario/source");
	else if (p->resolved_json &&
	         esc_h5_text_dataset(g, "resolved_json", p->resolved_json, NULL) < 0)
		rc = esc_h5_fail_at(err, where, "write /scenario/resolved_json");

	hid_t m = -1;
	if (rc == ESC_OK) {
		m = H5Gcreate2(g, "modules", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (m < 0)
			rc = esc_h5_fail_at(err, where, "create /scenario/modules");
	}
	for (size_t i = 1; rc == ESC_OK && i < p->n_sources; i++) {
		const esc_h5_source *s = &p->sources[i];
		char link[300], what[400];
		if (!s->text) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: module '%s' has no "
			                   "text (internal error)", where,
			                   s->name ? s->name : "?");
		} else if (module_link(m, s->name, link, sizeof link) < 0 ||
		           source_dataset(m, link, s, 1) < 0) {
			snprintf(what, sizeof what, "write module '%s' to "
			         "/scenario/modules", s->name ? s->name : "?");
			rc = esc_h5_fail_at(err, where, what);
		}
	}
	if (m >= 0 && H5Gclose(m) < 0 && rc == ESC_OK)
		rc = esc_h5_fail_at(err, where, "write /scenario/modules");
	if (H5Gclose(g) < 0 && rc == ESC_OK)
		rc = esc_h5_fail_at(err, where, "write /scenario");
	return rc;
}

int esc_h5_write_provenance(hid_t file, const char *where,
                            const esc_h5_provenance *p, const char *sha,
                            esc_error *err)
{
	int rc = root_attrs(file, where, p, sha, err);
	return rc ? rc : scenario_group(file, where, p, err);
}

/* ------------------------------------------------------------------ sweep */

/* /sweep/design: per point its block, role, key and Morris step (sweep.h),
 * and the attributes base_points and levels of /sweep. */
typedef struct design_row {
	int64_t point, block;
	int32_t role, key;
	double step;
} design_row;

static int write_design(const char *where, hid_t g, const esc_h5_sweep_desc *s,
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
		rc = esc_h5_fail_at(err, where, "write /sweep's base_points and levels");
	else if ((rc = esc_h5_table_create(&t, g, "design", &desc, labels, where,
	                                   err)) == ESC_OK) {
		rc = esc_h5_table_append(&t, rows, s->n_points, where, err);
		if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
			rc = esc_h5_fail_at(err, where, "write /sweep/design");
	}
out:
	free(keys);
	free(rows);
	return rc;
}

/* /sweep: the design's attributes and /sweep/points (int64 point, then one
 * double per key). */
int esc_h5_write_sweep(hid_t file, const char *where,
                       const esc_h5_sweep_desc *s, esc_error *err)
{
	size_t nk = s->n_keys, np = s->n_points;
	esc_h5_field *fields = calloc(nk + 1, sizeof *fields);
	char **docs = calloc(nk + 1, sizeof *docs);
	double *rows = calloc((np ? np : 1) * (nk + 1), sizeof *rows);
	size_t alen = 1;
	for (size_t a = 0; a < s->n_arms; a++)
		alen += strlen(s->arms[a]) + 1;
	char *arms = calloc(alen, 1);
	int rc = fields && docs && rows && arms ? ESC_OK :
	         esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (rc == ESC_OK)
		fields[0] = (esc_h5_field){ "point", 0, ESC_H5_I64, NULL, NULL,
			"design point k; its arms are the groups /arms/<ARM>.p<k>" };
	for (size_t k = 0; rc == ESC_OK && k < nk; k++) {
		docs[k] = malloc(strlen(s->keys[k]) + strlen(s->specs[k]) + 64);
		if (!docs[k]) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			break;
		}
		sprintf(docs[k], "value of %s at the point (--vary %s=%s)",
		        s->keys[k], s->keys[k], s->specs[k]);
		fields[k + 1] = (esc_h5_field){ s->keys[k], 8 * (k + 1), ESC_H5_F64,
			s->units[k], NULL, docs[k] };
	}
	for (size_t p = 0; rc == ESC_OK && p < np; p++) {
		int64_t idx = (int64_t)p;
		memcpy(&rows[p * (nk + 1)], &idx, sizeof idx);
		for (size_t k = 0; k < nk; k++)
			rows[p * (nk + 1) + k + 1] = s->values[p * nk + k];
	}
	for (size_t a = 0; rc == ESC_OK && a < s->n_arms; a++) {
		if (a)
			strcat(arms, ",");
		strcat(arms, s->arms[a]);
	}
	int64_t npts = (int64_t)np;
	hid_t g = rc ? -1 : H5Gcreate2(file, "sweep", H5P_DEFAULT, H5P_DEFAULT,
	                               H5P_DEFAULT);
	if (rc == ESC_OK &&
	    (g < 0 || esc_h5_attr_text(g, "design", s->design) < 0 ||
	     esc_h5_attr_text(g, "arms", arms) < 0 ||
	     esc_h5_attr_text(g, "groups", "/arms/<ARM>.p<point>") < 0 ||
	     esc_h5_attr_scalar(g, "n_points", H5T_STD_I64LE, H5T_NATIVE_INT64,
	                        &npts) < 0))
		rc = esc_h5_fail_at(err, where, "create /sweep");
	esc_h5_table_desc desc = { "points: one row per design point",
		8 * (nk + 1), fields, nk + 1 };
	esc_h5_table t;
	if (rc == ESC_OK &&
	    (rc = esc_h5_table_create(&t, g, "points", &desc, NULL, where,
	                              err)) == ESC_OK) {
		rc = esc_h5_table_append(&t, rows, np, where, err);
		if (esc_h5_table_close(&t) < 0 && rc == ESC_OK)
			rc = esc_h5_fail_at(err, where, "write /sweep/points");
	}
	if (rc == ESC_OK && s->block)
		rc = write_design(where, g, s, err);
	if (g >= 0)
		H5Gclose(g);
	for (size_t k = 0; docs && k < nk; k++)
		free(docs[k]);
	free(docs);
	free(fields);
	free(rows);
	free(arms);
	return rc;
}
