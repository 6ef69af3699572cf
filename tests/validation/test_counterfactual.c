/* test_counterfactual.c: the cell is the only difference between the arms
 * of scenarios/golan_2026.lua (spec section 5, "The counterfactual").
 *
 * Everything that exists without the cell (the fallback channels, the
 * parties' policies, the 2025 world) works the same in both arms, and the
 * cell comes on top.  So a cell that cannot change anything must change
 * nothing, replication by replication, in every column that is not the
 * cell's own:
 *   - useless latency: answers and notices a million hours late, with
 *     refusals, outages and suspensions as shipped;
 *   - accuracy at chance (1/2: Israel's two candidate culprits), with its
 *     notices and enforcement switched off;
 *   - all three of its effects (answers, notices, enforcement) off.
 * Each such arm must also have used the cell (queries, notices), or the
 * test would prove nothing; and the shipped cell must change some
 * replications, or the comparison could not fail. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "escsim/model.h"
#include "escsim/scenario.h"

#define R 150

typedef struct arm_runs {
	esc_run_row rows[R];
} arm_runs;

static void run_arm(esc_scenario *s, const char *const *ov, size_t n_ov, arm_runs *out)
{
	esc_error err = {0};
	esc_config cfg;
	esc_policy pol;
	if (esc_scenario_arm(s, ov, n_ov, &cfg, &pol, &err))
		fail_msg("%s", err.msg);
	esc_model *m = esc_model_new(&cfg, &err);
	assert_non_null(m);
	esc_streams *st = esc_streams_new(NULL);
	for (int r = 0; r < R; r++)
		if (esc_model_run(m, &pol, st, 2026, (uint64_t)r, &out->rows[r], &err))
			fail_msg("%s", err.msg);
	esc_streams_free(st);
	esc_model_free(m);
	esc_config_free(&cfg);
}

static int same(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* Every column that exists without the cell; returns the first that
 * differs, or NULL. */
static const char *differs(const esc_run_row *a, const esc_run_row *b, size_t np)
{
#define CMP(f) if (!same((double)a->f, (double)b->f)) return #f
	CMP(incidents); CMP(retaliations); CMP(misattributed_retaliations);
	CMP(fatalities_mil); CMP(fatalities_civ); CMP(max_level);
	CMP(hours_at_or_above_6); CMP(spiral); CMP(first_crisis_h); CMP(events_total);
	CMP(channel_requests); CMP(channel_answered_before_deadline);
#undef CMP
	for (size_t p = 0; p < np; p++)
		if (a->fatalities_by[p] != b->fatalities_by[p])
			return "fatalities_by_<PARTY>";
	return NULL;
}

/* How many replications of `arm` differ from the no-cell arm; prints the
 * first difference. */
static int count_differing(const char *name, const arm_runs *arm, const arm_runs *none, size_t np)
{
	int n = 0;
	for (int r = 0; r < R; r++) {
		const char *col = differs(&arm->rows[r], &none->rows[r], np);
		if (col && n++ == 0)
			print_message("# %s: replication %d differs first in %s\n", name, r, col);
	}
	int64_t queries = 0, notices = 0;
	for (int r = 0; r < R; r++) {
		queries += arm->rows[r].cell_requests;
		notices += arm->rows[r].notices_sent;
	}
	print_message("# %-40s %3d of %d replications differ from no_cell; %lld cell queries, %lld notices\n",
	              name, n, R, (long long)queries, (long long)notices);
	return n;
}

static esc_scenario *load(void)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load("scenarios/golan_2026.lua", NULL, NULL, &err);
	if (!s)
		fail_msg("%s", err.msg);
	return s;
}

static void test_a_useless_cell_changes_nothing(void **state)
{
	(void)state;
	esc_scenario *s = load();
	static arm_runs none, cell, useless, chance, off;
	static const char *const o_none[] = { "cell.enabled=false" };
	static const char *const o_useless[] = { "cell.latency=1000000h" };
	static const char *const o_chance[] = { "cell.accuracy=0.5", "cell.effects.notices=false",
	                                        "cell.effects.enforcement=false" };
	static const char *const o_off[] = { "cell.effects.answers=false", "cell.effects.notices=false",
	                                     "cell.effects.enforcement=false" };
	run_arm(s, o_none, 1, &none);
	run_arm(s, NULL, 0, &cell);
	run_arm(s, o_useless, 1, &useless);
	run_arm(s, o_chance, 3, &chance);
	run_arm(s, o_off, 3, &off);
	const size_t np = 4;
	/* The shipped cell does change outcomes: the comparison can fail. */
	assert_true(count_differing("the cell as shipped", &cell, &none, np) > R / 10);
	assert_int_equal(count_differing("answers a million hours late", &useless, &none, np), 0);
	assert_int_equal(count_differing("accuracy at chance, no notices, no enforcement", &chance, &none, np), 0);
	assert_int_equal(count_differing("answers, notices and enforcement off", &off, &none, np), 0);
	/* ...and each of them really used the cell. */
	const arm_runs *used[] = { &useless, &chance, &off };
	for (int k = 0; k < 3; k++) {
		int64_t q = 0, nt = 0, answered = 0;
		for (int r = 0; r < R; r++) {
			q += used[k]->rows[r].cell_requests;
			nt += used[k]->rows[r].notices_sent;
			answered += used[k]->rows[r].cell_answered_before_deadline;
		}
		assert_true(q > R && nt > 100 * R);
		if (k > 0)
			assert_true(answered > R / 2);   /* timely answers, ignored */
	}
	for (int r = 0; r < R; r++)
		assert_int_equal(none.rows[r].cell_requests + none.rows[r].notices_sent, 0);
	esc_scenario_free(s);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_useless_cell_changes_nothing),
	};
	return cmocka_run_group_tests_name("counterfactual", tests, NULL, NULL);
}
