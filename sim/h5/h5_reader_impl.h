/* h5_reader_impl.h: the reader's plain-handle functions that the merge
 * shares (h5_reader.c); private to sim/h5.  The merge opens its inputs
 * once and reads their provenance, replications and /failures through
 * these, as esc_h5_info_read and its kin do for the batch.
 */
#ifndef ESCSIM_H5_READER_IMPL_H
#define ESCSIM_H5_READER_IMPL_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/error.h"
#include "escsim/h5_reader.h"

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
