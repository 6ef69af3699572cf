/* cmd_check.c: escsim check: load and validate a scenario, print the
 * resolved parameters as JSON (the configuration, then each party's policy:
 * its hooks and parameters, and the triggers), and the warnings (policy
 * mistakes among them: unknown hook names, hooks that can never fire). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/scenario.h"
#include "escsim/log.h"
#include "cli.h"

/* Indent compact JSON for people; strings are copied as they are. */
static void print_json(const char *s)
{
	int depth = 0, in_str = 0;
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
		case '{': case '[':
			putchar(ch);
			printf("\n%*s", 2 * ++depth, "");
			break;
		case '}': case ']':
			printf("\n%*s%c", 2 * --depth, "", ch);
			break;
		case ',': printf(",\n%*s", 2 * depth, ""); break;
		case ':': printf(": "); break;
		default: putchar(ch);
		}
	}
	putchar('\n');
}

static int check(const cli *c)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(c->scenario, NULL, NULL, &err);
	int st = s ? ESC_OK : err.status;
	for (size_t i = 0; st == ESC_OK && i < c->n_sets; i++)
		st = esc_scenario_set(s, c->sets[i], &err);
	esc_config cfg;
	esc_policy pol;
	if (st == ESC_OK)
		st = esc_scenario_arm(s, NULL, 0, &cfg, &pol, &err);
	if (st == ESC_OK) {
		st = esc_config_check(&cfg, &err);
		char *json = st ? NULL : esc_config_to_json(&cfg);
		char *pol_json = json ? esc_scenario_describe_policies(s, &pol, &err) : NULL;
		size_t n = json ? strlen(json) : 0;
		if (json && pol_json && n >= 2 && json[n - 1] == '}') {
			/* {...config...} -> {...config..., "policies": ..., "triggers": ...} */
			json[n - 1] = '\0';
			char *all = malloc(n + strlen(pol_json) + 4);
			if (all) {
				snprintf(all, n + strlen(pol_json) + 4, "%s%s%s}", json, n > 2 ? "," : "", pol_json);
				print_json(all);
				free(all);
			} else {
				st = esc_error_set(&err, ESC_ERR_RUNTIME, "out of memory");
			}
		} else if (st == ESC_OK && !err.status) {
			st = esc_error_set(&err, ESC_ERR_RUNTIME, "out of memory");
		} else if (st == ESC_OK) {
			st = err.status;
		}
		free(json);
		free(pol_json);
		esc_config_free(&cfg);
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
