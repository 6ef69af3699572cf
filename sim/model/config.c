/* config.c: the validated scenario (escsim/config.h): allocation, defaults,
 * the model's own consistency checks, and the JSON form kept as provenance. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/config.h"

int esc_config_alloc(esc_config *cfg, size_t n_parties, size_t n_zones,
                     size_t n_types, size_t n_generators, esc_error *err)
{
	memset(cfg, 0, sizeof *cfg);
	size_t np = n_parties;
	cfg->parties = calloc(np ? np : 1, sizeof *cfg->parties);
	cfg->zones = calloc(n_zones ? n_zones : 1, sizeof *cfg->zones);
	cfg->types = calloc(n_types ? n_types : 1, sizeof *cfg->types);
	cfg->generators = calloc(n_generators ? n_generators : 1, sizeof *cfg->generators);
	cfg->attribution.confusion = calloc(np ? np * np * np : 1, sizeof(double));
	if (!cfg->parties || !cfg->zones || !cfg->types || !cfg->generators ||
	    !cfg->attribution.confusion) {
		esc_config_free(cfg);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory allocating the configuration");
	}
	cfg->n_parties = np;
	cfg->n_zones = n_zones;
	cfg->n_types = n_types;
	cfg->n_generators = n_generators;
	for (size_t o = 0; o < np; o++)
		for (size_t t = 0; t < np; t++)
			cfg->attribution.confusion[(o * np + t) * np + t] = 1.0;
	esc_config_defaults(cfg);
	return ESC_OK;
}

void esc_config_defaults(esc_config *cfg)
{
	snprintf(cfg->name, sizeof cfg->name, "unnamed");
	cfg->horizon_h = 365.0 * 24.0;
	cfg->ladder.step = 1.0;
	cfg->ladder.half_life_h = 7.0 * 24.0;
	cfg->ladder.crisis_level = 6.0;
	cfg->ladder.spiral_size = 4;
	cfg->cell.enabled = 1;
	cfg->cell.accuracy = 0.9;
	esc_dist_free(&cfg->cell.latency_h);
	esc_dist_init(&cfg->cell.latency_h, ESC_DIST_LOGNORMAL, 1.0, 1.0, 0, NULL);
	esc_dist_free(&cfg->attribution.delay_h);
	esc_dist_init(&cfg->attribution.delay_h, ESC_DIST_CONSTANT, 0.0, 0, 0, NULL);
	cfg->max_events = 1000000;
}

void esc_config_free(esc_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; cfg->types && i < cfg->n_types; i++) {
		esc_dist_free(&cfg->types[i].fatalities_mil);
		esc_dist_free(&cfg->types[i].fatalities_civ);
	}
	esc_dist_free(&cfg->attribution.delay_h);
	esc_dist_free(&cfg->cell.latency_h);
	free(cfg->parties);
	free(cfg->zones);
	free(cfg->types);
	free(cfg->generators);
	free(cfg->attribution.confusion);
	memset(cfg, 0, sizeof *cfg);
}

int esc_config_party(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_parties; i++)
		if (strcmp(cfg->parties[i].name, name) == 0)
			return (int)i;
	return -1;
}

int esc_config_zone(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_zones; i++)
		if (strcmp(cfg->zones[i], name) == 0)
			return (int)i;
	return -1;
}

int esc_config_type(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_types; i++)
		if (strcmp(cfg->types[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int in_range(int i, size_t n) { return i >= 0 && (size_t)i < n; }

int esc_config_check(const esc_config *cfg, esc_error *err)
{
	size_t np = cfg->n_parties;
	if (np < 2)
		return esc_error_set(err, ESC_ERR_INPUT, "parties: need at least 2 parties, got %zu", np);
	if (!(cfg->horizon_h > 0) || !isfinite(cfg->horizon_h))
		return esc_error_set(err, ESC_ERR_INPUT, "horizon: expected a finite number of hours > 0");
	for (size_t i = 0; i < cfg->n_generators; i++) {
		const esc_generator *g = &cfg->generators[i];
		if (!in_range(g->actor, np) || !in_range(g->target, np) ||
		    !in_range(g->type, cfg->n_types) || !in_range(g->zone, cfg->n_zones))
			return esc_error_set(err, ESC_ERR_INPUT, "incidents[%zu]: actor, target, type or zone out of range", i + 1);
		if (!(g->rate_per_h >= 0) || !isfinite(g->rate_per_h))
			return esc_error_set(err, ESC_ERR_INPUT, "incidents[%zu].rate: expected a finite rate >= 0", i + 1);
	}
	for (size_t i = 0; i < cfg->n_types; i++)
		if (cfg->types[i].level < 0 || cfg->types[i].level > ESC_LADDER_TOP)
			return esc_error_set(err, ESC_ERR_INPUT, "types.%s.level: expected 0..%d", cfg->types[i].name, ESC_LADDER_TOP);
	for (size_t o = 0; o < np; o++)
		for (size_t t = 0; t < np; t++) {
			double sum = 0;
			for (size_t p = 0; p < np; p++) {
				double v = cfg->attribution.confusion[(o * np + t) * np + p];
				if (!(v >= 0 && v <= 1))
					return esc_error_set(err, ESC_ERR_INPUT, "attribution.confusion.%s.%s.%s: expected a probability in [0, 1]",
					                     cfg->parties[o].name, cfg->parties[t].name, cfg->parties[p].name);
				sum += v;
			}
			if (fabs(sum - 1.0) > 1e-9)
				return esc_error_set(err, ESC_ERR_INPUT, "attribution.confusion.%s.%s: probabilities sum to %g, expected 1",
				                     cfg->parties[o].name, cfg->parties[t].name, sum);
		}
	if (!(cfg->ladder.step > 0) || !(cfg->ladder.half_life_h > 0) || !isfinite(cfg->ladder.half_life_h))
		return esc_error_set(err, ESC_ERR_INPUT, "ladder: step and half_life must be > 0");
	if (cfg->ladder.spiral_size < 2)
		return esc_error_set(err, ESC_ERR_INPUT, "ladder.spiral_size: expected an integer >= 2");
	if (!(cfg->cell.accuracy >= 0 && cfg->cell.accuracy <= 1))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.accuracy: expected a probability in [0, 1]");
	if (cfg->cell.latency_h.kind == ESC_DIST_NONE || cfg->attribution.delay_h.kind == ESC_DIST_NONE)
		return esc_error_set(err, ESC_ERR_INPUT, "cell.latency and attribution.delay must be distributions");
	if (cfg->max_events < 1)
		return esc_error_set(err, ESC_ERR_INPUT, "limits.events: expected an integer >= 1");
	return ESC_OK;
}

/* ---- JSON ------------------------------------------------------------- */

typedef struct jbuf { char *s; size_t n, cap; int oom; } jbuf;

static void jput(jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jput(jbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k < 0) { b->oom = 1; return; }
		if ((size_t)k < b->cap - b->n) { b->n += (size_t)k; return; }
		size_t cap = (b->cap + (size_t)k + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) { b->oom = 1; return; }
		b->s = s;
		b->cap = cap;
	}
}

/* Names are checked identifiers, but escape anyway: the JSON must parse. */
static void jstr(jbuf *b, const char *s)
{
	jput(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') jput(b, "\\%c", c);
		else if (c < 0x20) jput(b, "\\u%04x", c);
		else jput(b, "%c", c);
	}
	jput(b, "\"");
}

static void jnum(jbuf *b, double v)
{
	if (isfinite(v)) jput(b, "%.17g", v);
	else jput(b, "null");
}

static void jdist(jbuf *b, const esc_dist *d)
{
	jput(b, "{\"kind\":");
	jstr(b, esc_dist_kind_name(d->kind));
	switch (d->kind) {
	case ESC_DIST_CONSTANT: jput(b, ",\"value\":"); jnum(b, d->a); break;
	case ESC_DIST_EXPONENTIAL: case ESC_DIST_POISSON: jput(b, ",\"mean\":"); jnum(b, d->a); break;
	case ESC_DIST_LOGNORMAL: jput(b, ",\"median\":"); jnum(b, d->a); jput(b, ",\"sigma\":"); jnum(b, d->b); break;
	case ESC_DIST_GAMMA: jput(b, ",\"shape\":"); jnum(b, d->a); jput(b, ",\"scale\":"); jnum(b, d->b); break;
	case ESC_DIST_WEIBULL: jput(b, ",\"scale\":"); jnum(b, d->a); jput(b, ",\"shape\":"); jnum(b, d->b); break;
	case ESC_DIST_NEGBIN: jput(b, ",\"mean\":"); jnum(b, d->a); jput(b, ",\"dispersion\":"); jnum(b, d->b); break;
	case ESC_DIST_ZINB: jput(b, ",\"zero\":"); jnum(b, d->a); jput(b, ",\"mean\":"); jnum(b, d->b);
		jput(b, ",\"dispersion\":"); jnum(b, d->c); break;
	case ESC_DIST_DISCRETE:
		jput(b, ",\"weights\":[");
		for (size_t i = 0; i < d->n; i++) { if (i) jput(b, ","); jnum(b, d->weights[i]); }
		jput(b, "]");
		break;
	default: break;
	}
	jput(b, "}");
}

static const char *kind_name(esc_party_kind k)
{
	return k == ESC_PARTY_NONSTATE ? "nonstate" : k == ESC_PARTY_SUPERVISOR ? "supervisor" : "state";
}

char *esc_config_to_json(const esc_config *cfg)
{
	jbuf b = {0};
	size_t np = cfg->n_parties;
	jput(&b, "{\"name\":");
	jstr(&b, cfg->name);
	jput(&b, ",\"horizon_h\":");
	jnum(&b, cfg->horizon_h);
	jput(&b, ",\"parties\":[");
	for (size_t i = 0; i < np; i++) {
		jput(&b, "%s{\"name\":", i ? "," : "");
		jstr(&b, cfg->parties[i].name);
		jput(&b, ",\"kind\":\"%s\"}", kind_name(cfg->parties[i].kind));
	}
	jput(&b, "],\"zones\":[");
	for (size_t i = 0; i < cfg->n_zones; i++) {
		if (i) jput(&b, ",");
		jstr(&b, cfg->zones[i]);
	}
	jput(&b, "],\"types\":{");
	for (size_t i = 0; i < cfg->n_types; i++) {
		const esc_incident_type *t = &cfg->types[i];
		if (i) jput(&b, ",");
		jstr(&b, t->name);
		jput(&b, ":{\"level\":%d,\"goldstein\":", t->level);
		jnum(&b, t->goldstein);
		jput(&b, ",\"fatalities_mil\":");
		jdist(&b, &t->fatalities_mil);
		jput(&b, ",\"fatalities_civ\":");
		jdist(&b, &t->fatalities_civ);
		jput(&b, "}");
	}
	jput(&b, "},\"incidents\":[");
	for (size_t i = 0; i < cfg->n_generators; i++) {
		const esc_generator *g = &cfg->generators[i];
		jput(&b, "%s{\"actor\":", i ? "," : "");
		jstr(&b, cfg->parties[g->actor].name);
		jput(&b, ",\"target\":");
		jstr(&b, cfg->parties[g->target].name);
		jput(&b, ",\"type\":");
		jstr(&b, cfg->types[g->type].name);
		jput(&b, ",\"zone\":");
		jstr(&b, cfg->zones[g->zone]);
		jput(&b, ",\"rate_per_h\":");
		jnum(&b, g->rate_per_h);
		jput(&b, "}");
	}
	jput(&b, "],\"attribution\":{\"delay_h\":");
	jdist(&b, &cfg->attribution.delay_h);
	jput(&b, ",\"confusion\":{");
	for (size_t o = 0; o < np; o++) {
		if (o) jput(&b, ",");
		jstr(&b, cfg->parties[o].name);
		jput(&b, ":{");
		for (size_t t = 0; t < np; t++) {
			if (t) jput(&b, ",");
			jstr(&b, cfg->parties[t].name);
			jput(&b, ":{");
			for (size_t p = 0; p < np; p++) {
				if (p) jput(&b, ",");
				jstr(&b, cfg->parties[p].name);
				jput(&b, ":");
				jnum(&b, cfg->attribution.confusion[(o * np + t) * np + p]);
			}
			jput(&b, "}");
		}
		jput(&b, "}");
	}
	jput(&b, "}},\"ladder\":{\"step\":");
	jnum(&b, cfg->ladder.step);
	jput(&b, ",\"half_life_h\":");
	jnum(&b, cfg->ladder.half_life_h);
	jput(&b, ",\"crisis_level\":");
	jnum(&b, cfg->ladder.crisis_level);
	jput(&b, ",\"spiral_size\":%d},\"cell\":{\"enabled\":%s,\"latency_h\":",
	     cfg->ladder.spiral_size, cfg->cell.enabled ? "true" : "false");
	jdist(&b, &cfg->cell.latency_h);
	jput(&b, ",\"accuracy\":");
	jnum(&b, cfg->cell.accuracy);
	jput(&b, "},\"limits\":{\"events\":%llu}}", (unsigned long long)cfg->max_events);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
