/* h5_table.c: HDF5 tables made from a field descriptor (see h5_table.h):
 * their layout and types, packing rows into chunks, creating, reopening,
 * checking and copying tables.  The column attributes are h5_attr.c's, the
 * chunks' way to the file (deflate, checksum, write in order) h5_zpool.c's.
 *
 * ENUM8 columns are also HDF5 enums, which h5py and R turn into categories.
 *
 * The file type is the packed compound of little-endian standard types: no
 * padding on disk, and the same bytes whatever machine wrote it.  We pack
 * the padded C struct into it ourselves, chunk by chunk (h5_zpool.c), and
 * HDF5 only stores the deflated chunks.
 *
 * Every chunk carries HDF5's Fletcher-32 checksum (the last filter, which
 * every HDF5 reader applies without a plugin): a damaged chunk fails to
 * read instead of giving other numbers, and esc_h5_table_check finds one
 * without inflating anything.
 *
 * Invariants of a table open for appending (asserted; the bench build
 * compiles the asserts out): buf_rows < chunk_rows between appends (a full
 * chunk is handed on at once); nrows - buf_rows is a whole number of
 * chunks, each already handed on in order; saved <= nrows.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "h5_attr.h"
#include "h5_file.h"
#include "h5_table.h"
#include "h5_util.h"


static hid_t enum_type(hid_t base, const esc_h5_label *l, size_t n)
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

/* Where each column goes: a labelled int32 column (codes such as parties)
 * takes the narrowest signed width that holds all its codes, since its
 * values are those codes; everything else keeps its width. */
static int layout(esc_h5_table *t, const esc_h5_table_desc *d)
{
	t->cols = calloc(d->n_fields ? d->n_fields : 1, sizeof *t->cols);
	if (!t->cols)
		return -1;
	unsigned off = 0;
	for (size_t i = 0; i < d->n_fields; i++) {
		const esc_h5_field *f = &d->fields[i];
		esc_h5_col *c = &t->cols[i];
		c->mem_off = f->offset;
		c->mem_size = c->width = (unsigned)kind_size(f->kind);
		c->is_signed = f->kind == ESC_H5_I8 || f->kind == ESC_H5_ENUM8 ||
		               f->kind == ESC_H5_I32 || f->kind == ESC_H5_I64;
		if (f->kind == ESC_H5_I32 && f->labels) {
			esc_h5_label *l;
			size_t n;
			if (esc_h5_parse_labels(f->labels, 0, &l, &n) < 0)
				return -1;
			long lo = 0, hi = 0;
			for (size_t j = 0; j < n; j++) {
				lo = l[j].code < lo ? l[j].code : lo;
				hi = l[j].code > hi ? l[j].code : hi;
			}
			free(l);
			c->width = lo >= INT8_MIN && hi <= INT8_MAX ? 1 :
			           lo >= INT16_MIN && hi <= INT16_MAX ? 2 : 4;
		}
		c->file_off = off;
		off += c->width;
	}
	t->row_bytes = off;
	return 0;
}

static hid_t int_le(unsigned width)
{
	return width == 1 ? H5T_STD_I8LE : width == 2 ? H5T_STD_I16LE :
	       width == 4 ? H5T_STD_I32LE : H5T_STD_I64LE;
}

/* The packed file compound of DESC laid out by t->cols. */
static hid_t file_type(const esc_h5_table *t, const esc_h5_table_desc *d)
{
	hid_t ft = H5Tcreate(H5T_COMPOUND, t->row_bytes);
	if (ft < 0)
		return -1;
	for (size_t i = 0; i < d->n_fields; i++) {
		const esc_h5_field *f = &d->fields[i];
		const esc_h5_col *c = &t->cols[i];
		hid_t mt = -1;
		int own = 1;
		if (f->kind == ESC_H5_ENUM8) {
			esc_h5_label *l;
			size_t n;
			if (f->labels && esc_h5_parse_labels(f->labels, 1, &l, &n) == 0) {
				mt = enum_type(H5T_STD_I8LE, l, n);
				free(l);
			}
		} else if (f->kind == ESC_H5_STR32 || f->kind == ESC_H5_STR256) {
			mt = str_type(c->width);
		} else {
			own = 0;
			mt = f->kind == ESC_H5_U64 ? H5T_STD_U64LE :
			     f->kind == ESC_H5_F64 ? H5T_IEEE_F64LE : int_le(c->width);
		}
		herr_t rc = mt < 0 ? -1 : H5Tinsert(ft, f->name, c->file_off, mt);
		if (own && mt >= 0)
			H5Tclose(mt);
		if (rc < 0) {
			H5Tclose(ft);
			return -1;
		}
	}
	return ft;
}

/* ---------------------------------------------------------------- packing */

/* Byte k of a column at file offset o goes to byte (o + k) * R + r of the
 * chunk for row r, which is the layout HDF5's shuffle filter makes of a
 * chunk of R packed rows; values are stored little-endian whatever the
 * host.  Rows land at r0 .. r0 + n - 1. */
static void pack(esc_h5_table *t, const unsigned char *rows, size_t n, size_t r0)
{
	size_t R = t->chunk_rows, rs = t->desc->row_size;
	assert(r0 + n <= R);
	for (size_t c = 0; c < t->desc->n_fields; c++) {
		const esc_h5_col *col = &t->cols[c];
		unsigned char *o = t->buf + (size_t)col->file_off * R + r0;
		const unsigned char *s = rows + col->mem_off;
		/* One loop per width, so each unrolls to plain byte stores. */
		switch (col->mem_size * 16 + col->width) {
		case 1 * 16 + 1:
			for (size_t i = 0; i < n; i++)
				o[i] = s[i * rs];
			break;
		case 4 * 16 + 1:
			for (size_t i = 0; i < n; i++) {
				uint32_t v;
				memcpy(&v, s + i * rs, 4);
				o[i] = (unsigned char)v;
			}
			break;
		case 4 * 16 + 2:
			for (size_t i = 0; i < n; i++) {
				uint32_t v;
				memcpy(&v, s + i * rs, 4);
				o[i] = (unsigned char)v;
				o[R + i] = (unsigned char)(v >> 8);
			}
			break;
		case 4 * 16 + 4:
			for (size_t i = 0; i < n; i++) {
				uint32_t v;
				memcpy(&v, s + i * rs, 4);
				o[i] = (unsigned char)v;
				o[R + i] = (unsigned char)(v >> 8);
				o[2 * R + i] = (unsigned char)(v >> 16);
				o[3 * R + i] = (unsigned char)(v >> 24);
			}
			break;
		case 8 * 16 + 8:
			for (size_t i = 0; i < n; i++) {
				uint64_t v;
				memcpy(&v, s + i * rs, 8);
				o[i] = (unsigned char)v;
				o[R + i] = (unsigned char)(v >> 8);
				o[2 * R + i] = (unsigned char)(v >> 16);
				o[3 * R + i] = (unsigned char)(v >> 24);
				o[4 * R + i] = (unsigned char)(v >> 32);
				o[5 * R + i] = (unsigned char)(v >> 40);
				o[6 * R + i] = (unsigned char)(v >> 48);
				o[7 * R + i] = (unsigned char)(v >> 56);
			}
			break;
		default:   /* strings, byte for byte */
			for (unsigned k = 0; k < col->width; k++)
				for (size_t i = 0; i < n; i++)
					o[k * R + i] = s[i * rs + k];
		}
	}
}

/* A narrowed column's values must fit; 0, or -1 with the first that does
 * not in *col, *row and *value. */
static int check_narrow(const esc_h5_table *t, const unsigned char *rows,
                        size_t n, size_t *col, size_t *row, int64_t *value)
{
	for (size_t c = 0; c < t->desc->n_fields; c++) {
		const esc_h5_col *k = &t->cols[c];
		if (k->width >= k->mem_size)
			continue;
		int32_t hi = (int32_t)((1u << (8 * k->width - 1)) - 1), lo = -hi - 1;
		for (size_t i = 0; i < n; i++) {
			int32_t v;
			memcpy(&v, rows + i * t->desc->row_size + k->mem_off, 4);
			if (v < lo || v > hi) {
				*col = c;
				*row = i;
				*value = v;
				return -1;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------ tables like others
 *
 * The merge writes tables like those of its inputs without knowing their
 * descriptors: it reads one back from an input table (each column's kind
 * from its file type, the rest from the attributes table_attrs wrote) and
 * makes its table from it, so the file type is this writer's whatever
 * escsim wrote the input.  The row struct of such a description is the
 * columns at their kinds' sizes, one after the other: the file row itself
 * unless a code column was narrowed to int16 (an int32 in the struct).
 */

typedef struct own_desc {
	esc_h5_table_desc desc;
	esc_h5_field *fields;
	char **strs;          /* every string the description points to */
	size_t n_strs;
} own_desc;

static void own_desc_free(own_desc *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_strs; i++)
		free(o->strs[i]);
	free(o->strs);
	free(o->fields);
	free(o);
}

/* S (malloc'd or NULL) now belongs to O. */
static const char *own(own_desc *o, char *s)
{
	if (s)
		o->strs[o->n_strs++] = s;
	return s;
}

/* The kind a column stored as MT is read back as: integers by size and
 * sign (a narrowed code column is an int32 whose labels narrow it again),
 * and only the types kinds are stored as.  -1 for any other type. */
static int kind_of(hid_t mt, esc_h5_kind *k)
{
	size_t size = H5Tget_size(mt);
	switch (H5Tget_class(mt)) {
	case H5T_ENUM:
		*k = ESC_H5_ENUM8;
		return size == 1 ? 0 : -1;
	case H5T_INTEGER:
		if (H5Tget_sign(mt) == H5T_SGN_NONE) {
			*k = ESC_H5_U64;
			return size == 8 ? 0 : -1;
		}
		*k = size == 1 ? ESC_H5_I8 : size == 8 ? ESC_H5_I64 : ESC_H5_I32;
		return size == 1 || size == 2 || size == 4 || size == 8 ? 0 : -1;
	case H5T_FLOAT:
		*k = ESC_H5_F64;
		return size == 8 ? 0 : -1;
	case H5T_STRING:
		*k = size == 32 ? ESC_H5_STR32 : ESC_H5_STR256;
		return H5Tis_variable_str(mt) == 0 && (size == 32 || size == 256) ?
		       0 : -1;
	default:
		return -1;
	}
}

int esc_h5_table_create_like(esc_h5_table *t, hid_t loc, const char *name,
                             hid_t src, const char *where, esc_error *err)
{
	memset(t, 0, sizeof *t);
	t->dset = -1;
	char src_name[256] = "?", src_file[512] = "?", col[128] = "";
	H5Iget_name(src, src_name, sizeof src_name);
	H5Fget_name(src, src_file, sizeof src_file);
	hid_t ft = H5Dget_type(src);
	int n = ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND ? H5Tget_nmembers(ft) : -1;
	own_desc *o = calloc(1, sizeof *o);
	int rc = ESC_OK;
	if (o && n > 0) {
		o->fields = calloc((size_t)n, sizeof *o->fields);
		o->strs = calloc(4 * (size_t)n + 1, sizeof *o->strs);
	}
	if (!o || (n > 0 && (!o->fields || !o->strs))) {
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto out;
	}
	if (n <= 0) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s is not a table (its "
		                   "rows are not compound)", src_file, src_name);
		goto out;
	}
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		esc_h5_field *f = &o->fields[i];
		char key[64], *mname = H5Tget_member_name(ft, (unsigned)i);
		hid_t mt = H5Tget_member_type(ft, (unsigned)i);
		int ok = mname && mt >= 0 && kind_of(mt, &f->kind) == 0;
		snprintf(col, sizeof col, "%s", mname ? mname : "?");
		f->name = own(o, mname ? strdup(mname) : NULL);
		if (mname)
			H5free_memory(mname);
		if (mt >= 0)
			H5Tclose(mt);
		if (!f->name) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			goto out;
		}
		snprintf(key, sizeof key, "FIELD_%d_UNITS", i);
		f->units = own(o, esc_h5_attr_read_text(src, key));
		snprintf(key, sizeof key, "FIELD_%d_LABELS", i);
		f->labels = own(o, esc_h5_attr_read_text(src, key));
		snprintf(key, sizeof key, "FIELD_%d_DESCRIPTION", i);
		f->doc = own(o, esc_h5_attr_read_text(src, key));
		if (!ok || (f->kind == ESC_H5_ENUM8 && !f->labels)) {
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is "
			                   "%s", src_file, src_name, col, ok ?
			                   "an enum without its labels (FIELD_<i>_LABELS)" :
			                   "of a type escsim does not write");
			goto out;
		}
		f->offset = off;
		off += kind_size(f->kind);
	}
	o->desc.title = own(o, esc_h5_attr_read_text(src, "TITLE"));
	o->desc.row_size = off;
	o->desc.fields = o->fields;
	o->desc.n_fields = (size_t)n;
	rc = esc_h5_table_create(t, loc, name, &o->desc, NULL, where, err);
	if (rc == ESC_OK) {
		t->own_desc = o;
		o = NULL;
	}
out:
	if (ft >= 0)
		H5Tclose(ft);
	own_desc_free(o);
	return rc;
}

hid_t esc_h5_table_row_type(const esc_h5_table *t)
{
	const esc_h5_table_desc *d = t->desc;
	hid_t rt = d ? H5Tcreate(H5T_COMPOUND, d->row_size) : -1;
	for (size_t i = 0; rt >= 0 && i < d->n_fields; i++) {
		const esc_h5_field *f = &d->fields[i];
		hid_t mt = -1;
		int own_mt = 1;
		if (f->kind == ESC_H5_ENUM8) {
			esc_h5_label *l;
			size_t n;
			if (f->labels && esc_h5_parse_labels(f->labels, 1, &l, &n) == 0) {
				mt = enum_type(H5T_NATIVE_INT8, l, n);
				free(l);
			}
		} else if (f->kind == ESC_H5_STR32 || f->kind == ESC_H5_STR256) {
			mt = str_type(kind_size(f->kind));
		} else {
			own_mt = 0;
			mt = f->kind == ESC_H5_I8 ? H5T_NATIVE_INT8 :
			     f->kind == ESC_H5_I32 ? H5T_NATIVE_INT32 :
			     f->kind == ESC_H5_I64 ? H5T_NATIVE_INT64 :
			     f->kind == ESC_H5_U64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE;
		}
		herr_t rc = mt < 0 ? -1 : H5Tinsert(rt, f->name, f->offset, mt);
		if (own_mt && mt >= 0)
			H5Tclose(mt);
		if (rc < 0) {
			H5Tclose(rt);
			rt = -1;
		}
	}
	return rt;
}

/* 1 if datasets A and B store rows alike: the same file type, rows per
 * chunk and filters (each with its parameters). */
static int same_layout(hid_t a, hid_t b)
{
	hid_t ta = H5Dget_type(a), tb = H5Dget_type(b);
	hid_t pa = H5Dget_create_plist(a), pb = H5Dget_create_plist(b);
	hsize_t ca = 0, cb = 0;
	int same = ta >= 0 && tb >= 0 && pa >= 0 && pb >= 0 &&
	           H5Tequal(ta, tb) > 0 &&
	           H5Pget_layout(pa) == H5D_CHUNKED && H5Pget_layout(pb) == H5D_CHUNKED &&
	           H5Pget_chunk(pa, 1, &ca) == 1 && H5Pget_chunk(pb, 1, &cb) == 1 &&
	           ca == cb;
	int nf = same ? H5Pget_nfilters(pa) : -1;
	same = same && nf >= 0 && nf == H5Pget_nfilters(pb);
	for (int i = 0; same && i < nf; i++) {
		unsigned fa = 0, fb = 0, va[8] = {0}, vb[8] = {0};
		size_t na = 8, nb = 8;
		H5Z_filter_t ia = H5Pget_filter2(pa, (unsigned)i, &fa, &na, va, 0, NULL, NULL);
		H5Z_filter_t ib = H5Pget_filter2(pb, (unsigned)i, &fb, &nb, vb, 0, NULL, NULL);
		same = ia >= 0 && ia == ib && fa == fb && na == nb && na <= 8 &&
		       memcmp(va, vb, na * sizeof *va) == 0;
	}
	if (ta >= 0)
		H5Tclose(ta);
	if (tb >= 0)
		H5Tclose(tb);
	if (pa >= 0)
		H5Pclose(pa);
	if (pb >= 0)
		H5Pclose(pb);
	return same;
}

int esc_h5_table_copy_chunks(esc_h5_table *t, hid_t src, hsize_t n_chunks,
                             hsize_t *rows, const char *where, esc_error *err)
{
	*rows = 0;
	if (t->dset < 0 || t->buf_rows)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: copy of chunks into "
		                     "a %s table (internal error)", where,
		                     t->dset < 0 ? "closed" : "partly filled");
	hsize_t R = t->chunk_rows, have = 0;
	hid_t s = H5Dget_space(src);
	int bad = s < 0 || H5Sget_simple_extent_dims(s, &have, NULL) != 1;
	if (s >= 0)
		H5Sclose(s);
	if (bad || n_chunks == 0 || have / R < n_chunks || !same_layout(t->dset, src))
		return ESC_OK;
	int rc = esc_h5_zpool_drain(t->pool, where, err);
	if (rc)
		return rc;
	hsize_t first = t->nrows, end = first + n_chunks * R, k = 0;
	assert(first % R == 0 && first >= t->put_first);
	int status = ESC_ERR_RUNTIME;
	unsigned char *buf = NULL;
	size_t cap = 0;
	char reason[512] = "out of memory";
	if (H5Dset_extent(t->dset, &end) < 0)
		goto fail;
	for (; k < n_chunks; k++) {
		hsize_t from = k * R, to = first + k * R, bytes = 0;
		uint32_t mask = 0;
		if (H5Dget_chunk_storage_size(src, &from, &bytes) < 0)
			goto fail;
		if (bytes == 0)
			break;     /* never written (fill values): appended instead */
		if (bytes > cap) {
			unsigned char *nb = realloc(buf, (size_t)bytes);
			if (!nb)
				goto fail_oom;
			buf = nb;
			cap = (size_t)bytes;
		}
		if (H5Dread_chunk(src, H5P_DEFAULT, &from, &mask, buf) < 0)
			goto fail;
		/* The same layout as ours: the checksum is the last filter. */
		if (mask != 0 || !esc_h5_chunk_checksum_ok(buf, (size_t)bytes)) {
			snprintf(reason, sizeof reason, "they are damaged (Fletcher-32 "
			         "checksum)");
			status = ESC_ERR_INPUT;
			goto fail_oom;
		}
		if (H5Dwrite_chunk(t->dset, H5P_DEFAULT, mask, &to, (size_t)bytes,
		                   buf) < 0)
			goto fail;
	}
	free(buf);
	end = first + k * R;
	if (k < n_chunks && H5Dset_extent(t->dset, &end) < 0)
		goto fail;
	t->nrows = end;
	*rows = end - first;
	return ESC_OK;

fail:
	esc_h5_reason(reason, sizeof reason);
fail_oom:
	free(buf);
	H5Dset_extent(t->dset, &first);   /* the rows really written */
	char name[256] = "?", src_name[256] = "?", src_file[512] = "?";
	H5Iget_name(t->dset, name, sizeof name);
	H5Iget_name(src, src_name, sizeof src_name);
	H5Fget_name(src, src_file, sizeof src_file);
	return esc_error_set(err, status, "%s: cannot copy rows %llu to "
	                     "%llu of %s in '%s' to %s as stored: %s", where,
	                     (unsigned long long)(k * R),
	                     (unsigned long long)(k * R + R - 1), src_name, src_file,
	                     name, reason);
}

/* ------------------------------------------------------------------ table */

/* What creating and opening a table share: T's columns and the file type
 * of DESC with LABELS in (names known only at run time, such as the
 * scenario's parties: a copy of the field list with them in, *FIELDS to
 * free, *LOCAL the description that points to it).  NULL: the reason. */
static const char *table_type(esc_h5_table *t, const esc_h5_table_desc *desc,
                              const char *const *labels, esc_h5_field **fields,
                              esc_h5_table_desc *local, hid_t *ftype)
{
	memset(t, 0, sizeof *t);
	t->dset = -1;
	t->desc = desc;
	*fields = NULL;
	*ftype = -1;
	if (labels) {
		if (!(*fields = malloc(desc->n_fields * sizeof **fields)))
			return "out of memory";
		for (size_t i = 0; i < desc->n_fields; i++) {
			(*fields)[i] = desc->fields[i];
			if (labels[i])
				(*fields)[i].labels = labels[i];
		}
		*local = *desc;
		local->fields = *fields;
		desc = local;
	}
	if (layout(t, desc) < 0 || t->row_bytes == 0 ||
	    t->row_bytes > CHUNK_BYTES / 64 || (*ftype = file_type(t, desc)) < 0)
		return "cannot build its row type (bad labels?)";
	t->chunk_rows = CHUNK_BYTES / t->row_bytes;
	return NULL;
}

static int table_fail(esc_h5_table *t, hid_t loc, const char *name,
                      const char *what, const char *where, esc_error *err)
{
	char reason[512], loc_name[256] = "";
	esc_h5_reason(reason, sizeof reason);
	H5Iget_name(loc, loc_name, sizeof loc_name);
	esc_h5_table_close(t);
	return esc_error_set(err, ESC_ERR_RUNTIME, "%s: table %s/%s: %s: %s",
	                     where, strcmp(loc_name, "/") ? loc_name : "", name,
	                     what, reason);
}

int esc_h5_table_create(esc_h5_table *t, hid_t loc, const char *name,
                        const esc_h5_table_desc *desc,
                        const char *const *labels, const char *where,
                        esc_error *err)
{
	hid_t ftype, space = -1, dcpl = -1;
	esc_h5_field *fields;
	esc_h5_table_desc local;
	const char *what = table_type(t, desc, labels, &fields, &local, &ftype);
	if (fields)
		desc = &local;
	if (!what) {
		hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = t->chunk_rows;
		what = "cannot set up its storage";
		space = H5Screate_simple(1, &zero, &unlimited);
		dcpl = H5Pcreate(H5P_DATASET_CREATE);
		if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
		    H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0 &&
		    H5Pset_fletcher32(dcpl) >= 0 &&
		    /* Attributes stay in the object header (compact), never in
		     * dense storage: libhdf5 1.10's H5Ocopy, which merge uses for
		     * /sweep, crashes copying dense attributes of this file
		     * format (H5A__dense_post_copy_file_all). */
		    H5Pset_attr_phase_change(dcpl, 65535, 0) >= 0) {
			what = "cannot create it";
			t->dset = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl,
			                     H5P_DEFAULT);
		}
		if (t->dset >= 0)
			what = esc_h5_table_attrs(t->dset, desc) < 0 ?
			       "cannot write its attributes" : NULL;
	}
	int rc = what ? table_fail(t, loc, name, what, where, err) : ESC_OK;
	if (ftype >= 0)
		H5Tclose(ftype);
	if (space >= 0)
		H5Sclose(space);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	free(fields);
	return rc;
}

/* 1 if DSET's chunks are stored as this writer stores them: R rows a
 * chunk, shuffle, deflate and Fletcher-32, in that order. */
static int our_storage(hid_t dset, hsize_t R)
{
	hid_t dcpl = H5Dget_create_plist(dset);
	hsize_t chunk = 0;
	int ok = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
	         H5Pget_chunk(dcpl, 1, &chunk) == 1 && chunk == R &&
	         H5Pget_nfilters(dcpl) == 3;
	static const H5Z_filter_t want[] = {
		H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE, H5Z_FILTER_FLETCHER32,
	};
	for (unsigned i = 0; ok && i < 3; i++) {
		unsigned flags = 0, cd[8];
		size_t ncd = 8;
		ok = H5Pget_filter2(dcpl, i, &flags, &ncd, cd, 0, NULL, NULL) == want[i];
	}
	if (dcpl >= 0)
		H5Pclose(dcpl);
	return ok;
}

/* A stored chunk's bytes (FIRST: its first row) into *BUF (grown as
 * needed, *CAP its size); *LEN their number.  -1 with the reason in WHY. */
static int read_raw_chunk(hid_t dset, hsize_t first, unsigned char **buf,
                          size_t *cap, size_t *len, const char **why)
{
	hsize_t bytes = 0;
	uint32_t mask = 0;
	*why = "its chunk cannot be read";
	if (H5Dget_chunk_storage_size(dset, &first, &bytes) < 0)
		return -1;
	if (bytes == 0) {
		*why = "no data is stored for them (the file was cut short?)";
		return -1;
	}
	if (bytes > (hsize_t)OUT_BYTES * 4) {
		*why = "its chunk has an impossible size";
		return -1;
	}
	if (bytes > *cap) {
		unsigned char *nb = realloc(*buf, (size_t)bytes);
		if (!nb) {
			*why = "out of memory";
			return -1;
		}
		*buf = nb;
		*cap = (size_t)bytes;
	}
	if (H5Dread_chunk(dset, H5P_DEFAULT, &first, &mask, *buf) < 0)
		return -1;
	*len = (size_t)bytes;
	if (mask != 0) {
		*why = "its chunk was stored without all the table's filters";
		return -1;
	}
	return 0;
}

/* Rows [first, t->nrows) of an opened table, which are in its last,
 * partly filled chunk, into the chunk buffer: appends go on filling it. */
static const char *load_tail(esc_h5_table *t, hsize_t first)
{
	unsigned char *raw = NULL;
	size_t cap = 0, len = 0;
	const char *why = NULL;
	if (!(t->buf = malloc(CHUNK_BYTES)))
		return "out of memory";
	if (read_raw_chunk(t->dset, first, &raw, &cap, &len, &why) == 0) {
		uLongf out = CHUNK_BYTES;
		why = NULL;
		size_t want = t->chunk_rows * t->row_bytes;
		if (!esc_h5_chunk_checksum_ok(raw, len))
			why = "its last chunk is damaged (Fletcher-32 checksum)";
		else if (uncompress(t->buf, &out, raw, len - 4) != Z_OK || out != want)
			why = "its last chunk does not inflate to a chunk of rows";
	}
	free(raw);
	t->buf_rows = (size_t)(t->nrows - first);
	t->buf_written = 1;
	return why;
}

int esc_h5_table_open(esc_h5_table *t, hid_t loc, const char *name,
                      const esc_h5_table_desc *desc,
                      const char *const *labels, const char *where,
                      esc_error *err)
{
	hid_t ftype, dtype = -1, space = -1;
	esc_h5_field *fields;
	esc_h5_table_desc local;
	const char *what = table_type(t, desc, labels, &fields, &local, &ftype);
	hsize_t n = 0;
	if (!what) {
		what = "cannot open it";
		t->dset = H5Dopen2(loc, name, H5P_DEFAULT);
	}
	if (t->dset >= 0) {
		what = "it is not stored as this escsim stores it (another version?)";
		dtype = H5Dget_type(t->dset);
		space = H5Dget_space(t->dset);
		if (dtype >= 0 && space >= 0 && H5Tequal(dtype, ftype) > 0 &&
		    our_storage(t->dset, t->chunk_rows) &&
		    H5Sget_simple_extent_ndims(space) == 1 &&
		    H5Sget_simple_extent_dims(space, &n, NULL) == 1)
			what = NULL;
	}
	if (!what) {
		t->nrows = n;
		hsize_t first = n - n % t->chunk_rows;
		if (n > first)
			what = load_tail(t, first);
	}
	int rc = what ? table_fail(t, loc, name, what, where, err) : ESC_OK;
	if (ftype >= 0)
		H5Tclose(ftype);
	if (dtype >= 0)
		H5Tclose(dtype);
	if (space >= 0)
		H5Sclose(space);
	free(fields);
	return rc;
}

int esc_h5_table_extent(hid_t dset, const char *file, const char *path,
                        esc_error *err)
{
	hid_t dcpl = H5Dget_create_plist(dset), space = H5Dget_space(dset);
	hsize_t R = 0, n = 0, have = 0;
	int ok = dcpl >= 0 && space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
	         H5Sget_simple_extent_dims(space, &n, NULL) == 1;
	int chunked = ok && H5Pget_layout(dcpl) == H5D_CHUNKED &&
	              H5Pget_chunk(dcpl, 1, &R) == 1 && R > 0;
	herr_t got = chunked ? H5Dget_num_chunks(dset, space, &have) : 0;
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (space >= 0)
		H5Sclose(space);
	if (!chunked)
		return ESC_OK;          /* not a table of ours: the caller says */
	hsize_t need = n / R + (n % R != 0);
	if (got < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: its chunk index "
		                     "cannot be read: the file is damaged", file, path);
	if (have >= need)
		return ESC_OK;
	return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s says it has %llu rows, "
	                     "but data is stored for at most %llu: the file is "
	                     "damaged or was cut short", file, path,
	                     (unsigned long long)n, (unsigned long long)(have * R));
}

int esc_h5_table_check(hid_t dset, const char *file, const char *path,
                       int *checked, esc_error *err)
{
	*checked = 0;
	hid_t dcpl = H5Dget_create_plist(dset), space = H5Dget_space(dset);
	hsize_t R = 0, n = 0;
	int nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : -1;
	unsigned flags, cd[8];
	size_t ncd = 8;
	int fletcher = nf > 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
	               H5Pget_chunk(dcpl, 1, &R) == 1 && R > 0 &&
	               H5Pget_filter2(dcpl, (unsigned)nf - 1, &flags, &ncd, cd, 0,
	                              NULL, NULL) == H5Z_FILTER_FLETCHER32 &&
	               space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
	               H5Sget_simple_extent_dims(space, &n, NULL) == 1;
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (space >= 0)
		H5Sclose(space);
	int rc = esc_h5_table_extent(dset, file, path, err);
	if (rc || !fletcher)
		return rc;              /* without checksums the caller reads the rows */
	*checked = 1;
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0;
	for (hsize_t first = 0; first < n && rc == ESC_OK; first += R) {
		const char *why = NULL;
		if (read_raw_chunk(dset, first, &buf, &cap, &len, &why) < 0 ||
		    (!esc_h5_chunk_checksum_ok(buf, len) &&
		     (why = "they are damaged (their chunk's Fletcher-32 checksum "
		            "does not match)"))) {
			char reason[512] = "";
			if (strcmp(why, "its chunk cannot be read") == 0)
				esc_h5_reason(reason, sizeof reason);
			hsize_t last = first + R < n ? first + R - 1 : n - 1;
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: rows %llu..%llu: "
			                   "%s%s%s", file, path, (unsigned long long)first,
			                   (unsigned long long)last, why, *reason ? ": " : "",
			                   reason);
		}
	}
	free(buf);
	return rc;
}

int esc_h5_table_append(esc_h5_table *t, const void *rows, size_t n,
                        const char *where, esc_error *err)
{
	if (n == 0)
		return ESC_OK;
	if (t->dset < 0)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: append to a closed "
		                     "table (internal error)", where);
	size_t bad_col, bad_row;
	int64_t bad;
	if (check_narrow(t, rows, n, &bad_col, &bad_row, &bad) < 0) {
		char name[256] = "?";
		H5Iget_name(t->dset, name, sizeof name);
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot append to %s: "
		                     "column %s of row %llu is %lld, outside its "
		                     "labels' codes", where, name,
		                     t->desc->fields[bad_col].name,
		                     (unsigned long long)(t->nrows + bad_row),
		                     (long long)bad);
	}
	if (!t->buf && !(t->buf = malloc(CHUNK_BYTES)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	const unsigned char *p = rows;
	while (n) {
		/* buf is never left full, and the rows before it are whole chunks,
		 * each handed on in order. */
		assert(t->buf_rows < t->chunk_rows);
		assert((t->nrows - t->buf_rows) % t->chunk_rows == 0);
		assert(t->saved <= t->nrows);
		size_t k = t->chunk_rows - t->buf_rows;
		if (k > n)
			k = n;
		pack(t, p, k, t->buf_rows);
		t->buf_rows += k;
		t->nrows += k;
		t->buf_written = 0;
		p += k * t->desc->row_size;
		n -= k;
		if (t->buf_rows == t->chunk_rows) {
			int rc = esc_h5_chunk_put(t, 1, where, err);
			t->buf_rows = 0;
			if (rc)
				return rc;
		}
	}
	return ESC_OK;
}

int esc_h5_table_flush(esc_h5_table *t, const char *where, esc_error *err)
{
	if (t->dset < 0)
		return ESC_OK;
	int rc = ESC_OK;
	if (t->buf_rows && !t->buf_written) {
		rc = esc_h5_chunk_put(t, 0, where, err);
		t->buf_written = 1;
	}
	esc_error e = {0};
	if (esc_h5_zpool_drain(t->pool, where, &e) && rc == ESC_OK) {
		rc = e.status;
		if (err)
			*err = e;
	}
	return rc;
}

void esc_h5_table_forget(esc_h5_table *t)
{
	t->dset = -1;
	t->buf_rows = 0;
	esc_h5_table_close(t);   /* with no dataset: frees memory only */
}

int esc_h5_table_close(esc_h5_table *t)
{
	int rc = 0;
	if (t->dset > 0) {
		if (esc_h5_table_flush(t, "closing a table", NULL))
			rc = -1;
		if (H5Dclose(t->dset) < 0)
			rc = -1;
	}
	free(t->buf);
	free(t->cols);
	t->buf = NULL;
	t->cols = NULL;
	t->buf_rows = 0;
	t->dset = -1;
	if (t->own_desc) {
		own_desc_free(t->own_desc);
		t->own_desc = NULL;
		t->desc = NULL;
	}
	return rc;
}
