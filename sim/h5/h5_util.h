/* h5_util.h: the small helpers of sim/h5, one home each (h5_util.c);
 * private to sim/h5.
 */
#ifndef ESCSIM_H5_UTIL_H
#define ESCSIM_H5_UTIL_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/error.h"

/* Call first in every public sim/h5 function: HDF5 then never installs
 * its atexit handler (HDF5 1.10 crashes in it once an H5Fclose has failed,
 * as on a full disk: HDFFV-11052, fixed in 1.14.1; our files are closed
 * explicitly), and prints no error stack of its own on this thread (it is
 * per thread in Debian's thread-safe build; our messages carry the
 * innermost reason). */
void esc_h5_enter(void);

/* malloc'd copies; NULL when out of memory. */
char *esc_h5_dup(const char *s);
char *esc_h5_cat(const char *a, const char *b);

/* The folder of PATH ("." for a bare name), malloc'd. */
char *esc_h5_dir_of(const char *path);

/* fsync PATH (a folder when DIRECTORY); a folder that cannot be synced
 * (EINVAL on some file systems) counts as synced.  errno is fsync's. */
int esc_h5_fsync_path(const char *path, int directory);

/* SHA-256 of a NUL-terminated text, in lowercase hex. */
int esc_h5_sha256_hex(const char *text, char hex[65]);

/* The time now as the root attribute `created` holds it: ISO 8601 UTC
 * ("2026-01-31T12:00:00Z"), or "unknown". */
void esc_h5_created(char out[32]);

/* The innermost message on the calling thread's HDF5 error stack, for the
 * tail of our own messages.  Returns 1 if the failure was a file lock held
 * by another program (the message then says so), else 0. */
int esc_h5_reason(char *buf, size_t size);

/* ESC_ERR_RUNTIME "WHERE: cannot WHAT: <reason>", with the innermost
 * reason on HDF5's error stack; returns the status. */
int esc_h5_fail_at(esc_error *err, const char *where, const char *what);
/* ESC_ERR_RUNTIME "results file 'FILE': cannot WHAT: <reason>", with the
 * innermost reason on HDF5's error stack; returns the status. */
int esc_h5_fail_file(esc_error *err, const char *file, const char *what);

/* The lines LINES[0], then the others sorted, each ended by a newline, as
 * one malloc'd text (the sources digest); sorts LINES[1..N).  NULL when out
 * of memory. */
char *esc_h5_join_lines(char **lines, size_t n);

/* Names gathered by an HDF5 iteration (links of a group, attributes). */
typedef struct esc_h5_names_list {
	char **v;
	size_t n, cap;
	int oom;          /* a copy failed: the list is short */
} esc_h5_names_list;

/* Append a copy of NAME; -1 (and oom set) when out of memory. */
int esc_h5_names_add(esc_h5_names_list *l, const char *name);
/* The links of group LOC/PATH in name order into *L (emptied first). */
int esc_h5_link_names(hid_t loc, const char *path, esc_h5_names_list *l);
void esc_h5_names_free(esc_h5_names_list *l);

#endif
