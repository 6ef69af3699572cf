/* h5_attr.h: attributes and text in a result file (h5_attr.c); private to
 * sim/h5.
 */
#ifndef ESCSIM_H5_ATTR_H
#define ESCSIM_H5_ATTR_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/h5_reader.h"

/* Each returns 0 or -1 (with the
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
/* A text attribute (variable or fixed length) as a malloc'd string; NULL
 * if absent or unreadable. */
char *esc_h5_attr_read_text(hid_t obj, const char *name);
/* Scalar fixed-length (strlen + 1) UTF-8 string dataset.  Not vlen as for
 * attributes: h5py gives bytes for both kinds of string dataset, but
 * PyTables (and so HDFStore walks) turns a vlen one into an UnImplemented
 * node with a warning per dataset. */
int esc_h5_text_dataset(hid_t loc, const char *name, const char *text,
                        hid_t *out);

/* A scalar attribute NAME of OBJ read as MEM (a native type) into OUT; -1
 * if it is missing or unreadable. */
int esc_h5_attr_read_scalar(hid_t obj, const char *name, hid_t mem, void *out);

/* One code of a label spec "-1=none,0=no,1=yes". */
typedef struct esc_h5_label {
	long code;
	const char *name;     /* into the spec string */
	size_t len;
} esc_h5_label;

/* SPEC -> codes and names, in a malloc'd array (*OUT, *N; *OUT NULL on
 * failure).  Static descriptors are program text and the writer checks the
 * names it builds specs from, so a malformed spec is a programming error;
 * it still fails cleanly (-1).  Codes are int32; an enum's (ENUM8) must
 * also fit its int8. */
int esc_h5_parse_labels(const char *spec, int enum8, esc_h5_label **out,
                        size_t *n);

/* The Table spec's attributes of table DSET (CLASS, VERSION, TITLE,
 * FIELD_<i>_NAME) and ours (FIELD_<i>_UNITS, _LABELS, _DESCRIPTION, and the
 * JSON `units` and `labels`); -1 on failure. */
int esc_h5_table_attrs(hid_t dset, const esc_h5_table_desc *d);

#endif
