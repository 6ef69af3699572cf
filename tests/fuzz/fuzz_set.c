/* fuzz_set.c: the KEY=VALUE override parser (--set, and the overrides of
 * --arm) on a small fixed scenario.
 *
 * The input is lines: a line starting with '@' is an arm override (the
 * part after '@'), any other line a --set, applied in order with
 * esc_scenario_set; a failed --set is reported and the next one applied,
 * as a fresh process would not but a host might.  Then the arm is built
 * with the overrides and run briefly (fuzz.h).  Seeds:
 * tests/fuzz/corpus/set. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

#define MAX_LINES 16

static const char base[] =
	"return scenario {\n"
	"  name = 'fuzz_set',\n"
	"  horizon = days(14),\n"
	"  parties = { { name = 'ISR' }, { name = 'SYR' },\n"
	"              { name = 'NSA', kind = 'nonstate' }, { name = 'US', kind = 'supervisor' } },\n"
	"  zones = { 'Golan', 'Quneitra' },\n"
	"  types = { rocket = { level = 3, fatalities_civ = poisson{mean = 0.2} },\n"
	"            strike = { level = 4 } },\n"
	"  incidents = {\n"
	"    { actor = 'NSA', target = 'ISR', type = 'rocket', zone = 'Golan', rate = per_day(2) },\n"
	"    { actor = 'ISR', target = 'SYR', type = 'strike', zone = 'Quneitra', rate = per_day(0.2) },\n"
	"  },\n"
	"  cell = { enabled = true, latency = lognormal{median = hours(2), sigma = 1}, accuracy = 0.9 },\n"
	"  policies = {\n"
	"    ISR = require('policies.query_before_retaliate').new{ deadline = hours(6), min_level = 3 },\n"
	"    SYR = { on_incident_observed = function(self, inc) return { action = 'protest' } end },\n"
	"  },\n"
	"}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	const char *arm[MAX_LINES];
	size_t n_arm = 0, n_lines = 0;
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load_buffer("fuzz_set.lua", base, sizeof base - 1,
	                                           FUZZ_SEARCH_PATH, &fuzz_limits, &err);
	FUZZ_ASSERT(s != NULL, &err);
	for (char *line = text; line && n_lines < MAX_LINES; n_lines++) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '@') {
			arm[n_arm++] = line + 1;
		} else {
			esc_error_clear(&err);
			fuzz_check_error(esc_scenario_set(s, line, &err), &err);
		}
		line = next;
	}
	fuzz_arm_and_run(s, arm, n_arm);
	esc_scenario_free(s);
	free(text);
	return 0;
}
