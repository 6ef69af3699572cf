/* h5_reader_impl.h: the inside of the reader (h5_reader.c), private to
 * sim/h5.  An open result file (esc_h5_file) as the reader's neighbours
 * see it: reading its attributes (h5_attr.c), checking it (h5_verify.c)
 * and updating a copy (h5_update.c).  And the plain-handle functions the
 * merge shares: it opens its inputs once and reads their provenance,
 * replications and /failures through these, as esc_h5_info_read and its
 * kin do for the batch.
 */
#ifndef ESCSIM_H5_READER_IMPL_H
#define ESCSIM_H5_READER_IMPL_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/error.h"
#include "escsim/h5_reader.h"

struct esc_h5_file {
	hid_t file;
	char *path;         /* the name the user gave */
	char *tmp;          /* update: the copy being written, else NULL */
	char **arms;
	size_t n_arms;
	int crashed;        /* its writer was killed (esc_h5_crashed) */
	int later;          /* a later schema 1.x: columns may be added */
};

/* "'PATH': OBJ: WHAT: REASON" with the innermost HDF5 reason; returns
 * STATUS. */
int esc_h5_file_fail(const esc_h5_file *f, esc_error *err, int status,
                     const char *what, const char *obj);

/* Open NAME (f->path or, to update it, its copy: RW) and check it is ours
 * (schema version, /arms, every table's columns); f->path is set. */
int esc_h5_file_open_checked(esc_h5_file *f, const char *name, int rw,
                             esc_error *err);
/* A handle for PATH, its file not open yet (-1); with TMP_SUFFIX, f->tmp
 * is the name beside PATH an update writes.  NULL when out of memory. */
esc_h5_file *esc_h5_file_new(const char *path, const char *tmp_suffix,
                             esc_error *err);
/* Free what F holds, not closing its file. */
void esc_h5_file_free(esc_h5_file *f);

/* The 1-D compound dataset at PATH, its file type in *TYPE (the caller
 * closes both) and its rows in *NROWS; -1 with ERR set if there is none. */
hid_t esc_h5_file_table(const esc_h5_file *f, const char *path, hid_t *type,
                        hsize_t *nrows, esc_error *err);

/* Open a result file to read it back.  A file whose writer was killed is
 * refused (ESC_ERR_INPUT): its tables may hold rows past its last
 * checkpoint, which only --resume (esc_h5_recover) cuts back. */
int esc_h5_open_ro(const char *path, hid_t *f, esc_error *err);

/* /arms/GROUP/TABLE of F, or -1. */
hid_t esc_h5_open_arm_table(hid_t f, const char *group, const char *table);

/* esc_h5_info_read, esc_h5_failures_read on an open file F (PATH for
 * messages). */
int esc_h5_info_from(hid_t f, const char *path, esc_h5_info *info,
                     esc_error *err);
int esc_h5_failures_of(hid_t f, const char *path, esc_failure_row **rows,
                       size_t *n, esc_error *err);

/* The replications of the open runs table D (/arms/GROUP/runs of PATH), as
 * esc_h5_rep_ranges gives them. */
int esc_h5_ranges_of(hid_t d, const char *path, const char *group,
                     esc_h5_range **out, size_t *n, esc_error *err);

#endif
