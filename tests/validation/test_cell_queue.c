/* test_cell_queue.c: the communication cell's queue against queueing theory
 * (MR 6.7): Erlang C's probability of waiting and mean wait for several
 * (arrival rate, operators, handling time) points, Little's law, the
 * availability MTBF / (MTBF + MTTR), staffed hours and priorities.
 *
 * Requests come from a policy that queries the cell about every incident,
 * and incidents arrive as a Poisson process observed without delay, so
 * requests are Poisson; handling is exponential and nothing else delays the
 * queue: the cell is then an M/M/c queue.  Waits are read from the messages
 * log (t_start - t_submit).  Intervals are 99.9 % t intervals over
 * independent replications (model_check.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "model_check.h"

#define REPS 20

typedef struct msgs {
	esc_message_row *v;
	size_t n, cap;
} msgs;

static int keep_message(void *self, const esc_message_row *row, esc_error *err)
{
	msgs *m = self;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 4096;
		esc_message_row *p = realloc(m->v, cap * sizeof *p);
		if (!p)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		m->v = p;
		m->cap = cap;
	}
	m->v[m->n++] = *row;
	return 0;
}

/* Party 0 queries about every incident by party 2, with the priority of the
 * incident's type (type 0: flash, type 1: routine). */
static int ask(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
               esc_decision *out, esc_error *err)
{
	(void)self; (void)ctx; (void)err;
	if (obs->observer == 0) {
		out->action = ESC_ACT_QUERY;
		out->priority = obs->type == 0 ? 0 : 2;
	}
	return 0;
}

static const esc_policy_type asker = { .name = "asker", .on_incident_observed = ask };

/* Members 0 and 1; party 2 attacks 0 at `rate` per hour (split between the
 * two types in proportion share_flash); handling Exp(mean_h). */
static void queue_config(esc_config *cfg, double rate, int operators, double mean_h,
                         double share_flash)
{
	assert_int_equal(esc_config_alloc(cfg, 3, 1, 2, 2, NULL), 0);
	for (int i = 0; i < 3; i++)
		snprintf(cfg->parties[i].name, ESC_NAME_MAX, "P%d", i);
	cfg->parties[2].kind = ESC_PARTY_NONSTATE;
	esc_config_cell_defaults(cfg);
	strcpy(cfg->zones[0], "Z");
	strcpy(cfg->types[0].name, "a");
	strcpy(cfg->types[1].name, "b");
	cfg->types[0].level = cfg->types[1].level = 1;
	cfg->generators[0] = (esc_generator){ .actor = 2, .target = 0, .type = 0, .rate_per_h = rate * share_flash };
	cfg->generators[1] = (esc_generator){ .actor = 2, .target = 0, .type = 1, .rate_per_h = rate * (1 - share_flash) };
	cfg->horizon_h = 3000;
	cfg->cell.operators = operators;
	esc_dist_free(&cfg->cell.handling_h);
	assert_int_equal(esc_dist_init(&cfg->cell.handling_h, ESC_DIST_EXPONENTIAL, mean_h, 0, 0, NULL), 0);
	esc_dist_free(&cfg->cell.latency_h);
	assert_int_equal(esc_dist_init(&cfg->cell.latency_h, ESC_DIST_CONSTANT, 0, 0, 0, NULL), 0);
}

/* Erlang C: probability of waiting and mean wait of M/M/c. */
static void erlang_c(double lambda, double mu, int c, double *pw, double *wq)
{
	double a = lambda / mu, term = 1, sum = 0;
	for (int k = 0; k < c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	double top = term * c / (c - a);     /* a^c / c! * c / (c - a) */
	*pw = top / (sum + top);
	*wq = *pw / (c * mu - lambda);
}

typedef struct run_out {
	msgs m;
	esc_run_row row;
} run_out;

static void run_rep(const esc_config *cfg, uint64_t seed, uint64_t rep, run_out *o)
{
	esc_error err = {0};
	esc_model *m = esc_model_new(cfg, &err);
	if (!m)
		fail_msg("%s", err.msg);
	esc_streams *s = esc_streams_new(NULL);
	esc_model_sink sink = { .self = &o->m, .message = keep_message };
	esc_model_set_sink(m, &sink);
	esc_policy pol = { &asker, NULL };
	o->m.n = 0;
	if (esc_model_run(m, &pol, s, seed, rep, &o->row, &err))
		fail_msg("%s", err.msg);
	esc_streams_free(s);
	esc_model_free(m);
}

#define BURN_H 100.0

static int check_point(double lambda, int c, double mean_h)
{
	esc_config cfg;
	queue_config(&cfg, lambda, c, mean_h, 0.5);
	/* Same priority for everyone here: FIFO, as Erlang C assumes. */
	double pw_theory, wq_theory;
	erlang_c(lambda, 1 / mean_h, c, &pw_theory, &wq_theory);
	double pw[REPS], wq[REPS], little[REPS];
	run_out o = {0};
	for (int r = 0; r < REPS; r++) {
		run_rep(&cfg, 17, (uint64_t)r, &o);
		double waited = 0, n = 0, wsum = 0;
		for (size_t i = 0; i < o.m.n; i++) {
			const esc_message_row *x = &o.m.v[i];
			if (x->t_submit_h < BURN_H || isnan(x->t_start_h))
				continue;
			double w = x->t_start_h - x->t_submit_h;
			waited += w > 0;
			wsum += w;
			n++;
		}
		pw[r] = waited / n;
		wq[r] = wsum / n;
		/* Little's law on the queue: the time-average number waiting over
		 * [BURN_H, T] equals lambda * W_q; integrate each wait's overlap. */
		double area = 0, T = cfg.horizon_h;
		for (size_t i = 0; i < o.m.n; i++) {
			const esc_message_row *x = &o.m.v[i];
			double end = isnan(x->t_start_h) ? T : x->t_start_h;
			double a = fmax(x->t_submit_h, BURN_H), b = fmin(end, T);
			if (b > a)
				area += b - a;
		}
		little[r] = area / (T - BURN_H) - lambda * wq[r];
	}
	char what[96];
	int ok = 1;
	snprintf(what, sizeof what, "P(wait), lambda=%g/h c=%d S=%g h", lambda, c, mean_h);
	ok &= covers_t(what, pw, REPS, pw_theory);
	snprintf(what, sizeof what, "W_q (h), lambda=%g/h c=%d S=%g h", lambda, c, mean_h);
	ok &= covers_t(what, wq, REPS, wq_theory);
	snprintf(what, sizeof what, "L_q - lambda W_q, lambda=%g/h c=%d", lambda, c);
	ok &= covers_t(what, little, REPS, 0);
	free(o.m.v);
	esc_config_free(&cfg);
	return ok;
}

/* Points from MR 6.7: lambda 2/h and 6/h, 15-minute handling. */
static void test_erlang_c(void **state)
{
	(void)state;
	int ok = 1;
	ok &= check_point(2, 1, 0.25);    /* P_W 0.500, W_q 15.0 min */
	ok &= check_point(2, 2, 0.25);    /* 0.100, 1.0 min */
	ok &= check_point(2, 3, 0.25);    /* 0.0152, 0.09 min */
	ok &= check_point(6, 2, 0.25);    /* 0.643, 19.3 min */
	ok &= check_point(6, 3, 0.25);    /* 0.237, 2.37 min */
	assert_true(ok);
}

static void test_theory_values(void **state)
{
	(void)state;
	double pw, wq;
	erlang_c(2, 4, 1, &pw, &wq);
	assert_true(fabs(pw - 0.5) < 1e-9 && fabs(wq * 60 - 15) < 1e-9);
	erlang_c(6, 4, 3, &pw, &wq);
	assert_true(fabs(pw - 0.2368) < 1e-3 && fabs(wq * 60 - 2.37) < 0.01);
	erlang_c(2.5, 1, 3, &pw, &wq);
	assert_true(fabs(pw - 0.702) < 1e-3);    /* the textbook check, A = 2.5 */
}

/* Requests arrive as a Poisson process, so by PASTA the share that finds the
 * cell down is the long-run unavailability MTTR / (MTBF + MTTR). */
static void test_availability(void **state)
{
	(void)state;
	esc_config cfg;
	queue_config(&cfg, 1.0, 3, 0.01, 0.5);
	cfg.cell.mtbf_h = 50;
	cfg.cell.mttr_h = 10;
	double down[REPS];
	run_out o = {0};
	for (int r = 0; r < REPS; r++) {
		run_rep(&cfg, 5, (uint64_t)r, &o);
		double n = 0, u = 0;
		for (size_t i = 0; i < o.m.n; i++)
			if (o.m.v[i].channel == 0) {
				n++;
				u += o.m.v[i].outcome == ESC_MSG_UNAVAILABLE;
			}
		down[r] = u / n;
		assert_int_equal(o.row.cell_unavailable, (int64_t)u);
	}
	assert_true(covers_t("share of requests finding the cell down", down, REPS, 10.0 / 60.0));
	free(o.m.v);
	esc_config_free(&cfg);
}

/* Service starts only within staffed hours. */
static void test_staffed_hours(void **state)
{
	(void)state;
	esc_config cfg;
	queue_config(&cfg, 3.0, 1, 0.25, 0.3);
	cfg.cell.staffed_from_h = 8;
	cfg.cell.staffed_to_h = 20;
	cfg.horizon_h = 500;
	run_out o = {0};
	run_rep(&cfg, 9, 0, &o);
	size_t started = 0, outside = 0;
	for (size_t i = 0; i < o.m.n; i++) {
		const esc_message_row *x = &o.m.v[i];
		if (isnan(x->t_start_h))
			continue;
		started++;
		double h = fmod(x->t_start_h, 24.0);
		outside += !(h >= 8 && h < 20);
	}
	print_message("# %zu requests started, %zu outside staffed hours\n", started, outside);
	assert_true(started > 100);
	assert_int_equal(outside, 0);
	free(o.m.v);
	esc_config_free(&cfg);
}

/* Flash requests overtake routine ones.  For a non-preemptive priority
 * M/M/1 queue Cobham's formula gives the mean wait of class k as
 * W0 / ((1 - s_{k-1}) (1 - s_k)), W0 = lambda E[S^2] / 2, s_k the load of
 * classes 1..k.  Here lambda = 3/h, 30 % flash, S ~ Exp(15 min): W0 =
 * 0.1875 h, s_1 = 0.225, s_2 = 0.75: W_flash = 0.2419 h, W_routine =
 * 0.9677 h.  The messages log does not carry the priority, so the events
 * log tells each request's incident type (type 0 asks flash). */
typedef struct typed { msgs m; int *type_of; size_t cap; } typed;

static int keep_type(void *self, const esc_event_row *row, esc_error *err)
{
	typed *t = self;
	if ((size_t)row->id >= t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		while (cap <= (size_t)row->id)
			cap *= 2;
		int *p = realloc(t->type_of, cap * sizeof *p);
		if (!p)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		t->type_of = p;
		t->cap = cap;
	}
	t->type_of[row->id] = row->type;
	return 0;
}

static int keep_typed_message(void *self, const esc_message_row *row, esc_error *err)
{
	return keep_message(&((typed *)self)->m, row, err);
}

static void test_priorities_cobham(void **state)
{
	(void)state;
	esc_config cfg;
	queue_config(&cfg, 3.0, 1, 0.25, 0.3);
	cfg.horizon_h = 4000;
	esc_error err = {0};
	esc_model *m = esc_model_new(&cfg, &err);
	assert_non_null(m);
	esc_streams *s = esc_streams_new(NULL);
	typed t = {0};
	esc_model_sink sink = { .self = &t, .event = keep_type, .message = keep_typed_message };
	esc_model_set_sink(m, &sink);
	esc_policy pol = { &asker, NULL };
	double wf[REPS], wr[REPS];
	for (int r = 0; r < REPS; r++) {
		t.m.n = 0;
		esc_run_row row;
		if (esc_model_run(m, &pol, s, 23, (uint64_t)r, &row, &err))
			fail_msg("%s", err.msg);
		double sf = 0, nf = 0, sr = 0, nr = 0;
		for (size_t i = 0; i < t.m.n; i++) {
			const esc_message_row *x = &t.m.v[i];
			if (x->t_submit_h < BURN_H || isnan(x->t_start_h))
				continue;
			double w = x->t_start_h - x->t_submit_h;
			if (t.type_of[x->event_id] == 0) { sf += w; nf++; }
			else { sr += w; nr++; }
		}
		wf[r] = sf / nf;
		wr[r] = sr / nr;
	}
	int ok = covers_t("W_q flash (h), Cobham", wf, REPS, 0.1875 / (1 - 0.225));
	ok &= covers_t("W_q routine (h), Cobham", wr, REPS, 0.1875 / ((1 - 0.225) * (1 - 0.75)));
	assert_true(ok);
	free(t.m.v);
	free(t.type_of);
	esc_streams_free(s);
	esc_model_free(m);
	esc_config_free(&cfg);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_theory_values),
		cmocka_unit_test(test_erlang_c),
		cmocka_unit_test(test_availability),
		cmocka_unit_test(test_staffed_hours),
		cmocka_unit_test(test_priorities_cobham),
	};
	return cmocka_run_group_tests_name("cell_queue", tests, NULL, NULL);
}
