/* h5_verify.c: checking a result file before it is trusted
 * (escsim/h5_reader.h): every chunk of a table against its checksum (or
 * read whole when it has none), the sources against their sha256, every
 * attribute read back.  What --resume and merge do before they trust a
 * file, and inspect --verify.
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

static int attr_exists(const esc_h5_file *f, const char *obj,
                              const char *name)
{
	return H5Aexists_by_name(f->file, obj, name, H5P_DEFAULT) > 0;
}

int esc_h5_table_verify(const esc_h5_file *f, const char *path,
                        esc_error *err)
{
	hid_t ftype;
	hsize_t rows;
	hid_t d = esc_h5_file_table(f, path, &ftype, &rows, err);
	if (d < 0)
		return err ? err->status : ESC_ERR_INPUT;
	/* With checksums, every chunk's stored bytes are checked against
	 * them; without (schema 1.0, 1.1), every row is read and inflated. */
	int checked = 0, crc = esc_h5_table_check(d, f->path, path, &checked, err);
	if (checked) {
		H5Tclose(ftype);
		H5Dclose(d);
		return crc;
	}
	hid_t mtype = H5Tget_native_type(ftype, H5T_DIR_DEFAULT);
	size_t size = mtype >= 0 ? H5Tget_size(mtype) : 0;
	hsize_t block = size ? (1u << 20) / size + 1 : 0;
	unsigned char *buf = size ? malloc(block * size) : NULL;
	hid_t fspace = H5Dget_space(d);
	int rc = (mtype >= 0 && buf && fspace >= 0) ? ESC_OK : -1;
	if (rc)
		rc = esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot read it back", path);
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
			rc = esc_h5_file_fail(f, err, ESC_ERR_INPUT, what, path);
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


/* Every table under GROUP (a path), checked; names of unknown objects
 * that are not tables are left alone. */
static int verify_group(const esc_h5_file *f, const char *group, esc_error *err)
{
	char **names;
	size_t n;
	if (!esc_h5_exists(f, group))
		return ESC_OK;
	int rc = esc_h5_list(f, group, &names, &n, err);
	for (size_t i = 0; rc == ESC_OK && i < n; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", group, names[i]);
		H5O_info_t oi;
		if (H5Oget_info_by_name(f->file, path, &oi, H5P_DEFAULT) < 0)
			rc = esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot read it (the file is "
			             "damaged)", path);
		else if (oi.type == H5O_TYPE_DATASET)
			rc = esc_h5_table_verify(f, path, err);
	}
	if (rc == ESC_OK || n)
		esc_h5_free_names(names, n);
	return rc;
}

/* The text of /scenario/source or a module PATH against its sha256
 * attribute: the one check a text dataset (stored as it is, with no
 * checksum) has. */
static int verify_text(const esc_h5_file *f, const char *path, esc_error *err)
{
	char *text = NULL, *want = NULL, sha[65];
	int rc = esc_h5_read_text(f, path, &text, err);
	if (rc == ESC_OK && attr_exists(f, path, "sha256")) {
		rc = esc_h5_get_attr_text(f, path, "sha256", &want, err);
		if (rc == ESC_OK && (esc_h5_sha256_hex(text, sha) < 0 || strcmp(sha, want)))
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: its text does not "
			                   "match its sha256 attribute: the file is damaged",
			                   f->path, path);
	}
	free(text);
	free(want);
	return rc;
}

/* Every attribute of every object read, for the checksums of the
 * metadata they live in (and the heap their text lives in). */
struct attrs_ctx {
	const esc_h5_file *f;
	esc_error *err;
	int rc;
	char obj[1024];
};

static herr_t attr_read_cb(hid_t loc, const char *name, const H5A_info_t *info,
                           void *data)
{
	struct attrs_ctx *c = data;
	(void)loc;
	(void)info;
	char *v = NULL;
	c->rc = esc_h5_get_attr_text(c->f, c->obj, name, &v, c->err);
	free(v);
	return c->rc ? -1 : 0;
}

static herr_t object_cb(hid_t o, const char *name, const H5O_info_t *info,
                        void *data)
{
	struct attrs_ctx *c = data;
	(void)info;
	snprintf(c->obj, sizeof c->obj, "/%s", strcmp(name, ".") ? name : "");
	hsize_t idx = 0;
	if (H5Aiterate_by_name(o, name, H5_INDEX_NAME, H5_ITER_INC, &idx,
	                       attr_read_cb, c, H5P_DEFAULT) < 0 && c->rc == ESC_OK)
		c->rc = esc_h5_file_fail(c->f, c->err, ESC_ERR_INPUT, "cannot read its "
		                "attributes (the file is damaged)", c->obj);
	return c->rc ? -1 : 0;
}

int esc_h5_verify_attributes(const esc_h5_file *f, esc_error *err)
{
	esc_h5_enter();
	struct attrs_ctx c = { f, err, ESC_OK, "/" };
	if (H5Ovisit(f->file, H5_INDEX_NAME, H5_ITER_INC, object_cb, &c) < 0 &&
	    c.rc == ESC_OK)
		c.rc = esc_h5_file_fail(f, err, ESC_ERR_INPUT, "cannot walk its objects (the "
		               "file is damaged)", "/");
	return c.rc;
}

int esc_h5_verify_sources(const esc_h5_file *f, esc_error *err)
{
	int rc = verify_text(f, "/scenario/source", err);
	char **mods = NULL;
	size_t nm = 0;
	if (rc == ESC_OK && esc_h5_exists(f, "/scenario/modules"))
		rc = esc_h5_list(f, "/scenario/modules", &mods, &nm, err);
	for (size_t i = 0; rc == ESC_OK && i < nm; i++) {
		char p[600];
		snprintf(p, sizeof p, "/scenario/modules/%s", mods[i]);
		rc = verify_text(f, p, err);
	}
	esc_h5_free_names(mods, nm);
	return rc;
}

int esc_h5_verify(const char *path, esc_error *err)
{
	esc_h5_file *f = esc_h5_open(path, err);
	if (!f)
		return err ? err->status : ESC_ERR_INPUT;
	int rc = esc_h5_verify_sources(f, err);
	if (rc == ESC_OK)
		rc = esc_h5_verify_attributes(f, err);
	for (size_t i = 0; rc == ESC_OK && i < f->n_arms; i++) {
		char g[300];
		snprintf(g, sizeof g, "/arms/%s", f->arms[i]);
		rc = verify_group(f, g, err);
	}
	if (rc == ESC_OK && esc_h5_exists(f, "/failures"))
		rc = esc_h5_table_verify(f, "/failures", err);
	if (rc == ESC_OK)
		rc = verify_group(f, "/sweep", err);
	if (rc == ESC_OK)
		rc = verify_group(f, "/summary", err);
	esc_h5_file_close(f);
	return rc;
}

