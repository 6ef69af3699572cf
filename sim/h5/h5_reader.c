/* h5_reader.c: result files read back (escsim/h5_reader.h): for inspect,
 * report and the analysis tools (an open esc_h5_file: arms, objects,
 * tables, columns), and for the batch and the merge (by path or plain
 * handle: a file's provenance, the replications it holds, /failures, and
 * the runs rows, read by the writer's own runs columns).  Its neighbours:
 * attributes and text read back in h5_attr.c, checks in h5_verify.c,
 * updating a copy in h5_update.c (they share h5_reader_impl.h).
 *
 * Everything is looked up by name (arms, tables, columns, attributes), so a
 * file with columns added by a later schema 1.x still reads; a column is
 * converted to the caller's type by HDF5, except enums, which HDF5 converts
 * only to the same enum, so they are read as stored and widened here.
 *
 * Messages name the file and the object: "'out.h5': /arms/cell/runs: column
 * 'spiral' not found".  HDF5's own error printing is off on every entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "escsim/h5_reader.h"
#include "escsim/h5_writer.h"
#include "h5_util.h"
#include "h5_attr.h"
#include "h5_file.h"
#include "h5_reader_impl.h"
#include "h5_schema.h"
#include "h5_table.h"

#define SCHEMA_MAJOR 1


/* Each dataset's chunk cache: one chunk of the simulator's tables (256 KiB
 * of rows) and some room, not HDF5's 1 MiB.  Columns are read in blocks
 * that visit each chunk once, so more would only hold decompressed chunks
 * the read has finished with (docs/performance.md, Memory); the summary
 * tables an update writes fill one chunk at a time. */
#define READER_CHUNK_CACHE (320u * 1024u)


/* "'PATH': WHAT: REASON" with the innermost HDF5 reason. */
int esc_h5_file_fail(const esc_h5_file *f, esc_error *err, int status,
                   const char *what, const char *obj)
{
	char reason[512];
	esc_h5_reason(reason, sizeof reason);
	return esc_error_set(err, status, "'%s': %s%s%s: %s", f->path,
	                     obj ? obj : "", obj ? ": " : "", what, reason);
}

/* ------------------------------------------------------------------- open */

static herr_t arm_cb(hid_t g, const char *name, const H5L_info_t *info,
                     void *data)
{
	esc_h5_file *f = data;
	H5O_info_t oi;
	(void)info;
	if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0 ||
	    oi.type != H5O_TYPE_GROUP)
		return 0;
	char **a = realloc(f->arms, (f->n_arms + 1) * sizeof *a);
	if (!a)
		return -1;
	f->arms = a;
	if (!(a[f->n_arms] = esc_h5_dup(name)))
		return -1;
	f->n_arms++;
	return 0;
}

void esc_h5_file_free(esc_h5_file *f)
{
	if (!f)
		return;
	esc_h5_free_names(f->arms, f->n_arms);
	free(f->path);
	free(f->tmp);
	free(f);
}

/* The columns of every table of the arms, and of /failures, are escsim's
 * (h5_schema.c): a damaged name or type is refused here, before any
 * column is read as another. */
static int check_tables(esc_h5_file *f, esc_error *err)
{
	for (size_t i = 0; i <= f->n_arms; i++) {
		for (int k = 0; k < N_SCHEMA; k++) {
			const esc_h5_schema *s = &esc_h5_schemas[k];
			char path[300];
			if ((i == f->n_arms) != (k == SCHEMA_FAILURES))
				continue;
			if (k == SCHEMA_FAILURES)
				snprintf(path, sizeof path, "/failures");
			else
				snprintf(path, sizeof path, "/arms/%s/%s", f->arms[i], s->name);
			if (!esc_h5_exists(f, path))
				continue;
			hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
			int rc = d < 0 ? esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot open it "
			                         "(the file is damaged)", path) :
			         esc_h5_schema_check(d, s, f->later, f->path, path, err);
			if (d >= 0)
				H5Dclose(d);
			if (rc)
				return rc;
		}
	}
	return ESC_OK;
}

/* Open NAME (PATH or, to update it, its copy) and check it is ours; f->path
 * is set. */
int esc_h5_file_open_checked(esc_h5_file *f, const char *name, int rw,
                        esc_error *err)
{
	if (rw) {
		f->file = H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT);
		if (f->file < 0)
			return esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot open a copy of it "
			               "to update it", name);
	} else {
		int not_hdf5;
		f->file = esc_h5_open_file(name, &not_hdf5, &f->crashed,
		                           READER_CHUNK_CACHE, err);
		if (not_hdf5)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim "
			                     "result file: it is not an HDF5 file", f->path);
		if (f->file < 0)
			return err ? err->status : ESC_ERR_INPUT;
	}
	htri_t has_schema = H5Aexists(f->file, "schema_version");
	htri_t has_arms = has_schema < 0 ? -1 :
		H5Lexists(f->file, "arms", H5P_DEFAULT);
	if (has_schema < 0 || has_arms < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': it is "
		                     "damaged: %s", f->path, reason);
	}
	if (!has_schema || !has_arms)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim "
		                     "result file: no root attribute schema_version "
		                     "or no group /arms", f->path);
	char *v = NULL;
	if (esc_h5_get_attr_text(f, "/", "schema_version", &v, err))
		return err->status;
	char *end;
	long major = strtol(v, &end, 10);
	int ok = end != v && major == SCHEMA_MAJOR;
	if (!ok) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim result file "
		              "this version can read: schema_version '%s' (this "
		              "escsim reads %d.x)", f->path, v, SCHEMA_MAJOR);
		free(v);
		return ESC_ERR_INPUT;
	}
	f->later = *end == '.' && strtol(end + 1, NULL, 10) >
	           strtol(strchr(ESC_SCHEMA_VERSION, '.') + 1, NULL, 10);
	free(v);
	if (H5Literate_by_name(f->file, "/arms", H5_INDEX_NAME, H5_ITER_INC, NULL,
	                       arm_cb, f, H5P_DEFAULT) < 0)
		return esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot list the arms", "/arms");
	return check_tables(f, err);
}

esc_h5_file *esc_h5_file_new(const char *path, const char *tmp_suffix,
                             esc_error *err)
{
	esc_h5_file *f = calloc(1, sizeof *f);
	if (!f || !(f->path = esc_h5_dup(path ? path : "")) ||
	    (tmp_suffix && !(f->tmp = esc_h5_sibling(f->path, tmp_suffix)))) {
		esc_h5_file_free(f);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	f->file = -1;
	return f;
}

esc_h5_file *esc_h5_open(const char *path, esc_error *err)
{
	esc_h5_enter();
	esc_h5_file *f = esc_h5_file_new(path, NULL, err);
	if (f && esc_h5_file_open_checked(f, path, 0, err)) {
		esc_h5_file_close(f);
		return NULL;
	}
	return f;
}

int esc_h5_crashed(const esc_h5_file *f)
{
	return f->crashed;
}

void esc_h5_file_close(esc_h5_file *f)
{
	if (!f)
		return;
	esc_h5_enter();
	if (f->file >= 0)
		H5Fclose(f->file);
	esc_h5_file_free(f);
}

const char *esc_h5_file_path(const esc_h5_file *f)
{
	return f->path;
}

size_t esc_h5_n_arms(const esc_h5_file *f)
{
	return f->n_arms;
}

const char *esc_h5_arm_name(const esc_h5_file *f, size_t i)
{
	return i < f->n_arms ? f->arms[i] : NULL;
}

int esc_h5_exists(const esc_h5_file *f, const char *path)
{
	esc_h5_enter();
	if (!strcmp(path, "/"))
		return 1;
	/* Each step of the path must exist before H5Lexists may look below. */
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (H5Lexists(f->file, buf, H5P_DEFAULT) <= 0)
				return 0;
			if (c == '\0')
				return 1;
			*p = c;
		}
	}
}

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info,
                      void *data)
{
	(void)g;
	(void)info;
	return esc_h5_names_add(data, name);
}

int esc_h5_list(const esc_h5_file *f, const char *path, char ***names,
                size_t *n, esc_error *err)
{
	esc_h5_enter();
	*names = NULL;
	*n = 0;
	esc_h5_names_list c = { 0 };
	if (!esc_h5_exists(f, path))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': no group %s",
		                     f->path, path);
	if (H5Literate_by_name(f->file, path, H5_INDEX_NAME, H5_ITER_INC, NULL,
	                       list_cb, &c, H5P_DEFAULT) < 0) {
		esc_h5_free_names(c.v, c.n);
		if (c.oom)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot list it", path);
	}
	*names = c.v;
	*n = c.n;
	return ESC_OK;
}

void esc_h5_free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* ----------------------------------------------------------------- tables */

/* Open the 1-D compound dataset at PATH with access properties DAPL; its
 * file type in *type. */
static hid_t open_table_with(const esc_h5_file *f, const char *path, hid_t dapl,
                             hid_t *type, hsize_t *nrows, esc_error *err)
{
	esc_h5_enter();
	*type = -1;
	if (!esc_h5_exists(f, path)) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s': no table %s", f->path, path);
		return -1;
	}
	hid_t d = H5Dopen2(f->file, path, dapl);
	if (d < 0) {
		esc_h5_file_fail(f, err, ESC_ERR_INPUT, "not a dataset", path);
		return -1;
	}
	hid_t t = H5Dget_type(d), s = H5Dget_space(d);
	hsize_t dims[2] = {0, 0};
	int ok = t >= 0 && s >= 0 && H5Tget_class(t) == H5T_COMPOUND &&
	         H5Sget_simple_extent_ndims(s) == 1 &&
	         H5Sget_simple_extent_dims(s, dims, NULL) == 1;
	if (s >= 0)
		H5Sclose(s);
	if (!ok) {
		if (t >= 0)
			H5Tclose(t);
		H5Dclose(d);
		esc_error_set(err, ESC_ERR_INPUT, "'%s': %s is not a table (a 1-D "
		              "compound dataset)", f->path, path);
		return -1;
	}
	*type = t;
	*nrows = dims[0];
	return d;
}

hid_t esc_h5_file_table(const esc_h5_file *f, const char *path, hid_t *type,
                        hsize_t *nrows, esc_error *err)
{
	return open_table_with(f, path, H5P_DEFAULT, type, nrows, err);
}

int esc_h5_table_rows(const esc_h5_file *f, const char *path, int64_t *nrows,
                      esc_error *err)
{
	hid_t t;
	hsize_t n = 0;
	hid_t d = esc_h5_file_table(f, path, &t, &n, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	H5Tclose(t);
	H5Dclose(d);
	*nrows = (int64_t)n;
	return ESC_OK;
}

int esc_h5_table_columns(const esc_h5_file *f, const char *path,
                         char ***names, size_t *n, esc_error *err)
{
	*names = NULL;
	*n = 0;
	hid_t t;
	hsize_t rows;
	hid_t d = esc_h5_file_table(f, path, &t, &rows, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	int m = H5Tget_nmembers(t);
	char **v = calloc(m > 0 ? (size_t)m : 1, sizeof *v);
	int rc = v ? ESC_OK : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (int i = 0; rc == ESC_OK && i < m; i++) {
		char *name = H5Tget_member_name(t, (unsigned)i);
		v[i] = name ? esc_h5_dup(name) : NULL;
		if (name)
			H5free_memory(name);
		if (!v[i])
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	H5Tclose(t);
	H5Dclose(d);
	if (rc) {
		esc_h5_free_names(v, m > 0 ? (size_t)m : 0);
		return rc;
	}
	*names = v;
	*n = (size_t)m;
	return ESC_OK;
}

int esc_h5_has_column(const esc_h5_file *f, const char *path,
                      const char *column)
{
	hid_t t;
	hsize_t rows;
	hid_t d = esc_h5_file_table(f, path, &t, &rows, NULL);
	if (d < 0)
		return 0;
	int has = H5Tget_member_index(t, column) >= 0;
	H5Tclose(t);
	H5Dclose(d);
	return has;
}

/* A transfer whose type conversion goes through 64 KiB at a time.  HDF5's
 * default buffer is 1 MiB, and picking one column out of a row goes
 * through it (with a background buffer as large): a block of 65,536 rows
 * would cost 2 MB of peak memory for a column of 0.5 MB. */
static hid_t small_conversion_dxpl(void)
{
	hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
	if (dxpl >= 0 && H5Pset_buffer(dxpl, 64u * 1024u, NULL, NULL) < 0) {
		H5Pclose(dxpl);
		return -1;
	}
	return dxpl;
}

/* What read_column converts to: doubles, int64s, uint64s, or fixed-size
 * strings of `width` bytes each. */
enum { AS_I64, AS_F64, AS_U64, AS_STR };

/* The table at PATH opened with no chunk cache: one read visits each chunk
 * once, and the dataset is closed after it, so a cached chunk is never read
 * again; without the cache a column of 100,000 replications peaks 0.8 MB
 * lower (docs/performance.md, Memory). */
static hid_t open_uncached(const esc_h5_file *f, const char *path, hid_t *ftype,
                           hsize_t *rows, esc_error *err)
{
	hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (dapl >= 0 && H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0) {
		H5Pclose(dapl);
		dapl = -1;
	}
	hid_t d = dapl < 0 ? -1 : open_table_with(f, path, dapl, ftype, rows, err);
	if (dapl < 0)
		esc_error_set(err, ESC_ERR_RUNTIME, "'%s': %s: cannot make dataset access properties",
		              f->path, path);
	else
		H5Pclose(dapl);
	return d;
}

/* Whether column MEMBER can be read as AS: a fixed-size string for AS_STR
 * (its memory type, WIDTH bytes, in *STRTYPE), else a number or an enum,
 * and no floats read as integers. */
static int check_member(const esc_h5_file *f, const char *path,
                        const char *column, hid_t member, int as, size_t width,
                        hid_t *strtype, esc_error *err)
{
	H5T_class_t cls = H5Tget_class(member);
	if (as == AS_STR) {
		if (cls != H5T_STRING || H5Tis_variable_str(member) > 0 || width < 2)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is "
			                     "not a fixed-size string", f->path, path, column);
		/* HDF5 pads or cuts to the memory type's size, NUL-terminated. */
		*strtype = H5Tcopy(H5T_C_S1);
		if (*strtype < 0 || H5Tset_size(*strtype, width) < 0 ||
		    H5Tset_strpad(*strtype, H5T_STR_NULLTERM) < 0)
			return esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot make a "
			                        "string type", path);
		return ESC_OK;
	}
	if (cls != H5T_ENUM && cls != H5T_INTEGER && cls != H5T_FLOAT)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is not "
		                     "numeric", f->path, path, column);
	if (as != AS_F64 && cls == H5T_FLOAT)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' holds "
		                     "floating-point values, not integers", f->path,
		                     path, column);
	return ESC_OK;
}

/* N enum codes as stored (ESIZE bytes each, signed or not) widened into
 * OUT as AS. */
static void widen_codes(const unsigned char *raw, size_t esize, int esigned,
                        size_t n, void *out, int as)
{
	for (size_t i = 0; i < n; i++) {
		int64_t v = 0;
		const unsigned char *p = raw + i * esize;
		switch (esize) {
		case 1: { int8_t a; uint8_t b; memcpy(&a, p, 1); memcpy(&b, p, 1); v = esigned ? a : b; break; }
		case 2: { int16_t a; uint16_t b; memcpy(&a, p, 2); memcpy(&b, p, 2); v = esigned ? a : b; break; }
		case 4: { int32_t a; uint32_t b; memcpy(&a, p, 4); memcpy(&b, p, 4); v = esigned ? a : (int64_t)b; break; }
		default: memcpy(&v, p, 8); break;
		}
		if (as == AS_F64)
			((double *)out)[i] = (double)v;
		else if (as == AS_U64)
			((uint64_t *)out)[i] = (uint64_t)v;
		else
			((int64_t *)out)[i] = v;
	}
}

/* Read rows [start, start+n) of COLUMN into OUT as AS (width: the bytes of
 * one string for AS_STR). */
static int read_column(const esc_h5_file *f, const char *path,
                       const char *column, int64_t start, size_t n,
                       void *out, int as, size_t width, esc_error *err)
{
	int as_f64 = as == AS_F64;
	hid_t ftype;
	hsize_t rows;
	hid_t d = open_uncached(f, path, &ftype, &rows, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	int rc = ESC_OK;
	hid_t mtype = -1, member = -1, native = -1, fspace = -1, mspace = -1;
	hid_t dxpl = -1, strtype = -1;
	unsigned char *raw = NULL;
	int idx = H5Tget_member_index(ftype, column);
	if (idx < 0) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' not "
		                   "found", f->path, path, column);
		goto out;
	}
	if (start < 0 || (hsize_t)start > rows || n > rows - (hsize_t)start) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: rows %lld..%lld "
		                   "out of range (%llu rows)", f->path, path,
		                   (long long)start, (long long)start + (long long)n,
		                   (unsigned long long)rows);
		goto out;
	}
	if (n == 0)
		goto out;
	member = H5Tget_member_type(ftype, (unsigned)idx);
	int is_enum = H5Tget_class(member) == H5T_ENUM && as != AS_STR;
	if ((rc = check_member(f, path, column, member, as, width, &strtype, err)))
		goto out;
	/* Enums: HDF5 converts an enum only to the same enum, so read the
	 * stored codes (the enum's own native type) and widen them here. */
	size_t esize = 8;
	int esigned = 1;
	if (is_enum) {
		native = H5Tget_native_type(member, H5T_DIR_DEFAULT);
		hid_t super = H5Tget_super(member);
		esize = H5Tget_size(native);
		esigned = super >= 0 && H5Tget_sign(super) == H5T_SGN_2;
		if (super >= 0)
			H5Tclose(super);
		if (native < 0 || esize > 8) {
			rc = esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot read an enum column",
			             path);
			goto out;
		}
		raw = malloc(n * esize);
		if (!raw) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			goto out;
		}
	}
	mtype = H5Tcreate(H5T_COMPOUND, as == AS_STR ? width : esize);
	hsize_t off = (hsize_t)start, cnt = n;
	fspace = H5Dget_space(d);
	mspace = H5Screate_simple(1, &cnt, NULL);
	if (mtype < 0 ||
	    H5Tinsert(mtype, column, 0, is_enum ? native : as == AS_STR ? strtype :
	              as_f64 ? H5T_NATIVE_DOUBLE :
	              as == AS_U64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64) < 0 ||
	    fspace < 0 || mspace < 0 ||
	    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &off, NULL, &cnt, NULL) < 0 ||
	    (dxpl = small_conversion_dxpl()) < 0 ||
	    H5Dread(d, mtype, mspace, fspace, dxpl, is_enum ? (void *)raw : out) < 0) {
		char what[300];
		snprintf(what, sizeof what, "cannot read column '%s'", column);
		rc = esc_h5_file_fail(f, err, ESC_ERR_INPUT, what, path);
		goto out;
	}
	if (is_enum)
		widen_codes(raw, esize, esigned, n, out, as);
out:
	free(raw);
	if (strtype >= 0)
		H5Tclose(strtype);
	if (dxpl >= 0)
		H5Pclose(dxpl);
	if (mspace >= 0)
		H5Sclose(mspace);
	if (fspace >= 0)
		H5Sclose(fspace);
	if (mtype >= 0)
		H5Tclose(mtype);
	if (native >= 0)
		H5Tclose(native);
	if (member >= 0)
		H5Tclose(member);
	H5Tclose(ftype);
	H5Dclose(d);
	return rc;
}

int esc_h5_read_f64(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n, double *out,
                    esc_error *err)
{
	return read_column(f, path, column, start, n, out, AS_F64, 0, err);
}

int esc_h5_read_i64(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n,
                    int64_t *out, esc_error *err)
{
	return read_column(f, path, column, start, n, out, AS_I64, 0, err);
}

int esc_h5_read_u64(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n,
                    uint64_t *out, esc_error *err)
{
	return read_column(f, path, column, start, n, out, AS_U64, 0, err);
}

int esc_h5_read_str(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n,
                    size_t width, char *out, esc_error *err)
{
	return read_column(f, path, column, start, n, out, AS_STR, width, err);
}

int esc_h5_column_kind(const esc_h5_file *f, const char *path,
                       const char *column, esc_h5_colkind *kind,
                       size_t *width, esc_error *err)
{
	hid_t t;
	hsize_t rows;
	hid_t d = esc_h5_file_table(f, path, &t, &rows, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	int rc = ESC_OK, idx = H5Tget_member_index(t, column);
	hid_t m = idx < 0 ? -1 : H5Tget_member_type(t, (unsigned)idx);
	H5T_class_t cls = m < 0 ? H5T_NO_CLASS : H5Tget_class(m);
	*width = m < 0 ? 0 : H5Tget_size(m);
	if (cls == H5T_INTEGER)
		*kind = H5Tget_sign(m) == H5T_SGN_NONE ? ESC_H5_COL_UINT : ESC_H5_COL_INT;
	else if (cls == H5T_ENUM)
		*kind = ESC_H5_COL_ENUM;
	else if (cls == H5T_FLOAT)
		*kind = ESC_H5_COL_FLOAT;
	else if (cls == H5T_STRING && H5Tis_variable_str(m) <= 0)
		*kind = ESC_H5_COL_STRING;
	else
		rc = esc_error_set(err, ESC_ERR_INPUT, idx < 0 ?
		                   "'%s': %s: column '%s' not found" :
		                   "'%s': %s: column '%s' is of a kind escsim does "
		                   "not read", f->path, path, column);
	if (m >= 0)
		H5Tclose(m);
	H5Tclose(t);
	H5Dclose(d);
	return rc;
}

/* --------------------------------------------- provenance, replications
 *
 * What the batch and the merge read back from a result file with plain
 * HDF5 handles (h5_reader_impl.h): its root provenance, the replications
 * each runs table holds, /failures, and the runs rows. */

#define RANGE_BLOCK 8192

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
	esc_h5_names_list mods;
	if (H5Lexists(f, "scenario/modules", H5P_DEFAULT) <= 0)
		memset(&mods, 0, sizeof mods);
	else if (esc_h5_link_names(f, "scenario/modules", &mods) < 0) {
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
			out = esc_h5_join_lines(lines, n);
	}
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	free(sha);
	esc_h5_names_free(&mods);
	return out;
}

/* Open a result file to read it back.  A file whose writer was killed is
 * refused: its tables may hold rows past its last checkpoint, which only
 * --resume (esc_h5_recover) cuts back. */
int esc_h5_open_ro(const char *path, hid_t *f, esc_error *err)
{
	int not_hdf5, crashed;
	*f = esc_h5_open_file(path, &not_hdf5, &crashed, 0, err);
	if (not_hdf5)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim result "
		                     "file: it is not an HDF5 file", path);
	if (*f >= 0 && crashed) {
		H5Fclose(*f);
		*f = -1;
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' was left by a run that "
		                     "was killed: complete it first with that run's "
		                     "command and --resume", path);
	}
	return *f < 0 ? (err ? err->status : ESC_ERR_INPUT) : ESC_OK;
}

/* ------------------------------------------------------------- failures */

static hid_t failure_type(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(esc_failure_row));
	hid_t str = H5Tcopy(H5T_C_S1);
	int ok = t >= 0 && str >= 0 &&
	         H5Tset_size(str, sizeof ((esc_failure_row *)0)->message) >= 0 &&
	         H5Tset_strpad(str, H5T_STR_NULLTERM) >= 0 &&
	         H5Tinsert(t, "rep", offsetof(esc_failure_row, rep), H5T_NATIVE_INT64) >= 0 &&
	         H5Tinsert(t, "point", offsetof(esc_failure_row, point), H5T_NATIVE_INT32) >= 0 &&
	         H5Tinsert(t, "message", offsetof(esc_failure_row, message), str) >= 0;
	if (str >= 0)
		H5Tclose(str);
	if (!ok && t >= 0) {
		H5Tclose(t);
		t = -1;
	}
	return t;
}

/* Every row of F's /failures (none if it has no such table). */
int esc_h5_failures_of(hid_t f, const char *path, esc_failure_row **rows,
                       size_t *n, esc_error *err)
{
	*rows = NULL;
	*n = 0;
	if (H5Lexists(f, "failures", H5P_DEFAULT) <= 0)
		return ESC_OK;
	hid_t d = H5Dopen2(f, "failures", H5P_DEFAULT);
	hid_t s = d >= 0 ? H5Dget_space(d) : -1;
	hid_t t = failure_type();
	hssize_t np = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
	int rc = d >= 0 && t >= 0 && np >= 0 ? ESC_OK : -1;
	if (rc == ESC_OK)
		rc = esc_h5_schema_check(d, esc_h5_schema_named("failures", 0), 0, path,
		                         "/failures", err);
	else
		rc = esc_h5_fail_file(err, path, "read /failures");
	if (rc == ESC_OK && np > 0) {
		*rows = calloc((size_t)np, sizeof **rows);
		if (!*rows)
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else if (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, *rows) < 0)
			rc = esc_h5_fail_file(err, path, "read /failures");
		else
			*n = (size_t)np;
	}
	for (size_t i = 0; i < *n; i++)
		(*rows)[i].message[sizeof (*rows)[i].message - 1] = '\0';
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	if (d >= 0)
		H5Dclose(d);
	if (rc) {
		free(*rows);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}

int esc_h5_failures_read(const char *path, esc_failure_row **rows, size_t *n,
                         esc_error *err)
{
	hid_t f;
	*rows = NULL;
	*n = 0;
	if (esc_h5_open_ro(path, &f, err))
		return err->status;
	int rc = esc_h5_failures_of(f, path, rows, n, err);
	H5Fclose(f);
	return rc;
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

int esc_h5_info_from(hid_t f, const char *path, esc_h5_info *info, esc_error *err)
{
	memset(info, 0, sizeof *info);
	int8_t complete = 0;
	info->scenario_name = esc_h5_attr_read_text(f, "scenario_name");
	info->scenario_sha256 = esc_h5_attr_read_text(f, "scenario_sha256");
	info->command_line = esc_h5_attr_read_text(f, "command_line");
	info->options = esc_h5_attr_read_text(f, "options");
	if (!info->scenario_sha256 ||
	    esc_h5_attr_read_scalar(f, "seed", H5T_NATIVE_UINT64, &info->seed) < 0 ||
	    esc_h5_attr_read_scalar(f, "reps", H5T_NATIVE_INT64, &info->reps) < 0 ||
	    esc_h5_attr_read_scalar(f, "complete", H5T_NATIVE_INT8, &complete) < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim results "
		                     "file (no scenario_sha256, seed, reps or complete "
		                     "attribute)", path);
	if (esc_h5_attr_read_scalar(f, "rep_offset", H5T_NATIVE_INT64, &info->rep_offset) < 0)
		info->rep_offset = 0;
	info->complete = complete != 0;
	info->sources_digest = file_sources_digest(f);
	if (!info->sources_digest)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': cannot read /scenario "
		                     "(the sources and their sha256)", path);
	esc_h5_names_list arms;
	if (esc_h5_link_names(f, "arms", &arms) < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': cannot list /arms", path);
	info->groups = arms.v;
	info->n_groups = arms.n;
	return ESC_OK;
}

int esc_h5_info_read(const char *path, esc_h5_info *info, esc_error *err)
{
	hid_t f;
	memset(info, 0, sizeof *info);
	if (esc_h5_open_ro(path, &f, err))
		return err->status;
	int rc = esc_h5_info_from(f, path, info, err);
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
int esc_h5_ranges_of(hid_t d, const char *path, const char *group,
                     esc_h5_range **out, size_t *n, esc_error *err)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	hid_t m = H5Tcreate(H5T_COMPOUND, sizeof(int64_t));
	hid_t fs = H5Dget_space(d);
	int64_t *buf = malloc(RANGE_BLOCK * sizeof *buf);
	hssize_t total = fs >= 0 ? H5Sget_simple_extent_npoints(fs) : -1;
	int rc = ESC_OK;
	if (m < 0 || fs < 0 || total < 0 || !buf ||
	    H5Tinsert(m, "rep", 0, H5T_NATIVE_INT64) < 0) {
		rc = esc_h5_fail_file(err, path, "read the rep column of a runs table");
		goto out;
	}
	int64_t prev = INT64_MIN;
	for (hsize_t start = 0; start < (hsize_t)total; start += RANGE_BLOCK) {
		hsize_t count = (hsize_t)total - start < RANGE_BLOCK ? (hsize_t)total - start : RANGE_BLOCK;
		hid_t ms = H5Screate_simple(1, &count, NULL);
		int bad = ms < 0 ||
		          H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
		          H5Dread(d, m, ms, fs, H5P_DEFAULT, buf) < 0;
		if (ms >= 0)
			H5Sclose(ms);
		if (bad) {
			char what[200];
			snprintf(what, sizeof what, "read /arms/%s/runs", group);
			rc = esc_h5_fail_file(err, path, what);
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

hid_t esc_h5_open_arm_table(hid_t f, const char *group, const char *table)
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
	if (esc_h5_open_ro(path, &f, err))
		return err->status;
	hid_t d = esc_h5_open_arm_table(f, group, "runs");
	int rc;
	if (d < 0)
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table /arms/%s/runs",
		                   path, group);
	else
		rc = esc_h5_ranges_of(d, path, group, out, n, err);
	if (d >= 0)
		H5Dclose(d);
	H5Fclose(f);
	return rc;
}


/* ----------------------------------------------------------- runs reader
 *
 * Driven by the writer's column table (h5_schema.c, SCHEMA_RUNS): every
 * column of esc_run_row the file has is read at its offset; a column the
 * file lacks (an older file) is 0, or NaN for a column of hours (a time
 * or a mean time, "NaN if none").  The per-party columns are left out (fatalities_by stays 0). */

struct esc_h5_runs_reader {
	hid_t f, d, mem, fs;
	hsize_t total, next;
	char *path;
};

static hid_t native(esc_h5_kind k)
{
	switch (k) {
	case ESC_H5_I8: return H5T_NATIVE_INT8;
	case ESC_H5_I32: return H5T_NATIVE_INT32;
	case ESC_H5_I64: return H5T_NATIVE_INT64;
	case ESC_H5_U64: return H5T_NATIVE_UINT64;
	case ESC_H5_F64: return H5T_NATIVE_DOUBLE;
	default: return -1;     /* no runs column is stored otherwise */
	}
}

/* The memory type of esc_run_row for the columns file type FT has. */
static hid_t runs_mem_type(hid_t ft)
{
	const esc_h5_table_desc *d = esc_h5_schemas[SCHEMA_RUNS].desc;
	hid_t m = H5Tcreate(H5T_COMPOUND, sizeof(esc_run_row));
	for (size_t i = 0; m >= 0 && i < d->n_fields; i++) {
		const esc_h5_field *c = &d->fields[i];
		/* Only members the file has: HDF5 matches by name and leaves the
		 * others as they are (set by esc_h5_runs_read). */
		if (H5Tget_member_index(ft, c->name) >= 0 &&
		    H5Tinsert(m, c->name, c->offset, native(c->kind)) < 0) {
			H5Tclose(m);
			m = -1;
		}
	}
	return m;
}

esc_h5_runs_reader *esc_h5_runs_open(const char *path, const char *group,
                                     esc_error *err)
{
	esc_h5_enter();
	esc_h5_runs_reader *r = calloc(1, sizeof *r);
	if (!r) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	r->f = r->d = r->mem = r->fs = -1;
	if (!(r->path = esc_h5_dup(path))) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	if (esc_h5_open_ro(path, &r->f, err))
		goto fail;
	r->d = esc_h5_open_arm_table(r->f, group, "runs");
	if (r->d < 0) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s' has no table /arms/%s/runs", path, group);
		goto fail;
	}
	hid_t ft = H5Dget_type(r->d);
	r->mem = ft >= 0 ? runs_mem_type(ft) : -1;
	if (ft >= 0)
		H5Tclose(ft);
	r->fs = H5Dget_space(r->d);
	hssize_t np = r->fs >= 0 ? H5Sget_simple_extent_npoints(r->fs) : -1;
	if (r->mem < 0 || np < 0) {
		esc_h5_fail_file(err, path, "read a runs table");
		goto fail;
	}
	r->total = (hsize_t)np;
	return r;
fail:
	esc_h5_runs_close(r);
	return NULL;
}

/* 1 for a column of hours: a time or a mean time, NaN if none. */
static int ends_h(const char *name)
{
	size_t n = strlen(name);
	return n > 2 && strcmp(name + n - 2, "_h") == 0;
}

/* A row as it reads when the file has none of its columns. */
static void runs_default(esc_run_row *row)
{
	const esc_h5_table_desc *d = esc_h5_schemas[SCHEMA_RUNS].desc;
	memset(row, 0, sizeof *row);
	for (size_t i = 0; i < d->n_fields; i++)
		if (d->fields[i].kind == ESC_H5_F64 && ends_h(d->fields[i].name))
			*(double *)((char *)row + d->fields[i].offset) = NAN;
}

long esc_h5_runs_read(esc_h5_runs_reader *r, esc_run_row *rows, size_t max,
                      esc_error *err)
{
	esc_h5_enter();
	if (r->next >= r->total || max == 0)
		return 0;
	hsize_t count = r->total - r->next < max ? r->total - r->next : max;
	hid_t ms = H5Screate_simple(1, &count, NULL);
	runs_default(&rows[0]);
	for (hsize_t i = 1; i < count; i++)
		rows[i] = rows[0];
	int bad = ms < 0 ||
	          H5Sselect_hyperslab(r->fs, H5S_SELECT_SET, &r->next, NULL, &count, NULL) < 0 ||
	          H5Dread(r->d, r->mem, ms, r->fs, H5P_DEFAULT, rows) < 0;
	if (ms >= 0)
		H5Sclose(ms);
	if (bad) {
		esc_h5_fail_file(err, r->path, "read a runs table");
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
