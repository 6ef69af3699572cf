/* fuzz_vary.c: the --vary KEY=SPEC parser of escsim sweep (sweep.h).
 *
 * The input's first byte picks the design (its value mod 5: grid, sobol,
 * lhs, saltelli, morris; bits 5-6: Morris levels) and its second the base
 * sample; the rest is lines, one KEY=SPEC each.
 * A design that builds must hold what sweep.h promises: finite values, at
 * most ESC_SWEEP_MAX_POINTS points, and for every point and key an
 * assignment "KEY=VALUE" whose VALUE reads back as the same double and is
 * accepted as a value by the --set parser (the key may be refused there:
 * the sweep leaves keys to the scenario).  Seeds:
 * tests/fuzz/corpus/vary. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "escsim/sweep.h"
#include "fuzz.h"

#define MAX_LINES 48            /* a few past the Sobol limit of 40 keys */
#define CHECK_POINTS 2000       /* assignments checked per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	static const char *const designs[] = { "grid", "sobol", "lhs", "saltelli", "morris" };
	esc_sweep_opts opts = { designs[data[0] % 5], data[1], (unsigned)(data[0] >> 4) & 6, 1 };
	if (opts.design[0] == 'g')
		opts.points = 0;               /* a grid takes no --points */
	if (opts.design[0] != 'm')
		opts.levels = 0;
	char *text = malloc(size - 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	const char *vary[MAX_LINES];
	size_t n = 0;
	for (char *line = text; line && n < MAX_LINES;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		vary[n++] = line;
		line = next;
	}
	esc_sweep sw;
	memset(&sw, 0, sizeof sw);
	esc_error err = {0};
	static const char minimal[] =
		"return scenario { name = 'v', parties = {{name = 'A'}, {name = 'B'}}, zones = {'z'} }";
	esc_scenario *scen = esc_scenario_load_buffer("vary.lua", minimal, sizeof minimal - 1,
	                                              FUZZ_SEARCH_PATH, &fuzz_limits, &err);
	FUZZ_ASSERT(scen != NULL, &err);
	int st = esc_sweep_build(&sw, vary, n, &opts, &err);
	fuzz_check_error(st, &err);
	if (st == ESC_OK) {
		FUZZ_ASSERT(sw.n_keys == n, &err);
		FUZZ_ASSERT(sw.n_points >= 1 && sw.n_points <= ESC_SWEEP_MAX_POINTS, &err);
		size_t step = sw.n_points > CHECK_POINTS ? sw.n_points / CHECK_POINTS : 1;
		for (size_t p = 0; p < sw.n_points; p += step) {
			for (size_t k = 0; k < sw.n_keys; k++) {
				double v = sw.values[p * sw.n_keys + k];
				FUZZ_ASSERT(isfinite(v), &err);
				char buf[512];
				int len = esc_sweep_assignment(&sw, p, k, buf, sizeof buf);
				FUZZ_ASSERT(len > 0, &err);
				if ((size_t)len >= sizeof buf)
					continue;          /* a long key: cut, as snprintf */
				const char *eq = strrchr(buf, '=');
				FUZZ_ASSERT(eq != NULL, &err);
				char *end;
				double back = strtod(eq + 1, &end);
				FUZZ_ASSERT(*end == '\0' && back == v, &err);
				if (p == 0 && scen) {
					/* The key may be refused (blank, not a path, not
					 * in the scenario), never the value. */
					esc_error_clear(&err);
					char label[600];
					int ln = snprintf(label, sizeof label, "--set '%s': ", buf);
					if (esc_scenario_set(scen, buf, &err) && ln > 0 &&
					    (size_t)ln < sizeof label &&
					    strncmp(err.msg, label, (size_t)ln) == 0) {
						const char *why = err.msg + ln;
						FUZZ_ASSERT(strncmp(why, "VALUE is neither", 16) != 0, &err);
					}
				}
			}
		}
	}
	esc_scenario_free(scen);
	esc_sweep_free(&sw);
	free(text);
	return 0;
}
