/* sweep.c: designs over scenario parameters (escsim/sweep.h).  Pure
 * computation: the batch turns each point into --set assignments for its
 * arms.
 *
 * One mechanism for every design: a design is a row of `designs` below,
 * whose `size` says how many points it has and whose `fill` gives each
 * point a coordinate in the unit cube per key, with the point's block,
 * role, key and step.  Everything else (parsing the specs, checking the
 * limits, mapping the unit cube onto the keys' values) is shared.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "escsim/rng.h"
#include "escsim/sweep.h"

typedef enum { K_LIST, K_LIN, K_LOG } spec_kind;

typedef struct spec {
	spec_kind kind;
	double *v;          /* list values */
	size_t n;           /* list: values; lin/log: N, 0 when not given */
	double lo, hi;      /* lin, log */
	int hours;          /* a duration was given */
} spec;

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* A number, or a number with a duration unit (converted to hours).
 * -1: not a number; -2: finite as typed but not once converted (1e308w). */
static int parse_value(const char *s, size_t len, double *out, int *hours)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (end == buf || errno == ERANGE || !isfinite(v))
		return -1;
	double scale = 1;
	if (*end) {
		if (end[1])
			return -1;
		switch (*end) {
		case 'm': scale = 1.0 / 60; break;
		case 'h': scale = 1; break;
		case 'd': scale = 24; break;
		case 'w': scale = 168; break;
		default: return -1;
		}
		*hours = 1;
	}
	*out = v * scale;
	return isfinite(*out) ? 0 : -2;
}

/* x kept between the ends lo and hi, where rounding could step out. */
static double clamp(double x, double lo, double hi)
{
	double a = fmin(lo, hi), b = fmax(lo, hi);
	return x < a ? a : x > b ? b : x;
}

/* The point a fraction f in [0, 1] of the way from lo to hi, linearly or
 * geometrically.  hi - lo (or hi / lo) may overflow although both ends are
 * finite (lin:-1e308:1e308), so such a range is interpolated another way. */
static double between(spec_kind kind, double lo, double hi, double f)
{
	double x;
	if (kind == K_LOG) {
		double r = hi / lo;
		x = isfinite(r) && r > 0 ? lo * pow(r, f)
		                         : exp(log(lo) + f * (log(hi) - log(lo)));
	} else {
		double d = hi - lo;
		x = isfinite(d) ? lo + f * d : lo * (1 - f) + hi * f;
	}
	return clamp(x, lo, hi);
}

/* The message for a value parse_value refused with status why. */
static int bad_value(esc_error *err, const char *vary, const char *s, size_t len,
                     int why, const char *expected)
{
	if (why == -2)
		return esc_error_set(err, ESC_ERR_INPUT, "--vary '%s': value '%.*s' is "
		                     "out of range: at most %g once converted to hours",
		                     vary, (int)len, s, DBL_MAX);
	return esc_error_set(err, ESC_ERR_INPUT, "--vary '%s': %s", vary, expected);
}

static int parse_count(const char *s, size_t len, size_t *out)
{
	if (len == 0 || len > 9)
		return -1;
	size_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int bad_spec(esc_error *err, const char *vary, const char *why)
{
	return esc_error_set(err, ESC_ERR_INPUT, "--vary '%s': %s", vary, why);
}

/* lin:LO:HI[:N] or log:LO:HI[:N] after its "lin:"/"log:" (at p). */
static int parse_range(spec *sp, const char *p, const char *vary, esc_error *err)
{
	const char *c1 = strchr(p, ':');
	if (!c1)
		return bad_spec(err, vary, "expected lin:LO:HI:N or log:LO:HI:N");
	const char *c2 = strchr(c1 + 1, ':');
	const char *hi_end = c2 ? c2 : c1 + 1 + strlen(c1 + 1);
	static const char ends[] = "LO and HI must be numbers or durations "
	                           "(30m, 2h, 3d, 1w)";
	size_t lo_len = (size_t)(c1 - p), hi_len = (size_t)(hi_end - c1 - 1);
	int why = parse_value(p, lo_len, &sp->lo, &sp->hours);
	if (why)
		return bad_value(err, vary, p, lo_len, why, ends);
	if ((why = parse_value(c1 + 1, hi_len, &sp->hi, &sp->hours)))
		return bad_value(err, vary, c1 + 1, hi_len, why, ends);
	if (c2 && (parse_count(c2 + 1, strlen(c2 + 1), &sp->n) || sp->n == 0))
		return bad_spec(err, vary, "N must be an integer >= 1");
	if (sp->kind == K_LOG && (sp->lo <= 0 || sp->hi <= 0))
		return bad_spec(err, vary, "log needs LO > 0 and HI > 0");
	return ESC_OK;
}

static int parse_list(spec *sp, const char *s, const char *vary, esc_error *err)
{
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == ',';
	if (!(sp->v = malloc(cap * sizeof *sp->v)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		int why = parse_value(p, len, &sp->v[sp->n], &sp->hours);
		if (why)
			return bad_value(err, vary, p, len, why, "a list holds numbers or "
			                 "durations (30m, 2h, 3d, 1w), separated by ','");
		sp->n++;
		if (!p[len])
			return ESC_OK;
		p += len + 1;
	}
}

/* Parse SPEC (after KEY=) of the --vary string VARY. */
static int parse_spec(spec *sp, const char *s, const char *vary, esc_error *err)
{
	memset(sp, 0, sizeof *sp);
	if (strncmp(s, "lin:", 4) == 0 || strncmp(s, "log:", 4) == 0) {
		sp->kind = s[1] == 'i' ? K_LIN : K_LOG;
		return parse_range(sp, s + 4, vary, err);
	}
	if (strchr(s, ':'))
		return bad_spec(err, vary, "unknown SPEC: expected a list (1,2,4), "
		                "lin:LO:HI:N or log:LO:HI:N");
	sp->kind = K_LIST;
	return parse_list(sp, s, vary, err);
}

/* The key's value at unit coordinate u in [0, 1]; the end points exactly,
 * whatever the rounding. */
static double to_value(const spec *sp, double u)
{
	if (sp->kind == K_LIST) {
		size_t i = (size_t)floor(u * (double)sp->n);
		return sp->v[i < sp->n ? i : sp->n - 1];
	}
	if (u <= 0)
		return sp->lo;
	if (u >= 1)
		return sp->hi;
	return between(sp->kind, sp->lo, sp->hi, u);
}

/* ---------------------------------------------------------------- designs */

/* What a design fills: unit coordinates u (n_points x k) and, per point,
 * s->block, role, key and step (preset to the point itself, POINT, -1 and
 * NaN). */
typedef struct plan {
	const spec *sp;
	size_t k;
	size_t base;            /* --points N */
	unsigned levels;        /* morris */
	gsl_rng *rng;           /* random designs */
	size_t n_points;
	double *u;
	esc_sweep *s;
} plan;

typedef struct design {
	const char *name;
	int wants_points;       /* 1: N required; 0: refused */
	int random;             /* draws from the seed's stream */
	size_t max_keys;
	/* Points for P, or 0 with err set. */
	size_t (*size)(const plan *p, esc_error *err);
	int (*fill)(plan *p, esc_error *err);
} design;

static size_t too_many(esc_error *err, const char *what)
{
	esc_error_set(err, ESC_ERR_INPUT, "the %s has more than %d points", what,
	              ESC_SWEEP_MAX_POINTS);
	return 0;
}

/* N x per points, within the limit. */
static size_t base_times(const plan *p, size_t per, const char *what, esc_error *err)
{
	if (p->base > ESC_SWEEP_MAX_POINTS / per)
		return too_many(err, what);
	return p->base * per;
}

static size_t grid_size(const plan *p, esc_error *err)
{
	size_t total = 1;
	for (size_t k = 0; k < p->k; k++) {
		if (p->sp[k].n == 0) {
			esc_error_set(err, ESC_ERR_INPUT, "--vary '%s=%s': a grid needs the "
			              "number of values: lin:LO:HI:N or log:LO:HI:N",
			              p->s->keys[k], p->s->specs[k]);
			return 0;
		}
		if (p->sp[k].n > ESC_SWEEP_MAX_POINTS / total)
			return too_many(err, "grid");
		total *= p->sp[k].n;
	}
	return total;
}

/* Every combination, the last key fastest; a list's value i sits in the
 * middle of its stratum, a range's value i at i / (N - 1). */
static int grid_fill(plan *p, esc_error *err)
{
	(void)err;
	for (size_t i = 0; i < p->n_points; i++) {
		size_t rest = i;
		for (size_t k = p->k; k-- > 0;) {
			size_t n = p->sp[k].n, at = rest % n;
			rest /= n;
			p->u[i * p->k + k] = p->sp[k].kind == K_LIST ? ((double)at + 0.5) / (double)n :
			                     n == 1 ? 0 : (double)at / (double)(n - 1);
		}
	}
	return ESC_OK;
}

static size_t sobol_size(const plan *p, esc_error *err)
{
	return base_times(p, 1, "Sobol design", err);
}

/* The first n points of a d-dimensional Sobol sequence into out (n x d). */
static int sobol_points(size_t d, size_t n, double *out, esc_error *err)
{
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
	if (!q)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = ESC_OK;
	for (size_t i = 0; st == ESC_OK && i < n; i++)
		if (gsl_qrng_get(q, out + i * d) != 0)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "Sobol sequence failed at "
			                   "point %zu", i);
	gsl_qrng_free(q);
	return st;
}

static int sobol_fill(plan *p, esc_error *err)
{
	return sobol_points(p->k, p->n_points, p->u, err);
}

/* Each key's N strata in a random order, a uniform point in each. */
static int lhs_fill(plan *p, esc_error *err)
{
	size_t n = p->n_points;
	size_t *perm = malloc(n * sizeof *perm);
	if (!perm)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t k = 0; k < p->k; k++) {
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		gsl_ran_shuffle(p->rng, perm, n, sizeof *perm);
		for (size_t i = 0; i < n; i++)
			p->u[i * p->k + k] = ((double)perm[i] + gsl_rng_uniform(p->rng)) / (double)n;
	}
	free(perm);
	return ESC_OK;
}

static size_t saltelli_size(const plan *p, esc_error *err)
{
	return base_times(p, p->k + 2, "Saltelli design", err);
}

/* Per base row j of the 2k-dimensional sequence (A_j its first k
 * coordinates, B_j the others): A_j, AB_j^1 .. AB_j^k, B_j. */
static int saltelli_fill(plan *p, esc_error *err)
{
	size_t k = p->k, per = k + 2;
	double *ab = malloc(p->base * 2 * k * sizeof *ab);
	if (!ab)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = sobol_points(2 * k, p->base, ab, err);
	for (size_t j = 0; st == ESC_OK && j < p->base; j++) {
		const double *a = ab + j * 2 * k, *b = a + k;
		for (size_t r = 0; r < per; r++) {
			size_t i = j * per + r;
			double *u = p->u + i * k;
			memcpy(u, r == per - 1 ? b : a, k * sizeof *u);
			p->s->block[i] = (int64_t)j;
			p->s->role[i] = r == 0 ? ESC_SWEEP_A : r == per - 1 ? ESC_SWEEP_B : ESC_SWEEP_AB;
			if (p->s->role[i] == ESC_SWEEP_AB) {
				u[r - 1] = b[r - 1];
				p->s->key[i] = (int32_t)(r - 1);
			}
		}
	}
	free(ab);
	return st;
}

static size_t morris_size(const plan *p, esc_error *err)
{
	return base_times(p, p->k + 1, "Morris design", err);
}

/* One trajectory from point i: a random base on the levels 0 .. P/2 - 1
 * (so that a move of Delta = P/2 levels up stays in the cube), each key
 * starting at its base, or Delta above it and moving down, then the keys
 * moved one at a time in a random order.  Levels are integers until the
 * end, so a key's coordinate is exactly level / (P - 1). */
static int morris_trajectory(plan *p, size_t t, int *lvl, int *dir, size_t *order)
{
	size_t k = p->k, i0 = t * (k + 1);
	int half = (int)p->levels / 2;
	double top = (double)(p->levels - 1), delta = half / top;
	for (size_t q = 0; q < k; q++) {
		int base = (int)gsl_rng_uniform_int(p->rng, (unsigned long)half);
		dir[q] = gsl_rng_uniform(p->rng) < 0.5 ? 1 : -1;
		lvl[q] = dir[q] > 0 ? base : base + half;
		order[q] = q;
	}
	gsl_ran_shuffle(p->rng, order, k, sizeof *order);
	for (size_t s = 0; s <= k; s++) {
		size_t i = i0 + s;
		if (s > 0) {
			size_t q = order[s - 1];
			lvl[q] += dir[q] * half;
			p->s->role[i] = ESC_SWEEP_STEP;
			p->s->key[i] = (int32_t)q;
			p->s->step[i] = dir[q] * delta;
		} else {
			p->s->role[i] = ESC_SWEEP_START;
		}
		p->s->block[i] = (int64_t)t;
		for (size_t q = 0; q < k; q++)
			p->u[i * k + q] = lvl[q] / top;
	}
	return ESC_OK;
}

static int morris_fill(plan *p, esc_error *err)
{
	int *lvl = malloc(p->k * sizeof *lvl), *dir = malloc(p->k * sizeof *dir);
	size_t *order = malloc(p->k * sizeof *order);
	int st = lvl && dir && order ? ESC_OK :
	         esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t t = 0; st == ESC_OK && t < p->base; t++)
		st = morris_trajectory(p, t, lvl, dir, order);
	free(lvl);
	free(dir);
	free(order);
	return st;
}

static const design designs[] = {
	{ "grid", 0, 0, SIZE_MAX, grid_size, grid_fill },
	{ "sobol", 1, 0, ESC_SWEEP_SOBOL_MAX_KEYS, sobol_size, sobol_fill },
	{ "lhs", 1, 1, SIZE_MAX, sobol_size, lhs_fill },
	{ "saltelli", 1, 0, ESC_SWEEP_SOBOL_MAX_KEYS / 2, saltelli_size, saltelli_fill },
	{ "morris", 1, 1, SIZE_MAX, morris_size, morris_fill },
};
#define N_DESIGNS (sizeof designs / sizeof designs[0])

static const design *find_design(const char *name)
{
	for (size_t i = 0; i < N_DESIGNS; i++)
		if (strcmp(designs[i].name, name) == 0)
			return &designs[i];
	return NULL;
}

int esc_sweep_design_known(const char *name)
{
	return name && find_design(name) != NULL;
}

const char *esc_sweep_design_list(void)
{
	return "grid, sobol, lhs, saltelli or morris";
}

/* ------------------------------------------------------------------ build */

void esc_sweep_free(esc_sweep *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->n_keys; k++) {
		free(s->keys ? s->keys[k] : NULL);
		free(s->specs ? s->specs[k] : NULL);
	}
	free(s->keys);
	free(s->specs);
	free(s->units);
	free(s->values);
	free(s->block);
	free(s->role);
	free(s->key);
	free(s->step);
	memset(s, 0, sizeof *s);
}

/* The keys and specs of "KEY=SPEC" strings, parsed into sp. */
static int parse_keys(esc_sweep *s, spec *sp, const char *const *vary, size_t n,
                      esc_error *err)
{
	for (size_t k = 0; k < n; k++) {
		const char *eq = strchr(vary[k], '=');
		if (!eq || eq == vary[k] || !eq[1])
			return bad_spec(err, vary[k], "expected KEY=SPEC, e.g. "
			                "cell.accuracy=lin:0.5:1:6");
		s->keys[k] = dupn(vary[k], (size_t)(eq - vary[k]));
		s->specs[k] = dupn(eq + 1, strlen(eq + 1));
		if (!s->keys[k] || !s->specs[k])
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		for (size_t j = 0; j < k; j++)
			if (strcmp(s->keys[j], s->keys[k]) == 0)
				return esc_error_set(err, ESC_ERR_INPUT, "--vary: key '%s' given "
				                     "twice", s->keys[k]);
		int st = parse_spec(&sp[k], s->specs[k], vary[k], err);
		if (st)
			return st;
		s->units[k] = sp[k].hours ? "h" : NULL;
	}
	return ESC_OK;
}

/* The design's demands on the options and the number of keys. */
static int check_design(const design *d, const esc_sweep_opts *o, size_t n,
                        esc_error *err)
{
	if (d->wants_points && (o->points < 1 || o->points > ESC_SWEEP_MAX_POINTS))
		return esc_error_set(err, ESC_ERR_INPUT, "--design %s needs --points N, "
		                     "the base sample, with 1 <= N <= %d", d->name,
		                     ESC_SWEEP_MAX_POINTS);
	if (!d->wants_points && o->points)
		return esc_error_set(err, ESC_ERR_INPUT, "--points applies to the sobol, "
		                     "lhs, saltelli and morris designs (a grid has every "
		                     "combination)");
	if (o->levels && strcmp(d->name, "morris") != 0)
		return esc_error_set(err, ESC_ERR_INPUT, "--levels applies to the morris "
		                     "design only");
	if (o->levels && (o->levels < 2 || o->levels % 2 || o->levels > 1000))
		return esc_error_set(err, ESC_ERR_INPUT, "--levels: Morris needs an even "
		                     "number of levels from 2 to 1000, got %u", o->levels);
	if (n > d->max_keys)
		return esc_error_set(err, ESC_ERR_INPUT, "a %s design takes at most %zu "
		                     "varied keys (GSL's Sobol sequence has %d dimensions"
		                     "%s); got %zu", d->name, d->max_keys,
		                     ESC_SWEEP_SOBOL_MAX_KEYS,
		                     d->max_keys < ESC_SWEEP_SOBOL_MAX_KEYS ?
		                     ", two per key" : "", n);
	return ESC_OK;
}

static int alloc_points(esc_sweep *s, size_t np, double **u, esc_error *err)
{
	size_t k = s->n_keys;
	s->values = malloc(np * k * sizeof *s->values);
	s->block = malloc(np * sizeof *s->block);
	s->role = malloc(np * sizeof *s->role);
	s->key = malloc(np * sizeof *s->key);
	s->step = malloc(np * sizeof *s->step);
	*u = malloc(np * k * sizeof **u);
	if (!s->values || !s->block || !s->role || !s->key || !s->step || !*u)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < np; i++) {
		s->block[i] = (int64_t)i;
		s->role[i] = ESC_SWEEP_POINT;
		s->key[i] = -1;
		s->step[i] = NAN;
	}
	s->n_points = np;
	return ESC_OK;
}

/* Size, fill and map the design onto the keys' values. */
static int run_design(esc_sweep *s, const design *d, plan *p, esc_error *err)
{
	size_t np = d->size(p, err);
	if (np == 0)
		return err->status ? err->status : ESC_ERR_INPUT;
	int st = alloc_points(s, np, &p->u, err);
	p->n_points = np;
	if (st == ESC_OK && d->random) {
		if (!(p->rng = gsl_rng_alloc(esc_rng_xoshiro256pp)))
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else
			gsl_rng_set(p->rng, esc_rng_stream_seed(s->seed, 0, "sweep.design"));
	}
	if (st == ESC_OK)
		st = d->fill(p, err);
	for (size_t i = 0; st == ESC_OK && i < np; i++)
		for (size_t k = 0; k < s->n_keys; k++)
			s->values[i * s->n_keys + k] = to_value(&p->sp[k], p->u[i * s->n_keys + k]);
	if (p->rng)
		gsl_rng_free(p->rng);
	free(p->u);
	return st;
}

int esc_sweep_build(esc_sweep *s, const char *const *vary, size_t n,
                    const esc_sweep_opts *o, esc_error *err)
{
	static const esc_sweep_opts none = {0};
	memset(s, 0, sizeof *s);
	o = o ? o : &none;
	const design *d = find_design(o->design ? o->design : "grid");
	if (!d)
		return esc_error_set(err, ESC_ERR_INPUT, "--design: expected %s, got "
		                     "'%s'", esc_sweep_design_list(), o->design);
	s->design = d->name;
	s->seed = o->seed;
	s->levels = strcmp(d->name, "morris") == 0 ?
	            (o->levels ? o->levels : ESC_SWEEP_DEFAULT_LEVELS) : 0;
	if (n == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "a sweep needs at least one "
		                     "--vary KEY=SPEC");
	int st = check_design(d, o, n, err);
	if (st)
		return st;
	spec *sp = calloc(n, sizeof *sp);
	s->keys = calloc(n, sizeof *s->keys);
	s->specs = calloc(n, sizeof *s->specs);
	s->units = calloc(n, sizeof *s->units);
	if (!sp || !s->keys || !s->specs || !s->units) {
		free(sp);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	s->n_keys = n;
	st = parse_keys(s, sp, vary, n, err);
	plan p = { .sp = sp, .k = n, .base = o->points, .levels = s->levels, .s = s };
	if (st == ESC_OK)
		st = run_design(s, d, &p, err);
	s->base = d->wants_points ? o->points : s->n_points;
	for (size_t k = 0; k < n; k++)
		free(sp[k].v);
	free(sp);
	return st;
}

int esc_sweep_assignment(const esc_sweep *s, size_t p, size_t k, char *buf,
                         size_t size)
{
	double v = s->values[p * s->n_keys + k];
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return snprintf(buf, size, "%s=%.0f", s->keys[k], v);
	/* The shortest form that reads back as the same double. */
	for (int prec = 15; prec <= 17; prec++) {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v || prec == 17)
			return snprintf(buf, size, "%s=%s", s->keys[k], tmp);
	}
	return -1;
}
