/* test_mm1.c: the kernel against queueing theory.
 *
 * An M/M/1 queue written only against the kernel's API (esc_event_queue events,
 * esc_streams, GSL exponential draws): arrivals and departures are events,
 * the queue is a FIFO of arrival times.  For each (lambda, mu) we run R = 30
 * independent replications (each replication its own streams), measure N
 * customers after a warm-up, and check against the stationary results
 *
 *   W = 1 / (mu - lambda)            mean time in system (sojourn)
 *   L = lambda W = rho / (1 - rho)   time-average number in system
 *
 * with 99.9% Student-t intervals across replications: the replication means
 * are independent and, being averages of 4x10^5 customers, close to normal, so
 *   mean_r +- t(0.9995, R-1) sd_r / sqrt(R)
 * covers the true value with probability 0.999.  Little's law is checked on
 * the paired differences L_r - lambda W_r, whose mean is 0 in steady state.
 *
 * Warm-up: the M/M/1 relaxation time is about 1 / (mu (1 - sqrt rho)^2),
 * 90 h at rho = 0.8 (72 arrivals); 10^4 warm-up customers are over 100
 * relaxation times, so the bias from starting empty is below e^-100.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "escsim/event_queue.h"
#include "escsim/rng.h"

enum { R = 30 };
static const uint64_t WARMUP = 10000, MEASURED = 400000;

typedef struct mm1 {
	esc_event_queue *sim;
	gsl_rng *arrivals, *services;
	double mean_gap_h, mean_service_h;
	double *fifo;                  /* arrival times of customers in system */
	size_t cap, head, n;           /* ring buffer; cap a power of two */
	uint64_t arrived, departed;
	int measuring;
	double t0, t1, t_last, area;   /* integral of n(t) over [t0, t1] */
	double sojourn_sum;
	int oom;
} mm1;

static void on_departure(esc_event_queue *sim, void *ctx, void *arg);

static void advance_area(mm1 *q, double now)
{
	if (q->measuring) {
		q->area += (double)q->n * (now - q->t_last);
		q->t_last = now;
	}
}

static int push(mm1 *q, double t)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		double *f = malloc(cap * sizeof *f);
		if (!f)
			return -1;
		for (size_t i = 0; i < q->n; i++)
			f[i] = q->fifo[(q->head + i) & (q->cap - 1)];
		free(q->fifo);
		q->fifo = f;
		q->cap = cap;
		q->head = 0;
	}
	q->fifo[(q->head + q->n++) & (q->cap - 1)] = t;
	return 0;
}

static double pop(mm1 *q)
{
	double t = q->fifo[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	return t;
}

static void schedule_departure(mm1 *q)
{
	double s = gsl_ran_exponential(q->services, q->mean_service_h);
	if (esc_event_queue_schedule_in(q->sim, s, on_departure, q, NULL) == ESC_EVENT_NONE) {
		q->oom = 1;
		esc_event_queue_stop(q->sim);
	}
}

/* The measurement window runs from the arrival of customer WARMUP to the
 * arrival of customer WARMUP + MEASURED, which is not admitted: arrivals end
 * there and the queue drains, so the run ends by itself. */
static void on_arrival(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	mm1 *q = ctx;
	double now = esc_event_queue_now(sim);
	if (q->arrived == WARMUP) {
		q->measuring = 1;
		q->t0 = q->t_last = now;
		q->area = 0;
	}
	advance_area(q, now);
	if (q->arrived == WARMUP + MEASURED) {
		q->measuring = 0;
		q->t1 = now;
		return;
	}
	if (push(q, now)) {
		q->oom = 1;
		esc_event_queue_stop(sim);
		return;
	}
	q->arrived++;
	if (q->n == 1)
		schedule_departure(q);
	double gap = gsl_ran_exponential(q->arrivals, q->mean_gap_h);
	if (esc_event_queue_schedule_in(sim, gap, on_arrival, q, NULL) == ESC_EVENT_NONE) {
		q->oom = 1;
		esc_event_queue_stop(sim);
	}
}

static void on_departure(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	mm1 *q = ctx;
	double now = esc_event_queue_now(sim);
	advance_area(q, now);
	double t_arrival = pop(q);
	uint64_t k = q->departed++;        /* FIFO: departure k is arrival k */
	if (k >= WARMUP && k < WARMUP + MEASURED)
		q->sojourn_sum += now - t_arrival;
	if (q->n > 0)
		schedule_departure(q);
}

typedef struct result {
	double w[R], l[R], little[R];
} result;

static void run_replications(double lambda, double mu, uint64_t seed, result *res)
{
	mm1 q;
	memset(&q, 0, sizeof q);
	q.sim = esc_event_queue_new();
	esc_streams *streams = esc_streams_new(NULL);
	assert_non_null(q.sim);
	assert_non_null(streams);
	q.mean_gap_h = 1.0 / lambda;       /* GSL's exponential takes the mean */
	q.mean_service_h = 1.0 / mu;
	for (int r = 0; r < R; r++) {
		esc_event_queue_reset(q.sim);
		esc_streams_begin(streams, seed, (uint64_t)r);
		q.arrivals = esc_streams_get(streams, "arrival");
		q.services = esc_streams_get(streams, "service");
		assert_non_null(q.arrivals);
		assert_non_null(q.services);
		q.head = q.n = 0;
		q.arrived = q.departed = 0;
		q.measuring = 0;
		q.sojourn_sum = q.area = 0;
		esc_event_queue_schedule(q.sim, gsl_ran_exponential(q.arrivals, q.mean_gap_h),
		                         on_arrival, &q, NULL);
		esc_event_queue_run(q.sim);
		assert_false(q.oom);
		assert_int_equal(esc_event_queue_pending(q.sim), 0);
		assert_int_equal(q.arrived, WARMUP + MEASURED);
		assert_int_equal(q.departed, WARMUP + MEASURED);
		assert_int_equal(esc_event_queue_fired(q.sim), 2 * (WARMUP + MEASURED) + 1);
		res->w[r] = q.sojourn_sum / (double)MEASURED;
		res->l[r] = q.area / (q.t1 - q.t0);
		res->little[r] = res->l[r] - lambda * res->w[r];
	}
	free(q.fifo);
	esc_streams_free(streams);
	esc_event_queue_free(q.sim);
}

/* 1 if want lies in the 99.9% t interval of x[0..R). */
static int covers(const char *what, const double *x, double want)
{
	double m = gsl_stats_mean(x, 1, R), sd = gsl_stats_sd_m(x, 1, R, m);
	double half = gsl_cdf_tdist_Pinv(0.9995, R - 1) * sd / sqrt((double)R);
	int ok = fabs(m - want) <= half;
	print_message("# %-24s %.5f +- %.5f (99.9%%), theory %.5f%s\n", what, m, half, want,
	              ok ? "" : "  OUTSIDE");
	return ok;
}

static void check_mm1(double lambda, double mu, uint64_t seed)
{
	result *res = malloc(sizeof *res);
	assert_non_null(res);
	run_replications(lambda, mu, seed, res);
	double w = 1.0 / (mu - lambda);
	print_message("# M/M/1 lambda %g, mu %g: %d replications of %llu customers\n",
	              lambda, mu, R, (unsigned long long)MEASURED);
	int ok = covers("W (mean sojourn, h)", res->w, w);
	ok &= covers("L (mean in system)", res->l, lambda * w);
	ok &= covers("L - lambda W (Little)", res->little, 0.0);
	free(res);
	assert_true(ok);
}

static void test_mm1_rho_05(void **state)
{
	(void)state;
	check_mm1(0.5, 1.0, 20240601);
}

static void test_mm1_rho_08(void **state)
{
	(void)state;
	check_mm1(0.8, 1.0, 20240602);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm1_rho_05),
		cmocka_unit_test(test_mm1_rho_08),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
