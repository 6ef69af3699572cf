/* trace.c: one replication's chain (trace.h), read through table.h.
 *
 * A replication's rows are contiguous in each table (rows are written a
 * replication at a time), so the rep column is scanned once for the first
 * and last row, and only that range is read.  The timeline interleaves
 * events (at t_h) with two moments per message: sent (t_submit_h) and
 * answered or given up (t_answer_h; refused, unavailable and pending have
 * none and show at the moment they were sent).  Columns are found by name,
 * so a table with columns added later traces the same. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/h5_reader.h"
#include "escsim/pytool.h"
#include "table.h"
#include "escsim/trace.h"

#define BLOCK 65536

/* Rows [first, first + n) of PATH whose rep is REP (n = 0 if none). */
static int rep_rows(const esc_h5_file *f, const char *path, int64_t rep,
                    int64_t *first, size_t *n, esc_error *err)
{
	int64_t rows, lo = -1, hi = -1;
	*n = 0;
	if (esc_h5_table_rows(f, path, &rows, err))
		return err->status;
	int64_t *v = malloc(BLOCK * sizeof *v);
	if (!v)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (int64_t s = 0; s < rows; s += BLOCK) {
		size_t k = (size_t)(rows - s < BLOCK ? rows - s : BLOCK);
		if (esc_h5_read_i64(f, path, "rep", s, k, v, err)) {
			free(v);
			return err->status;
		}
		for (size_t i = 0; i < k; i++)
			if (v[i] == rep) {
				if (lo < 0)
					lo = s + (int64_t)i;
				hi = s + (int64_t)i;
			}
	}
	free(v);
	*first = lo;
	*n = lo < 0 ? 0 : (size_t)(hi - lo + 1);
	return ESC_OK;
}

/* A table's rows of the replication, read whole. */
typedef struct part {
	esc_tab t;
	int open;
	int c[16];                 /* column indices, by the names below */
} part;

enum { E_ID, E_PARENT, E_ROOT, E_T, E_ACTOR, E_TARGET, E_ZONE, E_TYPE, E_LEVEL,
       E_FMIL, E_FCIV, E_TRUE, E_SEEN, E_CAUSE, E_KIND, E_REP };
static const char *const ecols[] = { "id", "parent_id", "root_id", "t_h",
	"actor", "target", "zone", "type", "level", "fatalities_mil",
	"fatalities_civ", "true_perpetrator", "perceived_perpetrator", "cause",
	"kind", "rep" };
enum { M_ID, M_EVENT, M_CHANNEL, M_SENDER, M_RECEIVER, M_KIND, M_OUTCOME,
       M_CORRECT, M_SUBMIT, M_ANSWER, M_DEADLINE, M_REP };
static const char *const mcols[] = { "id", "event_id", "channel", "sender",
	"receiver", "kind", "outcome", "correct", "t_submit_h", "t_answer_h",
	"deadline_h", "rep" };

static int read_part(part *p, const esc_h5_file *f, const char *path,
                     int64_t rep, const char *const *names, size_t nn,
                     esc_error *err)
{
	int64_t first;
	size_t n;
	if (esc_tab_open(&p->t, f, path, err))
		return err->status;
	p->open = 1;
	for (size_t k = 0; k < nn; k++)
		p->c[k] = esc_tab_find(&p->t, names[k]);
	if (rep_rows(f, path, rep, &first, &n, err))
		return err->status;
	return n ? esc_tab_read(&p->t, first, n, err) : ESC_OK;
}

/* Text of column K of row I ("?" if the table lacks the column). */
static const char *txt(const part *p, size_t i, int k, char *buf, size_t size)
{
	if (p->c[k] < 0)
		return "?";
	const char *s = esc_tab_text(&p->t, i, (size_t)p->c[k], buf, size);
	return *s ? s : "-";
}

static double num(const part *p, size_t i, int k)
{
	return p->c[k] < 0 ? NAN : esc_tab_f64(&p->t, i, (size_t)p->c[k]);
}

static int64_t code(const part *p, size_t i, int k)
{
	return p->c[k] < 0 ? -1 : esc_tab_i64(&p->t, i, (size_t)p->c[k]);
}

/* A moment of the timeline: an event row, or a message row's sending
 * (phase 0) or answer (phase 1). */
typedef struct moment {
	double t;
	int msg, phase;
	size_t row;
} moment;

static int cmp_moment(const void *x, const void *y)
{
	const moment *a = x, *b = y;
	if (a->t != b->t)
		return (a->t > b->t) - (a->t < b->t);
	if (a->msg != b->msg)               /* an event before what it causes */
		return a->msg - b->msg;
	if (a->phase != b->phase)
		return a->phase - b->phase;
	return (a->row > b->row) - (a->row < b->row);
}

typedef struct tracer {
	const esc_trace_opts *o;
	FILE *out;
	part ev, ms;
	int64_t *ev_id;            /* the events' ids, to find a parent's row */
	double top;                /* highest rung so far (no daily table) */
	double *day_max;           /* daily max_level by day, or NULL */
	size_t n_days;
} tracer;

static long event_row(const tracer *r, int64_t id)
{
	for (size_t i = 0; i < r->ev.t.n; i++)
		if (r->ev_id[i] == id)
			return (long)i;
	return -1;
}

static int in_root(const tracer *r, size_t i)
{
	return r->o->root < 0 || code(&r->ev, i, E_ROOT) == r->o->root;
}

static void print_event(tracer *r, size_t i)
{
	const part *e = &r->ev;
	char b[8][64];
	double level = num(e, i, E_LEVEL);
	if (level > r->top)
		r->top = level;
	double t = num(e, i, E_T), day = floor(t / 24);
	double ladder = r->day_max && day >= 0 && day < (double)r->n_days ?
	                r->day_max[(size_t)day] : r->top;
	fprintf(r->out, "%10.3f  L%-2.0f L%-2.0f  #%s ", t, level, ladder,
	        txt(e, i, E_ID, b[0], 64));
	int protest = strcmp(txt(e, i, E_KIND, b[1], 64), "protest") == 0;
	const char *cause = txt(e, i, E_CAUSE, b[2], 64);
	int64_t parent = code(e, i, E_PARENT);
	long pr = parent >= 0 ? event_row(r, parent) : -1;
	if (protest) {
		fprintf(r->out, "protest %s -> %s", txt(e, i, E_ACTOR, b[3], 64),
		        txt(e, i, E_TARGET, b[4], 64));
		if (parent >= 0)
			fprintf(r->out, " about #%lld", (long long)parent);
		fprintf(r->out, "\n");
		return;
	}
	if (strcmp(cause, "policy") == 0 && parent >= 0) {
		/* A decision: the actor answers the parent incident. */
		fprintf(r->out, "decision: %s retaliates for #%lld: ",
		        txt(e, i, E_ACTOR, b[3], 64), (long long)parent);
	} else if (strcmp(cause, "triggered") == 0 && parent >= 0) {
		fprintf(r->out, "triggered by #%lld: ", (long long)parent);
	}
	fprintf(r->out, "%s %s -> %s in %s", txt(e, i, E_TYPE, b[3], 64),
	        txt(e, i, E_ACTOR, b[4], 64), txt(e, i, E_TARGET, b[5], 64),
	        txt(e, i, E_ZONE, b[6], 64));
	double mil = num(e, i, E_FMIL), civ = num(e, i, E_FCIV);
	if (mil > 0 || civ > 0)
		fprintf(r->out, "; killed %.0f mil + %.0f civ", mil, civ);
	/* Who saw it as whom: the target blames the perceived perpetrator. */
	const char *did = txt(e, i, E_TRUE, b[3], 64);
	const char *seen = txt(e, i, E_SEEN, b[7], 64);
	int wrong = strcmp(did, seen) != 0;
	fprintf(r->out, "; %s blames %s%s%s%s", txt(e, i, E_TARGET, b[5], 64), seen,
	        wrong ? " (MISATTRIBUTED: " : "", wrong ? did : "",
	        wrong ? " did it)" : "");
	/* A retaliation against someone the parent's perpetrator was not. */
	if (pr >= 0 && strcmp(cause, "policy") == 0) {
		const char *pdid = txt(e, (size_t)pr, E_TRUE, b[6], 64);
		const char *target = txt(e, i, E_TARGET, b[5], 64);
		if (strcmp(pdid, target) != 0)
			fprintf(r->out, "; WRONG TARGET: #%lld was %s's", (long long)parent, pdid);
	}
	fprintf(r->out, "\n");
}

/* After a query about an incident is answered (or refused): whether the
 * one who asked retaliated for it.  A query is a policy's question before
 * a decision, so its absence of a retaliation is a decision too. */
static void decision(const tracer *r, size_t i)
{
	char b[2][64];
	int64_t ev = code(&r->ms, i, M_EVENT);
	if (ev < 0 || strcmp(txt(&r->ms, i, M_KIND, b[0], 64), "query") != 0)
		return;
	const char *asker = txt(&r->ms, i, M_SENDER, b[0], 64);
	for (size_t k = 0; k < r->ev.t.n; k++)
		if (code(&r->ev, k, E_PARENT) == ev &&
		    strcmp(txt(&r->ev, k, E_CAUSE, b[1], 64), "policy") == 0 &&
		    strcmp(txt(&r->ev, k, E_KIND, b[1], 64), "incident") == 0) {
			fprintf(r->out, "; decision: %s retaliates (#%lld)", asker,
			        (long long)code(&r->ev, k, E_ID));
			return;
		}
	fprintf(r->out, "; decision: %s does not retaliate for #%lld", asker,
	        (long long)ev);
}

static void print_message(tracer *r, size_t i, int phase)
{
	const part *m = &r->ms;
	char b[8][64];
	double sent = num(m, i, M_SUBMIT), ans = num(m, i, M_ANSWER);
	double dl = num(m, i, M_DEADLINE);
	fprintf(r->out, "%10.3f            msg %s ", phase ? ans : sent,
	        txt(m, i, M_ID, b[0], 64));
	const char *outcome = txt(m, i, M_OUTCOME, b[1], 64);
	if (phase == 0) {
		int64_t ev = code(m, i, M_EVENT);
		fprintf(r->out, "%s via %s %s -> %s", txt(m, i, M_KIND, b[2], 64),
		        txt(m, i, M_CHANNEL, b[3], 64), txt(m, i, M_SENDER, b[4], 64),
		        txt(m, i, M_RECEIVER, b[5], 64));
		if (ev >= 0)
			fprintf(r->out, " about #%lld", (long long)ev);
		if (isfinite(dl))
			fprintf(r->out, ", deadline in %.2f h", dl - sent);
		if (!isfinite(ans)) {
			fprintf(r->out, ": %s", outcome);
			decision(r, i);
		}
		fprintf(r->out, "\n");
		return;
	}
	fprintf(r->out, "%s after %.2f h", outcome, ans - sent);
	if (isfinite(dl))
		fprintf(r->out, ", %.2f h %s the deadline", fabs(dl - ans),
		        ans <= dl ? "before" : "after");
	const char *correct = txt(m, i, M_CORRECT, b[2], 64);
	if (strcmp(correct, "1") == 0 || strcmp(correct, "0") == 0)
		fprintf(r->out, "; answer %s", correct[0] == '1' ? "correct" : "WRONG");
	decision(r, i);
	fprintf(r->out, "\n");
}

/* The messages about events of the cluster (or every one). */
static int msg_wanted(const tracer *r, size_t i)
{
	if (r->o->root < 0)
		return 1;
	long er = event_row(r, code(&r->ms, i, M_EVENT));
	return er >= 0 && in_root(r, (size_t)er);
}

static int timeline(tracer *r, esc_error *err)
{
	size_t ne = r->ev.t.n, nm = r->ms.open ? r->ms.t.n : 0;
	moment *v = malloc((ne + 2 * nm + 1) * sizeof *v);
	if (!v)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < ne; i++)
		if (in_root(r, i))
			v[n++] = (moment){ num(&r->ev, i, E_T), 0, 0, i };
	for (size_t i = 0; i < nm; i++) {
		if (!msg_wanted(r, i))
			continue;
		v[n++] = (moment){ num(&r->ms, i, M_SUBMIT), 1, 0, i };
		double ans = num(&r->ms, i, M_ANSWER);
		if (isfinite(ans))
			v[n++] = (moment){ ans, 1, 1, i };
	}
	qsort(v, n, sizeof *v, cmp_moment);
	fprintf(r->out, "\n     t (h)  act day  what\n");
	for (size_t k = 0; k < n; k++) {
		if (v[k].msg)
			print_message(r, v[k].row, v[k].phase);
		else
			print_event(r, v[k].row);
	}
	free(v);
	return ESC_OK;
}

/* The replication's runs row, three columns to a line. */
static int runs_row(tracer *r, const esc_h5_file *f, const char *group,
                    esc_error *err)
{
	char path[600], buf[64];
	snprintf(path, sizeof path, "/arms/%s/runs", group);
	part p = {0};
	int st = read_part(&p, f, path, r->o->rep, NULL, 0, err);
	if (st == ESC_OK && p.t.n == 0)
		st = esc_error_set(err, ESC_ERR_INPUT, "'%s': arm '%s' has no "
		                   "replication %lld (escsim inspect lists them)",
		                   r->o->path, group, (long long)r->o->rep);
	for (size_t j = 0, col = 0; st == ESC_OK && j < p.t.ncols; j++) {
		const esc_tab_col *c = &p.t.col[j];
		if (!strcmp(c->name, "rep"))
			continue;
		char cell[160];
		const char *v = esc_tab_text(&p.t, 0, j, buf, sizeof buf);
		/* counts and shares need no unit */
		int unit = *c->units && strcmp(c->units, "count") && strcmp(c->units, "1");
		snprintf(cell, sizeof cell, "%s %s%s%s", c->name, *v ? v : "-",
		         unit ? " " : "", unit ? c->units : "");
		fprintf(r->out, "  %-38s%s", cell, ++col % 3 ? "" : "\n");
		if (j + 1 == p.t.ncols && col % 3)
			fprintf(r->out, "\n");
	}
	if (p.open)
		esc_tab_close(&p.t);
	return st;
}

/* The ladder as the file has it: each day's highest level of any pair
 * (the daily table), which the model lifts, holds and decays; an act's own
 * rung is only where it lifts its pair to. */
static int daily_levels(tracer *r, const esc_h5_file *f, const char *path,
                        esc_error *err)
{
	part d = {0};
	static const char *const cols[] = { "day", "max_level" };
	int st = read_part(&d, f, path, r->o->rep, cols, 2, err);
	for (size_t i = 0; st == ESC_OK && d.c[0] >= 0 && d.c[1] >= 0 && i < d.t.n; i++) {
		int64_t day = code(&d, i, 0);
		if (day < 0 || day > 1000000)
			continue;
		if ((size_t)day >= r->n_days) {
			double *v = realloc(r->day_max, ((size_t)day + 1) * sizeof *v);
			if (!v) {
				st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
				break;
			}
			for (size_t k = r->n_days; k <= (size_t)day; k++)
				v[k] = 0;
			r->day_max = v;
			r->n_days = (size_t)day + 1;
		}
		r->day_max[day] = num(&d, i, 1);
	}
	if (d.open)
		esc_tab_close(&d.t);
	return st;
}

/* The group to trace: --arm names a group, or an arm with one group. */
static int pick_group(const esc_trace_opts *o, esc_tab_group *g, size_t ng,
                      const char **out, esc_error *err)
{
	const char *hit = NULL;
	size_t hits = 0;
	for (size_t k = 0; k < ng; k++) {
		if (!o->arm || strcmp(o->arm, g[k].group) == 0) {
			*out = g[k].group;
			return ESC_OK;
		}
		if (strcmp(o->arm, g[k].arm) == 0 && hits++ == 0)
			hit = g[k].group;
	}
	if (hits == 1) {
		*out = hit;
		return ESC_OK;
	}
	if (hits > 1)
		return esc_error_set(err, ESC_ERR_INPUT, "--arm: arm '%s' is at %zu "
		                     "design points: give one group, e.g. --arm %s",
		                     o->arm, hits, hit);
	if (!ng)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' has no arms", o->path);
	return esc_error_set(err, ESC_ERR_INPUT, "--arm: no arm '%s' in '%s' "
	                     "(escsim inspect lists the arms)", o->arm, o->path);
}

static int trace(tracer *r, esc_h5_file *f, const char *group, esc_error *err)
{
	const esc_trace_opts *o = r->o;
	char path[600];
	snprintf(path, sizeof path, "/arms/%s/events", group);
	if (!esc_h5_exists(f, path))
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': arm '%s' has no events "
		                     "table: trace needs a file written with --events "
		                     "(run, compare or sweep)", o->path, group);
	char *seed = NULL;
	esc_error ignore = {0};
	esc_h5_get_attr_text(f, "/", "seed", &seed, &ignore);
	fprintf(r->out, "replication %lld of arm %s in '%s' (seed %s)\n",
	        (long long)o->rep, group, o->path, seed ? seed : "?");
	free(seed);
	if (runs_row(r, f, group, err))
		return err->status;
	if (read_part(&r->ev, f, path, o->rep, ecols, sizeof ecols / sizeof *ecols, err))
		return err->status;
	snprintf(path, sizeof path, "/arms/%s/messages", group);
	if (esc_h5_exists(f, path) &&
	    read_part(&r->ms, f, path, o->rep, mcols, sizeof mcols / sizeof *mcols, err))
		return err->status;
	snprintf(path, sizeof path, "/arms/%s/daily", group);
	if (esc_h5_exists(f, path) && daily_levels(r, f, path, err))
		return err->status;
	r->ev_id = malloc((r->ev.t.n + 1) * sizeof *r->ev_id);
	if (!r->ev_id)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < r->ev.t.n; i++)
		r->ev_id[i] = code(&r->ev, i, E_ID);
	if (o->root >= 0 && event_row(r, o->root) < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "--root: replication %lld of "
		                     "arm '%s' has no event #%lld", (long long)o->rep,
		                     group, (long long)o->root);
	fprintf(r->out, "%zu events, %zu messages", r->ev.t.n, r->ms.open ? r->ms.t.n : 0);
	if (o->root >= 0)
		fprintf(r->out, " (below: the cluster of #%lld only)", (long long)o->root);
	fprintf(r->out, "; act: the act's rung; day: %s\n", r->day_max ?
	        "the highest ladder level of any pair that day (daily max_level)" :
	        "the highest rung so far (no daily table)");
	return timeline(r, err);
}

int esc_trace(const esc_trace_opts *o, esc_error *err)
{
	tracer r = { .o = o, .out = o->out ? o->out : stdout };
	esc_h5_file *f = esc_h5_open(o->path, err);
	if (!f)
		return err->status;
	esc_tab_group *g = NULL;
	size_t ng = 0;
	const char *group = NULL;
	int st = esc_tab_groups(f, &g, &ng, err);
	if (st == ESC_OK)
		st = pick_group(o, g, ng, &group, err);
	if (st == ESC_OK)
		st = trace(&r, f, group, err);
	if (r.ev.open)
		esc_tab_close(&r.ev.t);
	if (r.ms.open)
		esc_tab_close(&r.ms.t);
	free(r.ev_id);
	free(r.day_max);
	esc_h5_file_close(f);
	if (st == ESC_OK && o->plot) {
		char rep[32], root[32];
		snprintf(rep, sizeof rep, "%lld", (long long)o->rep);
		snprintf(root, sizeof root, "%lld", (long long)o->root);
		const char *args[] = { o->path, o->plot, "--arm", group, "--rep", rep,
		                       "--root", root, NULL };
		fflush(r.out);
		st = esc_pytool_run(o->argv0, "trace_plot.py", args, "--plot", err);
	}
	esc_tab_groups_free(g, ng);
	return st;
}
