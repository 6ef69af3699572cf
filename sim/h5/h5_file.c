/* h5_file.c: file handling shared by the writer, the reader and the merge
 * (h5_file.h), and the public checks on the files a command writes
 * (escsim/h5_writer.h: names beside a file, whether an output may be written).
 *
 * The format of written files.  Every file escsim writes uses the HDF5 1.10
 * file format (libver bounds 1.10..1.10): version 2 object headers,
 * superblock version 3 and extensible-array chunk indexes, all carrying
 * checksums, so damaged metadata is refused by the library instead of
 * misread; readers need HDF5 1.10 or later (h5py, pandas/PyTables, R's hdf5r
 * and rhdf5 as packaged today, MATLAB R2021b).  Freed space is never reused
 * (no free-space manager, no aggregators): a chunk a checkpoint refers to is
 * never overwritten by a later one (h5_writer.c, "Crash safety").
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "escsim/h5_writer.h"
#include "h5_util.h"
#include "h5_file.h"
#include "h5_table.h"

#ifndef NAME_MAX
#define NAME_MAX 255
#endif


/* ------------------------------------------------------------------ names */

char *esc_h5_sibling(const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dir = (size_t)(base - path), lb = strlen(base), ls = strlen(suffix);
	if (lb + ls <= NAME_MAX)
		return esc_h5_cat(path, suffix);
	/* Too long for one name: the start of the base name (cut at a UTF-8
	 * character boundary), "~", 16 hex digits of the whole base name's
	 * SHA-256, and the suffix.  The same PATH always gives the same name,
	 * so a later --resume finds it. */
	char hex[65];
	if (esc_h5_sha256_hex(base, hex) < 0 || ls + 17 >= NAME_MAX)
		return NULL;
	size_t keep = NAME_MAX - ls - 17;
	while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
		keep--;
	char *s = malloc(dir + keep + 17 + ls + 1);
	if (s)
		sprintf(s, "%.*s%.*s~%.16s%s", (int)dir, path, (int)keep, base, hex,
		        suffix);
	return s;
}

int esc_h5_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
	if (ha && hb)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return !ha && !hb && strcmp(a, b) == 0;
}

static const char *kind_of_file(mode_t m)
{
	return S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a FIFO (named pipe)" :
	       S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int esc_h5_check_output(const char *path, esc_error *err)
{
	esc_h5_enter();
	struct stat st;
	if (stat(path, &st) != 0)
		return ESC_OK;               /* nothing there: ours to create */
	if (!S_ISREG(st.st_mode))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' exists and is %s, not "
		                     "a result file: give another output name", path,
		                     kind_of_file(st.st_mode));
	esc_error e = {0};
	esc_h5_file *f = esc_h5_open(path, &e);
	if (f) {
		esc_h5_file_close(f);
		return ESC_OK;
	}
	/* A file we cannot read (locked, unreadable, damaged) may be anyone's:
	 * it is left alone too. */
	return esc_error_set(err, ESC_ERR_INPUT, "'%s' exists and is not an escsim "
	                     "result file that escsim may replace (%s): remove it, "
	                     "or give another output name", path, e.msg);
}

int esc_h5_opens(const char *path)
{
	int not_hdf5, crashed;
	esc_error err = {0};
	hid_t f = esc_h5_open_file(path, &not_hdf5, &crashed, 0, &err);
	if (f < 0)
		return 0;
	H5Fclose(f);
	return 1;
}

int esc_h5_check_partial(const char *path, esc_error *err)
{
	esc_h5_enter();
	struct stat st;
	if (stat(path, &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0))
		return ESC_OK;               /* nothing, or a run killed at once */
	if (!S_ISREG(st.st_mode))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' exists and is %s, not "
		                     "a file escsim writes: give another output name",
		                     path, kind_of_file(st.st_mode));
	/* Ours if it starts as HDF5 does: a dead run's file, readable or
	 * not (the writer writes the superblock before anything else). */
	if (H5Fis_hdf5(path) > 0)
		return ESC_OK;
	return esc_error_set(err, ESC_ERR_INPUT, "'%s' exists and is not a file "
	                     "escsim wrote (not HDF5): escsim writes there while it "
	                     "runs, and does not write over it: remove it, or give "
	                     "another output name", path);
}

/* -------------------------------------------------------- property lists */

hid_t esc_h5_create_plist(void)
{
	hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
	if (fcpl >= 0 &&
	    H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 1) < 0) {
		H5Pclose(fcpl);
		return -1;
	}
	return fcpl;
}

/* The writer's metadata cache: entries stay in memory until a checkpoint
 * writes them all (no eviction could write one half-way between two); an
 * object's entries leave memory when it is closed (clean then: the writer
 * closes objects only after a checkpoint), so the cache does not grow with
 * the groups of a long sweep. */
static int writer_cache(hid_t fapl)
{
	H5AC_cache_config_t c;
	memset(&c, 0, sizeof c);
	c.version = H5AC__CURR_CACHE_CONFIG_VERSION;
	if (H5Pget_mdc_config(fapl, &c) < 0)
		return -1;
	c.evictions_enabled = 0;
	c.incr_mode = H5C_incr__off;
	c.flash_incr_mode = H5C_flash_incr__off;
	c.decr_mode = H5C_decr__off;
	return H5Pset_mdc_config(fapl, &c) < 0 || H5Pset_evict_on_close(fapl, 1) < 0
	       ? -1 : 0;
}

hid_t esc_h5_access_plist(int writer)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl < 0)
		return -1;
	if (H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0 ||
	    (writer && writer_cache(fapl) < 0)) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

/* ---------------------------------------------------------------- reading */

/* The OS's reason first: HDF5's message for a missing file is a paragraph
 * of flags, and opening a FIFO would block until someone writes to it. */
static int check_readable(const char *path, esc_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': %s", path,
		                     strerror(errno));
	if (!S_ISREG(st.st_mode))
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': it is %s, "
		                     "not a result file", path, kind_of_file(st.st_mode));
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': %s", path,
		                     strerror(errno));
	close(fd);
	return ESC_OK;
}

/* HDF5's "clear_status_flags", as its own h5clear tool sets it: opens a
 * file whose superblock says a writer still has it (a writer that was
 * killed: a live one holds the file lock, which is still checked). */
/* The readers' access properties: our driver (h5_vfd.c), and CACHE bytes
 * of chunk cache per dataset (0: HDF5's default). */
static hid_t read_fapl(size_t cache)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), drv = esc_h5_read_driver();
	if (fapl >= 0 && (drv < 0 || H5Pset_driver(fapl, drv, NULL) < 0 ||
	                  (cache && H5Pset_cache(fapl, 0, 101, cache, 1.0) < 0))) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

/* A file whose writer was killed, or gave up after a failed write: its
 * superblock still says a writer has it, and it may end before the space
 * HDF5 had allocated (a chunk that could not be written).  HDF5's own
 * "clear_status_flags" and "skip_eof_check", as its h5clear tool sets
 * them, open it all the same (a live writer still holds the file lock,
 * which is checked); whatever lies past the end reads as zeros, which no
 * checksum accepts. */
static int crash_props(hid_t fapl)
{
	hbool_t yes = 1;
	return H5Pset(fapl, "clear_status_flags", &yes) < 0 ||
	       H5Pset(fapl, "skip_eof_check", &yes) < 0 ? -1 : 0;
}

/* The readers' access properties, and the first, the second or both of
 * HDF5's "clear_status_flags" and "skip_eof_check" (WHICH: 1, 2, 3). */
static hid_t crash_fapl(size_t cache, int which)
{
	hid_t fapl = read_fapl(cache);
	hbool_t yes = 1;
	if (fapl >= 0 &&
	    (((which & 1) && H5Pset(fapl, "clear_status_flags", &yes) < 0) ||
	     ((which & 2) && H5Pset(fapl, "skip_eof_check", &yes) < 0))) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

/* Open PATH read-only with crash_fapl(WHICH); *REASON on failure. */
static hid_t open_with(const char *path, size_t cache, int which, char *reason,
                       size_t size)
{
	hid_t fapl = crash_fapl(cache, which);
	hid_t f = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDONLY, fapl);
	if (f < 0)
		esc_h5_reason(reason, size);
	if (fapl >= 0)
		H5Pclose(fapl);
	return f;
}

hid_t esc_h5_open_file(const char *path, int *not_hdf5, int *crashed,
                       size_t cache, esc_error *err)
{
	esc_h5_enter();
	*not_hdf5 = *crashed = 0;
	if (check_readable(path, err))
		return -1;
	htri_t is = H5Fis_hdf5(path);
	if (is == 0) {
		*not_hdf5 = 1;
		return -1;
	}
	char reason[512] = "", r2[512] = "";
	hid_t f = open_with(path, cache, 0, reason, sizeof reason);
	int locked = f < 0 && strstr(reason, "open in another program");
	/* A writer that did not close the file: its superblock still says it
	 * has it (killed); after a failed write it may also end short of the
	 * space allocated.  Cut short alone, it was closed and then damaged:
	 * that is not opened. */
	if (f < 0 && !locked && strstr(reason, "already open for write"))
		f = open_with(path, cache, 3, r2, sizeof r2);
	else if (f < 0 && !locked && strstr(reason, "truncated file")) {
		hid_t t = open_with(path, cache, 2, r2, sizeof r2);
		if (t >= 0)
			H5Fclose(t);    /* closed, then cut short: damaged */
		else if (strstr(r2, "already open for write"))
			f = open_with(path, cache, 3, r2, sizeof r2);
	}
	if (f >= 0 && reason[0])
		*crashed = 1;
	if (f < 0)
		esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s': %s%s", path, reason,
		              locked ? "" : " (damaged, or still being written?)");
	/* A checkpoint record: its writer did not close it (a write failed). */
	if (f >= 0 && H5Lexists(f, "checkpoint", H5P_DEFAULT) > 0)
		*crashed = 1;
	return f;
}

hid_t esc_h5_open_file_rw(const char *path, size_t cache, esc_error *err)
{
	esc_h5_enter();
	if (check_readable(path, err))
		return -1;
	hid_t fapl = esc_h5_access_plist(1);
	if (fapl < 0 || crash_props(fapl) < 0 ||
	    (cache && H5Pset_cache(fapl, 0, 101, cache, 1.0) < 0)) {
		if (fapl >= 0)
			H5Pclose(fapl);
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot open '%s': cannot set up "
		              "its access properties", path);
		return -1;
	}
	hid_t f = H5Fopen(path, H5F_ACC_RDWR, fapl);
	if (f < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		esc_error_set(err, ESC_ERR_INPUT, "cannot open '%s' to write to it: %s",
		              path, reason);
	}
	H5Pclose(fapl);
	/* Space allocated past the end (a chunk a full disk refused) is past
	 * the end again: new data goes after both. */
	if (f >= 0 && H5Fincrement_filesize(f, 0) < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		H5Fclose(f);
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot open '%s' to write to it: "
		              "%s", path, reason);
		return -1;
	}
	return f;
}
