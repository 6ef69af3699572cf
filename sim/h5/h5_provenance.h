/* h5_provenance.h: the provenance a result file carries (h5_provenance.c);
 * private to sim/h5, called by the writer.  WHERE names the file in
 * messages ("results file 'PATH.partial'").
 */
#ifndef ESCSIM_H5_PROVENANCE_H
#define ESCSIM_H5_PROVENANCE_H

#include <hdf5.h>

#include "escsim/error.h"
#include "escsim/h5_writer.h"

/* The root attributes (SHA: the scenario's sha256, in hex) and /scenario
 * of a new FILE. */
int esc_h5_write_provenance(hid_t file, const char *where,
                            const esc_h5_provenance *p, const char *sha,
                            esc_error *err);

/* /sweep of FILE: the design's attributes, /sweep/points (int64 point,
 * then one double per key) and, when S has a block per point,
 * /sweep/design. */
int esc_h5_write_sweep(hid_t file, const char *where,
                       const esc_h5_sweep_desc *s, esc_error *err);

#endif
