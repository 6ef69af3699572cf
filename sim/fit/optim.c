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
 * pb->drop = chi2(1, level)/2 of the maximum (Wilks).  Each bound is bracketed by steps
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
	gsl_vector *sc;         /* the optimiser's variable is y = sc x (a diagonal
	                           preconditioner: unit curvature on each axis) */
	gsl_vector *x;          /* workspace: y / sc */
	int failed;             /* the log-likelihood was undefined somewhere */
} coords;

static void coords_free(coords *c)
{
	free(c->xi);
	free(c->ref);
	free(c->mass);
	free(c->p);
	free(c->gp);
	if (c->sc)
		gsl_vector_free(c->sc);
	if (c->x)
		gsl_vector_free(c->x);
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

/* A coordinate's range: where the likelihood is flat (a kernel mean when n
 * is 0) the search must not run off to infinity. */
static double coord_max(const fit_par *q)
{
	return q->kind == FIT_POS ? (q->hi_limit > 0 && isfinite(q->hi_limit) ? log(q->hi_limit) : 700) : 40;
}

static double coord_min(const fit_par *q) { return q->kind == FIT_POS ? -700 : -40; }

static double from_coord(const fit_par *q, double x)
{
	x = x < coord_min(q) ? coord_min(q) : x > coord_max(q) ? coord_max(q) : x;
	return q->kind == FIT_POS ? exp(x) : 1.0 / (1.0 + exp(-x));
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
		else
			c->p[k] = from_coord(q, gsl_vector_get(x, (size_t)i));
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
		if (i < 0 || q->kind == FIT_SHARE)
			continue;
		double xv = gsl_vector_get(x, (size_t)i);
		if (xv <= coord_min(q) || xv >= coord_max(q))
			gsl_vector_set(g, (size_t)i, 0);       /* flat beyond the range */
		else if (q->kind == FIT_POS)
			gsl_vector_set(g, (size_t)i, -c->p[k] * c->gp[k]);
		else
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

/* The objective in the preconditioned variable y. */
static double scaled(coords *c, const gsl_vector *y, gsl_vector *g)
{
	gsl_vector_memcpy(c->x, y);
	gsl_vector_div(c->x, c->sc);
	double f = objective(c, c->x, g);
	if (g)
		gsl_vector_div(g, c->sc);
	return f;
}

static double mm_f(const gsl_vector *y, void *ctx) { return scaled(ctx, y, NULL); }
static void mm_df(const gsl_vector *y, void *ctx, gsl_vector *g) { scaled(ctx, y, g); }
static void mm_fdf(const gsl_vector *y, void *ctx, double *f, gsl_vector *g)
{
	*f = scaled(ctx, y, g);
}

/* The preconditioner: the square root of each coordinate's curvature at
 * x, by forward differences of the gradient. */
static int precondition(coords *c, const gsl_vector *x)
{
	size_t n = c->nx;
	c->sc = gsl_vector_alloc(n);
	c->x = gsl_vector_alloc(n);
	gsl_vector *g0 = gsl_vector_alloc(n), *g1 = gsl_vector_alloc(n), *xh = gsl_vector_alloc(n);
	int ok = c->sc && c->x && g0 && g1 && xh;
	if (ok && !isfinite(objective(c, x, g0)))
		ok = 0;
	for (size_t i = 0; ok && i < n; i++) {
		const double h = 1e-4;
		gsl_vector_memcpy(xh, x);
		gsl_vector_set(xh, i, gsl_vector_get(x, i) + h);
		double curv = isfinite(objective(c, xh, g1))
		              ? (gsl_vector_get(g1, i) - gsl_vector_get(g0, i)) / h : 1.0;
		gsl_vector_set(c->sc, i, sqrt(curv > 1e-4 ? curv : 1e-4));
	}
	if (ok == 0 && c->sc)
		gsl_vector_set_all(c->sc, 1.0);
	if (g0) gsl_vector_free(g0);
	if (g1) gsl_vector_free(g1);
	if (xh) gsl_vector_free(xh);
	return c->sc && c->x ? 0 : -1;
}

/* ---- maximisation ------------------------------------------------------ */

#define MAX_ITER 3000
#define GRAD_TOL 1e-3
#define RESTARTS 4

/* BFGS from x until the (preconditioned) gradient is below GRAD_TOL, which
 * puts the maximum within about GRAD_TOL^2 / 2 of the top; a line search
 * that stalls restarts the method from where it stopped, RESTARTS times at
 * most. */
static int bfgs(coords *c, gsl_vector *x, double *fmin, esc_error *err)
{
	if (precondition(c, x))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	gsl_vector_mul(x, c->sc);              /* x is y from here on */
	gsl_multimin_function_fdf fdf = { mm_f, mm_df, mm_fdf, c->nx, c };
	gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(
		gsl_multimin_fdfminimizer_vector_bfgs2, c->nx);
	if (!s)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = 0, converged = 0;
	double f_prev = GSL_POSINF;
	for (int round = 0; round < RESTARTS && !converged; round++) {
		if (gsl_multimin_fdfminimizer_set(s, &fdf, x, 0.5, 0.1) != GSL_SUCCESS ||
		    !isfinite(s->f)) {
			st = esc_error_set(err, ESC_ERR_RUNTIME, "the likelihood is not defined at the "
			                   "starting values");
			break;
		}
		for (int it = 0; it < MAX_ITER && !converged; it++) {
			converged = gsl_multimin_test_gradient(s->gradient, GRAD_TOL) == GSL_SUCCESS;
			if (!converged && gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
				break;
		}
		gsl_vector_memcpy(x, s->x);
		converged |= gsl_multimin_test_gradient(s->gradient, GRAD_TOL) == GSL_SUCCESS;
		/* A line search that stalls again where the last one did is on a
		 * top flat to double precision (a direction the data does not
		 * speak to): the maximum, as near as it can be told. */
		converged |= f_prev - s->f < 1e-9 * (1 + fabs(s->f));
		f_prev = s->f;
	}
	if (st == 0 && !converged)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "the likelihood maximisation did not converge "
		                   "(gradient norm %g)", gsl_blas_dnrm2(s->gradient));
	*fmin = s->f;
	gsl_multimin_fdfminimizer_free(s);
	gsl_vector_div(x, c->sc);
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
	int linear;             /* searching on the value itself (up from 0) */
	double target;          /* ll_hat - chi2/2 */
	esc_error *err;
	int st;
	/* the last two points of the profile path on this side, to start the
	 * next maximisation where the path leads */
	int np;
	double pu[2];
	double *px[2];
} profile;

/* A parameter's value on the scale where the profile path is near
 * straight, and back. */
static double to_c(const fit_par *q, double v) { return q->kind == FIT_UNIT ? logit(v) : safe_log(v); }
static double from_c(const fit_par *q, double c)
{
	return q->kind == FIT_UNIT ? 1.0 / (1.0 + exp(-c)) : exp(c);
}

/* The profiled parameter's value at search coordinate u. */
static double value_at(const profile *pr, double u)
{
	return pr->linear ? u : from_c(&pr->pb->par[pr->k], u);
}

/* Start the others where the last two points say the path goes. */
static void predict(profile *pr, double u)
{
	fit_problem *pb = pr->pb;
	if (pr->np < 2 || pr->pu[1] == pr->pu[0])
		return;
	double t = (u - pr->pu[1]) / (pr->pu[1] - pr->pu[0]);
	t = t < -2 ? -2 : t > 2 ? 2 : t;
	for (size_t i = 0; i < pb->n; i++) {
		const fit_par *q = &pb->par[i];
		if (i == pr->k || q->held)
			continue;
		double c1 = to_c(q, pr->px[1][i]), c0 = to_c(q, pr->px[0][i]);
		pb->par[i].value = from_c(q, c1 + t * (c1 - c0));
	}
}

static void remember(profile *pr, double u)
{
	double *old = pr->px[0];
	pr->px[0] = pr->px[1];
	pr->px[1] = old;
	pr->pu[0] = pr->pu[1];
	pr->pu[1] = u;
	for (size_t i = 0; i < pr->pb->n; i++)
		pr->px[1][i] = pr->pb->par[i].value;
	pr->np += pr->np < 2;
}

/* Profile log-likelihood at coordinate u minus the target; par[] keeps the
 * maximiser. */
static double excess(profile *pr, double u)
{
	if (pr->st)
		return GSL_NAN;
	predict(pr, u);
	pr->pb->par[pr->k].value = value_at(pr, u);   /* the other shares keep their proportions */
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
	remember(pr, u);
	return ll - pr->target;
}

/* The root of the excess between a (fa >= 0) and b (fb < 0), by false
 * position with the Illinois modification: points already computed are
 * not computed again, and one more costs a maximisation. */
static double root(profile *pr, double a, double fa, double b, double fb)
{
	double c = a;
	int side = 0;
	for (int it = 0; it < 60 && !pr->st; it++) {
		c = (fa * b - fb * a) / (fa - fb);
		double fc = excess(pr, c);
		if (pr->st || fabs(fc) < 1e-4 || fabs(b - a) < 1e-9 * (1 + fabs(a)))
			break;
		if ((fc < 0) == (fb < 0)) {
			b = c, fb = fc;
			if (side == -1)
				fa /= 2;
			side = -1;
		} else {
			a = c, fa = fc;
			if (side == 1)
				fb /= 2;
			side = 1;
		}
	}
	return value_at(pr, c);
}

static void restore(fit_problem *pb, const double *v)
{
	for (size_t k = 0; k < pb->n; k++)
		pb->par[k].value = v[k];
}

/* The profile path starts at the maximum. */
static void start_path(profile *pr, double u0)
{
	pr->np = 0;
	remember(pr, u0);
}

/* The bound on the boundary side: the profile at exactly 0 (held there),
 * then the root between 0 and the last point inside. */
static double bound_at_zero(profile *pr, double v_in, double g_in)
{
	if (!pr->pb->par[pr->k].zero_ok)
		return 0;
	pr->linear = 1;
	pr->np = 0;
	double g0 = excess(pr, 0.0);
	if (pr->st || g0 >= 0)
		return 0;
	return root(pr, v_in, g_in, 0.0, g0);
}

/* One bound: dir -1 below the estimate, +1 above, in steps on the
 * coordinate scale (log, logit). */
static double bound(profile *pr, double v_hat, int dir)
{
	fit_par *q = &pr->pb->par[pr->k];
	const double g0 = pr->pb->drop;         /* the excess at the estimate */
	pr->linear = 0;
	double u0 = to_c(q, v_hat), h = 0.1, u_in = u0, g_in = g0;
	start_path(pr, u0);
	for (int step = 0; step < 60 && !pr->st; step++) {
		double u = u0 + dir * h, v = from_c(q, u);
		if (dir > 0 && (v > q->hi_limit || (q->kind != FIT_POS && u > 30)))
			return q->kind == FIT_POS ? GSL_POSINF : 1.0;
		if (dir < 0 && (q->kind == FIT_POS ? u < u0 - 25 : u < -30))
			return bound_at_zero(pr, from_c(q, u_in), g_in);
		double g = excess(pr, u);
		if (pr->st)
			return GSL_NAN;
		if (g < 0)
			return root(pr, u_in, g_in, u, g);
		u_in = u;
		g_in = g;
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
	pr->linear = 1;
	start_path(pr, 0);
	double v_in = 0, g_in = pr->pb->drop, v = q->scale > 0 ? q->scale : 1e-3;
	for (int step = 0; step < 80 && !pr->st; step++) {
		if (v > q->hi_limit || (q->kind != FIT_POS && v >= 1))
			return q->kind == FIT_POS ? GSL_POSINF : 1.0;
		double g = excess(pr, v);
		if (pr->st)
			return GSL_NAN;
		if (g < 0)
			return root(pr, v_in, g_in, v, g);
		v_in = v;
		g_in = g;
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
	profile pr = { .pb = pb, .k = k, .target = ll_hat - pb->drop, .err = err };
	pr.px[0] = malloc(pb->n * sizeof(double));
	pr.px[1] = malloc(pb->n * sizeof(double));
	double v_hat = saved[k];
	if (!pr.px[0] || !pr.px[1]) {
		pr.st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	} else if (v_hat <= 0) {
		*lo = 0;
		*hi = bound_from_zero(&pr);
	} else {
		*lo = bound(&pr, v_hat, -1);
		restore(pb, saved);
		*hi = pr.st ? GSL_NAN : bound(&pr, v_hat, +1);
	}
	free(pr.px[0]);
	free(pr.px[1]);
	restore(pb, saved);
	for (size_t i = 0; i < pb->n; i++)
		if (pb->par[i].determined)
			pb->par[i].held = 1;
	q->held = held;
	free(saved);
	return pr.st;
}
