/* h5_update.c: the one kind of change made to a finished result file
 * (escsim/h5_reader.h, "updating"): a group of summary tables and their
 * attributes, written into a copy of the file that then replaces the
 * original (copy, open, write, close, fsync, rename, fsync the folder), so
 * a reader, or a crash at any moment, sees the old file or the new one,
 * whole.
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
#include "h5_attr.h"
#include "h5_file.h"
#include "h5_reader_impl.h"
#include "h5_schema.h"
#include "h5_table.h"
#include "h5_util.h"


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
	esc_h5_enter();
	esc_h5_file *f = esc_h5_file_new(path, ".update-XXXXXX", err);
	if (!f)
		return NULL;
	/* Check the original first: a foreign file is not copied. */
	if (esc_h5_file_open_checked(f, path, 0, err)) {
		esc_h5_file_close(f);
		return NULL;
	}
	if (f->crashed) {
		esc_error_set(err, ESC_ERR_INPUT, "'%s' was left by a run that was "
		              "killed: complete it first with that run's command and "
		              "--resume (or read it without writing to it)", f->path);
		esc_h5_file_close(f);
		return NULL;
	}
	H5Fclose(f->file);
	f->file = -1;
	esc_h5_free_names(f->arms, f->n_arms);
	f->arms = NULL;
	f->n_arms = 0;

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
		esc_h5_file_free(f);
		return NULL;
	}
	if (esc_h5_file_open_checked(f, f->tmp, 1, err)) {
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
	esc_h5_enter();
	if (f->file >= 0)
		H5Fclose(f->file);
	f->file = -1;
	if (f->tmp)
		unlink(f->tmp);
	esc_h5_file_free(f);
}

int esc_h5_update_commit(esc_h5_file *f, esc_error *err)
{
	esc_h5_enter();
	if (!f || !f->tmp) {
		esc_h5_file_close(f);
		return esc_error_set(err, ESC_ERR_RUNTIME, "not an update handle "
		                     "(internal error)");
	}
	herr_t closed = H5Fclose(f->file);
	f->file = -1;
	int rc = ESC_OK;
	if (closed < 0)
		rc = esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot close the updated copy",
		             f->tmp);
	else if (esc_h5_fsync_path(f->tmp, 0) < 0 || rename(f->tmp, f->path) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "cannot update '%s': %s "
		                   "(the original is unchanged)", f->path,
		                   strerror(errno));
	if (rc) {
		unlink(f->tmp);
		esc_h5_file_free(f);
		return rc;
	}
	char *dir = esc_h5_dir_of(f->path);
	if (dir)
		esc_h5_fsync_path(dir, 1);   /* the rename stands either way */
	free(dir);
	esc_h5_file_free(f);
	return ESC_OK;
}

static int writable(const esc_h5_file *f, esc_error *err)
{
	esc_h5_enter();
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
		return esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot delete it", path);
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	if (lcpl >= 0)
		H5Pset_create_intermediate_group(lcpl, 1);
	hid_t g = H5Gcreate2(f->file, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
	if (lcpl >= 0)
		H5Pclose(lcpl);
	if (g < 0)
		return esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot create it", path);
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
		esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot open it", parent);
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
		rc = esc_h5_file_fail(o->f, err, ESC_ERR_RUNTIME, "cannot close it", o->path);
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
		rc = esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot write an attribute",
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
		rc = esc_h5_file_fail(f, err, ESC_ERR_RUNTIME, "cannot write an attribute",
		             obj);
	if (o >= 0)
		H5Oclose(o);
	return rc;
}

