/* ladder.c: ladder levels of the directed party pairs, the time spent high on
 * the ladder, and the daily series.
 *
 * Each directed pair (i, j) has a level on the L0..L7 scale.  An incident by
 * i against j of rung L lifts level(i, j) to at least L; a retaliation first
 * climbs `step` above where the pair stood, so a chain of responses climbs
 * past the rungs of its acts.  Levels decay exponentially with the ladder's
 * half-life, so they are only brought up to date when something reads or
 * raises them (ladder_advance), plus once at every midnight for the daily
 * series. */
#include <math.h>
#include <string.h>

#include "model_impl.h"

static int max_whole_level(const esc_model *m)
{
	size_t npp = m->cfg->n_parties * m->cfg->n_parties;
	double top = 0;
	for (size_t k = 0; k < npp; k++)
		if (m->level[k] > top)
			top = m->level[k];
	return (int)floor(top + 1e-9);
}

/* Bring every pair's level from t_acc to now, adding the time any pair spent
 * at or above 6.  Between updates each level only decays, so the set of such
 * times is a prefix of [t_acc, now): the longest of the pairs' prefixes. */
void ladder_advance(esc_model *m, double now)
{
	const esc_config *cfg = m->cfg;
	size_t npp = cfg->n_parties * cfg->n_parties;
	double dt = now - m->t_acc;
	if (dt <= 0)
		return;
	double hl = cfg->ladder.half_life_h, above = 0;
	double decay = exp2(-dt / hl);
	for (size_t k = 0; k < npp; k++) {
		double l = m->level[k];
		if (l >= ESC_REPORT_LEVEL) {
			double tau = hl * log2(l / ESC_REPORT_LEVEL);
			if (tau > above)
				above = tau;
		}
		m->level[k] = l * decay;
	}
	m->row->hours_at_or_above_6 += above < dt ? above : dt;
	m->t_acc = now;
}

/* A pair's level now, without bringing the ladder up to date: reading must
 * not change when (and so how) the levels are rounded, or arms that differ
 * only in who reads would drift apart in the last bits. */
double ladder_level(const esc_model *m, int a, int b)
{
	double l = m->level[(size_t)a * m->cfg->n_parties + (size_t)b];
	double dt = esc_sim_now(m->sim) - m->t_acc;
	return dt > 0 ? l * exp2(-dt / m->cfg->ladder.half_life_h) : l;
}

static size_t day_of(const esc_model *m, double t_h)
{
	double d = floor(t_h / 24.0);
	if (d < 0)
		d = 0;
	return d >= (double)m->n_days ? m->n_days - 1 : (size_t)d;
}

double ladder_raise(esc_model *m, const incident *in)
{
	const esc_config *cfg = m->cfg;
	ladder_advance(m, in->t_h);
	double *l = &m->level[in->actor * cfg->n_parties + in->target];
	double rung = cfg->types[in->type].level;
	double v = *l;
	if (in->cause == ESC_CAUSE_POLICY)
		v += cfg->ladder.step;
	if (v < rung)
		v = rung;
	if (v > ESC_LADDER_TOP)
		v = ESC_LADDER_TOP;
	*l = v;
	int whole = (int)floor(v + 1e-9);
	if (whole > m->row->max_level)
		m->row->max_level = whole;
	day_acc *d = &m->days[day_of(m, in->t_h)];
	if (whole > d->max_level)
		d->max_level = whole;
	if (v >= cfg->ladder.crisis_level)
		model_note_crisis(m, in->t_h);
	return v;
}

void ladder_count(esc_model *m, double t_h, int incidents, int fat_mil, int fat_civ, double goldstein)
{
	day_acc *d = &m->days[day_of(m, t_h)];
	d->incidents += incidents;
	d->fat_mil += fat_mil;
	d->fat_civ += fat_civ;
	d->goldstein += goldstein;
}

/* At midnight: the day ends in the current regime, and the next day starts at
 * the (decayed) level the pairs stand at now. */
static void on_midnight(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	size_t day = (size_t)(intptr_t)arg;
	double now = esc_sim_now(sim);
	ladder_advance(m, now);
	m->days[day].regime = m->regime;
	if (day + 1 < m->n_days) {
		m->days[day + 1].max_level = max_whole_level(m);
		if (now + 24.0 < m->cfg->horizon_h &&
		    esc_sim_schedule(sim, now + 24.0, on_midnight, m, (void *)(intptr_t)(day + 1)) == ESC_EVENT_NONE)
			model_fail(m, ESC_ERR_RUNTIME, "out of memory");
	}
}

int ladder_start(esc_model *m)
{
	size_t np = m->cfg->n_parties;
	size_t n_days = (size_t)ceil(m->cfg->horizon_h / 24.0);
	if (n_days < 1)
		n_days = 1;
	if (n_days != m->n_days) {
		free(m->days);
		free(m->daily_out);
		m->days = calloc(n_days, sizeof *m->days);
		m->daily_out = calloc(n_days, sizeof *m->daily_out);
		m->n_days = m->days && m->daily_out ? n_days : 0;
		if (!m->n_days)
			return -1;
	}
	memset(m->days, 0, n_days * sizeof *m->days);
	memset(m->level, 0, np * np * sizeof *m->level);
	m->t_acc = 0;
	if (n_days > 1 && esc_sim_schedule(m->sim, 24.0, on_midnight, m, (void *)(intptr_t)0) == ESC_EVENT_NONE)
		return -1;
	return 0;
}

int ladder_finish(esc_model *m)
{
	ladder_advance(m, m->cfg->horizon_h);
	m->days[m->n_days - 1].regime = m->regime;
	if (!m->sink.daily)
		return 0;
	for (size_t d = 0; d < m->n_days; d++) {
		const day_acc *a = &m->days[d];
		m->daily_out[d] = (esc_daily_row){
			.rep = (int64_t)m->rep, .day = (int32_t)d, .max_level = a->max_level,
			.regime = a->regime, .incidents = a->incidents,
			.fatalities_mil = a->fat_mil, .fatalities_civ = a->fat_civ,
			.goldstein_sum = a->goldstein,
		};
	}
	return m->sink.daily(m->sink.self, m->daily_out, m->n_days, m->err);
}
