/* cmd_check.c: escsim check: load and validate a scenario, print the
 * resolved parameters as JSON (the configuration, then each party's policy:
 * its hooks and parameters, and the triggers), and the warnings (policy
 * mistakes among them: unknown hook names, hooks that can never fire). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/json.h"
#include "escsim/scenario.h"
#include "escsim/log.h"
#include "cli.h"

/* ---- the layout for people ---------------------------------------------- */

/* One member per line, but an object or array of plain values ({"kind":
 * "constant", "value": 6}), or an object whose arrays hold plain values (a
 * parameter with its range), stays on one line when it fits in 200
 * columns.  cJSON prints every value and key (one escaping); this only
 * lays them out.  Each returns 0, or -1 when out of memory. */

static int is_container(const cJSON *j)
{
	return cJSON_IsObject(j) || cJSON_IsArray(j);
}

/* How deeply containers nest in j (1: it holds only plain values), and
 * whether an object nests in it. */
static void shape(const cJSON *j, int d, int *depth, int *objects)
{
	if (!is_container(j))
		return;
	if (d > *depth)
		*depth = d;
	*objects |= d > 1 && cJSON_IsObject(j);
	for (const cJSON *c = j->child; c; c = c->next)
		shape(c, d + 1, depth, objects);
}

static int put_compact(FILE *f, const cJSON *j)
{
	char *t = cJSON_PrintUnformatted(j);
	if (!t)
		return -1;
	fputs(t, f);
	free(t);
	return 0;
}

/* "KEY": as cJSON escapes it. */
static int put_key(FILE *f, const char *key)
{
	cJSON *k = cJSON_CreateString(key);
	int rc = k ? put_compact(f, k) : -1;
	cJSON_Delete(k);
	if (rc == 0)
		fputs(": ", f);
	return rc;
}

/* j on one line: { "a": 1, "b": [1, 2] } */
static int put_flat(FILE *f, const cJSON *j)
{
	if (!is_container(j))
		return put_compact(f, j);
	int obj = cJSON_IsObject(j);
	fputc(obj ? '{' : '[', f);
	for (const cJSON *c = j->child; c; c = c->next) {
		fputs(c == j->child ? " " : ", ", f);
		if ((obj && put_key(f, c->string)) || put_flat(f, c))
			return -1;
	}
	if (j->child)
		fputc(' ', f);
	fputc(obj ? '}' : ']', f);
	return 0;
}

/* j at indentation level depth: flat if it may be, else a member a line. */
static int put_laid_out(FILE *f, const cJSON *j, int depth)
{
	if (!is_container(j))
		return put_compact(f, j);
	char *t = cJSON_PrintUnformatted(j);
	if (!t)
		return -1;
	size_t n = strlen(t);
	free(t);
	int nest = 0, objects = 0, obj = cJSON_IsObject(j);
	shape(j, 1, &nest, &objects);
	if (n + 2 * (size_t)depth < 200 && (nest == 1 || (nest == 2 && obj && !objects)))
		return put_flat(f, j);
	fputc(obj ? '{' : '[', f);
	for (const cJSON *c = j->child; c; c = c->next) {
		fprintf(f, "%s\n%*s", c == j->child ? "" : ",", 2 * (depth + 1), "");
		if ((obj && put_key(f, c->string)) || put_laid_out(f, c, depth + 1))
			return -1;
	}
	fprintf(f, "\n%*s%c", 2 * depth, "", obj ? '}' : ']');
	return 0;
}

/* The numbers of a tree cJSON parsed, as escsim prints numbers (json.h):
 * each becomes the shortest text that reads back.  0, or -1 when out of
 * memory. */
static int shortest_numbers(cJSON *j)
{
	for (cJSON *c = j ? j->child : NULL; c; c = c->next) {
		if (cJSON_IsNumber(c)) {
			cJSON *n = esc_json_number(c->valuedouble);
			if (!n)
				return -1;
			n->string = c->string;      /* the member's name moves to n */
			c->string = NULL;
			cJSON_ReplaceItemViaPointer(j, c, n);   /* cannot fail: c is j's */
			c = n;
		} else if (shortest_numbers(c)) {
			return -1;
		}
	}
	return 0;
}

/* The resolved configuration, then the policies and triggers, as one JSON
 * object on stdout. */
static int print_resolved(esc_scenario *s, const esc_config *cfg, const esc_policy *pol, esc_error *err)
{
	char *cfg_json = esc_config_to_json(cfg);
	cJSON *all = cfg_json ? cJSON_Parse(cfg_json) : NULL;
	free(cfg_json);
	if (!all || shortest_numbers(all)) {
		cJSON_Delete(all);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	int st = esc_scenario_describe_policies(s, pol, all, err);
	/* laid out in memory first: nothing half-written when memory runs out */
	char *text = NULL;
	size_t len = 0;
	FILE *f = st ? NULL : open_memstream(&text, &len);
	if (st == ESC_OK) {
		int bad = !f || put_laid_out(f, all, 0) || fputc('\n', f) == EOF;
		if (f && fclose(f) != 0)
			bad = 1;
		if (bad)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else
			fwrite(text, 1, len, stdout);
	}
	free(text);
	cJSON_Delete(all);
	return st;
}

/* --luals FILE: the policy modules' parameters for editors. */
static int write_luals(esc_scenario *s, const char *path, esc_error *err)
{
	char *text = esc_scenario_luals(s, err);
	if (!text)
		return err->status;
	FILE *f = fopen(path, "w");
	int ok = f && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	free(text);
	if (!ok)
		return esc_error_set(err, ESC_ERR_RUNTIME, "--luals: cannot write '%s': %s", path, strerror(errno));
	return ESC_OK;
}

static int check(const cli *c)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(c->scenario, NULL, NULL, &err);
	int st = s ? ESC_OK : err.status;
	for (size_t i = 0; st == ESC_OK && i < c->n_sets; i++)
		st = esc_scenario_set_as(s, c->sets[i], c->set_labels[i], &err);
	esc_config cfg;
	esc_policy pol;
	if (st == ESC_OK)
		st = esc_scenario_arm(s, NULL, 0, &cfg, &pol, &err);
	if (st == ESC_OK) {
		st = esc_config_check(&cfg, &err);
		if (st == ESC_OK)
			st = print_resolved(s, &cfg, &pol, &err);
		esc_config_free(&cfg);
		if (st == ESC_OK && c->luals)
			st = write_luals(s, c->luals, &err);
		for (const char *const *w = esc_scenario_warnings(s); st == ESC_OK && w && *w; w++)
			esc_log(ESC_LOG_WARN, "%s", *w);
	}
	esc_scenario_free(s);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	return st;
}

int cmd_check(int argc, char **argv)
{
	cli c = { .reps = 100, .seed = 1 };
	int st = cli_parse(&c, argc, argv);
	if (st == 0)
		st = check(&c);
	cli_free(&c);
	return st;
}
