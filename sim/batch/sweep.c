/* sweep.c: grid and Sobol designs over scenario parameters
 * (escsim/sweep.h).  Pure computation: the batch turns each point into
 * --set assignments for its arms. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "escsim/sweep.h"

typedef enum { K_LIST, K_LIN, K_LOG } spec_kind;

typedef struct spec {
	spec_kind kind;
	double *v;          /* list values, or the grid values of lin/log */
	size_t n;
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

/* Parse SPEC (after KEY=) of the --vary string VARY. */
static int parse_spec(spec *sp, const char *s, const char *vary,
                      esc_sweep_design design, esc_error *err)
{
	memset(sp, 0, sizeof *sp);
	int range = strncmp(s, "lin:", 4) == 0 ? 1 : strncmp(s, "log:", 4) == 0 ? 2 : 0;
	if (range) {
		const char *p = s + 4;
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
		size_t n = 0;
		if (c2) {
			if (parse_count(c2 + 1, strlen(c2 + 1), &n) || n == 0)
				return bad_spec(err, vary, "N must be an integer >= 1");
		} else if (design == ESC_SWEEP_GRID) {
			return bad_spec(err, vary, "a grid needs the number of values: "
			                "lin:LO:HI:N or log:LO:HI:N");
		}
		sp->kind = range == 1 ? K_LIN : K_LOG;
		if (sp->kind == K_LOG && (sp->lo <= 0 || sp->hi <= 0))
			return bad_spec(err, vary, "log needs LO > 0 and HI > 0");
		if (design == ESC_SWEEP_SOBOL)
			return ESC_OK;
		sp->n = n;
		sp->v = malloc(n * sizeof *sp->v);
		if (!sp->v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		for (size_t i = 0; i < n; i++) {
			double f = n == 1 ? 0 : (double)i / (double)(n - 1);
			sp->v[i] = between(sp->kind, sp->lo, sp->hi, f);
		}
		if (n > 1)
			sp->v[n - 1] = sp->hi;      /* exactly, whatever the rounding */
		return ESC_OK;
	}
	if (strchr(s, ':'))
		return bad_spec(err, vary, "unknown SPEC: expected a list (1,2,4), "
		                "lin:LO:HI:N or log:LO:HI:N");
	sp->kind = K_LIST;
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == ',';
	sp->v = malloc(cap * sizeof *sp->v);
	if (!sp->v)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		int why = parse_value(p, len, &sp->v[sp->n], &sp->hours);
		if (why)
			return bad_value(err, vary, p, len, why, "a list holds numbers or "
			                 "durations (30m, 2h, 3d, 1w), separated by ','");
		sp->n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	return ESC_OK;
}

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
	memset(s, 0, sizeof *s);
}

int esc_sweep_build(esc_sweep *s, const char *const *vary, size_t n,
                    esc_sweep_design design, size_t points, esc_error *err)
{
	memset(s, 0, sizeof *s);
	s->design = design;
	if (n == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "a sweep needs at least one "
		                     "--vary KEY=SPEC");
	if (design == ESC_SWEEP_SOBOL && n > ESC_SWEEP_SOBOL_MAX_KEYS)
		return esc_error_set(err, ESC_ERR_INPUT, "a Sobol design takes at most "
		                     "%d varied keys (GSL's limit); got %zu",
		                     ESC_SWEEP_SOBOL_MAX_KEYS, n);
	if (design == ESC_SWEEP_SOBOL && (points < 1 || points > ESC_SWEEP_MAX_POINTS))
		return esc_error_set(err, ESC_ERR_INPUT, "a Sobol design needs --points "
		                     "N with 1 <= N <= %d", ESC_SWEEP_MAX_POINTS);
	spec *sp = calloc(n, sizeof *sp);
	s->keys = calloc(n, sizeof *s->keys);
	s->specs = calloc(n, sizeof *s->specs);
	s->units = calloc(n, sizeof *s->units);
	if (!sp || !s->keys || !s->specs || !s->units) {
		free(sp);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	s->n_keys = n;
	int rc = ESC_OK;
	for (size_t k = 0; k < n && rc == ESC_OK; k++) {
		const char *eq = strchr(vary[k], '=');
		if (!eq || eq == vary[k] || !eq[1]) {
			rc = bad_spec(err, vary[k], "expected KEY=SPEC, e.g. "
			              "cell.accuracy=lin:0.5:1:6");
			break;
		}
		s->keys[k] = dupn(vary[k], (size_t)(eq - vary[k]));
		s->specs[k] = dupn(eq + 1, strlen(eq + 1));
		if (!s->keys[k] || !s->specs[k]) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			break;
		}
		for (size_t j = 0; j < k; j++)
			if (strcmp(s->keys[j], s->keys[k]) == 0)
				rc = esc_error_set(err, ESC_ERR_INPUT, "--vary: key '%s' given "
				                   "twice", s->keys[k]);
		if (rc == ESC_OK)
			rc = parse_spec(&sp[k], s->specs[k], vary[k], design, err);
		s->units[k] = sp[k].hours ? "h" : NULL;
	}
	if (rc == ESC_OK && design == ESC_SWEEP_GRID) {
		size_t total = 1;
		for (size_t k = 0; k < n && rc == ESC_OK; k++) {
			if (sp[k].n > ESC_SWEEP_MAX_POINTS / total)
				rc = esc_error_set(err, ESC_ERR_INPUT, "the grid has more than "
				                   "%d points", ESC_SWEEP_MAX_POINTS);
			else
				total *= sp[k].n;
		}
		if (rc == ESC_OK && !(s->values = malloc(total * n * sizeof *s->values)))
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		for (size_t p = 0; rc == ESC_OK && p < total; p++) {
			size_t rest = p;
			for (size_t k = n; k-- > 0;) {      /* last key fastest */
				s->values[p * n + k] = sp[k].v[rest % sp[k].n];
				rest /= sp[k].n;
			}
		}
		if (rc == ESC_OK)
			s->n_points = total;
	} else if (rc == ESC_OK) {
		gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)n);
		double *u = malloc(n * sizeof *u);
		s->values = malloc(points * n * sizeof *s->values);
		if (!q || !u || !s->values)
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		for (size_t p = 0; rc == ESC_OK && p < points; p++) {
			if (gsl_qrng_get(q, u) != 0) {
				rc = esc_error_set(err, ESC_ERR_RUNTIME, "Sobol sequence failed "
				                   "at point %zu", p);
				break;
			}
			for (size_t k = 0; k < n; k++) {
				double x;
				if (sp[k].kind == K_LIST) {
					size_t i = (size_t)floor(u[k] * (double)sp[k].n);
					x = sp[k].v[i < sp[k].n ? i : sp[k].n - 1];
				} else if (sp[k].kind == K_LIN) {
					x = between(K_LIN, sp[k].lo, sp[k].hi, u[k]);
				} else {
					double lo = sp[k].lo, hi = sp[k].hi;
					x = clamp(exp(log(lo) + u[k] * (log(hi) - log(lo))), lo, hi);
				}
				s->values[p * n + k] = x;
			}
		}
		if (rc == ESC_OK)
			s->n_points = points;
		if (q)
			gsl_qrng_free(q);
		free(u);
	}
	for (size_t k = 0; k < n; k++)
		free(sp[k].v);
	free(sp);
	return rc;
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
