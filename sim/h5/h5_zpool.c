/* h5_zpool.c: a table's chunks on their way to the file (h5_table.h):
 * deflated and checksummed in a pool of threads, written in order.
 */
#define _GNU_SOURCE       /* sched_getaffinity, CPU_COUNT */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "h5_table.h"
#include "h5_util.h"

/* ------------------------------------------------------------- the chunks
 *
 * A table's rows reach the file a chunk at a time, as HDF5's own filter
 * pipeline would write them (shuffle, deflate, then the Fletcher-32
 * checksum), but with the work done here: rows are packed straight into
 * the shuffled layout as they are appended, a full chunk is deflated and
 * checksummed by one of the pool's threads, and the writer thread stores
 * the result with H5Dwrite_chunk (filter mask 0: all of the dataset's
 * filters applied).  Readers see an ordinary shuffle + deflate +
 * Fletcher-32 dataset.  The point is speed: deflate is the cost of an
 * events log, and this way it runs on every core instead of in HDF5's one
 * thread, without HDF5's type conversion.
 *
 * Order: the pool is a FIFO of ZPOOL_JOBS chunks.  A chunk is written when
 * a new one needs its slot (or at a flush), so which HDF5 call happens when
 * depends only on the sequence of appends, never on timing or the number
 * of threads: the file is the same whatever -j.  Only the writer thread
 * calls HDF5; the pool's threads see nothing but bytes and zlib.
 */

/* Chunks in hand: 2 x 3 x 256 KiB at most.  Fixed, not per thread, so the
 * order of HDF5 calls never depends on the machine.  6 gave 3% more rows/s
 * (7.36 against 7.15 million, bench_output) for 1 MB more peak memory in
 * every batch that fills a chunk (docs/performance.md, Memory). */
#define ZPOOL_JOBS 3
#define ZPOOL_MAX_THREADS 4

enum { Z_QUEUED, Z_BUSY, Z_DONE };

typedef struct zjob {
	hid_t dset;
	hsize_t first;        /* the chunk's first row */
	hsize_t end;          /* the dataset's extent once it is written */
	unsigned char *in;    /* CHUNK_BYTES: shuffled packed rows */
	size_t in_len;
	unsigned char *out;   /* compressBound(CHUNK_BYTES) */
	uLongf out_len;
	int state;
	int zrc;              /* zlib's status */
} zjob;

struct esc_h5_zpool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int n_threads, stop;
	pthread_t th[ZPOOL_MAX_THREADS];
	zjob ring[ZPOOL_JOBS];
	size_t head, count;   /* oldest job; jobs in the ring */
	size_t taken;         /* jobs from head on that a thread has taken */
};

/* HDF5's Fletcher-32 (H5_checksum_fletcher32: big-endian 16-bit words,
 * an odd last byte as the high half of a word), which its filter stores
 * little-endian after the data. */
static uint32_t fletcher32(const unsigned char *data, size_t len)
{
	uint32_t sum1 = 0, sum2 = 0;
	for (size_t words = len / 2; words; ) {
		size_t k = words > 360 ? 360 : words;   /* no overflow within */
		words -= k;
		do {
			sum1 += ((uint32_t)data[0] << 8) | data[1];
			data += 2;
			sum2 += sum1;
		} while (--k);
		sum1 = (sum1 & 0xffff) + (sum1 >> 16);
		sum2 = (sum2 & 0xffff) + (sum2 >> 16);
	}
	if (len % 2) {
		sum1 += (uint32_t)*data << 8;
		sum2 += sum1;
		sum1 = (sum1 & 0xffff) + (sum1 >> 16);
		sum2 = (sum2 & 0xffff) + (sum2 >> 16);
	}
	sum1 = (sum1 & 0xffff) + (sum1 >> 16);
	sum2 = (sum2 & 0xffff) + (sum2 >> 16);
	return (sum2 << 16) | sum1;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* 1 if a stored chunk's Fletcher-32 matches its bytes. */
int esc_h5_chunk_checksum_ok(const unsigned char *b, size_t len)
{
	if (len < 4)
		return 0;
	uint32_t sum = fletcher32(b, len - 4);
	uint32_t stored = (uint32_t)b[len - 4] | (uint32_t)b[len - 3] << 8 |
	                  (uint32_t)b[len - 2] << 16 | (uint32_t)b[len - 1] << 24;
	return stored == sum;
}


static void deflate_job(zjob *j)
{
	j->out_len = compressBound(CHUNK_BYTES);
	j->zrc = compress2(j->out, &j->out_len, j->in, j->in_len, DEFLATE_LEVEL);
	if (j->zrc == Z_OK) {
		put_le32(j->out + j->out_len, fletcher32(j->out, j->out_len));
		j->out_len += 4;
	}
}

static void *zpool_main(void *arg)
{
	esc_h5_zpool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->taken == p->count)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		zjob *j = &p->ring[(p->head + p->taken++) % ZPOOL_JOBS];
		j->state = Z_BUSY;
		pthread_mutex_unlock(&p->mu);
		deflate_job(j);
		pthread_mutex_lock(&p->mu);
		j->state = Z_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

esc_h5_zpool *esc_h5_zpool_new(int threads)
{
	esc_h5_zpool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	if (threads <= 0)
		threads = cpu_count();
	if (threads > ZPOOL_MAX_THREADS)
		threads = ZPOOL_MAX_THREADS;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	/* One processor: no thread, the writer deflates each chunk itself.
	 * The threads block every signal, so SIGINT and SIGTERM still reach
	 * the threads they reached before. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; threads > 1 && i < threads; i++) {
		if (pthread_create(&p->th[i], NULL, zpool_main, p) != 0)
			break;       /* fewer threads (or none) still work */
		p->n_threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

void esc_h5_zpool_free(esc_h5_zpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->th[i], NULL);
	for (size_t i = 0; i < ZPOOL_JOBS; i++) {
		free(p->ring[i].in);
		free(p->ring[i].out);
	}
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Store a compressed chunk: the writer thread only. */
static int write_job(const zjob *j, const char *where, esc_error *err)
{
	assert(j->zrc != Z_OK || j->out_len > 4);   /* data and its checksum */
	assert(j->end > j->first);
	char reason[512] = "";
	if (j->zrc != Z_OK)
		snprintf(reason, sizeof reason, "zlib error %d%s", j->zrc,
		         j->zrc == Z_MEM_ERROR ? " (out of memory)" : "");
	else if (H5Dset_extent(j->dset, &j->end) < 0 ||
	         H5Dwrite_chunk(j->dset, H5P_DEFAULT, 0, &j->first, j->out_len,
	                        j->out) < 0) {
		esc_h5_reason(reason, sizeof reason);
		/* The extent stays at the rows really written. */
		hsize_t first = j->first;
		H5Dset_extent(j->dset, &first);
	} else {
		return ESC_OK;
	}
	char name[256] = "?";
	H5Iget_name(j->dset, name, sizeof name);
	return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot write rows %llu to "
	                     "%llu of %s: %s", where, (unsigned long long)j->first,
	                     (unsigned long long)j->end - 1, name, reason);
}

/* Wait for the oldest chunk (deflating it here if no thread has) and
 * write it; its slot is free afterwards whatever happened. */
static int write_oldest(esc_h5_zpool *p, const char *where, esc_error *err)
{
	pthread_mutex_lock(&p->mu);
	assert(p->count > 0 && p->count <= ZPOOL_JOBS && p->taken <= p->count);
	zjob *j = &p->ring[p->head];
	if (j->state == Z_QUEUED) {
		/* No thread has it: do it here (always so without threads). */
		j->state = Z_BUSY;
		p->taken++;
		pthread_mutex_unlock(&p->mu);
		deflate_job(j);
		pthread_mutex_lock(&p->mu);
		j->state = Z_DONE;
	}
	while (j->state != Z_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	int rc = write_job(j, where, err);
	pthread_mutex_lock(&p->mu);
	p->head = (p->head + 1) % ZPOOL_JOBS;
	p->count--;
	p->taken--;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int esc_h5_zpool_drain(esc_h5_zpool *p, const char *where, esc_error *err)
{
	int rc = ESC_OK;
	while (p && p->count) {
		esc_error e = {0};
		if (write_oldest(p, where, &e) && rc == ESC_OK) {
			rc = e.status;
			if (err)
				*err = e;
		}
	}
	return rc;
}

/* Hand the table's chunk (rows first .. t->nrows, all of buf or its first
 * t->buf_rows rows) to be deflated and written.  A full chunk's buffer
 * changes hands (the table takes the slot's free one); a partial one is
 * copied, as the table keeps filling it. */
int esc_h5_chunk_put(esc_h5_table *t, int full, const char *where, esc_error *err)
{
	size_t R = t->chunk_rows, used = t->buf_rows;
	/* Chunks go in sequence: each starts on a chunk boundary, at or after
	 * the last one put (a partly filled chunk is put again, whole, once it
	 * fills), and holds the rows appended since it began. */
	assert(used > 0 && used <= R && (full ? used == R : used < R));
	assert((t->nrows - used) % R == 0 && t->nrows - used >= t->put_first);
	t->put_first = t->nrows - used;
	if (!full)   /* zeros after the last row: the same bytes every time */
		for (size_t b = 0; b < t->row_bytes; b++)
			memset(t->buf + b * R + used, 0, R - used);
	zjob local, *j = &local;
	esc_h5_zpool *p = t->pool;
	int rc = ESC_OK;
	if (p && p->count == ZPOOL_JOBS)
		rc = write_oldest(p, where, err);
	if (p) {
		j = &p->ring[(p->head + p->count) % ZPOOL_JOBS];
		if (!j->in)
			j->in = malloc(CHUNK_BYTES);
		if (!j->out)
			j->out = malloc(OUT_BYTES);
		if (!j->in || !j->out)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		if (full) {
			unsigned char *free_buf = j->in;
			j->in = t->buf;
			t->buf = free_buf;
		} else {
			memcpy(j->in, t->buf, R * t->row_bytes);
		}
	} else {
		memset(j, 0, sizeof *j);
		j->in = t->buf;
		if (!(j->out = malloc(OUT_BYTES)))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	j->dset = t->dset;
	j->first = t->nrows - used;
	j->end = t->nrows;
	j->in_len = R * t->row_bytes;
	j->state = Z_QUEUED;
	if (!p) {
		deflate_job(j);
		int wrc = write_job(j, where, err);
		free(j->out);
		return wrc;
	}
	pthread_mutex_lock(&p->mu);
	p->count++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

