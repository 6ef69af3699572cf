/* fuzz.h: what the libFuzzer harnesses share (make fuzz; docs/testing.md).
 *
 * Each harness feeds arbitrary bytes to one parser and checks the contract
 * every caller relies on: the call returns (no crash, hang or leak, which
 * ASan, UBSan and libFuzzer report), and a failure comes as a status of 1
 * or 2 with a message.  Limits are small so that an input runs in
 * milliseconds, and are ceilings a scenario's own `limits` cannot raise.
 * Paths are relative to the repository root, where make fuzz runs them.
 */
#ifndef ESCSIM_FUZZ_H
#define ESCSIM_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/batch.h"
#include "escsim/config.h"
#include "escsim/model.h"
#include "escsim/rng.h"
#include "escsim/scenario.h"

/* The scenario library, so that corpus scenarios can require their
 * policies as real ones do. */
#define FUZZ_SEARCH_PATH "scenarios/?.lua;scenarios/lib/?.lua"

/* 0.25 s of CPU per call: enough for the harnesses' own fixed scenarios to
 * load under ASan on a loaded machine (0.05 s was not: fuzz_set's base
 * scenario failed to load once in a `make fuzz` beside `make asan`), small
 * enough that a looping input costs a quarter of a second. */
static const esc_script_limits fuzz_limits = {
	.memory_bytes = (size_t)32 << 20,
	.cpu_s_per_call = 0.25,
	.ceiling = 1,
};

/* A broken contract: report it as a crash, with the input saved. */
#define FUZZ_ASSERT(cond, err) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz: %s:%d: %s failed; status %d, message '%s'\n", \
		        __FILE__, __LINE__, #cond, (err)->status, (err)->msg); \
		abort(); \
	} } while (0)

/* A failed call must say why, with a status the CLI can exit with. */
static inline void fuzz_check_error(int status, const esc_error *err)
{
	if (status == ESC_OK)
		return;
	FUZZ_ASSERT(status == err->status, err);
	FUZZ_ASSERT(status == ESC_ERR_RUNTIME || status == ESC_ERR_INPUT, err);
	FUZZ_ASSERT(err->msg[0] != '\0', err);
	FUZZ_ASSERT(memchr(err->msg, '\0', sizeof err->msg) != NULL, err);
}

/* Build the arm (validation and policy binding), check the config, print
 * it as JSON, and run one short replication of it: the path every input
 * that loads takes in `escsim check` and at the start of a run.  The run
 * is cut to two weeks and 300 events so that no input takes long. */
static inline void fuzz_arm_and_run(esc_scenario *s, const char *const *overrides,
                                    size_t n)
{
	esc_config cfg;
	esc_policy pol;
	esc_error err = {0};
	int st = esc_scenario_arm(s, overrides, n, &cfg, &pol, &err);
	fuzz_check_error(st, &err);
	if (st)
		return;
	st = esc_config_check(&cfg, &err);
	fuzz_check_error(st, &err);
	if (st == ESC_OK) {
		char *json = esc_config_to_json(&cfg);
		FUZZ_ASSERT(json != NULL, &err);
		free(json);
		if (cfg.horizon_h > 24.0 * 14)
			cfg.horizon_h = 24.0 * 14;
		if (cfg.max_events == 0 || cfg.max_events > 300)
			cfg.max_events = 300;
		esc_model *m = esc_model_new(&cfg, &err);
		esc_streams *streams = esc_streams_new(NULL);
		if (m && streams) {
			esc_run_row row;
			st = esc_model_run(m, &pol, streams, 1, 0, &row, &err);
			fuzz_check_error(st, &err);
		} else if (!m) {
			fuzz_check_error(err.status ? err.status : ESC_ERR_RUNTIME, &err);
		}
		esc_model_free(m);
		esc_streams_free(streams);
	}
	esc_config_free(&cfg);
}

#endif
