/* ladder.c: ladder levels of the directed party pairs, the time spent high on
 * the ladder, and the daily series.
 *
 * Each directed pair (i, j) has a level on the L0..L7 scale.  An incident by
 * i against j lifts level(i, j) to the incident's rung (its type's level,
 * or its lethal_level when it killed: MR 3.3), or holds it there if the pair
 * stands at that rung already; a retaliation first climbs `step` above where
 * the pair stood, so a chain of responses climbs past the rungs of its acts.
 * A lifted level holds for `hold` hours, then halves every half-life.  An
 * incident below the pair's current level changes nothing.
 *
 * A pair's level is kept as (peak, t_end): held at peak until t_end, then
 * decaying, so reading it is a pure function of the time (no state is
 * rounded by who reads when).  Between raises every level only falls, so the
 * hours when any pair is at or above 6 since the last count form a prefix
 * of that interval, the longest of the pairs' prefixes; they are counted
 * when a level is raised, at every midnight and at the horizon. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "model_impl.h"

static double level_at(const esc_model *m, const pair_level *p, double t)
{
	/* A pair at 0 stays there (0 * exp2(x) is 0): most pairs, most reads. */
	if (t <= p->t_end || p->peak == 0)
		return p->peak;
	return p->peak * exp2(-(t - p->t_end) / m->cfg->ladder.half_life_h);
}

/* When a pair at `p` falls below `level` (p->t_end or later; -inf if it
 * never reached it). */
static double falls_below(const esc_model *m, const pair_level *p, double level)
{
	if (!(p->peak >= level))
		return -INFINITY;
	return p->t_end + m->cfg->ladder.half_life_h * log2(p->peak / level);
}

static int max_whole_level(const esc_model *m, double t)
{
	size_t npp = m->cfg->n_parties * m->cfg->n_parties;
	double top = 0;
	for (size_t k = 0; k < npp; k++) {
		/* A level never exceeds its peak: skip the exp2 of a pair that
		 * cannot be the top. */
		if (!(m->ladder.level[k].peak > top))
			continue;
		double l = level_at(m, &m->ladder.level[k], t);
		if (l > top)
			top = l;
	}
	return (int)(top + 1e-9);       /* top >= 0: truncation is floor */
}

/* Count the hours since t_acc, up to now, when some pair stood at or above
 * 6: until the last pair falls below it.  Each pair's time is kept from its
 * last raise (pair_level.below) and their latest in below_max, so this
 * costs no log2 (it used to take one per pair, at every incident and
 * midnight: 7% of a model event). */
static void advance(esc_model *m, double now)
{
	double dt = now - m->ladder.t_acc;
	if (dt <= 0)
		return;
	double until = m->ladder.below_max > m->ladder.t_acc ? m->ladder.below_max : m->ladder.t_acc;
	m->ladder.hours += (until < now ? until : now) - m->ladder.t_acc;
	m->ladder.t_acc = now;
}

double ladder_level(const esc_model *m, int a, int b)
{
	return level_at(m, &m->ladder.level[(size_t)a * m->cfg->n_parties + (size_t)b], esc_event_queue_now(m->sim));
}

static size_t day_of(const esc_model *m, double t_h)
{
	/* Truncation is floor for d >= 0, and cheaper (no SSE4.1 here). */
	double d = t_h / 24.0;
	if (!(d >= 0))
		return 0;
	return d >= (double)m->ladder.n_days ? m->ladder.n_days - 1 : (size_t)d;
}

void ladder_raise(esc_model *m, const incident *in)
{
	const esc_config *cfg = m->cfg;
	advance(m, in->t_h);
	pair_level *p = &m->ladder.level[in->actor * cfg->n_parties + in->target];
	double now = level_at(m, p, in->t_h);
	double v = in->cause == ESC_CAUSE_POLICY ? now + cfg->ladder.step : now;
	if (v < in->rung)
		v = in->rung;
	if (v > ESC_LADDER_TOP)
		v = ESC_LADDER_TOP;
	if (v < now || (v == now && in->rung < now))
		return;                     /* below the pair's level: no change */
	p->peak = v;
	p->t_end = in->t_h + cfg->ladder.hold_h;
	double was = p->below;
	p->below = falls_below(m, p, ESC_REPORT_LEVEL);
	if (p->below >= m->ladder.below_max) {
		m->ladder.below_max = p->below;
	} else if (was == m->ladder.below_max) {
		/* This pair held the latest time and moved it earlier: the
		 * latest of all pairs again (the others are unchanged). */
		size_t npp = cfg->n_parties * cfg->n_parties;
		double latest = -INFINITY;
		for (size_t k = 0; k < npp; k++)
			if (m->ladder.level[k].below > latest)
				latest = m->ladder.level[k].below;
		m->ladder.below_max = latest;
	}
	int whole = (int)(v + 1e-9);   /* v >= 0 */
	if (whole > m->ladder.max_level)
		m->ladder.max_level = whole;
	day_acc *d = &m->ladder.days[day_of(m, in->t_h)];
	if (whole > d->max_level)
		d->max_level = whole;
}

void ladder_count(esc_model *m, double t_h, int incidents, int fat_mil, int fat_civ, double goldstein)
{
	day_acc *d = &m->ladder.days[day_of(m, t_h)];
	d->incidents += incidents;
	d->fat_mil += fat_mil;
	d->fat_civ += fat_civ;
	d->goldstein += goldstein;
}

/* At midnight: the day ends in the current regime, and the next day starts at
 * the (decayed) level the pairs stand at now. */
static void on_midnight(esc_event_queue *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	size_t day = (size_t)(intptr_t)arg;
	double now = esc_event_queue_now(sim);
	advance(m, now);
	m->ladder.days[day].regime = regime_current(m);
	if (day + 1 < m->ladder.n_days) {
		m->ladder.days[day + 1].max_level = max_whole_level(m, now);
		if (now + 24.0 < m->cfg->horizon_h &&
		    esc_event_queue_schedule(sim, now + 24.0, on_midnight, m,
		                             (void *)(intptr_t)(day + 1)) == ESC_EVENT_NONE)
			run_fail(m, ESC_ERR_RUNTIME, "out of memory");
	}
}

/* ---- lifecycle ------------------------------------------------------- */

int ladder_new(esc_model *m)
{
	size_t np = m->cfg->n_parties;
	m->ladder.level = calloc(np * np, sizeof *m->ladder.level);
	return m->ladder.level ? 0 : -1;
}

void ladder_free(esc_model *m)
{
	free(m->ladder.level);
	free(m->ladder.days);
	free(m->ladder.daily_out);
}

/* Every pair at 0, and the first midnight; the days are allocated again
 * only when the horizon changes. */
int ladder_start(esc_model *m)
{
	ladder_state *s = &m->ladder;
	size_t np = m->cfg->n_parties;
	size_t n_days = (size_t)ceil(m->cfg->horizon_h / 24.0);
	if (n_days < 1)
		n_days = 1;
	if (n_days != s->n_days) {
		free(s->days);
		free(s->daily_out);
		s->days = calloc(n_days, sizeof *s->days);
		s->daily_out = calloc(n_days, sizeof *s->daily_out);
		s->n_days = s->days && s->daily_out ? n_days : 0;
		if (!s->n_days)
			return -1;
	}
	memset(s->days, 0, n_days * sizeof *s->days);
	for (size_t k = 0; k < np * np; k++)
		s->level[k] = (pair_level){ 0, -INFINITY, -INFINITY };
	s->below_max = -INFINITY;
	s->t_acc = 0;
	s->hours = 0;
	s->max_level = 0;
	if (n_days > 1 && esc_event_queue_schedule(m->sim, 24.0, on_midnight, m,
	                                           (void *)(intptr_t)0) == ESC_EVENT_NONE)
		return -1;
	return 0;
}

/* At the horizon: the hours high on the ladder up to it, and the daily
 * rows to the sink. */
int ladder_close(esc_model *m)
{
	ladder_state *s = &m->ladder;
	advance(m, m->cfg->horizon_h);
	s->days[s->n_days - 1].regime = regime_current(m);
	const esc_model_sink *sink = run_sink(m);
	if (!sink->daily)
		return 0;
	for (size_t d = 0; d < s->n_days; d++) {
		const day_acc *a = &s->days[d];
		s->daily_out[d] = (esc_daily_row){
			.rep = (int64_t)run_rep(m), .day = (int32_t)d, .max_level = a->max_level,
			.regime = a->regime, .incidents = a->incidents,
			.fatalities_mil = a->fat_mil, .fatalities_civ = a->fat_civ,
			.goldstein_sum = a->goldstein,
		};
	}
	return sink->daily(sink->self, s->daily_out, s->n_days, run_err(m));
}

void ladder_finish(const esc_model *m, esc_run_row *row)
{
	const ladder_state *s = &m->ladder;
	assert(s->max_level >= 0 && s->max_level <= ESC_LADDER_TOP);
	assert(s->hours >= 0 && s->hours <= m->cfg->horizon_h * (1 + 1e-9));   /* rounding */
	row->max_level = s->max_level;
	row->hours_at_or_above_6 = s->hours;
}
