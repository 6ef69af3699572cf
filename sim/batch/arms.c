/* arms.c: the arms of a batch and the file's groups they write into
 * (batch_impl.h): building arm A at point P (the point's assignments, then
 * the arm's own overrides), checking every arm of every point before any
 * work, making each point's groups as the writer reaches it, and
 * checkpoints.  Below the pool (pool.c calls it, it calls nothing of the
 * pool or of batch.c), so the two never call each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/model.h"
#include "batch_impl.h"

/* Group names are made here only: "ARM.p<K>" (escsim/batch.h). */
int esc_batch_group_name(char *buf, size_t size, const char *arm, size_t point)
{
	return snprintf(buf, size, "%s.p%zu", arm, point);
}

/* Overrides of arm A at point P: the point's assignments, then the arm's
 * own (which win). */
static size_t arm_overrides(const batch *b, size_t p, size_t a, const char **ov)
{
	size_t n = 0;
	for (size_t k = 0; k < b->n_keys; k++)
		ov[n++] = b->point_sets[p * b->n_keys + k];
	const esc_arm_spec *s = &b->o->arms[a];
	for (size_t i = 0; i < s->n_overrides; i++)
		ov[n++] = s->overrides[i];
	return n;
}

int esc_bt_build_arm(const batch *b, esc_scenario *s, size_t p, size_t a,
                     const char **ov, esc_config *cfg, esc_policy *pol,
                     esc_error *err)
{
	size_t n = arm_overrides(b, p, a, ov);
	/* A point's assignments are labelled with the --vary that made them,
	 * so a message names the option the user typed. */
	const esc_sweep *sw = b->o->sweep;
	char **labels = sw && b->n_keys ? calloc(n, sizeof *labels) : NULL;
	if (sw && b->n_keys && !labels)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t k = 0; labels && k < b->n_keys; k++) {
		size_t len = strlen(sw->keys[k]) + strlen(sw->specs[k]) + strlen(ov[k]) + 16;
		if ((labels[k] = malloc(len)))
			snprintf(labels[k], len, "--vary '%s=%s' (%s)", sw->keys[k], sw->specs[k], ov[k]);
	}
	int st = esc_scenario_arm_as(s, ov, (const char *const *)labels, n, cfg, pol, err);
	for (size_t k = 0; labels && k < b->n_keys; k++)
		free(labels[k]);
	free(labels);
	if (st)
		return esc_error_prefix(err, "arm '%s': ", b->group_names[p * b->n_arms + a]);
	return ESC_OK;
}

/* The scenario's names for the file's labels; *store (to free) holds the
 * pointer arrays. */
static int arm_labels(const esc_config *c, esc_h5_labels *l,
                      const char ***store, esc_error *err)
{
	size_t n = c->n_parties + c->n_zones + c->n_types + c->regime.n_states +
	           1 + c->n_channels;
	const char **p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	*store = p;
	l->parties = (esc_h5_names){ p, c->n_parties };
	for (size_t i = 0; i < c->n_parties; i++)
		*p++ = c->parties[i].name;
	l->zones = (esc_h5_names){ p, c->n_zones };
	for (size_t i = 0; i < c->n_zones; i++)
		*p++ = c->zones[i];
	l->types = (esc_h5_names){ p, c->n_types };
	for (size_t i = 0; i < c->n_types; i++)
		*p++ = c->types[i].name;
	l->regimes = (esc_h5_names){ p, c->regime.n_states };
	for (size_t i = 0; i < c->regime.n_states; i++)
		*p++ = c->regime.names[i];
	/* Message channel 0 is the cell, then the fallback channels. */
	l->channels = (esc_h5_names){ p, 1 + c->n_channels };
	*p++ = "cell";
	for (size_t i = 0; i < c->n_channels; i++)
		*p++ = c->channels[i].name;
	return ESC_OK;
}

static char *join_overrides(const char *const *ov, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(ov[i]) + 1;
	char *t = malloc(len);
	if (!t)
		return NULL;
	t[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(t, ",");
		strcat(t, ov[i]);
	}
	return t;
}

/* Build every arm at every point, so that a bad point is found before any
 * work and before anything is written. */
int esc_bt_check_arms(batch *b, esc_scenario *scen, esc_error *err)
{
	int st = ESC_OK;
	for (size_t p = 0; st == ESC_OK && p < b->n_points; p++) {
		for (size_t a = 0; st == ESC_OK && a < b->n_arms; a++) {
			esc_config cfg;
			esc_policy pol;
			if ((st = esc_bt_build_arm(b, scen, p, a, b->ov, &cfg, &pol, err)))
				break;
			esc_model *m = esc_model_new(&cfg, err);
			if (!m)
				st = esc_error_prefix(err, "arm '%s': ",
				                      b->group_names[p * b->n_arms + a]);
			esc_model_free(m);
			esc_scenario_release(scen, &pol);
			esc_config_free(&cfg);
		}
	}
	return st;
}

/* The replications the file holds: those of the old file (resume) and
 * those this run wrote; what a checkpoint records. */
int64_t esc_bt_jobs_saved(const batch *b)
{
	return b->already_done + b->jobs_done;
}

int esc_bt_checkpoint(batch *b, int sync, esc_error *err)
{
	if (!b->out)
		return ESC_OK;
	int st = esc_h5_checkpoint(b->out, esc_bt_jobs_saved(b), sync, err);
	b->last_checkpoint = esc_bt_wall_s();
	if (st == ESC_OK)
		b->saved_jobs = esc_bt_jobs_saved(b);
	return st;
}

/* Make (or, completing a file in place, open) the groups of point P. */
static int point_groups(batch *b, size_t p, esc_error *err)
{
	for (size_t a = 0; a < b->n_arms; a++) {
		size_t g = p * b->n_arms + a;
		esc_config cfg;
		esc_policy pol;
		if (esc_bt_build_arm(b, b->scen, p, a, b->ov, &cfg, &pol, err))
			return err->status;
		size_t n = arm_overrides(b, p, a, b->ov);
		char *text = join_overrides(b->ov, n);
		char *json = esc_config_to_json(&cfg);
		const char **names = NULL;
		esc_h5_labels labels;
		int events = b->o->events || cfg.outputs.events, st;
		if (!text || !json)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else if ((st = arm_labels(&cfg, &labels, &names, err)) != ESC_OK)
			;
		else if (b->inplace && esc_h5_arm_exists(b->out, b->group_names[g]))
			st = esc_h5_open_arm(b->out, b->group_names[g], &labels,
			                     cfg.outputs.daily, events, &b->h5_group[g], err);
		else if ((st = esc_h5_add_arm(b->out, b->group_names[g], text, json,
		                              &labels, cfg.outputs.daily, events,
		                              &b->h5_group[g], err)) == ESC_OK &&
		         b->o->sweep)
			st = esc_h5_arm_point(b->out, b->h5_group[g], (int64_t)p,
			                      b->o->arms[a].name, err);
		free(names);
		free(text);
		free(json);
		esc_scenario_release(b->scen, &pol);
		esc_config_free(&cfg);
		if (st)
			return st;
	}
	return ESC_OK;
}

/* Create the groups of the points up to UPTO that do not have theirs yet,
 * each arm built again for its resolved values and labels, then
 * checkpoint.  Groups are made as the writer reaches their point, and
 * those of points before UPTO are closed at once: an open table holds its
 * metadata and chunk cache, which for thousands of points would be memory
 * that grows with the design. */
int esc_bt_add_groups(batch *b, size_t upto, esc_error *err)
{
	int made = 0;
	for (; b->created <= upto && b->created < b->n_points; b->created++) {
		size_t p = b->created;
		if (point_groups(b, p, err))
			return err->status;
		made = 1;
		for (size_t a = 0; p < upto && a < b->n_arms; a++)
			if (esc_h5_arm_done(b->out, b->h5_group[p * b->n_arms + a], err))
				return err->status;
	}
	return made ? esc_bt_checkpoint(b, 0, err) : ESC_OK;
}
