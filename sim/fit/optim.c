/* optim.c: maximum likelihood with GSL's multimin, and profile-likelihood
 * intervals, for any log-likelihood over "natural" parameters (fit_problem).
 *
 * The optimiser works on free coordinates: log for a positive parameter,
 * logit for one in (0, 1), and for a group of shares summing to 1 the log
 * ratio of each free member to the group's first free member (the
 * reference, whose coordinate is 0), scaled to the mass the held members
 * leave.  Held parameters stay at their values; so does a parameter whose
 * maximum is on the boundary 0 (a zone without events), marked held by its
 * owner while maximising.
 *
 * The interval of a parameter is the set of values v whose profile
 * log-likelihood (every other parameter at its best for v) lies within
 * chi2(1, 0.95)/2 of the maximum (Wilks).  Each bound is bracketed by steps
 * away from the estimate on the coordinate scale, each step sized from the
 * curvature the last one showed (a quadratic profile needs one), then found
 * by Brent's method; each profile point starts from the one before.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_roots.h>

#include "fit_impl.h"

/* ---- free coordinates -------------------------------------------------- */

typedef struct coords {
	fit_problem *pb;
	size_t nx;
	int *xi;                /* parameter -> its coordinate, or -1 */
	size_t n_groups;
	int *ref;               /* group -> its reference member, or -1 */
	double *mass;           /* group -> mass left by its held members */
	double *p, *gp;         /* natural parameters and gradient (workspace) */
	int failed;             /* the log-likelihood was undefined somewhere */
} coords;

static void coords_free(coords *c)
{
	free(c->xi);
	free(c->ref);
	free(c->mass);
	free(c->p);
	free(c->gp);
}

static int coords_init(coords *c, fit_problem *pb)
{
	memset(c, 0, sizeof *c);
	c->pb = pb;
	for (size_t k = 0; k < pb->n; k++)
		if (pb->par[k].kind == FIT_SHARE && (size_t)pb->par[k].group + 1 > c->n_groups)
			c->n_groups = (size_t)pb->par[k].group + 1;
	size_t ng = c->n_groups ? c->n_groups : 1, np = pb->n ? pb->n : 1;
	c->xi = malloc(np * sizeof *c->xi);
	c->ref = malloc(ng * sizeof *c->ref);
	c->mass = calloc(ng, sizeof *c->mass);
	c->p = malloc(np * sizeof *c->p);
	c->gp = malloc(np * sizeof *c->gp);
	if (!c->xi || !c->ref || !c->mass || !c->p || !c->gp) {
		coords_free(c);
		return -1;
	}
	for (size_t g = 0; g < c->n_groups; g++) {
		c->ref[g] = -1;
		c->mass[g] = 1.0;
	}
	for (size_t k = 0; k < pb->n; k++) {
		const fit_par *q = &pb->par[k];
		c->xi[k] = -1;
		if (q->held) {
			if (q->kind == FIT_SHARE)
				c->mass[q->group] -= q->value;
		} else if (q->kind == FIT_SHARE && c->ref[q->group] < 0) {
			c->ref[q->group] = (int)k;
		} else {
			c->xi[k] = (int)c->nx++;
		}
	}
	for (size_t g = 0; g < c->n_groups; g++)
		if (c->mass[g] < 0)
			c->mass[g] = 0;
	return 0;
}

static double logit(double v)
{
	v = v < 1e-300 ? 1e-300 : v > 1 - 1e-16 ? 1 - 1e-16 : v;
	return log(v) - log1p(-v);
}

static double safe_log(double v) { return log(v > 1e-300 ? v : 1e-300); }

/* Natural parameters -> coordinates (a starting point). */
static void to_x(const coords *c, gsl_vector *x)
{
	const fit_problem *pb = c->pb;
	for (size_t k = 0; k < pb->n; k++) {
		int i = c->xi[k];
		if (i < 0)
			continue;
		const fit_par *q = &pb->par[k];
		double v = q->value;
		if (q->kind == FIT_POS)
			gsl_vector_set(x, (size_t)i, safe_log(v));
		else if (q->kind == FIT_UNIT)
			gsl_vector_set(x, (size_t)i, logit(v));
		else
			gsl_vector_set(x, (size_t)i, safe_log(v) - safe_log(pb->par[c->ref[q->group]].value));
	}
}

/* Coordinates -> natural parameters in c->p. */
static void to_p(coords *c, const gsl_vector *x)
{
	const fit_problem *pb = c->pb;
	size_t n = pb->n;
	for (size_t k = 0; k < n; k++) {
		const fit_par *q = &pb->par[k];
		int i = c->xi[k];
		if (i < 0 || q->kind == FIT_SHARE)
			c->p[k] = q->value;
		else if (q->kind == FIT_POS)
			c->p[k] = exp(gsl_vector_get(x, (size_t)i));
		else
			c->p[k] = 1.0 / (1.0 + exp(-gsl_vector_get(x, (size_t)i)));
	}
	for (size_t g = 0; g < c->n_groups; g++) {
		if (c->ref[g] < 0)
			continue;
		/* softmax over the free members, the reference's coordinate 0 */
		double mx = 0, sum = 0;
		for (size_t k = 0; k < n; k++)
			if (pb->par[k].kind == FIT_SHARE && pb->par[k].group == (int)g && c->xi[k] >= 0 &&
			    gsl_vector_get(x, (size_t)c->xi[k]) > mx)
				mx = gsl_vector_get(x, (size_t)c->xi[k]);
		for (size_t k = 0; k < n; k++) {
			if (pb->par[k].kind != FIT_SHARE || pb->par[k].group != (int)g || pb->par[k].held)
				continue;
			double xv = c->xi[k] >= 0 ? gsl_vector_get(x, (size_t)c->xi[k]) : 0.0;
			c->p[k] = exp(xv - mx);
			sum += c->p[k];
		}
		for (size_t k = 0; k < n; k++)
			if (pb->par[k].kind == FIT_SHARE && pb->par[k].group == (int)g && !pb->par[k].held)
				c->p[k] *= c->mass[g] / sum;
	}
}

/* -log-likelihood at x, and its gradient in coordinates when g != NULL. */
static double objective(coords *c, const gsl_vector *x, gsl_vector *g)
{
	fit_problem *pb = c->pb;
	to_p(c, x);
	pb->evaluations++;
	double ll = pb->f(pb->ctx, c->p, g ? c->gp : NULL);
	if (!isfinite(ll)) {
		c->failed = 1;
		if (g)
			gsl_vector_set_zero(g);
		return GSL_POSINF;
	}
	if (!g)
		return -ll;
	for (size_t k = 0; k < pb->n; k++) {
		int i = c->xi[k];
		const fit_par *q = &pb->par[k];
		if (i >= 0 && q->kind == FIT_POS)
			gsl_vector_set(g, (size_t)i, -c->p[k] * c->gp[k]);
		else if (i >= 0 && q->kind == FIT_UNIT)
			gsl_vector_set(g, (size_t)i, -c->p[k] * (1 - c->p[k]) * c->gp[k]);
	}
	for (size_t gr = 0; gr < c->n_groups; gr++) {
		if (c->ref[gr] < 0 || c->mass[gr] <= 0)
			continue;
		double mean = 0;    /* sum of s_k g_k over the free members */
		for (size_t k = 0; k < pb->n; k++)
			if (pb->par[k].kind == FIT_SHARE && pb->par[k].group == (int)gr && !pb->par[k].held)
				mean += c->p[k] / c->mass[gr] * c->gp[k];
		for (size_t k = 0; k < pb->n; k++)
			if (pb->par[k].kind == FIT_SHARE && pb->par[k].group == (int)gr && c->xi[k] >= 0)
				gsl_vector_set(g, (size_t)c->xi[k], -c->p[k] * (c->gp[k] - mean));
	}
	return -ll;
}

static double mm_f(const gsl_vector *x, void *ctx) { return objective(ctx, x, NULL); }
static void mm_df(const gsl_vector *x, void *ctx, gsl_vector *g) { objective(ctx, x, g); }
static void mm_fdf(const gsl_vector *x, void *ctx, double *f, gsl_vector *g)
{
	*f = objective(ctx, x, g);
}

/* ---- maximisation ------------------------------------------------------ */

#define MAX_ITER 3000
#define GRAD_TOL 1e-5
#define RESTARTS 4

/* BFGS from x until the gradient is below GRAD_TOL; a line search that
 * stalls restarts the method from where it stopped. */
static int bfgs(coords *c, gsl_vector *x, double *fmin, esc_error *err)
{
	gsl_multimin_function_fdf fdf = { mm_f, mm_df, mm_fdf, c->nx, c };
	gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(
		gsl_multimin_fdfminimizer_vector_bfgs2, c->nx);
	if (!s)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = 0, converged = 0;
	for (int round = 0; round < RESTARTS && !converged && st == 0; round++) {
		if (gsl_multimin_fdfminimizer_set(s, &fdf, x, 0.05, 0.1) != GSL_SUCCESS ||
		    !isfinite(s->f)) {
			st = esc_error_set(err, ESC_ERR_RUNTIME, "the likelihood is not defined at the "
			                   "starting values");
			break;
		}
		for (int it = 0; it < MAX_ITER; it++) {
			if (gsl_multimin_test_gradient(s->gradient, GRAD_TOL) == GSL_SUCCESS) {
				converged = 1;
				break;
			}
			if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
				break;
		}
		gsl_vector_memcpy(x, s->x);
		if (!converged)
			converged = gsl_multimin_test_gradient(s->gradient, GRAD_TOL) == GSL_SUCCESS;
	}
	/* A stalled search close to the top is as good as it gets in double
	 * precision: accept a gradient a hundred times the tolerance. */
	if (st == 0 && !converged && gsl_multimin_test_gradient(s->gradient, 100 * GRAD_TOL) != GSL_SUCCESS)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "the likelihood maximisation did not converge "
		                   "(gradient norm %g)", gsl_blas_dnrm2(s->gradient));
	*fmin = s->f;
	gsl_multimin_fdfminimizer_free(s);
	return st;
}

int fit_maximize(fit_problem *pb, double *ll, esc_error *err)
{
	coords c;
	if (coords_init(&c, pb))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = 0;
	if (c.nx == 0) {
		for (size_t k = 0; k < pb->n; k++)
			c.p[k] = pb->par[k].value;
		pb->evaluations++;
		*ll = pb->f(pb->ctx, c.p, NULL);
		coords_free(&c);
		return 0;
	}
	gsl_vector *x = gsl_vector_alloc(c.nx);
	if (!x) {
		coords_free(&c);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	to_x(&c, x);
	double fmin = 0;
	st = bfgs(&c, x, &fmin, err);
	if (st == 0) {
		to_p(&c, x);
		for (size_t k = 0; k < pb->n; k++)
			pb->par[k].value = c.p[k];
		*ll = -fmin;
	}
	gsl_vector_free(x);
	coords_free(&c);
	return st;
}

/* ---- profile intervals ------------------------------------------------- */

typedef struct profile {
	fit_problem *pb;
	size_t k;
	double target;          /* ll_hat - chi2/2 */
	esc_error *err;
	int st;
} profile;

/* The parameter's coordinate scale and back. */
static double to_u(const fit_par *q, double v) { return q->kind == FIT_POS ? log(v) : logit(v); }
static double from_u(const fit_par *q, double u)
{
	return q->kind == FIT_POS ? exp(u) : 1.0 / (1.0 + exp(-u));
}

/* Profile log-likelihood at v minus the target; par[] keeps the maximiser. */
static double excess(profile *pr, double v)
{
	if (pr->st)
		return GSL_NAN;
	fit_par *q = &pr->pb->par[pr->k];
	q->value = v;           /* the other shares keep their proportions */
	double ll;
	esc_error e = {0};
	int st = fit_maximize(pr->pb, &ll, &e);
	if (st) {
		/* a point where the likelihood is undefined lies outside */
		if (strstr(e.msg, "not defined"))
			return -1e3;
		pr->st = st;
		*pr->err = e;
		return GSL_NAN;
	}
	return ll - pr->target;
}

static double excess_u(double u, void *ctx)
{
	profile *pr = ctx;
	return excess(pr, from_u(&pr->pb->par[pr->k], u));
}

static double excess_v(double v, void *ctx) { return excess(ctx, v); }

/* Brent's method for the root of fn in [a, b] (fn(a) >= 0 > fn(b) or the
 * reverse). */
static double brent(profile *pr, double (*fn)(double, void *), double a, double b, double tol)
{
	gsl_function F = { fn, pr };
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s) {
		pr->st = esc_error_set(pr->err, ESC_ERR_RUNTIME, "out of memory");
		return GSL_NAN;
	}
	double lo = a < b ? a : b, hi = a < b ? b : a, r = 0.5 * (lo + hi);
	if (gsl_root_fsolver_set(s, &F, lo, hi) == GSL_SUCCESS) {
		for (int it = 0; it < 100 && !pr->st; it++) {
			if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
				break;
			r = gsl_root_fsolver_root(s);
			if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
			                           tol, 0) == GSL_SUCCESS)
				break;
		}
	}
	gsl_root_fsolver_free(s);
	return r;
}

static void restore(fit_problem *pb, const double *v)
{
	for (size_t k = 0; k < pb->n; k++)
		pb->par[k].value = v[k];
}

/* The bound on the boundary side: the profile at exactly 0 (held there),
 * then Brent between 0 and the last point inside. */
static double bound_at_zero(profile *pr, double v_in)
{
	if (!pr->pb->par[pr->k].zero_ok)
		return 0;
	double g0 = excess(pr, 0.0);
	if (pr->st || g0 >= 0)
		return 0;
	return brent(pr, excess_v, 0.0, v_in, 1e-6 * v_in);
}

/* One bound: dir -1 below the estimate, +1 above. */
static double bound(profile *pr, double v_hat, int dir)
{
	fit_par *q = &pr->pb->par[pr->k];
	const double g0 = FIT_CHI2_95 / 2;      /* the excess at the estimate */
	double u0 = to_u(q, v_hat), h = 0.1, u_in = u0;
	for (int step = 0; step < 60 && !pr->st; step++) {
		double u = u0 + dir * h, v = from_u(q, u);
		if (dir > 0 && (v > q->hi_limit || (q->kind != FIT_POS && u > 30)))
			return q->kind == FIT_POS ? GSL_POSINF : 1.0;
		if (dir < 0 && (q->kind == FIT_POS ? u < u0 - 25 : u < -30))
			return bound_at_zero(pr, from_u(q, u_in));
		double g = excess_u(u, pr);
		if (pr->st)
			return GSL_NAN;
		if (g < 0)
			return from_u(q, brent(pr, excess_u, u_in, u, 1e-5));
		u_in = u;
		/* a quadratic profile drops g0 - g over h^2: the bound is near
		 * h sqrt(g0 / (g0 - g)) */
		double hn = g < g0 ? 1.1 * h * sqrt(g0 / (g0 - g)) : 2 * h;
		h = hn < 1.3 * h ? 1.3 * h : hn > 4 * h ? 4 * h : hn;
	}
	return GSL_NAN;
}

/* Above a boundary estimate of 0: steps up from the parameter's scale. */
static double bound_from_zero(profile *pr)
{
	fit_par *q = &pr->pb->par[pr->k];
	double v_in = 0, v = q->scale > 0 ? q->scale : 1e-3;
	for (int step = 0; step < 80 && !pr->st; step++) {
		if (v > q->hi_limit || (q->kind != FIT_POS && v >= 1))
			return q->kind == FIT_POS ? GSL_POSINF : 1.0;
		double g = excess(pr, v);
		if (pr->st)
			return GSL_NAN;
		if (g < 0)
			return brent(pr, excess_v, v_in, v, 1e-6 * v);
		v_in = v;
		v = q->kind == FIT_POS ? 3 * v : v + (1 - v) / 2;
	}
	return GSL_NAN;
}

int fit_profile(fit_problem *pb, size_t k, double ll_hat, double *lo, double *hi, esc_error *err)
{
	double *saved = malloc(pb->n * sizeof *saved);
	if (!saved)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < pb->n; i++)
		saved[i] = pb->par[i].value;
	fit_par *q = &pb->par[k];
	int held = q->held;
	q->held = 1;
	/* a share the others fix is free while one of them moves */
	for (size_t i = 0; i < pb->n; i++)
		if (i != k && q->kind == FIT_SHARE && pb->par[i].kind == FIT_SHARE &&
		    pb->par[i].group == q->group && pb->par[i].determined)
			pb->par[i].held = 0;
	profile pr = { pb, k, ll_hat - FIT_CHI2_95 / 2, err, 0 };
	double v_hat = saved[k];
	if (v_hat <= 0) {
		*lo = 0;
		*hi = bound_from_zero(&pr);
	} else {
		*lo = bound(&pr, v_hat, -1);
		restore(pb, saved);
		*hi = pr.st ? GSL_NAN : bound(&pr, v_hat, +1);
	}
	restore(pb, saved);
	for (size_t i = 0; i < pb->n; i++)
		if (pb->par[i].determined)
			pb->par[i].held = 1;
	q->held = held;
	free(saved);
	return pr.st;
}
