/* h5_table.c: HDF5 tables made from a field descriptor (see h5_table.h),
 * plus the attribute and text helpers the writer shares.
 *
 * Attributes of a table, for a column i that has them:
 *   CLASS="TABLE", VERSION="3.0", TITLE, FIELD_<i>_NAME   the Table spec, as
 *       H5LT writes them (fixed-length ASCII); PyTables and pandas need them.
 *   FIELD_<i>_UNITS, FIELD_<i>_LABELS ("0=no,1=yes"), FIELD_<i>_DESCRIPTION
 *       our additions in the same form; readers that do not know them skip
 *       them.
 *   units   JSON {"col": "unit"}, and labels  JSON {"col": {"0": "no"}},
 *       variable-length UTF-8, so h5py gives str and R/MATLAB users get the
 *       whole mapping from one attribute.
 * ENUM8 columns are also HDF5 enums, which h5py and R turn into categories.
 *
 * The file type is the packed compound of little-endian standard types: no
 * padding on disk, and the same bytes whatever machine wrote it.  HDF5
 * converts from the padded C struct on each write.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5_table.h"

/* 256 KiB of uncompressed rows per chunk: inside the 64 KiB-1 MiB range all
 * readers handle well and under the default 1 MiB chunk cache, so appends in
 * blocks smaller than a chunk do not re-read and re-compress it. */
#define CHUNK_BYTES (256u * 1024u)
#define DEFLATE_LEVEL 4

/* ---------------------------------------------------------------- reasons */

struct reason_ctx {
	char *buf;
	size_t size;
	int found_errno_text;
	int locked;
};

/* Walked innermost first; the first line with words is kept.  HDF5 puts
 * the OS's words in "error message = '...'"; those say more to a user than the library's own phrase, except for
 * a lock, where EAGAIN's words would hide that another program has it. */
static herr_t reason_cb(unsigned n, const H5E_error2_t *e, void *data)
{
	struct reason_ctx *c = data;
	const char *d = e->desc ? e->desc : "";
	(void)n;
	const char *m = strstr(d, "error message = '");
	if (e->min_num == H5E_CANTLOCKFILE)
		c->locked = 1;
	if (m && !c->found_errno_text) {
		m += strlen("error message = '");
		const char *end = strchr(m, '\'');
		size_t len = end ? (size_t)(end - m) : strlen(m);
		if (len >= c->size)
			len = c->size - 1;
		memcpy(c->buf, m, len);
		c->buf[len] = '\0';
		c->found_errno_text = 1;
	} else if (!c->buf[0] && !c->found_errno_text && *d) {
		snprintf(c->buf, c->size, "%s", d);
	}
	return 0;
}

int esc_h5_reason(char *buf, size_t size)
{
	if (!size)
		return 0;
	buf[0] = '\0';
	struct reason_ctx c = { buf, size, 0, 0 };
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_cb, &c);
	if (c.locked)
		snprintf(buf, size, "it is open in another program (HDF5 file "
		         "lock; if no program has it, see HDF5_USE_FILE_LOCKING)");
	else if (!buf[0])
		snprintf(buf, size, "HDF5 library error");
	return c.locked;
}

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

/* ------------------------------------------------------------------- json */

typedef struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_json(sbuf *b, const char *s, size_t len)
{
	sb_put(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			sb_put(b, esc, 6);
		} else {
			sb_put(b, (const char *)&s[i], 1);
		}
	}
	sb_put(b, "\"", 1);
}

/* ----------------------------------------------------------------- labels */

typedef struct label {
	long code;
	const char *name;     /* into the spec string */
	size_t len;
} label;

/* "-1=none,0=no,1=yes" -> codes and names, in a malloc'd array (*out, *n).
 * Static descriptors are program text and the writer checks the names it
 * builds specs from, so a malformed spec is a programming error; it still
 * fails cleanly.  Codes are int32; an enum's must also fit its int8. */
static int parse_labels(const char *spec, int enum8, label **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 1;
	for (const char *c = spec; *c; c++)
		cap += *c == ',';
	label *l = malloc(cap * sizeof *l);
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

static hid_t enum_type(hid_t base, const label *l, size_t n)
{
	hid_t t = H5Tenum_create(base);
	if (t < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)l[i].len, l[i].name);
		int8_t v = (int8_t)l[i].code;
		if (H5Tenum_insert(t, name, &v) < 0) {
			H5Tclose(t);
			return -1;
		}
	}
	return t;
}

/* ------------------------------------------------------------------ types */

static hid_t file_atom(esc_h5_kind k)
{
	switch (k) {
	case ESC_H5_I8: case ESC_H5_ENUM8: return H5T_STD_I8LE;
	case ESC_H5_I32: return H5T_STD_I32LE;
	case ESC_H5_I64: return H5T_STD_I64LE;
	case ESC_H5_U64: return H5T_STD_U64LE;
	case ESC_H5_F64: return H5T_IEEE_F64LE;
	case ESC_H5_STR32: case ESC_H5_STR256: return -1;   /* made by str_type */
	}
	return -1;
}

/* A fixed-length string (names in a table stay fixed-size, which
 * every reader handles; pandas decodes them). */
static hid_t str_type(size_t size)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t >= 0 && (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0)) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

static hid_t mem_atom(esc_h5_kind k)
{
	switch (k) {
	case ESC_H5_I8: case ESC_H5_ENUM8: return H5T_NATIVE_INT8;
	case ESC_H5_I32: return H5T_NATIVE_INT32;
	case ESC_H5_I64: return H5T_NATIVE_INT64;
	case ESC_H5_U64: return H5T_NATIVE_UINT64;
	case ESC_H5_F64: return H5T_NATIVE_DOUBLE;
	case ESC_H5_STR32: case ESC_H5_STR256: return -1;
	}
	return -1;
}

static size_t kind_size(esc_h5_kind k)
{
	switch (k) {
	case ESC_H5_I8: case ESC_H5_ENUM8: return 1;
	case ESC_H5_I32: return 4;
	case ESC_H5_I64: case ESC_H5_U64: case ESC_H5_F64: return 8;
	case ESC_H5_STR32: return 32;
	case ESC_H5_STR256: return 256;
	}
	return 0;
}

/* Memory and file compounds for DESC; both or neither are returned. */
static int make_types(const esc_h5_table_desc *d, hid_t *mem, hid_t *file)
{
	size_t fsize = 0;
	for (size_t i = 0; i < d->n_fields; i++)
		fsize += kind_size(d->fields[i].kind);
	*mem = H5Tcreate(H5T_COMPOUND, d->row_size);
	*file = H5Tcreate(H5T_COMPOUND, fsize);
	if (*mem < 0 || *file < 0)
		goto fail;
	size_t foff = 0;
	for (size_t i = 0; i < d->n_fields; i++) {
		const esc_h5_field *f = &d->fields[i];
		hid_t mt = mem_atom(f->kind), ft = file_atom(f->kind);
		int own = 0;
		if (f->kind == ESC_H5_ENUM8) {
			label *l;
			size_t n;
			if (!f->labels || parse_labels(f->labels, 1, &l, &n) < 0)
				goto fail;
			mt = enum_type(H5T_NATIVE_INT8, l, n);
			ft = enum_type(H5T_STD_I8LE, l, n);
			free(l);
			own = 1;
		} else if (f->kind == ESC_H5_STR32 || f->kind == ESC_H5_STR256) {
			mt = str_type(kind_size(f->kind));
			ft = str_type(kind_size(f->kind));
			own = 1;
		}
		herr_t rm = mt < 0 ? -1 : H5Tinsert(*mem, f->name, f->offset, mt);
		herr_t rf = ft < 0 ? -1 : H5Tinsert(*file, f->name, foff, ft);
		if (own) {
			if (mt >= 0)
				H5Tclose(mt);
			if (ft >= 0)
				H5Tclose(ft);
		}
		if (rm < 0 || rf < 0)
			goto fail;
		foff += kind_size(f->kind);
	}
	return 0;
fail:
	if (*mem >= 0)
		H5Tclose(*mem);
	if (*file >= 0)
		H5Tclose(*file);
	*mem = *file = -1;
	return -1;
}

/* ------------------------------------------------------------- attributes */

static int table_attrs(hid_t dset, const esc_h5_table_desc *d)
{
	char key[64];
	if (esc_h5_attr_fixed(dset, "CLASS", "TABLE") < 0 ||
	    esc_h5_attr_fixed(dset, "VERSION", "3.0") < 0 ||
	    esc_h5_attr_fixed(dset, "TITLE", d->title) < 0)
		return -1;
	sbuf units = {0}, labels = {0};
	sb_str(&units, "{");
	sb_str(&labels, "{");
	int rc = 0, n_units = 0, n_labels = 0;
	for (size_t i = 0; i < d->n_fields && rc == 0; i++) {
		const esc_h5_field *f = &d->fields[i];
		snprintf(key, sizeof key, "FIELD_%zu_NAME", i);
		rc |= esc_h5_attr_fixed(dset, key, f->name);
		if (f->units) {
			snprintf(key, sizeof key, "FIELD_%zu_UNITS", i);
			rc |= esc_h5_attr_fixed(dset, key, f->units);
			sb_str(&units, n_units++ ? ", " : "");
			sb_json(&units, f->name, strlen(f->name));
			sb_str(&units, ": ");
			sb_json(&units, f->units, strlen(f->units));
		}
		if (f->labels) {
			label *l;
			size_t n;
			if (parse_labels(f->labels, f->kind == ESC_H5_ENUM8, &l, &n) < 0) {
				rc = -1;
				break;
			}
			snprintf(key, sizeof key, "FIELD_%zu_LABELS", i);
			rc |= esc_h5_attr_fixed(dset, key, f->labels);
			sb_str(&labels, n_labels++ ? ", " : "");
			sb_json(&labels, f->name, strlen(f->name));
			sb_str(&labels, ": {");
			for (size_t j = 0; j < n; j++) {
				char code[16];
				snprintf(code, sizeof code, "%ld", l[j].code);
				sb_str(&labels, j ? ", " : "");
				sb_json(&labels, code, strlen(code));
				sb_str(&labels, ": ");
				sb_json(&labels, l[j].name, l[j].len);
			}
			sb_str(&labels, "}");
			free(l);
		}
		if (f->doc) {
			snprintf(key, sizeof key, "FIELD_%zu_DESCRIPTION", i);
			rc |= esc_h5_attr_fixed(dset, key, f->doc);
		}
	}
	sb_str(&units, "}");
	sb_str(&labels, "}");
	if (units.oom || labels.oom)
		rc = -1;
	if (rc == 0)
		rc = esc_h5_attr_text(dset, "units", units.p);
	if (rc == 0 && n_labels)
		rc = esc_h5_attr_text(dset, "labels", labels.p);
	free(units.p);
	free(labels.p);
	return rc;
}

/* ------------------------------------------------------------------ table */

int esc_h5_table_create(esc_h5_table *t, hid_t loc, const char *name,
                        const esc_h5_table_desc *desc,
                        const char *const *labels, const char *where,
                        esc_error *err)
{
	memset(t, 0, sizeof *t);
	t->dset = t->mem_type = -1;
	hid_t ftype = -1, space = -1, dcpl = -1;
	const esc_h5_table_desc *static_desc = desc;
	/* Labels known only at run time (the scenario's names): a copy of the
	 * field list with them in, used while the table is made. */
	esc_h5_field *fields = NULL;
	esc_h5_table_desc local;
	const char *what = "out of memory";
	if (labels) {
		fields = malloc(desc->n_fields * sizeof *fields);
		if (!fields)
			goto fail;
		for (size_t i = 0; i < desc->n_fields; i++) {
			fields[i] = desc->fields[i];
			if (labels[i])
				fields[i].labels = labels[i];
		}
		local = *desc;
		local.fields = fields;
		desc = &local;
	}
	what = "cannot build its row type (bad labels?)";
	if (make_types(desc, &t->mem_type, &ftype) < 0)
		goto fail;

	size_t rows = CHUNK_BYTES / H5Tget_size(ftype);
	hsize_t zero = 0, unlimited = H5S_UNLIMITED;
	hsize_t chunk = rows < 64 ? 64 : rows;
	what = "cannot set up its storage";
	space = H5Screate_simple(1, &zero, &unlimited);
	dcpl = H5Pcreate(H5P_DATASET_CREATE);
	if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0 ||
	    H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0)
		goto fail;
	what = "cannot create it";
	t->dset = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	if (t->dset < 0)
		goto fail;
	what = "cannot write its attributes";
	if (table_attrs(t->dset, desc) < 0)
		goto fail;
	H5Tclose(ftype);
	H5Sclose(space);
	H5Pclose(dcpl);
	free(fields);
	t->desc = static_desc;
	return ESC_OK;

fail:;
	char reason[512], loc_name[256] = "";
	esc_h5_reason(reason, sizeof reason);
	H5Iget_name(loc, loc_name, sizeof loc_name);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (space >= 0)
		H5Sclose(space);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	free(fields);
	esc_h5_table_close(t);
	return esc_error_set(err, ESC_ERR_RUNTIME, "%s: table %s/%s: %s: %s",
	                     where, strcmp(loc_name, "/") ? loc_name : "", name,
	                     what, reason);
}

int esc_h5_table_append(esc_h5_table *t, const void *rows, size_t n,
                        const char *where, esc_error *err)
{
	if (n == 0)
		return ESC_OK;
	hsize_t start = t->nrows, count = n, total = t->nrows + n;
	hid_t fspace = -1, mspace = -1;
	herr_t rc = H5Dset_extent(t->dset, &total);
	if (rc >= 0) {
		fspace = H5Dget_space(t->dset);
		mspace = H5Screate_simple(1, &count, NULL);
		rc = (fspace < 0 || mspace < 0 ||
		      H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL,
		                          &count, NULL) < 0 ||
		      H5Dwrite(t->dset, t->mem_type, mspace, fspace, H5P_DEFAULT,
		               rows) < 0) ? -1 : 0;
	}
	char reason[512];
	if (rc < 0)
		esc_h5_reason(reason, sizeof reason);
	if (fspace >= 0)
		H5Sclose(fspace);
	if (mspace >= 0)
		H5Sclose(mspace);
	if (rc >= 0) {
		t->nrows = total;
		return ESC_OK;
	}
	/* Keep the extent equal to the rows really written. */
	H5Dset_extent(t->dset, &start);
	char name[256] = "?";
	H5Iget_name(t->dset, name, sizeof name);
	return esc_error_set(err, ESC_ERR_RUNTIME,
	                     "%s: cannot append %zu rows to %s: %s", where, n,
	                     name, reason);
}

int esc_h5_table_close(esc_h5_table *t)
{
	int rc = 0;
	if (t->dset > 0 && H5Dclose(t->dset) < 0)
		rc = -1;
	if (t->mem_type > 0 && H5Tclose(t->mem_type) < 0)
		rc = -1;
	t->dset = t->mem_type = -1;
	return rc;
}
