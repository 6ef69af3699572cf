/* h5_file.h: what the parts of sim/h5 that handle files share (private to
 * sim/h5; the rest of escsim sees escsim/h5_writer.h and escsim/h5_reader.h).
 *
 * One home each for: names beside a file, the property lists of the files escsim writes
 * (their format and crash safety), and opening a result file for reading
 * (refusing what is not a regular file, and reading a file whose writer was
 * killed).
 */
#ifndef ESCSIM_H5_FILE_H
#define ESCSIM_H5_FILE_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/error.h"

/* The property lists of every file escsim writes (results, merges):
 * the 1.10 file format throughout (checksums on every piece of metadata:
 * superblock, object headers, chunk indexes), and no reuse of freed file
 * space (see h5_writer.c, "Crash safety").  The writer's access list also
 * keeps metadata in memory between checkpoints.  -1 on failure. */
hid_t esc_h5_create_plist(void);
hid_t esc_h5_access_plist(int writer);

/* The driver readers open files with (h5_vfd.c): HDF5's POSIX driver,
 * checking each global heap collection before HDF5 trusts its sizes. */
hid_t esc_h5_read_driver(void);

/* Open PATH for reading.  ESC_ERR_INPUT with a message starting "cannot
 * open 'PATH'" for a missing or unreadable file, anything but a regular
 * file (a FIFO would block, a device never end), a file HDF5 cannot open,
 * or a lock held by another program.  *NOT_HDF5 is set (and nothing
 * opened, no message) when the file is readable but not HDF5.  A file left
 * open by a writer that was killed (its superblock still says so) is
 * opened read-only all the same, with *CRASHED set.  CACHE: bytes of
 * chunk cache per dataset (0: HDF5's default). */
hid_t esc_h5_open_file(const char *path, int *not_hdf5, int *crashed,
                       size_t cache, esc_error *err);

/* Read-write with the writer's access properties (CACHE as above), for
 * --resume: the same checks, and a killed writer's flag is cleared. */
hid_t esc_h5_open_file_rw(const char *path, size_t cache, esc_error *err);

#endif
