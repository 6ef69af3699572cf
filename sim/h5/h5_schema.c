/* h5_schema.c: the tables of a result file, column by column (h5_schema.h):
 * names, storage kinds, units, labels and descriptions, as the writer
 * creates them, as readers check them, and as the runs reader
 * (h5_reader.c) reads esc_run_row back: one list of columns per table.
 *
 * One descriptor per table (esc_h5_table_desc, escsim/h5_reader.h) over its row
 * struct (escsim/outcome.h).  Labels that name scenario things (parties,
 * zones, incident types, regime states, channels) are known only when an
 * arm is built; each such column says which list it takes (LBL_*).
 *
 * Readers trust a table only after esc_h5_schema_check: every column is
 * one escsim writes, stored as escsim stores it, so a column whose name or
 * type was damaged (in files without metadata checksums, schema 1.0 and
 * 1.1) is refused by name instead of read as another metric.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/outcome.h"
#include "h5_schema.h"
#include "h5_table.h"

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
	 * (esc_h5_runs_layout_for) */
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
#define PER_PARTY "fatalities_by_"

/* int64 runs columns of earlier files, still read. */
static const char *const runs_retired[] = {
	"ops_notified", "ops_deconflicted", "near_misses", NULL,
};

void esc_h5_runs_layout_free(esc_h5_runs_layout *l)
{
	if (!l)
		return;
	free(l->fields);
	free(l->names);
	free(l);
}

esc_h5_runs_layout *esc_h5_runs_layout_for(const esc_h5_names *parties,
                                           esc_error *err)
{
	size_t np = parties ? parties->n : 0;
	if (np > ESC_MAX_PARTIES) {
		esc_error_set(err, ESC_ERR_INPUT, "%zu parties: at most %d", np, ESC_MAX_PARTIES);
		return NULL;
	}
	esc_h5_runs_layout *l = calloc(1, sizeof *l);
	if (l) {
		l->fields = calloc(N_RUN_FIELDS + np, sizeof *l->fields);
		l->names = calloc(np ? np : 1, sizeof *l->names);
	}
	if (!l || !l->fields || !l->names) {
		esc_h5_runs_layout_free(l);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < RUN_PARTY_AFTER; i++)
		l->fields[k++] = run_fields[i];
	for (size_t p = 0; p < np; p++) {
		snprintf(l->names[p], sizeof l->names[p], PER_PARTY "%s", parties->names[p]);
		l->fields[k++] = (esc_h5_field){
			l->names[p], offsetof(esc_run_row, fatalities_by) + p * sizeof(int64_t),
			ESC_H5_I64, "count", NULL,
			"deaths (military and civilian) in incidents this party carried out",
		};
	}
	for (size_t i = RUN_PARTY_AFTER; i < N_RUN_FIELDS; i++)
		l->fields[k++] = run_fields[i];
	l->desc = (esc_h5_table_desc){ "runs: one row per replication",
	                               sizeof(esc_run_row), l->fields, k };
	return l;
}

static const esc_h5_table_desc runs_desc = {
	"runs: one row per replication",
	sizeof(esc_run_row),
	run_fields,
	sizeof run_fields / sizeof run_fields[0],
};

/* "goldstein" is a point on the Goldstein conflict-cooperation scale,
 * -10..+10 per event. */

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

const esc_h5_schema esc_h5_schemas[N_SCHEMA] = {
	[SCHEMA_RUNS] = { "runs", &runs_desc, NULL, PER_PARTY, runs_retired },
	[SCHEMA_DAILY] = { "daily", &daily_desc, daily_label_list, NULL, NULL },
	[SCHEMA_EVENTS] = { "events", &events_desc, event_label_list, NULL, NULL },
	[SCHEMA_MESSAGES] = { "messages", &messages_desc, message_label_list, NULL, NULL },
	[SCHEMA_LOG] = { "log", &log_desc, log_label_list, NULL, NULL },
	[SCHEMA_FAILURES] = { "failures", &failures_desc, NULL, NULL, NULL },
};

const esc_h5_schema *esc_h5_schema_named(const char *name, int in_arm)
{
	for (int i = 0; i < N_SCHEMA; i++)
		if (strcmp(esc_h5_schemas[i].name, name) == 0 &&
		    (i == SCHEMA_FAILURES) == !in_arm)
			return &esc_h5_schemas[i];
	return NULL;
}

/* 1 if member type MT is how a column of kind K is stored (an int32 code
 * column may be narrowed to 1 or 2 bytes by its labels). */
static int stored_as(hid_t mt, esc_h5_kind k)
{
	H5T_class_t c = H5Tget_class(mt);
	size_t size = H5Tget_size(mt);
	int sign = c == H5T_INTEGER ? H5Tget_sign(mt) : -1;
	switch (k) {
	case ESC_H5_I8: return c == H5T_INTEGER && size == 1 && sign == H5T_SGN_2;
	case ESC_H5_I32:
		return c == H5T_INTEGER && sign == H5T_SGN_2 &&
		       (size == 1 || size == 2 || size == 4);
	case ESC_H5_I64: return c == H5T_INTEGER && size == 8 && sign == H5T_SGN_2;
	case ESC_H5_U64: return c == H5T_INTEGER && size == 8 && sign == H5T_SGN_NONE;
	case ESC_H5_F64: return c == H5T_FLOAT && size == 8;
	case ESC_H5_ENUM8: return c == H5T_ENUM && size == 1;
	case ESC_H5_STR32:
	case ESC_H5_STR256:
		return c == H5T_STRING && H5Tis_variable_str(mt) == 0 &&
		       size == (k == ESC_H5_STR32 ? 32u : 256u);
	}
	return 0;
}

static const char *kind_name(esc_h5_kind k)
{
	static const char *const names[] = {
		[ESC_H5_I8] = "int8", [ESC_H5_I32] = "integer code",
		[ESC_H5_I64] = "int64", [ESC_H5_U64] = "uint64",
		[ESC_H5_F64] = "float64", [ESC_H5_ENUM8] = "enum (int8)",
		[ESC_H5_STR32] = "32-byte string", [ESC_H5_STR256] = "256-byte string",
	};
	return names[k];
}

/* 1 if column NAME, not in S's descriptor, is one of its per-party or
 * retired int64 columns. */
static int extra_column(const esc_h5_schema *s, const char *name, hid_t mt)
{
	if (!stored_as(mt, ESC_H5_I64))
		return 0;
	size_t n = s->per_party ? strlen(s->per_party) : 0;
	if (n && strncmp(name, s->per_party, n) == 0 && name[n])
		return 1;
	for (size_t i = 0; s->retired && s->retired[i]; i++)
		if (strcmp(name, s->retired[i]) == 0)
			return 1;
	return 0;
}

int esc_h5_schema_check(hid_t dset, const esc_h5_schema *s, int allow_extra,
                        const char *file, const char *path, esc_error *err)
{
	const esc_h5_table_desc *d = s->desc;
	hid_t ft = H5Dget_type(dset);
	int n = ft >= 0 && H5Tget_class(ft) == H5T_COMPOUND ? H5Tget_nmembers(ft) : -1;
	int rc = ESC_OK, have_rep = 0;
	char seen[64] = {0};
	char unknown[128] = "";
	if (n <= 0 || d->n_fields > sizeof seen) {
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s is not a %s table (its "
		                   "rows are not compound)", file, path, s->name);
		goto out;
	}
	for (int i = 0; i < n && rc == ESC_OK; i++) {
		char *name = H5Tget_member_name(ft, (unsigned)i);
		hid_t mt = H5Tget_member_type(ft, (unsigned)i);
		size_t k = 0;
		while (name && k < d->n_fields && strcmp(d->fields[k].name, name) != 0)
			k++;
		if (!name || mt < 0)
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: cannot read the "
			                   "type of column %d", file, path, i);
		else if (k == d->n_fields && extra_column(s, name, mt))
			;       /* a party's column, or one of an earlier file */
		else if (k == d->n_fields && !allow_extra && !unknown[0])
			snprintf(unknown, sizeof unknown, "%s", name);
		else if (k < d->n_fields && seen[k]++)
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' "
			                   "appears twice", file, path, name);
		else if (k < d->n_fields && !stored_as(mt, d->fields[k].kind))
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is "
			                   "not stored as escsim stores it (%s)", file, path,
			                   name, kind_name(d->fields[k].kind));
		have_rep |= k == 0 && rc == ESC_OK;
		if (name)
			H5free_memory(name);
		if (mt >= 0)
			H5Tclose(mt);
	}
	if (rc == ESC_OK && unknown[0]) {
		/* A damaged name usually leaves exactly one column missing. */
		size_t missing = d->n_fields, n_missing = 0;
		for (size_t k = 0; k < d->n_fields; k++)
			if (!seen[k]) {
				missing = k;
				n_missing++;
			}
		if (n_missing == 1)
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is not "
			                   "one escsim writes (and '%s' is missing): the "
			                   "file is damaged", file, path, unknown,
			                   d->fields[missing].name);
		else
			rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s: column '%s' is not "
			                   "one escsim writes in a %s table", file, path,
			                   unknown, s->name);
	}
	if (rc == ESC_OK && !have_rep)
		rc = esc_error_set(err, ESC_ERR_INPUT, "'%s': %s has no column 'rep' "
		                   "(int64): not a %s table escsim wrote", file, path,
		                   s->name);
	if (rc == ESC_OK)
		rc = esc_h5_table_extent(dset, file, path, err);
out:
	if (ft >= 0)
		H5Tclose(ft);
	return rc;
}
