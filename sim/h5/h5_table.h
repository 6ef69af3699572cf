/* h5_table.h: appendable HDF5 tables described by a static field list
 * (private to sim/h5; everything else sees escsim/h5out.h).
 *
 * A table is a 1-D chunked, unlimited compound dataset laid out as the HDF5
 * Table spec asks (CLASS, VERSION, TITLE, FIELD_<i>_NAME), so h5py, PyTables,
 * pandas.read_hdf, rhdf5/hdf5r and MATLAB all read it as a table.  The rows
 * live in memory as a plain C struct; a descriptor maps each member to a
 * column, with its units and labels.  `runs` is one descriptor; `daily`,
 * `events` and `messages` become others.
 *
 * Not thread-safe: one writer thread owns every table of a file.
 */
#ifndef ESCSIM_H5_TABLE_H
#define ESCSIM_H5_TABLE_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/error.h"
#include "escsim/h5in.h"

/* esc_h5_kind, esc_h5_field and esc_h5_table_desc are public, in
 * escsim/h5in.h, so the analysis layer can describe its summary tables. */

typedef struct esc_h5_table {
	const esc_h5_table_desc *desc;
	hid_t dset;
	hid_t mem_type;       /* compound over the C struct, padding and all */
	hsize_t nrows;
} esc_h5_table;

/* Create table NAME under LOC (empty, chunked, shuffle + deflate 4) with all
 * its attributes.  LABELS, if not NULL, has one entry per field: a non-NULL
 * entry replaces that field's labels (codes whose names come from the
 * scenario, such as parties); it is only read during the call.  WHERE names
 * the file and group for error messages.  On failure *t is left closed. */
int esc_h5_table_create(esc_h5_table *t, hid_t loc, const char *name,
                        const esc_h5_table_desc *desc,
                        const char *const *labels, const char *where,
                        esc_error *err);

/* Append N rows (an array of the descriptor's row struct) in one extent
 * change and one write.  On failure the table keeps its previous rows. */
int esc_h5_table_append(esc_h5_table *t, const void *rows, size_t n,
                        const char *where, esc_error *err);

/* Close the dataset; returns negative if HDF5 reported a failure.  Safe on
 * a closed or zeroed table. */
int esc_h5_table_close(esc_h5_table *t);

/* Attribute helpers shared with the writer; each returns 0 or -1 (with the
 * HDF5 error stack describing why). */

/* Human-facing text: variable-length UTF-8, read as str by h5py. */
int esc_h5_attr_text(hid_t obj, const char *name, const char *value);
/* Fixed-length, NUL-terminated ASCII, exactly as H5LTset_attribute_string
 * writes it (the Table spec attributes use this form). */
int esc_h5_attr_fixed(hid_t obj, const char *name, const char *value);
/* A scalar of TYPE (a native type) stored as FILE_TYPE; replaces an
 * existing attribute of that name. */
int esc_h5_attr_scalar(hid_t obj, const char *name, hid_t file_type,
                       hid_t mem_type, const void *value);
/* Scalar fixed-length (strlen + 1) UTF-8 string dataset.  Not vlen as for
 * attributes: h5py gives bytes for both kinds of string dataset, but
 * PyTables (and so HDFStore walks) turns a vlen one into an UnImplemented
 * node with a warning per dataset. */
int esc_h5_text_dataset(hid_t loc, const char *name, const char *text,
                        hid_t *out);

/* The innermost message on the calling thread's HDF5 error stack, for the
 * tail of our own messages.  Returns 1 if the failure was a file lock held
 * by another program (the message then says so), else 0. */
int esc_h5_reason(char *buf, size_t size);

#endif
