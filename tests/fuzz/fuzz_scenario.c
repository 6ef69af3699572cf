/* fuzz_scenario.c: the scenario loader on arbitrary text.
 *
 * The input is a scenario file: loaded in the sandbox (Lua parser, the
 * restricted library, require from the scenario library), validated into
 * a config, bound to its policies, printed as JSON and run for one short
 * replication (fuzz.h).  Seeds: tests/fuzz/corpus/scenario. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load_buffer("fuzz.lua", (const char *)data, size,
	                                           FUZZ_SEARCH_PATH, &fuzz_limits, &err);
	if (!s) {
		fuzz_check_error(err.status, &err);
		FUZZ_ASSERT(err.status != ESC_OK, &err);
		return 0;
	}
	fuzz_arm_and_run(s, NULL, 0);
	esc_scenario_free(s);
	return 0;
}
