/* outfile.h: an output file of the analysis commands (export, the HTML
 * report), written to a temporary name beside the final one
 * (NAME.partial-XXXXXX) and renamed over it only when whole, so a reader
 * never sees half a file and a failure leaves nothing behind; or standard
 * output.  Optionally gzip-compressed (zlib). */
#ifndef ESCSIM_ANALYSIS_OUTFILE_H
#define ESCSIM_ANALYSIS_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <zlib.h>

#include "escsim/error.h"

typedef struct esc_out {
	FILE *fp;
	gzFile gz;
	char *tmp, *final;
	int failed;                /* a write failed: close will say so */
} esc_out;

/* Before anything is read: OUT (named by option OPT, "-o") must not be
 * INPUT itself, nor an existing non-regular file (a folder, /dev/null).
 * ESC_ERR_INPUT with a message naming OPT, else ESC_OK. */
int esc_out_check(const char *out, const char *input, const char *opt,
                  esc_error *err);

/* FINAL NULL: standard output.  ESC_ERR_RUNTIME if it cannot be created. */
int esc_out_open(esc_out *s, const char *final, int gzip, esc_error *err);
void esc_out_write(esc_out *s, const char *buf, size_t len);
/* Close; with COMMIT rename the temporary file to the final name (an error
 * if any write failed), else remove it.  Returns the status. */
int esc_out_close(esc_out *s, int commit, esc_error *err);

#endif
