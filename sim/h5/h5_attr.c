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
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/json.h"
#include "h5_attr.h"

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
