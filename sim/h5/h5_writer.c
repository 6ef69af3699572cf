/* h5_writer.c: the result file of one run (escsim/h5_writer.h, spec section 4).
 *
 * Owns the file's life: create NAME.partial (or reopen it to complete it),
 * write provenance (root attributes and /scenario), add arms with their
 * tables, append rows, checkpoint, then either publish (complete flag,
 * close, fsync, rename, fsync the directory), keep it as NAME.partial, or
 * discard it.  The table layout itself is h5_table.c's, the tables'
 * columns h5_schema.c's, the provenance (root attributes, /scenario, the
 * sources digest, /sweep) h5_provenance.c's.  Only the writer knows the
 * name NAME.partial (esc_h5_partial_path).
 *
 *   /                         escsim_version, schema_version, created (ISO
 *                             8601 UTC), command_line, scenario_name,
 *                             scenario_sha256, seed (u64), reps (i64),
 *                             complete (i8, 0 until a successful close(1)),
 *                             gsl_version, hdf5_version, [lua_version],
 *                             [rng_type]
 *   /scenario/source          scenario text; attributes path, sha256
 *   /scenario/modules/<name>  each loaded module's text; attributes name
 *                             (as loaded; the link name has '/' -> '_'),
 *                             path, sha256
 *   /scenario/resolved_json   resolved parameters of the base scenario
 *   /arms/<ARM>               attributes overrides, resolved_json
 *   /arms/<ARM>/runs          one row per replication (esc_run_row)
 *   /arms/<ARM>/daily         one row per replication and day (esc_daily_row)
 *   /arms/<ARM>/events        when asked for: one row per incident and
 *                             protest (esc_event_row)
 *   /arms/<ARM>/messages      with events: one row per cell or channel
 *                             message (esc_message_row)
 *   /checkpoint               only while the file is written: the rows of
 *                             the last checkpoint (below)
 *
 * Party, zone, type, regime and channel columns hold codes whose names are the
 * scenario's; they come in with the arm (esc_h5_labels) and are written as
 * FIELD_<i>_LABELS and in the `labels` attribute like any static labels,
 * with -1 = none added to each list.
 *
 * Text attributes are variable-length UTF-8 (h5py returns str, and no 64 KiB
 * object-header limit for long JSON); the Table spec attributes are
 * fixed-length ASCII as H5LT writes them; text datasets are fixed-length
 * UTF-8 (see esc_h5_text_dataset).
 *
 * Crash safety.  HDF5 1.10 has no journal, and a file it is writing is
 * consistent on disk only after a flush; a process killed between two can
 * leave metadata that no longer fits together.  So the file is written so
 * that what is on disk is always the last checkpoint plus data nothing
 * refers to yet:
 *   - between checkpoints only chunks of rows are written, each to space
 *     never used before: metadata stays in memory (the cache never evicts,
 *     h5_file.c), freed space is never reused (no free-space manager), and
 *     each checkpoint moves the end of the file one byte on, so that a chunk
 *     a checkpoint refers to is not at the end when it is replaced (HDF5
 *     would give that space back and write the new chunk over it);
 *   - a checkpoint (esc_h5_checkpoint) writes the tables' last, partly
 *     filled chunks, flushes every piece of metadata, and then records in
 *     /checkpoint how many rows each open table had, and flushes that (one
 *     object header) on its own.  A process killed during the first flush
 *     leaves the record of the checkpoint before, whose rows are all still
 *     on disk (old chunks are never overwritten); esc_h5_recover cuts each
 *     table back to the rows recorded.
 * The cost: each checkpoint's partly filled chunks stay in the file as
 * unused space once they fill up (docs/performance.md, Output).
 *
 * Not thread-safe by design: batch gives the writer to one thread at a
 * time (leader/follower: whichever worker holds the writer role, see
 * sim/batch/pool.c), never to two at once.  HDF5's own error printing is
 * switched off on every entry (it is per thread in Debian's thread-safe
 * build, and the writing thread changes); our messages name the file and
 * the step, with the library's innermost reason at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "escsim/h5_merge.h"
#include "escsim/h5_writer.h"
#include "h5_util.h"
#include "h5_attr.h"
#include "h5_file.h"
#include "h5_provenance.h"
#include "h5_schema.h"
#include "h5_table.h"

#define ARM_NAME_MAX 64
#define ARM_TABLES SCHEMA_FAILURES      /* runs .. log: an arm's tables */
#define GROUP_NAME_BYTES 80             /* a record's group names */

typedef struct arm {
	char *name;
	hid_t group;
	esc_h5_table t[ARM_TABLES];     /* by SCHEMA_*; dset -1: not made */
	int has[ARM_TABLES];
	int open;                       /* tables open: rows may come */
	esc_h5_runs_layout *runs_cols;  /* the runs table's columns */
} arm;

struct esc_h5_writer {
	hid_t file;
	char *path;       /* final name */
	char *partial;    /* PATH.partial, where everything is written */
	char *where;      /* "results file 'PATH.partial'", for messages */
	arm *arms;
	size_t n_arms, cap_arms;
	hid_t arms_group;
	esc_h5_table failures;      /* made on the first failure */
	int has_failures;
	esc_h5_zpool *pool;         /* deflates every table's chunks */
	hid_t record;               /* /checkpoint */
	size_t record_n;            /* open arms the record's attributes hold */
	int64_t committed;          /* jobs of the last checkpoint; -1: none */
};

/* Message for a failed HDF5 step: "<where>: cannot <what>: <reason>". */
static int h5_fail(const esc_h5_writer *w, esc_error *err, const char *what)
{
	return esc_h5_fail_at(err, w->where, what);
}

/* --------------------------------------------------------------- teardown */

static void arm_init(arm *a)
{
	memset(a, 0, sizeof *a);
	a->group = -1;
	for (int k = 0; k < ARM_TABLES; k++)
		a->t[k].dset = -1;
}

/* Close an arm's tables and group; -1 if any close failed. */
static int close_arm(arm *a)
{
	int rc = 0;
	for (int k = 0; k < ARM_TABLES; k++)
		if (esc_h5_table_close(&a->t[k]) < 0)   /* each, whatever the others */
			rc = -1;
	if (a->group >= 0 && H5Gclose(a->group) < 0)
		rc = -1;
	a->group = -1;
	a->open = 0;
	return rc;
}

/* Close every HDF5 object the writer holds; -1 if any close failed. */
static int close_objects(esc_h5_writer *w)
{
	int rc = 0;
	for (size_t i = 0; i < w->n_arms; i++)
		if (close_arm(&w->arms[i]) < 0)
			rc = -1;
	if (w->arms_group >= 0 && H5Gclose(w->arms_group) < 0)
		rc = -1;
	w->arms_group = -1;
	if (w->record >= 0 && H5Gclose(w->record) < 0)
		rc = -1;
	w->record = -1;
	if (w->has_failures && esc_h5_table_close(&w->failures) < 0)
		rc = -1;
	w->has_failures = 0;
	return rc;
}

static void free_writer(esc_h5_writer *w)
{
	esc_h5_zpool_free(w->pool);   /* tables are closed: nothing in hand */
	for (size_t i = 0; i < w->n_arms; i++) {
		free(w->arms[i].name);
		esc_h5_runs_layout_free(w->arms[i].runs_cols);
	}
	free(w->arms);
	free(w->path);
	free(w->partial);
	free(w->where);
	free(w);
	/* HDF5 keeps freed blocks on its own free lists for reuse; a finished
	 * file's are given back, so a report read in the same process (escsim
	 * run, compare) does not sit on top of them (docs/performance.md,
	 * Memory). */
	H5garbage_collect();
}

void esc_h5_discard(esc_h5_writer *w)
{
	if (!w)
		return;
	esc_h5_enter();
	close_objects(w);
	if (w->file >= 0)
		H5Fclose(w->file);
	unlink(w->partial);
	free_writer(w);
}

/* ------------------------------------------------------------ checkpoints */

static int flush_open_tables(esc_h5_writer *w, esc_error *err)
{
	for (size_t i = 0; i < w->n_arms; i++) {
		arm *a = &w->arms[i];
		for (int k = 0; a->open && k < ARM_TABLES; k++)
			if (esc_h5_table_flush(&a->t[k], w->where, err))
				return err ? err->status : ESC_ERR_RUNTIME;
	}
	if (w->has_failures && esc_h5_table_flush(&w->failures, w->where, err))
		return err ? err->status : ESC_ERR_RUNTIME;
	return ESC_OK;
}

static int new_attr(hid_t obj, const char *name, hid_t type, int rank,
                    const hsize_t *dims)
{
	if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
		return -1;
	hid_t s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
	hid_t a = s >= 0 ? H5Acreate2(obj, name, type, s, H5P_DEFAULT, H5P_DEFAULT) : -1;
	if (s >= 0)
		H5Sclose(s);
	if (a < 0)
		return -1;
	return H5Aclose(a) < 0 ? -1 : 0;
}

static hid_t name_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t >= 0 && (H5Tset_size(t, GROUP_NAME_BYTES) < 0 ||
	               H5Tset_strpad(t, H5T_STR_NULLTERM) < 0)) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

/* The record's attributes, all in /checkpoint's own object header (a
 * group with three attributes keeps them there), so that writing the
 * record rewrites one piece of metadata: `jobs` (int64), `groups` (the
 * open arms' names, then "/failures") and `rows` (per group, the rows of
 * runs, daily, events, messages and log; -1 for a table the arm lacks;
 * /failures's rows first in its line).  Sized when the number of open arms
 * changes (in a sweep it never does). */
static int record_attrs(esc_h5_writer *w, size_t n)
{
	if (w->record_n == n && H5Aexists(w->record, "rows") > 0)
		return 0;
	hsize_t dg = n + 1, dr[2] = { n + 1, ARM_TABLES };
	hid_t nt = name_type();
	int rc = nt < 0 ||
	         new_attr(w->record, "jobs", H5T_STD_I64LE, 0, NULL) < 0 ||
	         new_attr(w->record, "groups", nt, 1, &dg) < 0 ||
	         new_attr(w->record, "rows", H5T_STD_I64LE, 2, dr) < 0 ? -1 : 0;
	if (nt >= 0)
		H5Tclose(nt);
	if (rc == 0)
		w->record_n = n;
	return rc;
}

static int write_attr_data(hid_t obj, const char *name, hid_t mem, const void *v)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	int rc = a < 0 || H5Awrite(a, mem, v) < 0 ? -1 : 0;
	if (a >= 0 && H5Aclose(a) < 0)
		rc = -1;
	return rc;
}

static int write_record(esc_h5_writer *w, int64_t jobs)
{
	size_t n = 0;
	for (size_t i = 0; i < w->n_arms; i++)
		n += w->arms[i].open;
	if (record_attrs(w, n) < 0)
		return -1;
	char (*names)[GROUP_NAME_BYTES] = calloc(n + 1, sizeof *names);
	int64_t *rows = malloc((n + 1) * ARM_TABLES * sizeof *rows);
	hid_t nt = name_type();
	int rc = names && rows && nt >= 0 ? 0 : -1;
	size_t j = 0;
	for (size_t i = 0; rc == 0 && i < w->n_arms; i++) {
		const arm *a = &w->arms[i];
		if (!a->open)
			continue;
		snprintf(names[j], sizeof names[j], "%s", a->name);
		for (int k = 0; k < ARM_TABLES; k++)
			rows[j * ARM_TABLES + k] = a->t[k].dset >= 0 ?
			                           (int64_t)a->t[k].nrows : -1;
		j++;
	}
	if (rc == 0) {
		snprintf(names[n], sizeof names[n], "/failures");
		for (int k = 0; k < ARM_TABLES; k++)
			rows[n * ARM_TABLES + k] = -1;
		rows[n * ARM_TABLES] = w->has_failures ? (int64_t)w->failures.nrows : 0;
		rc = write_attr_data(w->record, "groups", nt, names) < 0 ||
		     write_attr_data(w->record, "rows", H5T_NATIVE_INT64, rows) < 0 ||
		     write_attr_data(w->record, "jobs", H5T_NATIVE_INT64, &jobs) < 0 ?
		     -1 : 0;
	}
	if (nt >= 0)
		H5Tclose(nt);
	free(names);
	free(rows);
	return rc;
}

static int sync_failed(const esc_h5_writer *w, esc_error *err)
{
	return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot sync it to disk: %s",
	                     w->where, strerror(errno));
}

int esc_h5_checkpoint(esc_h5_writer *w, int64_t jobs, int sync, esc_error *err)
{
	esc_h5_enter();
	int rc = flush_open_tables(w, err);
	if (rc)
		return rc;
	if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
		return h5_fail(w, err, "flush it to disk");
	if (sync && esc_h5_fsync_path(w->partial, 0) < 0)
		return sync_failed(w, err);
	/* The record only once everything it counts is on disk. */
	if (write_record(w, jobs) < 0)
		return h5_fail(w, err, "record its checkpoint");
	if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
		return h5_fail(w, err, "flush its checkpoint record to disk");
	if (sync && esc_h5_fsync_path(w->partial, 0) < 0)
		return sync_failed(w, err);
	w->committed = jobs;
	for (size_t i = 0; i < w->n_arms; i++)
		for (int k = 0; w->arms[i].open && k < ARM_TABLES; k++)
			w->arms[i].t[k].saved = w->arms[i].t[k].nrows;
	w->failures.saved = w->failures.nrows;
	/* A gap of one byte: chunks written from now on are past every chunk
	 * this checkpoint refers to, so replacing one of those never frees the
	 * end of the file (which HDF5 would reuse at once). */
	if (H5Fincrement_filesize(w->file, 1) < 0)
		return h5_fail(w, err, "end its checkpoint");
	return ESC_OK;
}

int64_t esc_h5_committed(const esc_h5_writer *w)
{
	return w ? w->committed : -1;
}

/* ------------------------------------------------------------------ create */

/* Each table's chunk cache: one chunk (h5_table.c's CHUNK_BYTES, 256 KiB
 * of rows; this must stay at least that, or every partial append would
 * re-read and re-compress its chunk) and some room.  Appends only fill the
 * last chunk, so HDF5's default of 1 MiB a table held up to four finished
 * chunks for nothing: about 2 MB more peak memory once a batch is long
 * enough to fill them (docs/performance.md, Memory).  w0 = 1: a finished
 * chunk goes first. */
#define WRITER_CHUNK_CACHE (320u * 1024u)

static hid_t writer_fapl(void)
{
	hid_t fapl = esc_h5_access_plist(1);
	if (fapl >= 0 && H5Pset_cache(fapl, 0, 101, WRITER_CHUNK_CACHE, 1.0) < 0) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

char *esc_h5_partial_path(const char *path)
{
	return esc_h5_sibling(path, ".partial");
}

static esc_h5_writer *new_writer(const char *path, esc_error *err)
{
	esc_h5_writer *w = calloc(1, sizeof *w);
	if (!w) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	w->file = w->arms_group = w->record = -1;
	w->failures.dset = -1;
	w->committed = -1;
	w->path = esc_h5_dup(path);
	w->partial = esc_h5_partial_path(path);
	if (w->partial && (w->where = malloc(strlen(w->partial) + 32)))
		sprintf(w->where, "results file '%s'", w->partial);
	w->pool = esc_h5_zpool_new(0);
	if (!w->path || !w->partial || !w->where || !w->pool) {
		free_writer(w);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	return w;
}

esc_h5_writer *esc_h5_create(const char *path, const esc_h5_provenance *prov,
                             esc_error *err)
{
	esc_h5_enter();
	if (!path || !*path) {
		esc_error_set(err, ESC_ERR_RUNTIME, "no results file name given");
		return NULL;
	}
	if (!prov || !prov->sources || prov->n_sources < 1 || !prov->sources[0].text) {
		esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s': no scenario "
		              "source given (internal error)", path);
		return NULL;
	}
	esc_h5_writer *w = new_writer(path, err);
	if (!w)
		return NULL;

	/* A folder under the final name would only show at the rename, after
	 * the whole run. */
	struct stat st;
	if (stat(w->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot write results file '%s': "
		              "it is a folder", w->path);
		free_writer(w);
		return NULL;
	}

	/* HDF5's own message for a failed open is a paragraph of flags; opening
	 * the file ourselves first gets the plain OS reason.  Without O_TRUNC,
	 * and we only remove what we created, so a failure here never harms a
	 * file that was already there. */
	int created = 1;
	int fd = open(w->partial, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 && errno == EEXIST) {
		created = 0;   /* left by a dead run: overwritten below */
		fd = open(w->partial, O_WRONLY);
	}
	if (fd < 0) {
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot create results file "
		              "'%s': %s", w->partial, strerror(errno));
		free_writer(w);
		return NULL;
	}
	close(fd);

	/* H5F_ACC_TRUNC truncates before it takes HDF5's lock, so a live
	 * writer's (or a reader's) file would be emptied before the create
	 * fails.  Opening it first takes the lock without touching it; a dead
	 * run's file opens, or is not HDF5, and is overwritten. */
	if (!created) {
		hid_t old = H5Fopen(w->partial, H5F_ACC_RDWR, H5P_DEFAULT);
		char reason[512];
		if (old >= 0) {
			H5Fclose(old);
		} else if (esc_h5_reason(reason, sizeof reason)) {
			esc_error_set(err, ESC_ERR_RUNTIME, "cannot create results "
			              "file '%s': %s", w->partial, reason);
			free_writer(w);
			return NULL;
		}
	}

	hid_t fapl = writer_fapl(), fcpl = esc_h5_create_plist();
	w->file = fapl < 0 || fcpl < 0 ? -1 :
	          H5Fcreate(w->partial, H5F_ACC_TRUNC, fcpl, fapl);
	if (w->file < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);   /* before any other call */
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot create results file "
		              "'%s': %s", w->partial, reason);
		if (created)
			unlink(w->partial);
	}
	if (fapl >= 0)
		H5Pclose(fapl);
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (w->file < 0) {
		free_writer(w);
		return NULL;
	}

	/* The superblock on disk at once: a run killed before its first
	 * checkpoint leaves a file that is plainly HDF5 (and plainly ours to
	 * write over), not one that begins with zeros. */
	if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0) {
		h5_fail(w, err, "write its first block");
		goto fail;
	}
	char sha[65];
	if (esc_h5_sha256_hex(prov->sources[0].text, sha) < 0) {
		esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot compute the scenario's "
		              "SHA-256 (OpenSSL)", w->where);
		goto fail;
	}
	if (esc_h5_write_provenance(w->file, w->where, prov, sha, err))
		goto fail;
	w->arms_group = H5Gcreate2(w->file, "arms", H5P_DEFAULT, H5P_DEFAULT,
	                           H5P_DEFAULT);
	w->record = w->arms_group < 0 ? -1 :
	            H5Gcreate2(w->file, "checkpoint", H5P_DEFAULT, H5P_DEFAULT,
	                       H5P_DEFAULT);
	if (w->record < 0) {
		h5_fail(w, err, "create /arms and /checkpoint");
		goto fail;
	}
	return w;

fail:
	esc_h5_discard(w);
	return NULL;
}

/* ----------------------------------------------------- reopen and recover */

esc_h5_writer *esc_h5_reopen(const char *path, esc_error *err)
{
	esc_h5_enter();
	esc_h5_writer *w = new_writer(path, err);
	if (!w)
		return NULL;
	w->file = esc_h5_open_file_rw(w->partial, WRITER_CHUNK_CACHE, err);
	if (w->file < 0) {
		free_writer(w);
		return NULL;
	}
	w->arms_group = H5Gopen2(w->file, "arms", H5P_DEFAULT);
	htri_t has_record = H5Lexists(w->file, "checkpoint", H5P_DEFAULT);
	if (w->arms_group < 0 || has_record != 0) {
		esc_error_set(err, ESC_ERR_INPUT, "%s: cannot complete it: %s", w->where,
		              w->arms_group < 0 ? "it has no group /arms" :
		              "it was not recovered after its writer was killed "
		              "(internal error)");
		goto fail;
	}
	w->record = H5Gcreate2(w->file, "checkpoint", H5P_DEFAULT, H5P_DEFAULT,
	                       H5P_DEFAULT);
	if (w->record < 0) {
		h5_fail(w, err, "create /checkpoint");
		goto fail;
	}
	if (H5Lexists(w->file, "failures", H5P_DEFAULT) > 0) {
		if (esc_h5_table_open(&w->failures, w->file, "failures",
		                      esc_h5_schemas[SCHEMA_FAILURES].desc, NULL,
		                      w->where, err))
			goto fail;
		w->failures.pool = w->pool;
		w->failures.saved = w->failures.nrows;
		w->has_failures = 1;
	}
	/* What the file held is kept whatever happens (close_failed). */
	w->committed = 1;
	return w;
fail:
	close_objects(w);
	H5Fclose(w->file);
	free_writer(w);
	return NULL;
}

/* Cut table PATH back to ROWS rows (the checkpoint's). */
static int cut_table(hid_t f, const char *file, const char *path, int64_t rows,
                     esc_error *err)
{
	hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
	hid_t s = d >= 0 ? H5Dget_space(d) : -1;
	hsize_t n = 0, want = (hsize_t)rows;
	int ok = s >= 0 && H5Sget_simple_extent_dims(s, &n, NULL) == 1 && n >= want &&
	         (n == want || H5Dset_extent(d, &want) >= 0);
	char reason[512] = "";
	if (!ok)
		esc_h5_reason(reason, sizeof reason);
	if (s >= 0)
		H5Sclose(s);
	if (d >= 0)
		H5Dclose(d);
	if (ok)
		return ESC_OK;
	return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: cannot cut it back to the "
	                     "%lld rows of the last checkpoint (it has %llu): %s; the "
	                     "file is damaged", file, path, (long long)rows,
	                     (unsigned long long)n, *reason ? reason : "fewer rows");
}

static int read_record(hid_t g, int64_t *jobs, size_t *n, char (**names)[GROUP_NAME_BYTES],
                       int64_t **rows)
{
	*names = NULL;
	*rows = NULL;
	hid_t a = H5Aopen(g, "groups", H5P_DEFAULT);
	hid_t s = a >= 0 ? H5Aget_space(a) : -1;
	hssize_t np = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
	hid_t nt = name_type();
	int rc = np >= 1 && np < 100000 && nt >= 0 ? 0 : -1;
	if (s >= 0)
		H5Sclose(s);
	if (rc == 0) {
		*n = (size_t)np - 1;
		*names = calloc((size_t)np, sizeof **names);
		*rows = calloc((size_t)np * ARM_TABLES, sizeof **rows);
		rc = *names && *rows && H5Aread(a, nt, *names) >= 0 ? 0 : -1;
	}
	if (a >= 0)
		H5Aclose(a);
	if (nt >= 0)
		H5Tclose(nt);
	if (rc == 0) {
		a = H5Aopen(g, "rows", H5P_DEFAULT);
		s = a >= 0 ? H5Aget_space(a) : -1;
		rc = s >= 0 && H5Sget_simple_extent_npoints(s) == np * ARM_TABLES &&
		     H5Aread(a, H5T_NATIVE_INT64, *rows) >= 0 ? 0 : -1;
		if (s >= 0)
			H5Sclose(s);
		if (a >= 0)
			H5Aclose(a);
	}
	if (rc == 0) {
		a = H5Aopen(g, "jobs", H5P_DEFAULT);
		rc = a >= 0 && H5Aread(a, H5T_NATIVE_INT64, jobs) >= 0 ? 0 : -1;
		if (a >= 0)
			H5Aclose(a);
	}
	for (hssize_t i = 0; rc == 0 && i < np; i++)
		(*names)[i][GROUP_NAME_BYTES - 1] = '\0';
	return rc;
}

static int apply_record(hid_t f, hid_t g, const char *file, int64_t *jobs,
                        esc_error *err)
{
	size_t n = 0;
	char (*names)[GROUP_NAME_BYTES];
	int64_t *rows;
	int rc = ESC_OK;
	if (read_record(g, jobs, &n, &names, &rows) < 0)
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': its checkpoint record "
		                   "cannot be read: the file is damaged", file);
	for (size_t i = 0; rc == ESC_OK && i < n; i++) {
		for (int k = 0; rc == ESC_OK && k < ARM_TABLES; k++) {
			char path[GROUP_NAME_BYTES + 32];
			snprintf(path, sizeof path, "arms/%s/%s", names[i],
			         esc_h5_schemas[k].name);
			if (rows[i * ARM_TABLES + k] >= 0)
				rc = cut_table(f, file, path, rows[i * ARM_TABLES + k], err);
		}
	}
	if (rc == ESC_OK && H5Lexists(f, "failures", H5P_DEFAULT) > 0)
		rc = cut_table(f, file, "failures", rows[n * ARM_TABLES], err);
	free(names);
	free(rows);
	return rc;
}

int esc_h5_recover(const char *partial, int64_t *jobs, esc_error *err)
{
	esc_h5_enter();
	*jobs = -1;
	hid_t f = esc_h5_open_file_rw(partial, 0, err);
	if (f < 0)
		return err ? err->status : ESC_ERR_INPUT;
	int rc = ESC_OK;
	htri_t has = H5Lexists(f, "checkpoint", H5P_DEFAULT);
	hid_t g = has > 0 ? H5Gopen2(f, "checkpoint", H5P_DEFAULT) : -1;
	if (has > 0 && g < 0)
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': its checkpoint record "
		                   "cannot be read: the file is damaged", partial);
	else if (g >= 0 && H5Aexists(g, "jobs") <= 0)
		*jobs = 0;          /* killed before its first checkpoint */
	else if (has == 0 && H5Lexists(f, "arms", H5P_DEFAULT) <= 0 &&
	         H5Aexists(f, "schema_version") <= 0)
		*jobs = 0;          /* killed before it wrote more than the superblock */
	else if (g >= 0)
		rc = apply_record(f, g, partial, jobs, err);
	if (g >= 0)
		H5Gclose(g);
	/* A recovered file is an ordinary incomplete one. */
	if (rc == ESC_OK && has > 0 && *jobs != 0 &&
	    H5Ldelete(f, "checkpoint", H5P_DEFAULT) < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "'%s': cannot remove its "
		                   "checkpoint record: %s", partial, reason);
	}
	if (H5Fclose(f) < 0 && rc == ESC_OK) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "'%s': cannot close it after "
		                   "recovering it: %s", partial, reason);
	}
	return rc;
}

/* -------------------------------------------------------------------- arms */

int esc_h5_check_arm_name(const char *name, esc_error *err)
{
	size_t n = name ? strlen(name) : 0;
	int ok = n >= 1 && n <= ARM_NAME_MAX && name[0] != '.';
	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		     (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
	}
	if (ok)
		return ESC_OK;
	return esc_error_set(err, ESC_ERR_INPUT, "invalid arm name '%s': use 1 to "
	                     "%d letters, digits, '_', '-' or '.', not starting "
	                     "with '.'", name ? name : "", ARM_NAME_MAX);
}

/* "-1=none,0=A,1=B,..." for one name list (malloc'd), or NULL with an
 * error when a name cannot be written in that form. */
static char *label_spec(const esc_h5_names *l, const char *what,
                        const char *arm_name, esc_error *err)
{
	size_t len = sizeof "-1=none";
	for (size_t i = 0; l && i < l->n; i++) {
		const char *nm = l->names[i] ? l->names[i] : "";
		int ok = *nm != '\0';
		for (const char *c = nm; ok && *c; c++)
			ok = *c != ',' && (unsigned char)*c >= 0x20 && *c != 0x7f;
		if (!ok) {
			esc_error_set(err, ESC_ERR_INPUT, "arm '%s': %s name %zu ('%s') "
			              "cannot be a label: it must be non-empty, with no "
			              "',' or control character", arm_name, what, i, nm);
			return NULL;
		}
		len += strlen(nm) + 24;
	}
	char *s = malloc(len), *p = s;
	if (!s) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	p += sprintf(p, "-1=none");
	for (size_t i = 0; l && i < l->n; i++)
		p += sprintf(p, ",%zu=%s", i, l->names[i]);
	return s;
}

/* The label specs of an arm's name lists (SPECS[LBL_*], malloc'd; free
 * with free_specs); a name list the label format cannot hold is the
 * caller's error, found before anything is added to the file. */
static int arm_specs(const esc_h5_labels *labels, const char *name,
                     char *specs[N_LBL], esc_error *err)
{
	memset(specs, 0, N_LBL * sizeof *specs);
	specs[LBL_PARTY] = label_spec(labels ? &labels->parties : NULL, "party",
	                              name, err);
	specs[LBL_ZONE] = specs[LBL_PARTY] ?
		label_spec(labels ? &labels->zones : NULL, "zone", name, err) : NULL;
	specs[LBL_TYPE] = specs[LBL_ZONE] ?
		label_spec(labels ? &labels->types : NULL, "type", name, err) : NULL;
	specs[LBL_REGIME] = specs[LBL_TYPE] ?
		label_spec(labels ? &labels->regimes : NULL, "regime state", name,
		           err) : NULL;
	/* Channel 0 is the cell even when the caller names no channel. */
	static const char *const cell_only[] = { "cell" };
	esc_h5_names cell_names = { cell_only, 1 };
	const esc_h5_names *channels = labels && labels->channels.n ?
		&labels->channels : &cell_names;
	specs[LBL_CHANNEL] = specs[LBL_REGIME] ?
		label_spec(channels, "channel", name, err) : NULL;
	return specs[LBL_CHANNEL] ? ESC_OK : err ? err->status : ESC_ERR_INPUT;
}

static void free_specs(char *specs[N_LBL])
{
	for (int i = 0; i < N_LBL; i++)
		free(specs[i]);
}

/* Make (or, OPEN, open) table K of arm A, its scenario labels from SPECS. */
static int arm_table(esc_h5_writer *w, arm *a, int k, char *const specs[N_LBL],
                     int open, esc_error *err)
{
	const esc_h5_schema *s = &esc_h5_schemas[k];
	const esc_h5_table_desc *desc = k == SCHEMA_RUNS ? &a->runs_cols->desc
	                                                 : s->desc;
	const char *labels[32] = {0};
	if (s->lists && s->desc->n_fields > sizeof labels / sizeof labels[0])
		return esc_error_set(err, ESC_ERR_RUNTIME, "table %s: too many "
		                     "columns (internal error)", s->name);
	for (size_t i = 0; s->lists && i < s->desc->n_fields; i++)
		labels[i] = s->lists[i] == LBL_NONE ? NULL : specs[s->lists[i]];
	const char *const *l = s->lists ? labels : NULL;
	int rc = open ? esc_h5_table_open(&a->t[k], a->group, s->name, desc, l,
	                                  w->where, err)
	              : esc_h5_table_create(&a->t[k], a->group, s->name, desc, l,
	                                    w->where, err);
	a->t[k].pool = w->pool;
	a->t[k].saved = a->t[k].nrows;
	a->has[k] = rc == ESC_OK;
	return rc;
}

/* Room for one more arm, named NAME; NULL after an error. */
static arm *next_arm(esc_h5_writer *w, const char *name, esc_error *err)
{
	if (esc_h5_check_arm_name(name, err))
		return NULL;
	for (size_t i = 0; i < w->n_arms; i++)
		if (!strcmp(w->arms[i].name, name)) {
			esc_error_set(err, ESC_ERR_INPUT, "arm '%s' given twice", name);
			return NULL;
		}
	if (w->n_arms == w->cap_arms) {
		size_t cap = w->cap_arms ? 2 * w->cap_arms : 4;
		arm *a = realloc(w->arms, cap * sizeof *a);
		if (!a) {
			esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			return NULL;
		}
		w->arms = a;
		w->cap_arms = cap;
	}
	arm *a = &w->arms[w->n_arms];
	arm_init(a);
	if (!(a->name = esc_h5_dup(name))) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	return a;
}

/* Make or open an arm's group and its tables: runs and log always, daily
 * and events (with messages) as asked. */
static int arm_tables(esc_h5_writer *w, const char *name, const char *overrides,
                      const char *resolved_json, const esc_h5_labels *labels,
                      int daily, int events, int open, int *arm_index,
                      esc_error *err)
{
	esc_h5_enter();
	char *specs[N_LBL];
	if (arm_specs(labels, name, specs, err)) {
		free_specs(specs);     /* the lists made before the one refused */
		return err ? err->status : ESC_ERR_INPUT;
	}
	arm *a = next_arm(w, name, err);
	if (!a) {
		free_specs(specs);
		return err ? err->status : ESC_ERR_INPUT;
	}
	char what[128];
	snprintf(what, sizeof what, "%s /arms/%s", open ? "open" : "create", name);
	int rc;
	if (open)
		a->group = H5Gopen2(w->arms_group, name, H5P_DEFAULT);
	else
		a->group = H5Gcreate2(w->arms_group, name, H5P_DEFAULT, H5P_DEFAULT,
		                      H5P_DEFAULT);
	if (a->group < 0 ||
	    (!open && (esc_h5_attr_text(a->group, "overrides", overrides) < 0 ||
	               esc_h5_attr_text(a->group, "resolved_json", resolved_json) < 0)))
		rc = h5_fail(w, err, what);
	else if (!(a->runs_cols = esc_h5_runs_layout_for(labels ? &labels->parties
	                                                        : NULL, err)))
		rc = err ? err->status : ESC_ERR_RUNTIME;
	else
		rc = arm_table(w, a, SCHEMA_RUNS, specs, open, err);
	if (rc == ESC_OK && daily)
		rc = arm_table(w, a, SCHEMA_DAILY, specs, open, err);
	if (rc == ESC_OK)
		rc = arm_table(w, a, SCHEMA_LOG, specs, open, err);
	if (rc == ESC_OK && events)
		rc = arm_table(w, a, SCHEMA_EVENTS, specs, open, err);
	if (rc == ESC_OK && events)
		rc = arm_table(w, a, SCHEMA_MESSAGES, specs, open, err);
	free_specs(specs);
	if (rc) {
		/* A half-made group stays in the file, which is discarded or kept
		 * incomplete by the caller; we just forget the arm. */
		close_arm(a);
		free(a->name);
		esc_h5_runs_layout_free(a->runs_cols);
		return rc;
	}
	a->open = 1;
	*arm_index = (int)w->n_arms++;
	return ESC_OK;
}

int esc_h5_add_arm(esc_h5_writer *w, const char *name, const char *overrides,
                   const char *resolved_json, const esc_h5_labels *labels,
                   int daily, int events, int *arm_index, esc_error *err)
{
	return arm_tables(w, name, overrides, resolved_json, labels, daily, events,
	                  0, arm_index, err);
}

int esc_h5_open_arm(esc_h5_writer *w, const char *name,
                    const esc_h5_labels *labels, int daily, int events,
                    int *arm_index, esc_error *err)
{
	return arm_tables(w, name, NULL, NULL, labels, daily, events, 1, arm_index,
	                  err);
}

int esc_h5_arm_exists(esc_h5_writer *w, const char *name)
{
	esc_h5_enter();
	return esc_h5_check_arm_name(name, NULL) == ESC_OK &&
	       H5Lexists(w->arms_group, name, H5P_DEFAULT) > 0;
}

static arm *arm_at(esc_h5_writer *w, int arm_index, esc_error *err)
{
	if (arm_index >= 0 && (size_t)arm_index < w->n_arms)
		return &w->arms[arm_index];
	esc_error_set(err, ESC_ERR_RUNTIME, "%s: no arm number %d (internal "
	              "error)", w->where, arm_index);
	return NULL;
}

int esc_h5_arm_point(esc_h5_writer *w, int arm_index, int64_t point,
                     const char *sweep_arm, esc_error *err)
{
	esc_h5_enter();
	arm *a = arm_at(w, arm_index, err);
	if (!a)
		return ESC_ERR_RUNTIME;
	if (esc_h5_attr_scalar(a->group, "sweep_point", H5T_STD_I64LE,
	                       H5T_NATIVE_INT64, &point) < 0 ||
	    esc_h5_attr_text(a->group, "sweep_arm", sweep_arm) < 0) {
		char what[160];
		snprintf(what, sizeof what, "mark /arms/%s with its point", a->name);
		return h5_fail(w, err, what);
	}
	return ESC_OK;
}

/* Append to table K of an arm; a table the arm was made without is the
 * caller's bug, refused with a message. */
static int append(esc_h5_writer *w, int arm_index, int k, const void *rows,
                  size_t n, esc_error *err)
{
	esc_h5_enter();
	arm *a = arm_at(w, arm_index, err);
	if (!a)
		return ESC_ERR_RUNTIME;
	if (!a->has[k] || !a->open)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: arm '%s' has no "
		                     "%s%s table (internal error)", w->where, a->name,
		                     a->open ? "" : "open ", esc_h5_schemas[k].name);
	return esc_h5_table_append(&a->t[k], rows, n, w->where, err);
}

int esc_h5_append_runs(esc_h5_writer *w, int arm_index, const esc_run_row *rows,
                       size_t n, esc_error *err)
{
	return append(w, arm_index, SCHEMA_RUNS, rows, n, err);
}

int esc_h5_append_daily(esc_h5_writer *w, int arm_index,
                        const esc_daily_row *rows, size_t n, esc_error *err)
{
	return append(w, arm_index, SCHEMA_DAILY, rows, n, err);
}

int esc_h5_append_events(esc_h5_writer *w, int arm_index,
                         const esc_event_row *rows, size_t n, esc_error *err)
{
	return append(w, arm_index, SCHEMA_EVENTS, rows, n, err);
}

int esc_h5_append_messages(esc_h5_writer *w, int arm_index,
                           const esc_message_row *rows, size_t n,
                           esc_error *err)
{
	return append(w, arm_index, SCHEMA_MESSAGES, rows, n, err);
}

int esc_h5_append_log(esc_h5_writer *w, int arm_index, const esc_log_row *rows,
                      size_t n, esc_error *err)
{
	return append(w, arm_index, SCHEMA_LOG, rows, n, err);
}

int esc_h5_append_failure(esc_h5_writer *w, const esc_failure_row *row, esc_error *err)
{
	esc_h5_enter();
	if (!w->has_failures) {
		if (esc_h5_table_create(&w->failures, w->file, "failures",
		                        esc_h5_schemas[SCHEMA_FAILURES].desc, NULL,
		                        w->where, err))
			return err ? err->status : ESC_ERR_RUNTIME;
		w->failures.pool = w->pool;
		w->has_failures = 1;
	}
	return esc_h5_table_append(&w->failures, row, 1, w->where, err);
}

/* An arm whose rows are all in: close its tables, so HDF5 gives back their
 * chunk caches (up to 1 MiB a table) and metadata.  A sweep finishes its
 * points one by one; without this its memory would grow with the number of
 * points.  The caller checkpoints first: the tables' metadata is then
 * already on disk, and closing writes nothing. */
int esc_h5_arm_done(esc_h5_writer *w, int arm_index, esc_error *err)
{
	esc_h5_enter();
	arm *a = arm_at(w, arm_index, err);
	if (!a)
		return ESC_ERR_RUNTIME;
	/* Flushed first, for a message naming the rows that failed. */
	for (int k = 0; k < ARM_TABLES; k++)
		if (esc_h5_table_flush(&a->t[k], w->where, err))
			return err ? err->status : ESC_ERR_RUNTIME;
	int bad = close_arm(a) < 0;
	memset(a->has, 0, sizeof a->has);   /* a later append is refused with a message */
	if (bad) {
		char what[128];
		snprintf(what, sizeof what, "close the tables of /arms/%s", a->name);
		return h5_fail(w, err, what);
	}
	return ESC_OK;
}

int esc_h5_set_note(esc_h5_writer *w, const char *name, const char *value,
                    esc_error *err)
{
	esc_h5_enter();
	if (esc_h5_attr_text(w->file, name, value) < 0) {
		char what[128];
		snprintf(what, sizeof what, "write the root attribute %s", name);
		return h5_fail(w, err, what);
	}
	return ESC_OK;
}

/* ------------------------------------------------------------------ extra */

int esc_h5_write_extra(esc_h5_writer *w, const esc_h5_extra *x, esc_error *err)
{
	esc_h5_enter();
	if ((x->options && esc_h5_attr_text(w->file, "options", x->options) < 0) ||
	    esc_h5_attr_scalar(w->file, "rep_offset", H5T_STD_I64LE,
	                       H5T_NATIVE_INT64, &x->rep_offset) < 0)
		return h5_fail(w, err, "write the root attributes options and rep_offset");
	return x->sweep ? esc_h5_write_sweep(w->file, w->where, x->sweep, err) : ESC_OK;
}

/* ------------------------------------------------------------------- close */

/* After a failure: the file stays as NAME.partial if a checkpoint saved
 * something in it (the file on disk is that checkpoint, which --resume
 * recovers), else it goes.  The message says which. */
static int close_failed(esc_h5_writer *w, int rc, esc_error *err)
{
	int keep = w->committed > 0;
	close_objects(w);
	if (w->file >= 0)
		H5Fclose(w->file);      /* may fail again: the library lets it go */
	w->file = -1;
	if (!keep)
		unlink(w->partial);
	if (err) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len, keep ?
		         " (kept as it was at its last checkpoint)" :
		         " (removed: nothing had been saved in it)");
	}
	free_writer(w);
	return rc;
}

/* After a failed write: the file on disk is its last checkpoint and
 * chunks nothing refers to (between checkpoints only chunks are written),
 * and it must stay so.  Closing it, or any object in it, would write the
 * metadata in memory, which counts rows some tables have and others lack;
 * a full disk could even leave half of it.  So the file is left open, its
 * metadata unwritten, until the process exits (HDF5's handles go with it),
 * and our memory is freed.  A file no checkpoint saved anything in goes. */
static int abandon(esc_h5_writer *w, esc_error *err)
{
	if (w->committed <= 0) {
		esc_h5_discard(w);
		return err ? err->status : ESC_ERR_RUNTIME;
	}
	esc_h5_zpool_free(w->pool);     /* chunks in hand are dropped */
	w->pool = NULL;
	for (size_t i = 0; i < w->n_arms; i++)
		for (int k = 0; k < ARM_TABLES; k++)
			esc_h5_table_forget(&w->arms[i].t[k]);
	if (w->has_failures)
		esc_h5_table_forget(&w->failures);
	free_writer(w);
	return err ? err->status : ESC_ERR_RUNTIME;
}

int esc_h5_close(esc_h5_writer *w, esc_h5_end end, esc_error *err)
{
	if (!w)
		return esc_error_set(err, ESC_ERR_RUNTIME, "no results file to close");
	esc_h5_enter();
	if (end == ESC_H5_ABANDON)
		return abandon(w, err);
	int rc = flush_open_tables(w, err);
	/* Everything on disk before the file may say complete, or lose its
	 * checkpoint record. */
	if (rc == ESC_OK && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
		rc = h5_fail(w, err, "flush it to disk");
	if (rc)
		return close_failed(w, rc, err);
	int8_t flag = end == ESC_H5_COMPLETE;
	if (esc_h5_attr_scalar(w->file, "complete", H5T_STD_I8LE, H5T_NATIVE_INT8,
	                       &flag) < 0)
		rc = h5_fail(w, err, "set the attribute 'complete'");
	if (rc == ESC_OK && w->record >= 0) {
		H5Gclose(w->record);
		w->record = -1;
		if (H5Ldelete(w->file, "checkpoint", H5P_DEFAULT) < 0)
			rc = h5_fail(w, err, "remove its checkpoint record");
	}
	if (rc == ESC_OK && close_objects(w) < 0)
		rc = h5_fail(w, err, "close its datasets");
	if (rc == ESC_OK && H5Fclose(w->file) < 0)
		rc = h5_fail(w, err, "close it");
	if (rc)
		return close_failed(w, rc, err);
	w->file = -1;

	char *dir = esc_h5_dir_of(w->path);
	if (esc_h5_fsync_path(w->partial, 0) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot sync it to disk: "
		                   "%s (left as it is, not renamed)", w->where,
		                   strerror(errno));
	else if (end == ESC_H5_KEEP_PARTIAL)
		;                       /* stays NAME.partial, as the caller says */
	else if (rename(w->partial, w->path) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "cannot rename results file "
		                   "'%s' to '%s': %s (the results are in '%s')",
		                   w->partial, w->path, strerror(errno), w->partial);
	if (rc == ESC_OK && (!dir || esc_h5_fsync_path(dir, 1) < 0))
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s' written, "
		                   "but syncing its directory '%s' failed: %s",
		                   end == ESC_H5_KEEP_PARTIAL ? w->partial : w->path,
		                   dir ? dir : "?", dir ? strerror(errno) : "out of memory");
	free(dir);
	free_writer(w);
	return rc;
}
