/* html.h: escsim report --html: the report of a result file as one
 * self-contained page.
 *
 * The page holds the provenance (root attributes), the arms and their
 * overrides, every table under /summary (so tables a later version stores,
 * such as /summary/sensitivity or /summary/decomposition, appear without a
 * change here; the sweep's and the sensitivity tables get their own
 * sections), /sweep/points, the scenario's source, and the plots of
 * analysis/plots.py inlined as SVG.  Styles are inline; nothing is loaded
 * from the network or from another file.  Long tables are cut at
 * ESC_HTML_MAX_ROWS rows (escsim export writes them whole).
 */
#ifndef ESCSIM_HTML_H
#define ESCSIM_HTML_H

#include "escsim/error.h"

#define ESC_HTML_MAX_ROWS 200

typedef struct esc_html_opts {
	const char *path;           /* the result file */
	const char *out;            /* the page */
	const char *baseline;       /* NULL: plots.py's default */
	const char *argv0;          /* to find analysis/plots.py */
	int plots;                  /* draw and inline the plots */
} esc_html_opts;

/* ESC_ERR_INPUT: not a result file, an output that is the input or not a
 * regular file; ESC_ERR_RUNTIME: the page cannot be written, or the plots
 * failed (the page is then written without them). */
int esc_html_report(const esc_html_opts *o, esc_error *err);

#endif
