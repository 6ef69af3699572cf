/* h5_writer.c: the result file of one run (escsim/h5out.h, spec section 4).
 *
 * Owns the file's life: create NAME.partial, write provenance (root
 * attributes and /scenario), add arms with their tables, append rows, then
 * either publish (complete flag, close, fsync, rename, fsync the directory)
 * or discard.  The table layout itself is h5_table.c's.
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

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <openssl/evp.h>

#include "escsim/h5out.h"
#include "h5_table.h"

#define ARM_NAME_MAX 64

/* esc_run_row column by column.  Units: "h" hours, "count" a number of
 * things, "1" dimensionless (with labels for a 0/1 flag), "level" a ladder
 * rung 0..7 whose names are the scenario's. */
#define RUN_FIELD(m, k, u, l, d) { #m, offsetof(esc_run_row, m), k, u, l, d }
static const esc_h5_field run_fields[] = {
	RUN_FIELD(rep, ESC_H5_I64, NULL, NULL, "replication index"),
	RUN_FIELD(seed, ESC_H5_U64, NULL, NULL,
	          "base seed; streams are seeded from (seed, rep, source)"),
	RUN_FIELD(incidents, ESC_H5_I64, "count", NULL,
	          "incidents, background and policy-caused"),
	RUN_FIELD(retaliations, ESC_H5_I64, "count", NULL,
	          "incidents caused by a policy"),
	RUN_FIELD(misattributed_retaliations, ESC_H5_I64, "count", NULL,
	          "retaliations against a party that did not do it"),
	RUN_FIELD(fatalities_mil, ESC_H5_I64, "count", NULL, "military fatalities"),
	RUN_FIELD(fatalities_civ, ESC_H5_I64, "count", NULL, "civilian fatalities"),
	/* here each arm's table has fatalities_by_<PARTY>, one per party
	 * (runs_fields_for) */
	RUN_FIELD(max_level, ESC_H5_I32, "level", NULL,
	          "highest ladder level reached by any pair, 0..7"),
	RUN_FIELD(hours_at_or_above_6, ESC_H5_F64, "h", NULL,
	          "time any pair's ladder level was at or above 6"),
	RUN_FIELD(spiral, ESC_H5_I8, "1", "0=no,1=yes",
	          "1 if an exchange between two parties reached ladder.spiral_moves moves"),
	RUN_FIELD(first_crisis_h, ESC_H5_F64, "h", NULL,
	          "time an exchange between two states first reached ladder.crisis_moves moves; NaN if none"),
	RUN_FIELD(cell_requests, ESC_H5_I64, "count", NULL,
	          "queries submitted to the communication cell"),
	RUN_FIELD(cell_answered_before_deadline, ESC_H5_I64, "count", NULL,
	          "cell queries answered before their deadline"),
	RUN_FIELD(cell_mean_latency_h, ESC_H5_F64, "h", NULL,
	          "queries to the cell: mean time from submission to answer; NaN if none answered"),
	RUN_FIELD(cell_notice_latency_h, ESC_H5_F64, "h", NULL,
	          "notices through the cell: mean time from submission to delivery; NaN if none delivered"),
	RUN_FIELD(events_total, ESC_H5_I64, "count", NULL,
	          "incidents and policy actions"),
	RUN_FIELD(cell_refused, ESC_H5_I64, "count", NULL,
	          "queries the receiving side declined"),
	RUN_FIELD(cell_unavailable, ESC_H5_I64, "count", NULL,
	          "queries that found the cell down or suspended"),
	RUN_FIELD(cell_enforcements, ESC_H5_I64, "count", NULL,
	          "times the receiver acted against a non-state culprit instead of the requester"),
	RUN_FIELD(channel_requests, ESC_H5_I64, "count", NULL,
	          "queries sent through fallback channels"),
	RUN_FIELD(channel_answered_before_deadline, ESC_H5_I64, "count", NULL,
	          "fallback-channel queries answered before their deadline"),
	RUN_FIELD(notices_sent, ESC_H5_I64, "count", NULL,
	          "operations notified through the cell"),
	RUN_FIELD(notices_in_time, ESC_H5_I64, "count", NULL,
	          "notices delivered at least the lead third parties need before the operation"),
	RUN_FIELD(notices_too_late, ESC_H5_I64, "count", NULL,
	          "notices delivered less than that lead before the operation, or after it"),
	RUN_FIELD(notices_undelivered, ESC_H5_I64, "count", NULL,
	          "notices refused, or sent while the cell was down or suspended: never delivered"),
};
#define N_RUN_FIELDS (sizeof run_fields / sizeof run_fields[0])
#define RUN_PARTY_AFTER 7       /* fatalities_by_<PARTY> come after run_fields[6], fatalities_civ */

/* One arm's runs columns: run_fields with a fatalities_by_<PARTY> column
 * per party after the totals (the scenario's parties, in order).  On the
 * heap: the table keeps a pointer to desc, and the arms array moves. */
typedef struct runs_layout {
	esc_h5_table_desc desc;
	esc_h5_field *fields;
	char (*names)[ESC_NAME_MAX + 16];
} runs_layout;

static void runs_layout_free(runs_layout *l)
{
	if (!l)
		return;
	free(l->fields);
	free(l->names);
	free(l);
}

static runs_layout *runs_layout_for(const esc_h5_names *parties, esc_error *err)
{
	size_t np = parties ? parties->n : 0;
	if (np > ESC_MAX_PARTIES) {
		esc_error_set(err, ESC_ERR_INPUT, "%zu parties: at most %d", np, ESC_MAX_PARTIES);
		return NULL;
	}
	runs_layout *l = calloc(1, sizeof *l);
	if (l) {
		l->fields = calloc(N_RUN_FIELDS + np, sizeof *l->fields);
		l->names = calloc(np ? np : 1, sizeof *l->names);
	}
	if (!l || !l->fields || !l->names) {
		runs_layout_free(l);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < RUN_PARTY_AFTER; i++)
		l->fields[k++] = run_fields[i];
	for (size_t p = 0; p < np; p++) {
		snprintf(l->names[p], sizeof l->names[p], "fatalities_by_%s", parties->names[p]);
		l->fields[k++] = (esc_h5_field){
			l->names[p], offsetof(esc_run_row, fatalities_by) + p * sizeof(int64_t),
			ESC_H5_I64, "count", NULL,
			"deaths (military and civilian) in incidents this party carried out",
		};
	}
	for (size_t i = RUN_PARTY_AFTER; i < N_RUN_FIELDS; i++)
		l->fields[k++] = run_fields[i];
	l->desc = (esc_h5_table_desc){ "runs: one row per replication", sizeof(esc_run_row), l->fields, k };
	return l;
}

/* Labels that name scenario things are given per arm (LBL_*: which list);
 * the descriptors leave them NULL.  "goldstein" is a point on the Goldstein
 * conflict-cooperation scale, -10..+10 per event. */
enum { LBL_NONE, LBL_PARTY, LBL_ZONE, LBL_TYPE, LBL_REGIME, LBL_CHANNEL,
       N_LBL };

#define DAILY_FIELD(m, k, u, l, d) { #m, offsetof(esc_daily_row, m), k, u, l, d }
static const esc_h5_field daily_fields[] = {
	DAILY_FIELD(rep, ESC_H5_I64, NULL, NULL, "replication index"),
	DAILY_FIELD(day, ESC_H5_I32, "d", NULL,
	            "day of the horizon: day d is hours [24 d, 24 d + 24)"),
	DAILY_FIELD(max_level, ESC_H5_I32, "level", NULL,
	            "highest ladder level of any pair that day, 0..7"),
	DAILY_FIELD(regime, ESC_H5_I32, NULL, NULL,
	            "regime state at the end of the day; -1 without a regime chain"),
	DAILY_FIELD(incidents, ESC_H5_I64, "count", NULL,
	            "incidents that started that day"),
	DAILY_FIELD(fatalities_mil, ESC_H5_I64, "count", NULL,
	            "military fatalities of those incidents"),
	DAILY_FIELD(fatalities_civ, ESC_H5_I64, "count", NULL,
	            "civilian fatalities of those incidents"),
	DAILY_FIELD(goldstein_sum, ESC_H5_F64, "goldstein", NULL,
	            "sum of the Goldstein scores of that day's incidents (their "
	            "type's score) and protests (-2 each)"),
};
static const int daily_label_list[] = {
	LBL_NONE, LBL_NONE, LBL_NONE, LBL_REGIME, LBL_NONE, LBL_NONE, LBL_NONE,
	LBL_NONE,
};

static const esc_h5_table_desc daily_desc = {
	"daily: one row per replication and day",
	sizeof(esc_daily_row),
	daily_fields,
	sizeof daily_fields / sizeof daily_fields[0],
};

#define EVENT_FIELD(m, k, u, l, d) { #m, offsetof(esc_event_row, m), k, u, l, d }
static const esc_h5_field event_fields[] = {
	EVENT_FIELD(rep, ESC_H5_I64, NULL, NULL, "replication index"),
	EVENT_FIELD(id, ESC_H5_I64, NULL, NULL,
	            "event id, unique within the replication"),
	EVENT_FIELD(parent_id, ESC_H5_I64, NULL, NULL,
	            "id of the incident it answers or was triggered by; -1 for "
	            "a background incident"),
	EVENT_FIELD(root_id, ESC_H5_I64, NULL, NULL,
	            "id of the background incident that began its cluster"),
	EVENT_FIELD(t_h, ESC_H5_F64, "h", NULL,
	            "time of the event from the start of the replication"),
	EVENT_FIELD(actor, ESC_H5_I32, NULL, NULL,
	            "party that acted (for a protest, the protester)"),
	EVENT_FIELD(target, ESC_H5_I32, NULL, NULL,
	            "party acted against (for a protest, the party blamed)"),
	EVENT_FIELD(zone, ESC_H5_I32, NULL, NULL, "where it happened"),
	EVENT_FIELD(type, ESC_H5_I32, NULL, NULL,
	            "incident type; -1 for a protest"),
	EVENT_FIELD(level, ESC_H5_I32, "level", NULL,
	            "ladder rung of the act (its type's; 1 for a protest), 0..7"),
	EVENT_FIELD(fatalities_mil, ESC_H5_I32, "count", NULL,
	            "military fatalities"),
	EVENT_FIELD(fatalities_civ, ESC_H5_I32, "count", NULL,
	            "civilian fatalities"),
	EVENT_FIELD(true_perpetrator, ESC_H5_I32, NULL, NULL,
	            "who really did it (the actor); -1 for a protest"),
	EVENT_FIELD(perceived_perpetrator, ESC_H5_I32, NULL, NULL,
	            "whom the target blames; -1 for a protest"),
	EVENT_FIELD(cause, ESC_H5_ENUM8, NULL, "0=background,1=triggered,2=policy",
	            "background generator, self-excitation, or a party's policy"),
	EVENT_FIELD(kind, ESC_H5_ENUM8, NULL, "0=incident,1=protest",
	            "an incident (retaliations included) or a protest"),
};
static const int event_label_list[] = {
	LBL_NONE, LBL_NONE, LBL_NONE, LBL_NONE, LBL_NONE, LBL_PARTY, LBL_PARTY,
	LBL_ZONE, LBL_TYPE, LBL_NONE, LBL_NONE, LBL_NONE, LBL_PARTY, LBL_PARTY,
	LBL_NONE, LBL_NONE,
};

static const esc_h5_table_desc events_desc = {
	"events: every incident and protest",
	sizeof(esc_event_row),
	event_fields,
	sizeof event_fields / sizeof event_fields[0],
};

#define MSG_FIELD(m, k, u, l, d) { #m, offsetof(esc_message_row, m), k, u, l, d }
static const esc_h5_field message_fields[] = {
	MSG_FIELD(rep, ESC_H5_I64, NULL, NULL, "replication index"),
	MSG_FIELD(id, ESC_H5_I64, NULL, NULL,
	          "message id, unique within the replication"),
	MSG_FIELD(event_id, ESC_H5_I64, NULL, NULL,
	          "id of the event (in events) the message is about"),
	MSG_FIELD(channel, ESC_H5_I32, NULL, NULL,
	          "channel: 0 the cell, then the fallback channels"),
	MSG_FIELD(sender, ESC_H5_I32, NULL, NULL, "party that sent it"),
	MSG_FIELD(receiver, ESC_H5_I32, NULL, NULL,
	          "party it was for (through the channel)"),
	MSG_FIELD(kind, ESC_H5_ENUM8, NULL,
	          "0=query,1=notify,2=protest,3=restraint,4=intel",
	          "what it asked for: attribution query, notice of an operation, "
	          "protest, request for restraint, shared intelligence"),
	MSG_FIELD(outcome, ESC_H5_ENUM8, NULL,
	          "0=answered,1=late,2=refused,3=unavailable,4=pending",
	          "answered before its deadline, answered late, refused, channel "
	          "unavailable, or no answer by the horizon"),
	MSG_FIELD(correct, ESC_H5_I8, "1", "-1=n/a,0=no,1=yes",
	          "the answer named the true perpetrator; -1 without an answer "
	          "or for a message that names no one"),
	MSG_FIELD(t_submit_h, ESC_H5_F64, "h", NULL, "time it was sent"),
	MSG_FIELD(t_start_h, ESC_H5_F64, "h", NULL,
	          "time an operator took it up; NaN if never"),
	MSG_FIELD(t_answer_h, ESC_H5_F64, "h", NULL,
	          "time the answer reached the sender; NaN if none"),
	MSG_FIELD(deadline_h, ESC_H5_F64, "h", NULL,
	          "time the sender acts anyway; NaN if no deadline"),
	MSG_FIELD(slack_h, ESC_H5_F64, "h", NULL,
	          "deadline minus answer time: > 0 in time; NaN if either is"),
};
static const int message_label_list[] = {
	LBL_NONE, LBL_NONE, LBL_NONE, LBL_CHANNEL, LBL_PARTY, LBL_PARTY,
	LBL_NONE, LBL_NONE, LBL_NONE, LBL_NONE, LBL_NONE, LBL_NONE, LBL_NONE,
	LBL_NONE,
};

static const esc_h5_table_desc messages_desc = {
	"messages: every cell and channel message",
	sizeof(esc_message_row),
	message_fields,
	sizeof message_fields / sizeof message_fields[0],
};

/* What scripts recorded with sim.log: one row per call. */
#define LOG_FIELD(m, k, u, l, d) { #m, offsetof(esc_log_row, m), k, u, l, d }
static const esc_h5_field log_fields[] = {
	LOG_FIELD(rep, ESC_H5_I64, NULL, NULL, "replication index"),
	LOG_FIELD(t_h, ESC_H5_F64, "h", NULL, "simulated time of the call"),
	LOG_FIELD(party, ESC_H5_I32, NULL, NULL, "party whose hook logged it (-1: none)"),
	LOG_FIELD(key, ESC_H5_STR32, NULL, NULL, "the script's name for the value"),
	LOG_FIELD(value, ESC_H5_F64, NULL, NULL, "the value (units are the script's)"),
};

static const int log_label_list[] = {
	LBL_NONE, LBL_NONE, LBL_PARTY, LBL_NONE, LBL_NONE,
};

static const esc_h5_table_desc log_desc = {
	"log: values scripts recorded with sim.log",
	sizeof(esc_log_row),
	log_fields,
	sizeof log_fields / sizeof log_fields[0],
};

#define FAIL_FIELD(m, k, u, l, d) { #m, offsetof(esc_failure_row, m), k, u, l, d }
static const esc_h5_field failure_fields[] = {
	FAIL_FIELD(rep, ESC_H5_I64, NULL, NULL, "replication index"),
	FAIL_FIELD(point, ESC_H5_I32, NULL, NULL, "sweep point (0 outside a sweep)"),
	FAIL_FIELD(message, ESC_H5_STR256, NULL, NULL, "the error that stopped it"),
};

static const esc_h5_table_desc failures_desc = {
	"failures: replications skipped with --on-error skip",
	sizeof(esc_failure_row),
	failure_fields,
	sizeof failure_fields / sizeof failure_fields[0],
};

_Static_assert(sizeof log_label_list / sizeof log_label_list[0] ==
               sizeof log_fields / sizeof log_fields[0],
               "one label list per log column");
_Static_assert(sizeof daily_label_list / sizeof daily_label_list[0] ==
               sizeof daily_fields / sizeof daily_fields[0],
               "one label list per daily column");
_Static_assert(sizeof event_label_list / sizeof event_label_list[0] ==
               sizeof event_fields / sizeof event_fields[0],
               "one label list per events column");
_Static_assert(sizeof message_label_list / sizeof message_label_list[0] ==
               sizeof message_fields / sizeof message_fields[0],
               "one label list per messages column");

typedef struct arm {
	char *name;
	hid_t group;
	esc_h5_table runs, daily, events, messages, log;
	runs_layout *runs_cols;     /* the runs table's descriptor */
	int has_events, has_daily;
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
};

static void quiet(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* Message for a failed HDF5 step: "<where>: cannot <what>: <reason>". */
static int h5_fail(const esc_h5_writer *w, esc_error *err, const char *what)
{
	char reason[512];
	esc_h5_reason(reason, sizeof reason);
	return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot %s: %s", w->where,
	                     what, reason);
}

static char *cat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

static int sha256_hex(const char *text, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) != 1 ||
	    len != 32)
		return -1;
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* --------------------------------------------------------------- teardown */

/* Close every HDF5 object the writer holds; -1 if any close failed. */
static int close_objects(esc_h5_writer *w)
{
	int rc = 0;
	for (size_t i = 0; i < w->n_arms; i++) {
		/* Each closed whatever happened to the others. */
		if (esc_h5_table_close(&w->arms[i].runs) < 0)
			rc = -1;
		if (esc_h5_table_close(&w->arms[i].daily) < 0)
			rc = -1;
		if (esc_h5_table_close(&w->arms[i].events) < 0)
			rc = -1;
		if (esc_h5_table_close(&w->arms[i].log) < 0)
			rc = -1;
		if (esc_h5_table_close(&w->arms[i].messages) < 0)
			rc = -1;
		if (w->arms[i].group >= 0 && H5Gclose(w->arms[i].group) < 0)
			rc = -1;
		w->arms[i].group = -1;
	}
	if (w->arms_group >= 0 && H5Gclose(w->arms_group) < 0)
		rc = -1;
	w->arms_group = -1;
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
		runs_layout_free(w->arms[i].runs_cols);
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
	quiet();
	close_objects(w);
	if (w->file >= 0)
		H5Fclose(w->file);
	unlink(w->partial);
	free_writer(w);
}

/* -------------------------------------------------------------- provenance */

static int root_attrs(esc_h5_writer *w, const esc_h5_provenance *p,
                      const char *sha, esc_error *err)
{
	char created[32], hdf5_version[32];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(created, sizeof created, "unknown");
	unsigned maj = 0, min = 0, rel = 0;
	H5get_libversion(&maj, &min, &rel);
	snprintf(hdf5_version, sizeof hdf5_version, "%u.%u.%u", maj, min, rel);

	const struct { const char *name, *value; } text[] = {
		{ "escsim_version", p->escsim_version },
		{ "schema_version", ESC_SCHEMA_VERSION },
		{ "created", created },
		{ "command_line", p->command_line },
		{ "scenario_name", p->scenario_name },
		{ "scenario_sha256", sha },
		{ "gsl_version", GSL_VERSION },
		{ "hdf5_version", hdf5_version },
	};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		if (esc_h5_attr_text(w->file, text[i].name, text[i].value) < 0)
			return h5_fail(w, err, "write the root attributes");
	if ((p->lua_version &&
	     esc_h5_attr_text(w->file, "lua_version", p->lua_version) < 0) ||
	    (p->rng_type && esc_h5_attr_text(w->file, "rng_type", p->rng_type) < 0))
		return h5_fail(w, err, "write the root attributes");

	int8_t complete = 0;
	if (esc_h5_attr_scalar(w->file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
	                       &p->seed) < 0 ||
	    esc_h5_attr_scalar(w->file, "reps", H5T_STD_I64LE, H5T_NATIVE_INT64,
	                       &p->reps) < 0 ||
	    esc_h5_attr_scalar(w->file, "complete", H5T_STD_I8LE, H5T_NATIVE_INT8,
	                       &complete) < 0)
		return h5_fail(w, err, "write the root attributes");
	return ESC_OK;
}

/* A text dataset with its provenance attributes, closed again. */
static int source_dataset(hid_t loc, const char *link, const esc_h5_source *s,
                          int with_name)
{
	char sha[65];
	hid_t d = -1;
	if (sha256_hex(s->text, sha) < 0 ||
	    esc_h5_text_dataset(loc, link, s->text, &d) < 0)
		return -1;
	int rc = (esc_h5_attr_text(d, "path", s->path) < 0 ||
	          esc_h5_attr_text(d, "sha256", sha) < 0 ||
	          (with_name && esc_h5_attr_text(d, "name", s->name) < 0)) ? -1 : 0;
	if (H5Dclose(d) < 0)
		rc = -1;
	return rc;
}

/* Link name for a module: '/' would make a path, "" and "." are not names;
 * a clash after replacing gets "~2", "~3", ... */
static int module_link(hid_t modules, const char *name, char *out, size_t size)
{
	char base[256];
	snprintf(base, sizeof base, "%s", name && *name ? name : "_");
	for (char *c = base; *c; c++)
		if (*c == '/')
			*c = '_';
	if (!strcmp(base, "."))
		base[0] = '_';
	snprintf(out, size, "%s", base);
	for (int k = 2; k < 10000; k++) {
		htri_t e = H5Lexists(modules, out, H5P_DEFAULT);
		if (e < 0)
			return -1;
		if (!e)
			return 0;
		snprintf(out, size, "%s~%d", base, k);
	}
	return -1;
}

static int scenario_group(esc_h5_writer *w, const esc_h5_provenance *p,
                          esc_error *err)
{
	hid_t g = H5Gcreate2(w->file, "scenario", H5P_DEFAULT, H5P_DEFAULT,
	                     H5P_DEFAULT);
	if (g < 0)
		return h5_fail(w, err, "create /scenario");
	int rc = ESC_OK;
	if (source_dataset(g, "source", &p->sources[0], 0) < 0)
		rc = h5_fail(w, err, "write /scenario/source");
	else if (p->resolved_json &&
	         esc_h5_text_dataset(g, "resolved_json", p->resolved_json, NULL) < 0)
		rc = h5_fail(w, err, "write /scenario/resolved_json");

	hid_t m = -1;
	if (rc == ESC_OK) {
		m = H5Gcreate2(g, "modules", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (m < 0)
			rc = h5_fail(w, err, "create /scenario/modules");
	}
	for (size_t i = 1; rc == ESC_OK && i < p->n_sources; i++) {
		const esc_h5_source *s = &p->sources[i];
		char link[300], what[400];
		if (!s->text) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: module '%s' has no "
			                   "text (internal error)", w->where,
			                   s->name ? s->name : "?");
		} else if (module_link(m, s->name, link, sizeof link) < 0 ||
		           source_dataset(m, link, s, 1) < 0) {
			snprintf(what, sizeof what, "write module '%s' to "
			         "/scenario/modules", s->name ? s->name : "?");
			rc = h5_fail(w, err, what);
		}
	}
	if (m >= 0 && H5Gclose(m) < 0 && rc == ESC_OK)
		rc = h5_fail(w, err, "write /scenario/modules");
	if (H5Gclose(g) < 0 && rc == ESC_OK)
		rc = h5_fail(w, err, "write /scenario");
	return rc;
}

/* ------------------------------------------------------------------ create */

/* Each table's chunk cache: one chunk (h5_table.c's CHUNK_BYTES, 256 KiB
 * of rows; this must stay at least that, or every partial append would
 * re-read and re-compress its chunk) and some room.  Appends only fill the
 * last chunk, so HDF5's default of 1 MiB a table held up to four finished
 * chunks for nothing: about 2 MB more peak memory once a batch is long
 * enough to fill them (docs/performance.md, Memory).  w0 = 1: a finished
 * chunk goes first.  The metadata cache stays at its default: it holds
 * 40 KB at 100,000 replications (H5Fget_mdc_size). */
#define WRITER_CHUNK_CACHE (320u * 1024u)

static hid_t writer_fapl(void)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0 && H5Pset_cache(fapl, 0, 101, WRITER_CHUNK_CACHE, 1.0) < 0) {
		H5Pclose(fapl);
		return H5P_DEFAULT;
	}
	return fapl < 0 ? H5P_DEFAULT : fapl;
}

esc_h5_writer *esc_h5_create(const char *path, const esc_h5_provenance *prov,
                             esc_error *err)
{
	/* HDF5 1.10 crashes at exit in its atexit handler once an H5Fclose has
	 * failed (a full disk: HDFFV-11052, fixed in 1.14.1); our files are
	 * always closed explicitly, so let process exit reclaim the library.
	 * Only takes effect before the library's first call; harmless after. */
	H5dont_atexit();
	quiet();
	if (!path || !*path) {
		esc_error_set(err, ESC_ERR_RUNTIME, "no results file name given");
		return NULL;
	}
	if (!prov || !prov->sources || prov->n_sources < 1 || !prov->sources[0].text) {
		esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s': no scenario "
		              "source given (internal error)", path);
		return NULL;
	}
	esc_h5_writer *w = calloc(1, sizeof *w);
	if (!w) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	w->file = w->arms_group = -1;
	w->path = cat(path, "", "");
	w->partial = cat(path, ".partial", "");
	w->where = w->partial ? cat("results file '", w->partial, "'") : NULL;
	w->pool = esc_h5_zpool_new(0);
	if (!w->path || !w->partial || !w->where || !w->pool) {
		free_writer(w);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}

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

	hid_t fapl = writer_fapl();
	w->file = H5Fcreate(w->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
	if (w->file < 0) {
		char reason[512];
		esc_h5_reason(reason, sizeof reason);   /* before any other call */
		if (fapl != H5P_DEFAULT)
			H5Pclose(fapl);
		esc_error_set(err, ESC_ERR_RUNTIME, "cannot create results file "
		              "'%s': %s", w->partial, reason);
		if (created)
			unlink(w->partial);
		free_writer(w);
		return NULL;
	}
	if (fapl != H5P_DEFAULT)
		H5Pclose(fapl);

	char sha[65];
	if (sha256_hex(prov->sources[0].text, sha) < 0) {
		esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot compute the scenario's "
		              "SHA-256 (OpenSSL)", w->where);
		goto fail;
	}
	if (root_attrs(w, prov, sha, err) || scenario_group(w, prov, err))
		goto fail;
	w->arms_group = H5Gcreate2(w->file, "arms", H5P_DEFAULT, H5P_DEFAULT,
	                           H5P_DEFAULT);
	if (w->arms_group < 0) {
		h5_fail(w, err, "create /arms");
		goto fail;
	}
	return w;

fail:
	esc_h5_discard(w);
	return NULL;
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

/* Create one of an arm's labelled tables: LISTS says which name list each
 * column takes (LBL_*), SPECS holds one spec per list. */
static int labelled_table(esc_h5_writer *w, arm *a, esc_h5_table *t,
                          const char *name, const esc_h5_table_desc *desc,
                          const int *lists, char *const specs[N_LBL],
                          esc_error *err)
{
	const char *labels[32] = {0};
	if (desc->n_fields > sizeof labels / sizeof labels[0])
		return esc_error_set(err, ESC_ERR_RUNTIME, "table %s: too many "
		                     "columns (internal error)", name);
	for (size_t i = 0; i < desc->n_fields; i++)
		labels[i] = lists[i] == LBL_NONE ? NULL : specs[lists[i]];
	int rc = esc_h5_table_create(t, a->group, name, desc, labels, w->where, err);
	t->pool = w->pool;
	return rc;
}

int esc_h5_add_arm(esc_h5_writer *w, const char *name, const char *overrides,
                   const char *resolved_json, const esc_h5_labels *labels,
                   int daily, int events, int *arm_index, esc_error *err)
{
	quiet();
	if (esc_h5_check_arm_name(name, err))
		return err ? err->status : ESC_ERR_INPUT;
	for (size_t i = 0; i < w->n_arms; i++)
		if (!strcmp(w->arms[i].name, name))
			return esc_error_set(err, ESC_ERR_INPUT, "arm '%s' given twice",
			                     name);
	if (w->n_arms == w->cap_arms) {
		size_t cap = w->cap_arms ? 2 * w->cap_arms : 4;
		arm *a = realloc(w->arms, cap * sizeof *a);
		if (!a)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		w->arms = a;
		w->cap_arms = cap;
	}

	/* Labels first: a name they cannot hold is the caller's error, found
	 * before anything is added to the file. */
	char *specs[N_LBL] = {0};
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
	if (!specs[LBL_CHANNEL]) {
		for (int i = 0; i < N_LBL; i++)
			free(specs[i]);
		return err ? err->status : ESC_ERR_INPUT;
	}

	arm *a = &w->arms[w->n_arms];
	memset(a, 0, sizeof *a);
	a->group = -1;
	a->runs.dset = -1;
	a->daily.dset = -1;
	a->events.dset = -1;
	a->messages.dset = -1;
	a->log.dset = -1;
	int rc;
	if (!(a->name = cat(name, "", ""))) {
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto out;
	}

	char what[128];
	snprintf(what, sizeof what, "create /arms/%s", name);
	a->group = H5Gcreate2(w->arms_group, name, H5P_DEFAULT, H5P_DEFAULT,
	                      H5P_DEFAULT);
	if (a->group < 0 ||
	    esc_h5_attr_text(a->group, "overrides", overrides) < 0 ||
	    esc_h5_attr_text(a->group, "resolved_json", resolved_json) < 0)
		rc = h5_fail(w, err, what);
	else if (!(a->runs_cols = runs_layout_for(labels ? &labels->parties : NULL, err)))
		rc = err ? err->status : ESC_ERR_RUNTIME;
	else
		rc = esc_h5_table_create(&a->runs, a->group, "runs", &a->runs_cols->desc,
		                         NULL, w->where, err);
	a->runs.pool = w->pool;
	if (!rc && daily) {
		rc = labelled_table(w, a, &a->daily, "daily", &daily_desc,
		                    daily_label_list, specs, err);
		a->has_daily = 1;
	}
	if (!rc)
		rc = labelled_table(w, a, &a->log, "log", &log_desc,
		                    log_label_list, specs, err);
	if (!rc && events) {
		rc = labelled_table(w, a, &a->events, "events", &events_desc,
		                    event_label_list, specs, err);
		if (!rc)
			rc = labelled_table(w, a, &a->messages, "messages",
			                    &messages_desc, message_label_list, specs,
			                    err);
		a->has_events = 1;
	}
	if (rc) {
		/* The half-made group stays in the file, which is discarded or
		 * kept incomplete by the caller; we just forget the arm. */
		esc_h5_table_close(&a->runs);
		esc_h5_table_close(&a->daily);
		esc_h5_table_close(&a->events);
		esc_h5_table_close(&a->messages);
		esc_h5_table_close(&a->log);
		if (a->group >= 0)
			H5Gclose(a->group);
		free(a->name);
		runs_layout_free(a->runs_cols);
		goto out;
	}
	*arm_index = (int)w->n_arms++;
out:
	for (int i = 0; i < N_LBL; i++)
		free(specs[i]);
	return rc;
}

static arm *arm_at(esc_h5_writer *w, int arm_index, esc_error *err)
{
	if (arm_index >= 0 && (size_t)arm_index < w->n_arms)
		return &w->arms[arm_index];
	esc_error_set(err, ESC_ERR_RUNTIME, "%s: no arm number %d (internal "
	              "error)", w->where, arm_index);
	return NULL;
}

/* Append to one of an arm's tables; a table the arm was made without is
 * the caller's bug, refused with a message. */
enum { T_RUNS, T_DAILY, T_EVENTS, T_MESSAGES };

static int append(esc_h5_writer *w, int arm_index, int which, const void *rows,
                  size_t n, esc_error *err)
{
	static const char *const names[] = { "runs", "daily", "events", "messages" };
	quiet();
	arm *a = arm_at(w, arm_index, err);
	if (!a)
		return ESC_ERR_RUNTIME;
	esc_h5_table *t[] = { &a->runs, &a->daily, &a->events, &a->messages };
	int has[] = { 1, a->has_daily, a->has_events, a->has_events };
	if (!has[which])
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: arm '%s' has no "
		                     "%s table (internal error)", w->where, a->name,
		                     names[which]);
	return esc_h5_table_append(t[which], rows, n, w->where, err);
}

int esc_h5_append_runs(esc_h5_writer *w, int arm_index, const esc_run_row *rows,
                       size_t n, esc_error *err)
{
	return append(w, arm_index, T_RUNS, rows, n, err);
}

int esc_h5_append_daily(esc_h5_writer *w, int arm_index,
                        const esc_daily_row *rows, size_t n, esc_error *err)
{
	return append(w, arm_index, T_DAILY, rows, n, err);
}

int esc_h5_append_events(esc_h5_writer *w, int arm_index,
                         const esc_event_row *rows, size_t n, esc_error *err)
{
	return append(w, arm_index, T_EVENTS, rows, n, err);
}

int esc_h5_append_messages(esc_h5_writer *w, int arm_index,
                           const esc_message_row *rows, size_t n,
                           esc_error *err)
{
	return append(w, arm_index, T_MESSAGES, rows, n, err);
}

int esc_h5_append_failure(esc_h5_writer *w, const esc_failure_row *row, esc_error *err)
{
	quiet();
	if (!w->has_failures) {
		w->failures.dset = -1;
		if (esc_h5_table_create(&w->failures, w->file, "failures", &failures_desc,
		                        NULL, w->where, err))
			return err ? err->status : ESC_ERR_RUNTIME;
		w->failures.pool = w->pool;
		w->has_failures = 1;
	}
	return esc_h5_table_append(&w->failures, row, 1, w->where, err);
}

int esc_h5_append_log(esc_h5_writer *w, int arm_index, const esc_log_row *rows,
                      size_t n, esc_error *err)
{
	quiet();
	arm *a = arm_at(w, arm_index, err);
	if (!a)
		return ESC_ERR_RUNTIME;
	return esc_h5_table_append(&a->log, rows, n, w->where, err);
}

/* An arm whose rows are all in: close its tables, so HDF5 gives back their
 * chunk caches (up to 1 MiB a table).  A sweep finishes its points one by
 * one; without this its memory would grow with the number of points. */
int esc_h5_arm_done(esc_h5_writer *w, int arm_index, esc_error *err)
{
	quiet();
	arm *a = arm_at(w, arm_index, err);
	if (!a)
		return ESC_ERR_RUNTIME;
	/* Flushed first, for a message naming the rows that failed. */
	esc_h5_table *tabs[] = { &a->runs, &a->daily, &a->events, &a->messages,
	                         &a->log };
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
		if (esc_h5_table_flush(tabs[i], w->where, err))
			return err ? err->status : ESC_ERR_RUNTIME;
	int bad = esc_h5_table_close(&a->runs) < 0;
	bad |= esc_h5_table_close(&a->daily) < 0;
	bad |= esc_h5_table_close(&a->events) < 0;
	bad |= esc_h5_table_close(&a->messages) < 0;
	bad |= esc_h5_table_close(&a->log) < 0;
	a->has_events = a->has_daily = 0;   /* a later append is refused with a message */
	if (bad) {
		char what[128];
		snprintf(what, sizeof what, "close the tables of /arms/%s", a->name);
		return h5_fail(w, err, what);
	}
	return ESC_OK;
}

/* ------------------------------------------------------------------- close */

static int fsync_path(const char *path, int directory)
{
	int fd = open(path, O_RDONLY | (directory ? O_DIRECTORY : 0));
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	/* Some file systems cannot sync a directory; the rename stands. */
	if (rc < 0 && directory && errno == EINVAL)
		rc = 0;
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cat(".", "", "");
	if (slash == path)
		return cat("/", "", "");
	char *d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

int esc_h5_close(esc_h5_writer *w, int complete, esc_error *err)
{
	if (!w)
		return esc_error_set(err, ESC_ERR_RUNTIME, "no results file to close");
	quiet();
	int rc = ESC_OK;
	int8_t flag = complete ? 1 : 0;
	/* Every row in the file before it may say complete. */
	for (size_t i = 0; i < w->n_arms && rc == ESC_OK; i++) {
		arm *a = &w->arms[i];
		esc_h5_table *tabs[] = { &a->runs, &a->daily, &a->events,
		                         &a->messages, &a->log };
		for (size_t k = 0; k < sizeof tabs / sizeof tabs[0] && rc == ESC_OK; k++)
			rc = esc_h5_table_flush(tabs[k], w->where, err);
	}
	if (rc == ESC_OK && w->has_failures)
		rc = esc_h5_table_flush(&w->failures, w->where, err);
	if (rc)
		flag = 0;
	if (esc_h5_attr_scalar(w->file, "complete", H5T_STD_I8LE, H5T_NATIVE_INT8,
	                       &flag) < 0 && rc == ESC_OK)
		rc = h5_fail(w, err, "set the attribute 'complete'");
	if (close_objects(w) < 0 && rc == ESC_OK)
		rc = h5_fail(w, err, "close its datasets");
	herr_t closed = H5Fclose(w->file);
	w->file = -1;
	if (closed < 0 && rc == ESC_OK)
		rc = h5_fail(w, err, "close it");
	if (rc) {
		/* A failed H5Fclose (a full disk) leaves no readable file: remove
		 * it rather than keep a corrupt .partial filling the disk. */
		if (closed < 0)
			unlink(w->partial);
		if (err) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof err->msg - len, closed < 0 ?
			         " (removed: it could not be completed)" :
			         " (left as it is, not renamed)");
		}
		free_writer(w);
		return rc;
	}

	char *dir = dir_of(w->path);
	if (fsync_path(w->partial, 0) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot sync it to disk: "
		                   "%s (left as it is, not renamed)", w->where,
		                   strerror(errno));
	else if (rename(w->partial, w->path) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "cannot rename results file "
		                   "'%s' to '%s': %s (the results are in '%s')",
		                   w->partial, w->path, strerror(errno), w->partial);
	else if (!dir || fsync_path(dir, 1) < 0)
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "results file '%s' written, "
		                   "but syncing its directory '%s' failed: %s",
		                   w->path, dir ? dir : "?",
		                   dir ? strerror(errno) : "out of memory");
	free(dir);
	free_writer(w);
	return rc;
}
