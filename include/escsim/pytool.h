/* pytool.h: running the Python tools of analysis/ (plots.py,
 * trace_plot.py) from the escsim binary, under Debian's /usr/bin/python3
 * (or $ESCSIM_PYTHON) with matplotlib's Agg backend.
 *
 * A tool is found in $ESCSIM_ANALYSIS, then beside the binary's source
 * tree (build/escsim -> analysis/, build/asan/escsim -> ../../analysis/),
 * then in the installed DATADIR/analysis. */
#ifndef ESCSIM_PYTOOL_H
#define ESCSIM_PYTOOL_H

#include <stddef.h>
#include "escsim/error.h"

/* The path of analysis/NAME in OUT; 0, or -1 if it is nowhere. */
int esc_pytool_find(const char *argv0, const char *name, char *out, size_t size);

/* Run analysis/NAME with ARGS (NULL-terminated), its output on stderr.
 * WHAT starts the messages ("--plots").  ESC_ERR_RUNTIME if the tool is
 * missing, cannot start, or exits non-zero (its own message is above). */
int esc_pytool_run(const char *argv0, const char *name,
                   const char *const *args, const char *what, esc_error *err);

#endif
