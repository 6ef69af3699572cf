/* h5_table.h: appendable HDF5 tables described by a static field list
 * (private to sim/h5; everything else sees escsim/h5_writer.h).
 *
 * A table is a 1-D chunked, unlimited compound dataset laid out as the HDF5
 * Table spec asks (CLASS, VERSION, TITLE, FIELD_<i>_NAME), so h5py, PyTables,
 * pandas.read_hdf, rhdf5/hdf5r and MATLAB all read it as a table.  The rows
 * live in memory as a plain C struct; a descriptor maps each member to a
 * column, with its units and labels.  `runs` is one descriptor; `daily`,
 * `events` and `messages` become others.  The merge (h5_merge.c) writes its
 * tables with the same code: made like its first input's
 * (esc_h5_table_create_like), that input's leading chunks copied as stored
 * (esc_h5_table_copy_chunks), every other row appended.
 *
 * Not thread-safe: the tables of a file (and their pool) are used by one
 * thread at a time.
 */
#ifndef ESCSIM_H5_TABLE_H
#define ESCSIM_H5_TABLE_H

#include <stddef.h>
#include <hdf5.h>

#include "escsim/error.h"
#include "escsim/h5_reader.h"

/* esc_h5_kind, esc_h5_field and esc_h5_table_desc are public, in
 * escsim/h5_reader.h, so the analysis layer can describe its summary tables. */

/* Compresses full chunks of every table of a file in a few threads (see
 * h5_zpool.c); the owner of the file makes one and gives it to its tables. */
typedef struct esc_h5_zpool esc_h5_zpool;

/* 256 KiB of uncompressed rows per chunk: inside the 64 KiB-1 MiB range all
 * readers handle well, and under their default 1 MiB chunk cache. */
#define CHUNK_BYTES (256u * 1024u)
/* Level 1: on shuffled event rows it stores 8% more bytes than level 4 and
 * deflates 1.5 times as fast (docs/performance.md, Output). */
#define DEFLATE_LEVEL 1
/* Room for a deflated chunk and its checksum (zlib.h's compressBound). */
#define OUT_BYTES (compressBound(CHUNK_BYTES) + 4)

/* One column as stored: where it is in the row struct and in the file row. */
typedef struct esc_h5_col {
	size_t mem_off;
	unsigned mem_size;    /* bytes in the row struct: 1, 4, 8, 32 or 256 */
	unsigned file_off;
	unsigned width;       /* bytes in the file row; < mem_size: narrowed */
	int is_signed;
	const char *name;
} esc_h5_col;

typedef struct esc_h5_table {
	const esc_h5_table_desc *desc;
	void *own_desc;       /* esc_h5_table_create_like's desc, freed at close */
	hid_t dset;
	esc_h5_zpool *pool;   /* set by the owner after create; NULL: chunks
	                         are compressed and written in the caller */
	esc_h5_col *cols;
	size_t row_bytes;     /* a row in the file (packed) */
	size_t chunk_rows;
	unsigned char *buf;   /* the chunk being filled, already shuffled */
	size_t buf_rows;      /* rows in buf */
	int buf_written;      /* buf (partly filled) is in the file as it is */
	hsize_t nrows;        /* rows appended: the chunks before buf, then buf */
	hsize_t saved;        /* rows at the file's last checkpoint */
	hsize_t put_first;    /* first row of the last chunk handed on (they
	                         go in order: asserted) */
} esc_h5_table;

/* Create table NAME under LOC (empty, chunked, shuffle + deflate +
 * Fletcher-32) with all
 * its attributes.  LABELS, if not NULL, has one entry per field: a non-NULL
 * entry replaces that field's labels (codes whose names come from the
 * scenario, such as parties); it is only read during the call.  An int32
 * column with labels is stored in the narrowest signed integer that holds
 * every code (int8 for a few parties or zones); a value outside that is an
 * error at append.  WHERE names the file and group for error messages.  On
 * failure *t is left closed. */
int esc_h5_table_create(esc_h5_table *t, hid_t loc, const char *name,
                        const esc_h5_table_desc *desc,
                        const char *const *labels, const char *where,
                        esc_error *err);

/* Open table NAME under LOC, made by esc_h5_table_create with the same
 * DESC and LABELS, to append to it: its rows so far are kept, and the last
 * partly filled chunk is read back (checksum checked) and filled on.  A
 * table stored otherwise (another type, chunk size or filters: another
 * escsim version) is refused with ESC_ERR_RUNTIME naming it. */
int esc_h5_table_open(esc_h5_table *t, hid_t loc, const char *name,
                      const esc_h5_table_desc *desc,
                      const char *const *labels, const char *where,
                      esc_error *err);

/* ESC_ERR_INPUT naming the table if DSET says it has more rows than its
 * stored chunks can hold (a damaged extent, which would make a reader
 * read, or a check walk, billions of empty rows). */
int esc_h5_table_extent(hid_t dset, const char *file, const char *path,
                        esc_error *err);

/* Check every chunk of table DSET (at PATH in FILE, for messages) against
 * its Fletcher-32 checksum, reading the stored bytes only (nothing is
 * inflated).  A chunk that is missing or whose checksum does not match is
 * ESC_ERR_INPUT naming the rows.  *CHECKED is 0 (and nothing is read) for
 * a table without the checksum filter (files of schema 1.0 and 1.1): read
 * its rows to check it. */
int esc_h5_table_check(hid_t dset, const char *file, const char *path,
                       int *checked, esc_error *err);

/* Create table NAME under LOC as esc_h5_table_create would from the
 * description SRC gives back, SRC being a table that esc_h5_table_create
 * made (in another file, maybe by another escsim version): each column's
 * kind from its type (an integer by its size and sign, a narrowed code
 * column as int32), title, units, labels and descriptions from its
 * attributes.  The table owns that description (t->desc) until it is
 * closed: rows are appended in its row struct, which esc_h5_table_row_type
 * describes.  The file type is the writer's; it equals SRC's when both come
 * from the same escsim version.  A column of a type no escsim table has, or
 * an enum without its labels, is ESC_ERR_INPUT naming SRC and the column. */
int esc_h5_table_create_like(esc_h5_table *t, hid_t loc, const char *name,
                             hid_t src, const char *where, esc_error *err);

/* The HDF5 memory type of T's row struct (native types at the descriptor's
 * offsets; enums and strings as in the file), to read rows of a table like
 * T straight into rows to append; when the row struct is the file row,
 * HDF5 converts nothing.  The caller closes it; -1 on failure. */
hid_t esc_h5_table_row_type(const esc_h5_table *t);

/* Store the first N_CHUNKS chunks of SRC as T's next chunks, compressed
 * bytes as they are (H5Dread_chunk, H5Dwrite_chunk: no inflate, no
 * deflate), and count their rows as appended; T must be at a chunk
 * boundary (no partly filled chunk).  Only when SRC's layout is T's (file
 * type, rows per chunk and filters; so when the same escsim version wrote
 * both) and SRC has that many whole chunks: otherwise nothing is copied
 * and *ROWS is 0 (append the rows instead), else *ROWS is the rows
 * copied.  The pool's chunks in hand are written first, so the table's
 * extent grows in order. */
int esc_h5_table_copy_chunks(esc_h5_table *t, hid_t src, hsize_t n_chunks,
                             hsize_t *rows, const char *where, esc_error *err);

/* Append N rows (an array of the descriptor's row struct).  Rows go into
 * the table's chunk buffer; each full chunk is shuffled and deflated as
 * HDF5's filters would (in the pool's threads if the table has one) and
 * written with H5Dwrite_chunk, always in the order the chunks were filled,
 * so the file does not depend on timing.  The last, partly filled chunk
 * reaches the file at esc_h5_table_flush or close. */
int esc_h5_table_append(esc_h5_table *t, const void *rows, size_t n,
                        const char *where, esc_error *err);

/* Put every row appended so far in the file (the dataset's extent is the
 * number of rows written): the partly filled chunk too, and every chunk of
 * the pool's other tables still being compressed. */
int esc_h5_table_flush(esc_h5_table *t, const char *where, esc_error *err);

/* Flush and close the dataset; returns negative if anything failed.  Safe
 * on a closed table and on one zeroed with dset = -1. */
int esc_h5_table_close(esc_h5_table *t);

/* After a failed write: free what T holds in memory, rows not yet in the
 * file included, and forget its dataset without closing it (closing would
 * write its metadata: see esc_h5_close, ESC_H5_ABANDON). */
void esc_h5_table_forget(esc_h5_table *t);

/* A pool of THREADS compressing threads; THREADS <= 0 picks the number of
 * processors (at most 4); 1 makes no thread (chunks are compressed in the
 * caller).  NULL if out of memory. */
esc_h5_zpool *esc_h5_zpool_new(int threads);
/* Write every chunk in hand; the first failure's message in ERR. */
int esc_h5_zpool_drain(esc_h5_zpool *p, const char *where, esc_error *err);
/* Stop the threads and free the pool; chunks not yet written are dropped
 * (drain first to keep them).  NULL is fine. */
void esc_h5_zpool_free(esc_h5_zpool *p);

/* Chunks on their way to the file (h5_zpool.c). */

/* Hand T's chunk (rows nrows - buf_rows .. nrows: all of buf when FULL,
 * else its first buf_rows rows) to be deflated, checksummed and written, in
 * the pool's threads if T has a pool.  Chunks are written in the order
 * they are put, so the file does not depend on timing. */
int esc_h5_chunk_put(esc_h5_table *t, int full, const char *where,
                     esc_error *err);
/* 1 if a stored chunk's Fletcher-32 (its last 4 bytes) matches its bytes. */
int esc_h5_chunk_checksum_ok(const unsigned char *b, size_t len);

#endif
