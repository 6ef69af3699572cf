/* python_tool.h: running the Python tools of analysis/ (plots.py for the
 * report, fit_plots.py for escsim fit) under Debian's /usr/bin/python3.
 *
 * A tool is found in $ESCSIM_ANALYSIS, then beside the binary's source tree
 * (build/escsim -> analysis/, build/asan/escsim -> ../../analysis/), then in
 * the installed DATADIR/analysis.  It runs with MPLBACKEND=Agg and its
 * standard output joined to our standard error, where our messages go.
 * $ESCSIM_PYTHON replaces /usr/bin/python3.
 */
#ifndef ESCSIM_ANALYSIS_PYTHON_TOOL_H
#define ESCSIM_ANALYSIS_PYTHON_TOOL_H

#include "escsim/error.h"

/* Run analysis/NAME with the arguments args[] (NULL-terminated).  what
 * names the option for messages ("--plots").  ESC_ERR_RUNTIME when the
 * tool is missing, cannot start or fails (its message is on stderr); needs
 * names the Debian packages it needs, for that message. */
int esc_python_tool(const char *name, const char *argv0, const char *what,
                    const char *needs, const char *const *args, esc_error *err);

#endif
