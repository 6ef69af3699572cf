/* h5_vfd.c: the file driver escsim's readers open result files with
 * (h5_file.h, esc_h5_read_driver): HDF5's POSIX driver (sec2) again, with
 * one check added.
 *
 * HDF5 keeps the text of variable-length attributes (command_line, the
 * resolved JSON, units) in global heap collections, the one structure of
 * the file format without a checksum, and HDF5 1.10 trusts the sizes in
 * them: a damaged object size makes it copy past the collection and past
 * the buffer it allocated (heap overflows, SEGV in H5HG_read), and a zero
 * one loops forever.  Every read that returns a whole collection ("GCOL",
 * version 1, its size in its header) passes through here first: the
 * objects must tile it exactly, as HDF5 will walk them, and a text object
 * may not end in a NUL byte (escsim's strings have none; a size grown by a
 * damaged bit within its 8-byte padding shows as trailing zeros).  A
 * collection that fails is a read error, which HDF5 reports as such, with
 * our reason innermost on its error stack.  HDF5 reads a collection's first
 * 4096 bytes, then the rest separately: on the first read, a collection
 * said to be longer is read whole here and checked.
 *
 * The rest is sec2's behaviour: pread at any address below the end of the
 * allocated space (zeros past the end of the file), the same locking
 * (flock; "unable to lock file", which esc_h5_reason recognises), and two
 * files are the same when their inode is.  Read-only: the readers never
 * write (updates copy the file and open the copy with sec2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5_util.h"
#include "h5_file.h"

typedef struct guard_file {
	H5FD_t pub;                 /* first: HDF5's part */
	int fd;
	haddr_t eoa, eof;
	dev_t dev;
	ino_t ino;
} guard_file;

static hid_t driver_id = -1;

/* Push a message on HDF5's error stack (innermost: esc_h5_reason shows
 * it). */
static herr_t fail(hid_t minor, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static herr_t fail(hid_t minor, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	H5Epush2(H5E_DEFAULT, __FILE__, "escsim read driver", __LINE__, H5E_ERR_CLS,
	         H5E_VFL, minor, "%s", msg);
	return -1;
}

/* ------------------------------------------------------ global heaps */

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The size a global heap collection's header in B (SIZE bytes) gives, or
 * 0 if B does not start with one ("GCOL", version 1, reserved zeros;
 * offsets and lengths of 8 bytes, as in escsim's files and by default). */
static uint64_t collection_size(const unsigned char *b, size_t size)
{
	if (size < 16 || memcmp(b, "GCOL", 4) != 0 || b[4] != 1 || b[5] || b[6] || b[7])
		return 0;
	uint64_t coll = le(b + 8, 8);
	return coll ? coll : 1;
}

/* 0 if the collection in B (COLL bytes) is sound; -1 with the reason in
 * WHY: its objects must tile it as HDF5 will walk them. */
static int check_collection(const unsigned char *b, uint64_t coll, const char **why)
{
	enum { HDR = 16, OBJHDR = 16 };
	if (coll < HDR) {
		*why = "its size is smaller than its header";
		return -1;
	}
	uint64_t p = HDR;
	while (p < coll) {
		if (p + OBJHDR > coll)
			break;          /* too small for an object: free space */
		unsigned idx = (unsigned)le(b + p, 2);
		uint64_t osize = le(b + p + 8, 8);
		uint64_t need;
		if (idx > 0) {
			if (osize > coll)
				goto overrun;
			need = OBJHDR + ((osize + 7) & ~(uint64_t)7);
			if (need <= coll - p && osize > 0 && b[p + OBJHDR + osize - 1] == 0) {
				*why = "an object's text ends in a NUL byte (its size was "
				       "changed)";
				return -1;
			}
		} else {
			need = osize;   /* the free space, header included */
			if (need < OBJHDR) {
				*why = "its free space is smaller than an object header";
				return -1;
			}
		}
		if (need > coll - p)
			goto overrun;
		p += need;
	}
	return 0;
overrun:
	*why = "an object runs past the collection's end";
	return -1;
}

/* ------------------------------------------------------------- driver */

static H5FD_t *g_open(const char *name, unsigned flags, hid_t fapl,
                      haddr_t maxaddr)
{
	(void)fapl;
	(void)maxaddr;
	if (flags & (H5F_ACC_RDWR | H5F_ACC_TRUNC | H5F_ACC_CREAT)) {
		fail(H5E_CANTOPENFILE, "the escsim read driver only reads");
		return NULL;
	}
	int fd = open(name, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		fail(H5E_CANTOPENFILE, "unable to open file: name = '%s', errno = %d, "
		     "error message = '%s'", name, e, strerror(e));
		return NULL;
	}
	guard_file *f = calloc(1, sizeof *f);
	if (!f) {
		close(fd);
		fail(H5E_CANTOPENFILE, "out of memory");
		return NULL;
	}
	f->fd = fd;
	f->eof = (haddr_t)st.st_size;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return &f->pub;
}

static herr_t g_close(H5FD_t *file)
{
	guard_file *f = (guard_file *)file;
	int rc = close(f->fd);
	free(f);
	return rc < 0 ? fail(H5E_CLOSEERROR, "unable to close file") : 0;
}

static int g_cmp(const H5FD_t *a, const H5FD_t *b)
{
	const guard_file *x = (const guard_file *)a, *y = (const guard_file *)b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static herr_t g_query(const H5FD_t *file, unsigned long *flags)
{
	(void)file;
	/* No metadata accumulator: every read of a heap comes through read. */
	*flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_DATA_SIEVE |
	         H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE |
	         H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
	return 0;
}

static haddr_t g_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
	(void)type;
	return ((const guard_file *)file)->eoa;
}

static herr_t g_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
	(void)type;
	((guard_file *)file)->eoa = addr;
	return 0;
}

static haddr_t g_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
	(void)type;
	return ((const guard_file *)file)->eof;
}

static herr_t g_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
	(void)fapl;
	*handle = &((guard_file *)file)->fd;
	return 0;
}

/* pread SIZE bytes at ADDR into BUF, zeros past the end of the file. */
static int read_at(int fd, haddr_t addr, size_t size, unsigned char *buf)
{
	off_t at = (off_t)addr;
	while (size > 0) {
		ssize_t n = pread(fd, buf, size, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			memset(buf, 0, size);
			break;
		}
		buf += n;
		at += n;
		size -= (size_t)n;
	}
	return 0;
}

/* A collection whose header is at the start of BUF (SIZE bytes read at
 * ADDR), read whole if it is longer, and checked.  HDF5 reads global heaps
 * as raw data, so they are known by their header (a chunk of rows starts
 * with its deflate header, 0x78). */
static herr_t check_heap(guard_file *f, haddr_t addr, const unsigned char *buf,
                         size_t size)
{
	uint64_t coll = collection_size(buf, size);
	if (coll == 0)
		return 0;
	const char *why = NULL;
	unsigned char *whole = NULL;
	int rc;
	if (coll <= size) {
		rc = check_collection(buf, coll, &why);
	} else if (coll > f->eoa - addr || coll > ((uint64_t)64 << 20)) {
		why = "its size runs past the end of the file";
		rc = -1;
	} else if (!(whole = malloc((size_t)coll)) ||
	           read_at(f->fd, addr, (size_t)coll, whole) < 0) {
		free(whole);
		return fail(H5E_READERROR, "file read failed: errno = %d, error "
		            "message = '%s'", errno, strerror(errno));
	} else {
		rc = check_collection(whole, coll, &why);
	}
	free(whole);
	if (rc == 0)
		return 0;
	return fail(H5E_READERROR, "global heap collection at address %llu is "
	            "damaged: %s", (unsigned long long)addr, why);
}

static herr_t g_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                     size_t size, void *buf)
{
	guard_file *f = (guard_file *)file;
	(void)type;
	(void)dxpl;
	if (addr == HADDR_UNDEF || addr > f->eoa || size > f->eoa - addr)
		return fail(H5E_OVERFLOW, "addr overflow, addr = %llu, size = %zu, "
		            "eoa = %llu", (unsigned long long)addr, size,
		            (unsigned long long)f->eoa);
	if (read_at(f->fd, addr, size, buf) < 0)
		return fail(H5E_READERROR, "file read failed: errno = %d, error "
		            "message = '%s'", errno, strerror(errno));
	return check_heap(f, addr, buf, size);
}

static herr_t g_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                      size_t size, const void *buf)
{
	(void)file;
	(void)type;
	(void)dxpl;
	(void)addr;
	(void)size;
	(void)buf;
	return fail(H5E_WRITEERROR, "the escsim read driver only reads");
}

static herr_t g_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
	(void)file;
	(void)dxpl;
	(void)closing;
	return 0;
}

static herr_t g_lock(H5FD_t *file, hbool_t rw)
{
	guard_file *f = (guard_file *)file;
	if (flock(f->fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 || errno == ENOSYS)
		return 0;
	return fail(H5E_CANTLOCKFILE, "unable to lock file, errno = %d, error "
	            "message = '%s'", errno, strerror(errno));
}

static herr_t g_unlock(H5FD_t *file)
{
	guard_file *f = (guard_file *)file;
	if (flock(f->fd, LOCK_UN) == 0 || errno == ENOSYS)
		return 0;
	return fail(H5E_CANTUNLOCKFILE, "unable to unlock file");
}

static const H5FD_class_t guard_class = {
	.name = "escsim-read",
	.maxaddr = (haddr_t)INT64_MAX,
	.fc_degree = H5F_CLOSE_WEAK,
	.open = g_open,
	.close = g_close,
	.cmp = g_cmp,
	.query = g_query,
	.get_eoa = g_get_eoa,
	.set_eoa = g_set_eoa,
	.get_eof = g_get_eof,
	.get_handle = g_get_handle,
	.read = g_read,
	.write = g_write,
	.truncate = g_truncate,
	.lock = g_lock,
	.unlock = g_unlock,
	.fl_map = H5FD_FLMAP_DICHOTOMY,
};

hid_t esc_h5_read_driver(void)
{
	/* Registered once per process; HDF5 keeps it until the library
	 * closes (never: H5dont_atexit). */
	if (driver_id < 0)
		driver_id = H5FDregister(&guard_class);
	return driver_id;
}
