/* h5_attr.c: attributes and text in a result file (h5_attr.h): text
 * attributes (variable-length UTF-8 for people, fixed-length ASCII for the
 * Table spec), scalars, text datasets, the label specs of code columns
 * ("0=no,1=yes"), and the attributes that describe a table's columns.
 *
 * Attributes of a table, for a column i that has them:
 *   CLASS="TABLE", VERSION="3.0", TITLE, FIELD_<i>_NAME   the Table spec, as
 *       H5LT writes them (fixed-length ASCII); PyTables and pandas need them.
 *   FIELD_<i>_UNITS, FIELD_<i>_LABELS ("0=no,1=yes"), FIELD_<i>_DESCRIPTION
 *       our additions in the same form; readers that do not know them skip
 *       them.
 *   units   JSON {"col": "unit"}, and labels  JSON {"col": {"0": "no"}},
 *       variable-length UTF-8, so h5py gives str and R/MATLAB users get the
 *       whole mapping from one attribute.  Built with cJSON
 *       (escsim/json.h): one escaping for every JSON escsim writes.
 *
 * And the reader's view of them (escsim/h5_reader.h): an open result
 * file's attributes by name, as text or a number, and its text datasets.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/json.h"
#include "h5_attr.h"
#include "h5_reader_impl.h"
#include "h5_util.h"

/* ------------------------------------------------------------- attributes */

static int write_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                      hid_t space, const void *value)
{
	if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
		return -1;
	hid_t a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0)
		return -1;
	herr_t rc = H5Awrite(a, mtype, value);
	if (H5Aclose(a) < 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

static hid_t vlen_utf8(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t < 0)
		return -1;
	if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

int esc_h5_attr_text(hid_t obj, const char *name, const char *value)
{
	const char *v = value ? value : "";
	hid_t t = vlen_utf8(), s = H5Screate(H5S_SCALAR);
	int rc = (t < 0 || s < 0) ? -1 : write_attr(obj, name, t, t, s, &v);
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	return rc;
}

int esc_h5_attr_fixed(hid_t obj, const char *name, const char *value)
{
	const char *v = value ? value : "";
	hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
	int rc = -1;
	if (t >= 0 && s >= 0 && H5Tset_size(t, strlen(v) + 1) >= 0 &&
	    H5Tset_strpad(t, H5T_STR_NULLTERM) >= 0)
		rc = write_attr(obj, name, t, t, s, v);
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	return rc;
}

int esc_h5_attr_scalar(hid_t obj, const char *name, hid_t file_type,
                       hid_t mem_type, const void *value)
{
	hid_t s = H5Screate(H5S_SCALAR);
	if (s < 0)
		return -1;
	int rc;
	if (H5Aexists(obj, name) > 0) {
		/* Rewrite in place: `complete` changes after creation. */
		hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
		rc = a < 0 ? -1 : H5Awrite(a, mem_type, value) < 0 ? -1 : 0;
		if (a >= 0 && H5Aclose(a) < 0)
			rc = -1;
	} else {
		rc = write_attr(obj, name, file_type, mem_type, s, value);
	}
	H5Sclose(s);
	return rc;
}

char *esc_h5_attr_read_text(hid_t obj, const char *name)
{
	if (H5Aexists(obj, name) <= 0)
		return NULL;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		return NULL;
	hid_t t = H5Aget_type(a);
	char *out = NULL;
	if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
		if (H5Tis_variable_str(t) > 0) {
			hid_t m = H5Tcopy(H5T_C_S1);
			char *v = NULL;
			if (m >= 0 && H5Tset_size(m, H5T_VARIABLE) >= 0 &&
			    H5Tset_cset(m, H5Tget_cset(t)) >= 0 &&
			    H5Aread(a, m, &v) >= 0 && v) {
				size_t n = strlen(v) + 1;
				if ((out = malloc(n)))
					memcpy(out, v, n);
				H5free_memory(v);
			}
			if (m >= 0)
				H5Tclose(m);
		} else {
			size_t n = H5Tget_size(t);
			out = calloc(n + 1, 1);
			if (out && H5Aread(a, t, out) < 0) {
				free(out);
				out = NULL;
			}
		}
	}
	if (t >= 0)
		H5Tclose(t);
	H5Aclose(a);
	return out;
}

int esc_h5_text_dataset(hid_t loc, const char *name, const char *text, hid_t *out)
{
	const char *v = text ? text : "";
	hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR), d = -1;
	int rc = -1;
	if (t >= 0 && s >= 0 && H5Tset_size(t, strlen(v) + 1) >= 0 &&
	    H5Tset_strpad(t, H5T_STR_NULLTERM) >= 0 &&
	    H5Tset_cset(t, H5T_CSET_UTF8) >= 0)
		d = H5Dcreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0)
		rc = 0;
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	if (rc == 0 && out)
		*out = d;
	else if (d >= 0)
		H5Dclose(d);
	return rc;
}


int esc_h5_attr_read_scalar(hid_t obj, const char *name, hid_t mem, void *out)
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

/* ----------------------------------------------------------------- labels */

/* "-1=none,0=no,1=yes" -> codes and names, in a malloc'd array (*out, *n).
 * Static descriptors are program text and the writer checks the names it
 * builds specs from, so a malformed spec is a programming error; it still
 * fails cleanly.  Codes are int32; an enum's must also fit its int8. */
int esc_h5_parse_labels(const char *spec, int enum8, esc_h5_label **out,
                        size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 1;
	for (const char *c = spec; *c; c++)
		cap += *c == ',';
	esc_h5_label *l = malloc(cap * sizeof *l);
	if (!l)
		return -1;
	const char *p = spec;
	while (*p) {
		char *end;
		long code = strtol(p, &end, 10);
		long lo = enum8 ? INT8_MIN : INT32_MIN, hi = enum8 ? INT8_MAX : INT32_MAX;
		if (end == p || *end != '=' || code < lo || code > hi || *n == cap)
			goto bad;
		const char *name = end + 1;
		size_t len = strcspn(name, ",");
		if (len == 0)
			goto bad;
		l[*n].code = code;
		l[*n].name = name;
		l[(*n)++].len = len;
		p = name + len;
		if (*p == ',')
			p++;
	}
	if (*n == 0)
		goto bad;
	*out = l;
	return 0;
bad:
	free(l);
	*n = 0;
	return -1;
}


/* ------------------------------------------------- a table's attributes */

/* The JSON attributes `units` {"col": "unit"} and `labels`
 * {"col": {"code": "name"}}, built with cJSON; *UNITS and *LABELS are
 * malloc'd text, *LABELS NULL when no column has labels.  -1 when out of
 * memory or a label spec is malformed. */
static int column_json(const esc_h5_table_desc *d, char **units, char **labels)
{
	*units = *labels = NULL;
	cJSON *u = cJSON_CreateObject(), *lb = cJSON_CreateObject();
	int rc = u && lb ? 0 : -1, n_labels = 0;
	for (size_t i = 0; i < d->n_fields && rc == 0; i++) {
		const esc_h5_field *f = &d->fields[i];
		if (f->units && !cJSON_AddStringToObject(u, f->name, f->units))
			rc = -1;
		if (!f->labels || rc)
			continue;
		esc_h5_label *l;
		size_t n;
		cJSON *m = NULL;
		if (esc_h5_parse_labels(f->labels, f->kind == ESC_H5_ENUM8, &l, &n) < 0)
			rc = -1;
		else if (!(m = cJSON_AddObjectToObject(lb, f->name)))
			rc = -1;
		for (size_t j = 0; rc == 0 && j < n; j++) {
			char code[24], *name = malloc(l[j].len + 1);
			snprintf(code, sizeof code, "%ld", l[j].code);
			if (name)
				snprintf(name, l[j].len + 1, "%.*s", (int)l[j].len, l[j].name);
			if (!name || !cJSON_AddStringToObject(m, code, name))
				rc = -1;
			free(name);
		}
		if (rc == 0)
			n_labels++;
		free(l);
	}
	if (rc == 0 && !(*units = esc_json_print(u, 0)))
		rc = -1;
	if (rc == 0 && n_labels && !(*labels = esc_json_print(lb, 0)))
		rc = -1;
	cJSON_Delete(u);
	cJSON_Delete(lb);
	if (rc) {
		free(*units);
		*units = NULL;
	}
	return rc;
}

int esc_h5_table_attrs(hid_t dset, const esc_h5_table_desc *d)
{
	char key[64];
	if (esc_h5_attr_fixed(dset, "CLASS", "TABLE") < 0 ||
	    esc_h5_attr_fixed(dset, "VERSION", "3.0") < 0 ||
	    esc_h5_attr_fixed(dset, "TITLE", d->title) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < d->n_fields && rc == 0; i++) {
		const esc_h5_field *f = &d->fields[i];
		snprintf(key, sizeof key, "FIELD_%zu_NAME", i);
		rc |= esc_h5_attr_fixed(dset, key, f->name);
		if (f->units) {
			snprintf(key, sizeof key, "FIELD_%zu_UNITS", i);
			rc |= esc_h5_attr_fixed(dset, key, f->units);
		}
		if (f->labels) {
			snprintf(key, sizeof key, "FIELD_%zu_LABELS", i);
			rc |= esc_h5_attr_fixed(dset, key, f->labels);
		}
		if (f->doc) {
			snprintf(key, sizeof key, "FIELD_%zu_DESCRIPTION", i);
			rc |= esc_h5_attr_fixed(dset, key, f->doc);
		}
	}
	char *units = NULL, *labels = NULL;
	if (rc == 0)
		rc = column_json(d, &units, &labels);
	if (rc == 0)
		rc = esc_h5_attr_text(dset, "units", units);
	if (rc == 0 && labels)
		rc = esc_h5_attr_text(dset, "labels", labels);
	free(units);
	free(labels);
	return rc;
}

/* ------------------------------------------------ reading them back */

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info,
                      void *data)
{
	(void)obj;
	(void)info;
	return esc_h5_names_add(data, name);
}

int esc_h5_attr_names(const esc_h5_file *f, const char *obj, char ***names,
                      size_t *n, esc_error *err)
{
	esc_h5_enter();
	*names = NULL;
	*n = 0;
	esc_h5_names_list c = { 0 };
	hsize_t idx = 0;
	if (H5Aiterate_by_name(f->file, obj, H5_INDEX_NAME, H5_ITER_INC, &idx,
	                       attr_cb, &c, H5P_DEFAULT) < 0) {
		esc_h5_free_names(c.v, c.n);
		if (c.oom)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot list the attributes",
		               obj);
	}
	*names = c.v;
	*n = c.n;
	return ESC_OK;
}

/* Text longer than this is not something escsim wrote: a damaged size. */
#define MAX_TEXT ((size_t)256 << 20)

/* A string of attribute or dataset OBJ (TYPE its file type, one element),
 * malloc'd in *out.  On failure, the library's reason in WHY (taken at
 * once: the next call clears it).  Fixed-length text is read through a
 * memory type made here (a size checked first), never a copy of the file's
 * type, which a damaged file can make HDF5 copy past its end. */
static int read_string(hid_t obj, hid_t type, int is_attr, char **out,
                       char *why, size_t why_size)
{
	*out = NULL;
	snprintf(why, why_size, "out of memory");
	int vlen = H5Tis_variable_str(type) > 0;
	size_t size = vlen ? 0 : H5Tget_size(type);
	H5T_cset_t cset = H5Tget_cset(type);
	if (!vlen && (size == 0 || size > MAX_TEXT)) {
		snprintf(why, why_size, "a text of %zu bytes (damaged?)", size);
		return -1;
	}
	hid_t mt = H5Tcopy(H5T_C_S1);
	char *p = NULL, *buf = vlen ? NULL : calloc(size + 1, 1);
	void *dst = vlen ? (void *)&p : (void *)buf;
	int rc = -1;
	if (mt >= 0 && (vlen || buf) && cset >= 0 &&
	    H5Tset_size(mt, vlen ? H5T_VARIABLE : size) >= 0 &&
	    H5Tset_cset(mt, cset) >= 0 &&
	    (vlen || H5Tset_strpad(mt, H5Tget_strpad(type)) >= 0)) {
		rc = (is_attr ? H5Aread(obj, mt, dst)
		              : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst)) < 0 ?
		     -1 : 0;
		if (rc)
			esc_h5_reason(why, why_size);
	}
	if (rc == 0 && vlen && !(*out = esc_h5_dup(p ? p : "")))
		rc = -1;
	if (rc == 0 && !vlen)
		*out = buf;
	else
		free(buf);
	if (p)
		H5free_memory(p);
	if (mt >= 0)
		H5Tclose(mt);
	return rc;
}

/* Shortest "%.Ng" that reads back as the same double. */
static void fmt_double(char *buf, size_t size, double v)
{
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (isnan(v) || strtod(buf, NULL) == v)
			return;
	}
}

static hid_t open_attr(const esc_h5_file *f, const char *obj,
                       const char *name, esc_error *err)
{
	esc_h5_enter();
	if (H5Aexists_by_name(f->file, obj, name, H5P_DEFAULT) <= 0) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s': %s has no attribute '%s'",
		              f->path, obj, name);
		return -1;
	}
	hid_t a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0)
		esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot open an attribute", obj);
	return a;
}

int esc_h5_get_attr_text(const esc_h5_file *f, const char *obj, const char *name,
                     char **out, esc_error *err)
{
	*out = NULL;
	hid_t a = open_attr(f, obj, name, err);
	if (a < 0)
		return err ? err->status : ESC_ERR_INPUT;
	hid_t t = H5Aget_type(a), s = H5Aget_space(a);
	hssize_t npoints = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
	H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
	char buf[128], why[512] = "";
	int rc = 0;
	if (npoints != 1) {
		snprintf(buf, sizeof buf, "(%lld values)", (long long)npoints);
		*out = esc_h5_dup(buf);
	} else if (cls == H5T_STRING) {
		rc = read_string(a, t, 1, out, why, sizeof why);
	} else if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE) {
		unsigned long long v = 0;
		rc = H5Aread(a, H5T_NATIVE_ULLONG, &v) < 0 ? -1 : 0;
		snprintf(buf, sizeof buf, "%llu", v);
		*out = rc ? NULL : esc_h5_dup(buf);
	} else if (cls == H5T_INTEGER) {
		long long v = 0;
		rc = H5Aread(a, H5T_NATIVE_LLONG, &v) < 0 ? -1 : 0;
		snprintf(buf, sizeof buf, "%lld", v);
		*out = rc ? NULL : esc_h5_dup(buf);
	} else if (cls == H5T_FLOAT) {
		double v = 0;
		rc = H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0 ? -1 : 0;
		fmt_double(buf, sizeof buf, v);
		*out = rc ? NULL : esc_h5_dup(buf);
	} else {
		snprintf(buf, sizeof buf, "(HDF5 type class %d)", (int)cls);
		*out = esc_h5_dup(buf);
	}
	if (rc < 0 && cls != H5T_STRING)   /* before another call clears it */
		esc_h5_reason(why, sizeof why);
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	H5Aclose(a);
	if (rc < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: cannot read the "
		                     "attribute %s: %s", f->path, obj, name, why);
	if (!*out)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	return ESC_OK;
}

int esc_h5_get_attr_double(const esc_h5_file *f, const char *obj,
                       const char *name, double *out, esc_error *err)
{
	char *text = NULL;
	int rc = esc_h5_get_attr_text(f, obj, name, &text, err);
	if (rc)
		return rc;
	char *end;
	errno = 0;
	*out = strtod(text, &end);
	if (end == text || *end != '\0') {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: attribute '%s' is "
		                   "not a number ('%s')", f->path, obj, name, text);
	}
	free(text);
	return rc;
}

int esc_h5_read_text(const esc_h5_file *f, const char *path, char **out,
                     esc_error *err)
{
	esc_h5_enter();
	*out = NULL;
	if (!esc_h5_exists(f, path))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': no dataset %s",
		                     f->path, path);
	hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
	hid_t t = d >= 0 ? H5Dget_type(d) : -1;
	char why[512] = "not text";
	int rc = (t >= 0 && H5Tget_class(t) == H5T_STRING) ?
		read_string(d, t, 0, out, why, sizeof why) : -1;
	if (rc)
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: cannot read it as "
		                   "text: %s", f->path, path, why);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	return rc;
}

