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

/* The length of the container opening at s, in *depth how deeply
 * containers nest in it (1: it holds only plain values), and in *objects
 * whether an object nests in it; strings are skipped whole. */
static size_t container_length(const char *s, int *depth, int *objects)
{
	int in_str = 0, d = 0;
	*depth = 0;
	*objects = 0;
	for (size_t i = 0; s[i]; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\' && s[i + 1]) i++;
			else if (ch == '"') in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '{' || ch == '[') {
			if (++d > *depth)
				*depth = d;
			*objects |= d > 1 && ch == '{';
		} else if ((ch == '}' || ch == ']') && --d == 0) {
			return i + 1;
		}
	}
	return 0;
}

/* Indent compact JSON for people: one member per line, but an object or
 * array of plain values ({"kind": "constant", "value": 6}), or an object
 * whose arrays hold plain values (a parameter with its range), stays on one
 * line when it fits in 200 columns.  Strings are copied as they are. */
static void print_json(const char *s)
{
	int depth = 0, in_str = 0;
	const char *flat_end = NULL;    /* inside a container kept on one line */
	for (; *s; s++) {
		char ch = *s;
		if (in_str) {
			putchar(ch);
			if (ch == '\\' && s[1]) putchar(*++s);
			else if (ch == '"') in_str = 0;
			continue;
		}
		switch (ch) {
		case '"': in_str = 1; putchar(ch); break;
		case '{': case '[': {
			int nest, objects;
			size_t n = flat_end ? 0 : container_length(s, &nest, &objects);
			int flat = n > 0 && n + 2 * (size_t)depth < 200 &&
			           (nest == 1 || (nest == 2 && ch == '{' && !objects));
			putchar(ch);
			if (flat_end || flat) {
				if (!flat_end)
					flat_end = s + n - 1;    /* its closing bracket */
				if (s[1] != '}' && s[1] != ']')
					putchar(' ');
				break;
			}
			printf("\n%*s", 2 * ++depth, "");
			break;
		}
		case '}': case ']':
			if (flat_end) {
				if (s[-1] != '{' && s[-1] != '[')
					putchar(' ');
				putchar(ch);
				if (flat_end == s)
					flat_end = NULL;
				break;
			}
			printf("\n%*s%c", 2 * --depth, "", ch);
			break;
		case ',':
			if (flat_end)
				printf(", ");
			else
				printf(",\n%*s", 2 * depth, "");
			break;
		case ':': printf(": "); break;
		default: putchar(ch);
		}
	}
	putchar('\n');
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
	char *text = st ? NULL : esc_json_print(all, 0);
	cJSON_Delete(all);
	if (st)
		return st;
	if (!text)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	print_json(text);
	free(text);
	return ESC_OK;
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
