/* h5_reader.c: result files read back (escsim/h5in.h), for inspect and
 * report, and the one kind of change made to a finished file: a group of
 * summary tables, written into a copy that then replaces the original.
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

#include "escsim/h5in.h"
#include "h5_table.h"

#define SCHEMA_MAJOR 1

struct esc_h5_file {
	hid_t file;
	char *path;         /* the name the user gave */
	char *tmp;          /* update: the copy being written, else NULL */
	char **arms;
	size_t n_arms;
};

/* Each dataset's chunk cache: one chunk of the simulator's tables (256 KiB
 * of rows) and some room, not HDF5's 1 MiB.  Columns are read in blocks
 * that visit each chunk once, so more would only hold decompressed chunks
 * the read has finished with (docs/performance.md, Memory); the summary
 * tables an update writes fill one chunk at a time. */
#define READER_CHUNK_CACHE (320u * 1024u)

static void quiet(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* "'PATH': WHAT: REASON" with the innermost HDF5 reason. */
static int h5_fail(const esc_h5_file *f, esc_error *err, int status,
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
	if (!(a[f->n_arms] = dup_str(name)))
		return -1;
	f->n_arms++;
	return 0;
}

static void free_file(esc_h5_file *f)
{
	if (!f)
		return;
	esc_h5_free_names(f->arms, f->n_arms);
	free(f->path);
	free(f->tmp);
	free(f);
}

/* Open NAME (PATH or its copy) and check it is ours; f->path is set. */
static int open_checked(esc_h5_file *f, const char *name, unsigned flags,
                        esc_error *err)
{
	/* The OS's reason first: HDF5's message for a missing file is a
	 * paragraph of flags. */
	int fd = open(name, O_RDONLY);
	if (fd < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': %s",
		                     f->path, strerror(errno));
	struct stat st;
	int isdir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
	close(fd);
	if (isdir)
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': it is a "
		                     "directory", f->path);
	htri_t is = H5Fis_hdf5(name);
	if (is == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' is not an escsim "
		                     "result file: it is not an HDF5 file", f->path);
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0 && H5Pset_cache(fapl, 0, 101, READER_CHUNK_CACHE, 1.0) < 0) {
		H5Pclose(fapl);
		fapl = -1;
	}
	f->file = H5Fopen(name, flags, fapl >= 0 ? fapl : H5P_DEFAULT);
	if (f->file < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);   /* before any other call */
		if (fapl >= 0)
			H5Pclose(fapl);
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': %s "
		                     "(damaged, or still being written?)", f->path,
		                     reason);
	}
	if (fapl >= 0)
		H5Pclose(fapl);
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
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': %s",
		                     f->path, err->msg);
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
	free(v);
	if (H5Literate_by_name(f->file, "/arms", H5_INDEX_NAME, H5_ITER_INC, NULL,
	                       arm_cb, f, H5P_DEFAULT) < 0)
		return h5_fail(f, err, ESC_ERR_INPUT, "cannot list the arms", "/arms");
	return ESC_OK;
}

esc_h5_file *esc_h5_open(const char *path, esc_error *err)
{
	quiet();
	esc_h5_file *f = calloc(1, sizeof *f);
	if (!f || !(f->path = dup_str(path ? path : ""))) {
		free(f);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	f->file = -1;
	if (open_checked(f, path, H5F_ACC_RDONLY, err)) {
		esc_h5_file_close(f);
		return NULL;
	}
	return f;
}

void esc_h5_file_close(esc_h5_file *f)
{
	if (!f)
		return;
	quiet();
	if (f->file >= 0)
		H5Fclose(f->file);
	free_file(f);
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
	quiet();
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

/* Names gathered by an HDF5 iteration (links of a group, attributes). */
struct names_ctx {
	char **v;
	size_t n;
	int oom;
};

static herr_t add_name(struct names_ctx *c, const char *name)
{
	char **v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v || !(v[c->n] = dup_str(name))) {
		if (v)
			c->v = v;
		c->oom = 1;
		return -1;
	}
	c->v = v;
	c->n++;
	return 0;
}

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info,
                      void *data)
{
	(void)g;
	(void)info;
	return add_name(data, name);
}

int esc_h5_list(const esc_h5_file *f, const char *path, char ***names,
                size_t *n, esc_error *err)
{
	quiet();
	*names = NULL;
	*n = 0;
	struct names_ctx c = { NULL, 0, 0 };
	if (!esc_h5_exists(f, path))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': no group %s",
		                     f->path, path);
	if (H5Literate_by_name(f->file, path, H5_INDEX_NAME, H5_ITER_INC, NULL,
	                       list_cb, &c, H5P_DEFAULT) < 0) {
		esc_h5_free_names(c.v, c.n);
		if (c.oom)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return h5_fail(f, err, ESC_ERR_INPUT, "cannot list it", path);
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

/* ------------------------------------------------------------- attributes */

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info,
                      void *data)
{
	(void)obj;
	(void)info;
	return add_name(data, name);
}

int esc_h5_attr_names(const esc_h5_file *f, const char *obj, char ***names,
                      size_t *n, esc_error *err)
{
	quiet();
	*names = NULL;
	*n = 0;
	struct names_ctx c = { NULL, 0, 0 };
	hsize_t idx = 0;
	if (H5Aiterate_by_name(f->file, obj, H5_INDEX_NAME, H5_ITER_INC, &idx,
	                       attr_cb, &c, H5P_DEFAULT) < 0) {
		esc_h5_free_names(c.v, c.n);
		if (c.oom)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return h5_fail(f, err, ESC_ERR_INPUT, "cannot list the attributes",
		               obj);
	}
	*names = c.v;
	*n = c.n;
	return ESC_OK;
}

/* A string of attribute or dataset OBJ (TYPE its file type, one element)
 * read with READ_FN; malloc'd in *out. */
static int read_string(hid_t obj, hid_t type, int is_attr, char **out)
{
	*out = NULL;
	if (H5Tis_variable_str(type) > 0) {
		hid_t mt = H5Tcopy(H5T_C_S1);
		char *p = NULL;
		int rc = -1;
		if (mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
		    H5Tset_cset(mt, H5Tget_cset(type)) >= 0 &&
		    (is_attr ? H5Aread(obj, mt, &p)
		             : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p)) >= 0) {
			*out = dup_str(p ? p : "");
			rc = *out ? 0 : -1;
		}
		if (p)
			H5free_memory(p);
		if (mt >= 0)
			H5Tclose(mt);
		return rc;
	}
	size_t size = H5Tget_size(type);
	char *buf = calloc(size + 1, 1);
	if (!buf)
		return -1;
	hid_t mt = H5Tcopy(type);
	int rc = (mt >= 0 && (is_attr ? H5Aread(obj, mt, buf)
	                              : H5Dread(obj, mt, H5S_ALL, H5S_ALL,
	                                        H5P_DEFAULT, buf)) >= 0) ? 0 : -1;
	if (mt >= 0)
		H5Tclose(mt);
	if (rc) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
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
	quiet();
	if (H5Aexists_by_name(f->file, obj, name, H5P_DEFAULT) <= 0) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s': %s has no attribute '%s'",
		              f->path, obj, name);
		return -1;
	}
	hid_t a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0)
		h5_fail(f, err, ESC_ERR_INPUT, "cannot open an attribute", obj);
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
	char buf[128];
	int rc = 0;
	if (npoints != 1) {
		snprintf(buf, sizeof buf, "(%lld values)", (long long)npoints);
		*out = dup_str(buf);
	} else if (cls == H5T_STRING) {
		rc = read_string(a, t, 1, out);
	} else if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE) {
		unsigned long long v = 0;
		rc = H5Aread(a, H5T_NATIVE_ULLONG, &v) < 0 ? -1 : 0;
		snprintf(buf, sizeof buf, "%llu", v);
		*out = rc ? NULL : dup_str(buf);
	} else if (cls == H5T_INTEGER) {
		long long v = 0;
		rc = H5Aread(a, H5T_NATIVE_LLONG, &v) < 0 ? -1 : 0;
		snprintf(buf, sizeof buf, "%lld", v);
		*out = rc ? NULL : dup_str(buf);
	} else if (cls == H5T_FLOAT) {
		double v = 0;
		rc = H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0 ? -1 : 0;
		fmt_double(buf, sizeof buf, v);
		*out = rc ? NULL : dup_str(buf);
	} else {
		snprintf(buf, sizeof buf, "(HDF5 type class %d)", (int)cls);
		*out = dup_str(buf);
	}
	if (rc < 0)   /* before any other call clears the error stack */
		h5_fail(f, err, ESC_ERR_INPUT, "cannot read an attribute", obj);
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	H5Aclose(a);
	if (rc < 0)
		return ESC_ERR_INPUT;
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
	quiet();
	*out = NULL;
	if (!esc_h5_exists(f, path))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': no dataset %s",
		                     f->path, path);
	hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
	hid_t t = d >= 0 ? H5Dget_type(d) : -1;
	int rc = (t >= 0 && H5Tget_class(t) == H5T_STRING) ?
		read_string(d, t, 0, out) : -1;
	if (rc)
		rc = h5_fail(f, err, ESC_ERR_INPUT, "cannot read it as text", path);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	return rc;
}

/* ----------------------------------------------------------------- tables */

/* Open the 1-D compound dataset at PATH with access properties DAPL; its
 * file type in *type. */
static hid_t open_table_with(const esc_h5_file *f, const char *path, hid_t dapl,
                             hid_t *type, hsize_t *nrows, esc_error *err)
{
	quiet();
	*type = -1;
	if (!esc_h5_exists(f, path)) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s': no table %s", f->path, path);
		return -1;
	}
	hid_t d = H5Dopen2(f->file, path, dapl);
	if (d < 0) {
		h5_fail(f, err, ESC_ERR_INPUT, "not a dataset", path);
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

static hid_t open_table(const esc_h5_file *f, const char *path, hid_t *type,
                        hsize_t *nrows, esc_error *err)
{
	return open_table_with(f, path, H5P_DEFAULT, type, nrows, err);
}

int esc_h5_table_rows(const esc_h5_file *f, const char *path, int64_t *nrows,
                      esc_error *err)
{
	hid_t t;
	hsize_t n = 0;
	hid_t d = open_table(f, path, &t, &n, err);
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
	hid_t d = open_table(f, path, &t, &rows, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	int m = H5Tget_nmembers(t);
	char **v = calloc(m > 0 ? (size_t)m : 1, sizeof *v);
	int rc = v ? ESC_OK : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (int i = 0; rc == ESC_OK && i < m; i++) {
		char *name = H5Tget_member_name(t, (unsigned)i);
		v[i] = name ? dup_str(name) : NULL;
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
	hid_t d = open_table(f, path, &t, &rows, NULL);
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

/* Read rows [start, start+n) of COLUMN into OUT as AS (width: the bytes of
 * one string for AS_STR). */
static int read_column(const esc_h5_file *f, const char *path,
                       const char *column, int64_t start, size_t n,
                       void *out, int as, size_t width, esc_error *err)
{
	int as_f64 = as == AS_F64;
	hid_t ftype;
	hsize_t rows;
	/* No chunk cache: one read visits each chunk once, and the dataset is
	 * closed after it, so a cached chunk is never read again; without the
	 * cache a column of 100,000 replications peaks 0.8 MB lower
	 * (docs/performance.md, Memory). */
	hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (dapl >= 0 && H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0) {
		H5Pclose(dapl);
		dapl = -1;
	}
	hid_t d = dapl < 0 ? -1 : open_table_with(f, path, dapl, &ftype, &rows, err);
	if (dapl < 0)
		esc_error_set(err, ESC_ERR_RUNTIME, "'%s': %s: cannot make dataset access properties",
		              f->path, path);
	else
		H5Pclose(dapl);
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
	H5T_class_t cls = H5Tget_class(member);
	int is_enum = cls == H5T_ENUM && as != AS_STR;
	if (as == AS_STR) {
		if (cls != H5T_STRING || H5Tis_variable_str(member) > 0 || width < 2) {
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is not "
			                   "a fixed-size string", f->path, path, column);
			goto out;
		}
		/* HDF5 pads or cuts to the memory type's size, NUL-terminated. */
		strtype = H5Tcopy(H5T_C_S1);
		if (strtype < 0 || H5Tset_size(strtype, width) < 0 ||
		    H5Tset_strpad(strtype, H5T_STR_NULLTERM) < 0) {
			rc = h5_fail(f, err, ESC_ERR_RUNTIME, "cannot make a string type", path);
			goto out;
		}
	} else if (!is_enum && cls != H5T_INTEGER && cls != H5T_FLOAT) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is not "
		                   "numeric", f->path, path, column);
		goto out;
	}
	if (!as_f64 && as != AS_STR && cls == H5T_FLOAT) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' holds "
		                   "floating-point values, not integers", f->path,
		                   path, column);
		goto out;
	}
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
			rc = h5_fail(f, err, ESC_ERR_INPUT, "cannot read an enum column",
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
		rc = h5_fail(f, err, ESC_ERR_INPUT, what, path);
		goto out;
	}
	for (size_t i = 0; is_enum && i < n; i++) {
		int64_t v = 0;
		const unsigned char *p = raw + i * esize;
		switch (esize) {
		case 1: { int8_t a; uint8_t b; memcpy(&a, p, 1); memcpy(&b, p, 1); v = esigned ? a : b; break; }
		case 2: { int16_t a; uint16_t b; memcpy(&a, p, 2); memcpy(&b, p, 2); v = esigned ? a : b; break; }
		case 4: { int32_t a; uint32_t b; memcpy(&a, p, 4); memcpy(&b, p, 4); v = esigned ? a : (int64_t)b; break; }
		default: memcpy(&v, p, 8); break;
		}
		if (as_f64)
			((double *)out)[i] = (double)v;
		else if (as == AS_U64)
			((uint64_t *)out)[i] = (uint64_t)v;
		else
			((int64_t *)out)[i] = v;
	}
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
	hid_t d = open_table(f, path, &t, &rows, err);
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

int esc_h5_table_verify(const esc_h5_file *f, const char *path,
                        esc_error *err)
{
	hid_t ftype;
	hsize_t rows;
	hid_t d = open_table(f, path, &ftype, &rows, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	hid_t mtype = H5Tget_native_type(ftype, H5T_DIR_DEFAULT);
	size_t size = mtype >= 0 ? H5Tget_size(mtype) : 0;
	hsize_t block = size ? (1u << 20) / size + 1 : 0;
	unsigned char *buf = size ? malloc(block * size) : NULL;
	hid_t fspace = H5Dget_space(d);
	int rc = (mtype >= 0 && buf && fspace >= 0) ? ESC_OK : -1;
	if (rc)
		rc = h5_fail(f, err, ESC_ERR_INPUT, "cannot read it back", path);
	for (hsize_t start = 0; rc == ESC_OK && start < rows; start += block) {
		hsize_t cnt = rows - start < block ? rows - start : block;
		hid_t mspace = H5Screate_simple(1, &cnt, NULL);
		/* The reason is taken at once: the next call clears the stack. */
		if (mspace < 0 ||
		    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &cnt,
		                        NULL) < 0 ||
		    H5Dread(d, mtype, mspace, fspace, H5P_DEFAULT, buf) < 0) {
			char what[128];
			snprintf(what, sizeof what, "cannot read rows %llu..%llu back",
			         (unsigned long long)start,
			         (unsigned long long)(start + cnt - 1));
			rc = h5_fail(f, err, ESC_ERR_INPUT, what, path);
		}
		if (mspace >= 0)
			H5Sclose(mspace);
	}
	free(buf);
	if (fspace >= 0)
		H5Sclose(fspace);
	if (mtype >= 0)
		H5Tclose(mtype);
	H5Tclose(ftype);
	H5Dclose(d);
	return rc;
}

/* --------------------------------------------------------------- updating */

static int copy_file(int in, int out)
{
	char buf[1 << 16];
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t w = 0; w < r; ) {
			ssize_t k = write(out, buf + w, (size_t)(r - w));
			if (k < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			w += k;
		}
	}
}

esc_h5_file *esc_h5_update_begin(const char *path, esc_error *err)
{
	quiet();
	esc_h5_file *f = calloc(1, sizeof *f);
	if (!f || !(f->path = dup_str(path ? path : "")) ||
	    !(f->tmp = malloc(strlen(f->path) + sizeof ".update-XXXXXX"))) {
		free_file(f);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	f->file = -1;
	/* Check the original first: a foreign file is not copied. */
	if (open_checked(f, path, H5F_ACC_RDONLY, err)) {
		esc_h5_file_close(f);
		return NULL;
	}
	H5Fclose(f->file);
	f->file = -1;
	esc_h5_free_names(f->arms, f->n_arms);
	f->arms = NULL;
	f->n_arms = 0;

	sprintf(f->tmp, "%s.update-XXXXXX", f->path);
	int in = open(path, O_RDONLY), out = -1;
	struct stat st;
	const char *step = "read it";
	if (in >= 0 && fstat(in, &st) == 0) {
		step = "create a copy beside it";
		out = mkstemp(f->tmp);
	}
	if (out >= 0) {
		step = "copy it";
		if (fchmod(out, st.st_mode & 0777) == 0 && copy_file(in, out) == 0)
			step = NULL;
	}
	int saved = errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !step) {
		step = "copy it";
		saved = errno;
	}
	if (step) {
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot update '%s': cannot %s: "
		              "%s", f->path, step, strerror(saved));
		if (out >= 0)
			unlink(f->tmp);
		free_file(f);
		return NULL;
	}
	if (open_checked(f, f->tmp, H5F_ACC_RDWR, err)) {
		unlink(f->tmp);
		esc_h5_file_close(f);
		return NULL;
	}
	return f;
}

void esc_h5_update_abort(esc_h5_file *f)
{
	if (!f)
		return;
	quiet();
	if (f->file >= 0)
		H5Fclose(f->file);
	f->file = -1;
	if (f->tmp)
		unlink(f->tmp);
	free_file(f);
}

static int fsync_path(const char *path, int directory)
{
	int fd = open(path, O_RDONLY | (directory ? O_DIRECTORY : 0));
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	if (rc < 0 && directory && errno == EINVAL)
		rc = 0;
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int esc_h5_update_commit(esc_h5_file *f, esc_error *err)
{
	quiet();
	if (!f || !f->tmp) {
		esc_h5_file_close(f);
		return esc_error_set(err, ESC_ERR_RUNTIME, "not an update handle "
		                     "(internal error)");
	}
	herr_t closed = H5Fclose(f->file);
	f->file = -1;
	int rc = ESC_OK;
	if (closed < 0)
		rc = h5_fail(f, err, ESC_ERR_RUNTIME, "cannot close the updated copy",
		             f->tmp);
	else if (fsync_path(f->tmp, 0) < 0 || rename(f->tmp, f->path) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "cannot update '%s': %s "
		                   "(the original is unchanged)", f->path,
		                   strerror(errno));
	if (rc) {
		unlink(f->tmp);
		free_file(f);
		return rc;
	}
	char *dir = dup_str(f->path);
	if (dir) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		fsync_path(dir, 1);   /* the rename stands either way */
	}
	free(dir);
	free_file(f);
	return ESC_OK;
}

static int writable(const esc_h5_file *f, esc_error *err)
{
	quiet();
	if (f->tmp)
		return ESC_OK;
	return esc_error_set(err, ESC_ERR_RUNTIME, "'%s' is open for reading only "
	                     "(internal error)", f->path);
}

int esc_h5_group_replace(esc_h5_file *f, const char *path, esc_error *err)
{
	if (writable(f, err))
		return err->status;
	if (esc_h5_exists(f, path) && H5Ldelete(f->file, path, H5P_DEFAULT) < 0)
		return h5_fail(f, err, ESC_ERR_RUNTIME, "cannot delete it", path);
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	if (lcpl >= 0)
		H5Pset_create_intermediate_group(lcpl, 1);
	hid_t g = H5Gcreate2(f->file, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
	if (lcpl >= 0)
		H5Pclose(lcpl);
	if (g < 0)
		return h5_fail(f, err, ESC_ERR_RUNTIME, "cannot create it", path);
	H5Gclose(g);
	return ESC_OK;
}

struct esc_h5_table_out {
	esc_h5_file *f;
	esc_h5_table t;
	char where[1100];
	char path[1024];
};

esc_h5_table_out *esc_h5_table_begin(esc_h5_file *f, const char *path,
                                     const esc_h5_table_desc *desc,
                                     const char *const *labels,
                                     esc_error *err)
{
	if (writable(f, err))
		return NULL;
	char parent[1024];
	snprintf(parent, sizeof parent, "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash || !slash[1]) {
		esc_error_set(err, ESC_ERR_RUNTIME, "bad table path '%s' "
		              "(internal error)", path);
		return NULL;
	}
	const char *leaf = path + (slash - parent) + 1;
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	esc_h5_table_out *o = calloc(1, sizeof *o);
	if (!o) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	o->f = f;
	o->t.dset = -1;
	snprintf(o->path, sizeof o->path, "%s", path);
	snprintf(o->where, sizeof o->where, "results file '%s'", f->path);
	hid_t g = H5Oopen(f->file, parent, H5P_DEFAULT);
	if (g < 0) {
		h5_fail(f, err, ESC_ERR_RUNTIME, "cannot open it", parent);
		free(o);
		return NULL;
	}
	int rc = esc_h5_table_create(&o->t, g, leaf, desc, labels, o->where, err);
	H5Oclose(g);
	if (rc != ESC_OK) {
		esc_h5_table_close(&o->t);
		free(o);
		return NULL;
	}
	return o;
}

int esc_h5_table_add(esc_h5_table_out *o, const void *rows, size_t n,
                     esc_error *err)
{
	return esc_h5_table_append(&o->t, rows, n, o->where, err);
}

int esc_h5_table_end(esc_h5_table_out *o, esc_error *err)
{
	int rc = ESC_OK;
	if (esc_h5_table_close(&o->t) < 0)
		rc = h5_fail(o->f, err, ESC_ERR_RUNTIME, "cannot close it", o->path);
	free(o);
	return rc;
}

int esc_h5_write_table(esc_h5_file *f, const char *path,
                       const esc_h5_table_desc *desc,
                       const char *const *labels, const void *rows, size_t n,
                       esc_error *err)
{
	esc_h5_table_out *o = esc_h5_table_begin(f, path, desc, labels, err);
	if (!o)
		return err->status;
	int rc = esc_h5_table_add(o, rows, n, err);
	esc_error ignore = {0};
	int rc2 = esc_h5_table_end(o, rc == ESC_OK ? err : &ignore);
	return rc != ESC_OK ? rc : rc2;
}

int esc_h5_set_attr_text(esc_h5_file *f, const char *obj, const char *name,
                         const char *value, esc_error *err)
{
	if (writable(f, err))
		return err->status;
	hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
	int rc = o < 0 ? -1 : esc_h5_attr_text(o, name, value);
	if (rc < 0)
		rc = h5_fail(f, err, ESC_ERR_RUNTIME, "cannot write an attribute",
		             obj);
	if (o >= 0)
		H5Oclose(o);
	return rc;
}

int esc_h5_set_attr_double(esc_h5_file *f, const char *obj, const char *name,
                           double value, esc_error *err)
{
	if (writable(f, err))
		return err->status;
	hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
	int rc = o < 0 ? -1 : esc_h5_attr_scalar(o, name, H5T_IEEE_F64LE,
	                                         H5T_NATIVE_DOUBLE, &value);
	if (rc < 0)
		rc = h5_fail(f, err, ESC_ERR_RUNTIME, "cannot write an attribute",
		             obj);
	if (o >= 0)
		H5Oclose(o);
	return rc;
}
