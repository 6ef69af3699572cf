/* layout.c: the scenario as the fit sees it (fit_layout).
 *
 * The export knows an event's actor, type and zone (its target only when a
 * target column is mapped), so the fit's unit is the cell (actor, type,
 * zone), and the stream, the cells of one actor and type:
 *
 *   - a background cell holds one or more generators; its rate is the
 *     stream's rate times the cell's zone share.  Generators sharing a cell
 *     (two targets, two regime rows) split its rate as the scenario does.
 *   - an excitation rule sends each matching event's children to a cell
 *     (the parent's own where the rule says -1).  A cell reached only that
 *     way is modelled; its events before the first child sent there are
 *     left out (the model cannot produce them).
 *   - every other event (a type no generator or rule produces, such as a
 *     raid escalated into a clash, or a policy's protest) is not fitted,
 *     but still excites as a parent where a rule matches it.
 *
 * Parameters (fit_problem): per background stream its rate and the zone
 * shares of its cells; per rule its branching ratio n and the mean of its
 * main kernel (the fast one unless fast_share is 0), and with free_kernel
 * also the other mean and fast_share.  A zone share with no events is 0 on
 * the boundary; a rule no event excites through keeps the scenario's
 * values (nothing in the data speaks to it).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_impl.h"

static int find_cell(const fit_layout *L, int actor, int type, int zone)
{
	for (size_t c = 0; c < L->n_cells; c++)
		if (L->cell[c].actor == actor && L->cell[c].type == type && L->cell[c].zone == zone)
			return (int)c;
	return -1;
}

static int find_stream(const fit_layout *L, int actor, int type)
{
	for (size_t s = 0; s < L->n_streams; s++)
		if (L->stream[s].actor == actor && L->stream[s].type == type)
			return (int)s;
	return -1;
}

/* The cell (actor, type, zone), added when missing, with its stream. */
static int add_cell(fit_layout *L, int actor, int type, int zone)
{
	int c = find_cell(L, actor, type, zone);
	if (c >= 0)
		return c;
	int s = find_stream(L, actor, type);
	if (s < 0) {
		fit_stream *v = realloc(L->stream, (L->n_streams + 1) * sizeof *v);
		if (!v)
			return -1;
		L->stream = v;
		v[L->n_streams] = (fit_stream){ actor, type, -1, 0 };
		s = (int)L->n_streams++;
	}
	fit_cell *v = realloc(L->cell, (L->n_cells + 1) * sizeof *v);
	if (!v)
		return -1;
	L->cell = v;
	v[L->n_cells] = (fit_cell){ .actor = actor, .type = type, .zone = zone, .stream = s, .share_par = -1 };
	return (int)L->n_cells++;
}

static int matches(int want, int have) { return want == -1 || want == have; }

/* An event's target when the export has none: the one target of the
 * generators of its cell, else of its stream, else -1. */
static int infer_target(const esc_config *cfg, const fit_event *e)
{
	int by_zone = -2, by_stream = -2;
	for (size_t g = 0; g < cfg->n_generators; g++) {
		const esc_generator *gen = &cfg->generators[g];
		if (gen->actor != e->actor || gen->type != e->type)
			continue;
		by_stream = by_stream == -2 || by_stream == gen->target ? gen->target : -1;
		if (gen->zone == e->zone)
			by_zone = by_zone == -2 || by_zone == gen->target ? gen->target : -1;
	}
	return by_zone >= 0 ? by_zone : by_zone == -1 ? -1 : by_stream >= 0 ? by_stream : -1;
}

/* Events' cells, targets and the excitation they carry (par, par_off). */
static int excitations(fit_layout *L, fit_data *d, esc_error *err)
{
	const esc_config *cfg = L->cfg;
	size_t cap = 0;
	L->par_off = malloc((d->n + 1) * sizeof *L->par_off);
	if (!L->par_off)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	size_t np = 0;
	for (size_t j = 0; j < d->n; j++) {
		fit_event *e = &d->ev[j];
		if (!d->has_target)
			e->target = infer_target(cfg, e);
		L->par_off[j] = np;
		for (size_t r = 0; r < cfg->n_excitations; r++) {
			const esc_excitation *x = &cfg->excitations[r];
			if (!matches(x->from_actor, e->actor) || !matches(x->from_type, e->type))
				continue;
			if (x->from_target != -1 && e->target == -1)
				return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: hawkes[%zu] excites from incidents "
				                     "against %s, and the export does not say whom this %s %s "
				                     "targeted (the scenario's generators of it have several "
				                     "targets): map a target column in a mapping file", d->path,
				                     e->line, r + 1, cfg->parties[x->from_target].name,
				                     cfg->parties[e->actor].name, cfg->types[e->type].name);
			if (!matches(x->from_target, e->target))
				continue;
			int dest = add_cell(L, x->to_actor == -1 ? e->actor : x->to_actor,
			                    x->to_type == -1 ? e->type : x->to_type,
			                    x->to_zone == -1 ? e->zone : x->to_zone);
			if (dest < 0)
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			if (np == cap) {
				cap = cap ? 2 * cap : 1024;
				fit_parent *v = realloc(L->par, cap * sizeof *v);
				if (!v)
					return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
				L->par = v;
			}
			double deaths = e->deaths > 0 ? e->deaths : 0;
			L->par[np++] = (fit_parent){ (int)r, dest, 1.0 + x->per_fatality * deaths };
		}
	}
	L->par_off[d->n] = np;
	return 0;
}

/* Which events are fitted: those of background cells, and those of cells
 * excitation reaches, from the first child sent there on (before it the
 * model cannot produce one: no background, no parent; with a daily export
 * that happens when the drawn times put a child before its parent of the
 * same day).  Events of other cells are not fitted. */
static int modelled(fit_layout *L, fit_data *d)
{
	size_t nc = L->n_cells;
	int *reached = calloc(nc ? nc : 1, sizeof *reached);
	if (!reached)
		return -1;
	for (size_t j = 0; j < d->n; j++) {
		int c = find_cell(L, d->ev[j].actor, d->ev[j].type, d->ev[j].zone);
		int bg = c >= 0 && L->cell[c].share_par != -1;
		d->ev[j].cell = bg || (c >= 0 && reached[c]) ? c : -1;
		if (c >= 0 && !bg && !reached[c])
			d->info.unexplained++;
		if (d->ev[j].cell >= 0) {
			L->cell[c].count++;
			L->stream[L->cell[c].stream].count++;
			L->fitted++;
		}
		for (size_t k = L->par_off[j]; k < L->par_off[j + 1]; k++) {
			reached[L->par[k].dest] = 1;
			L->rule[L->par[k].rule].parents++;
		}
	}
	for (size_t c = 0; c < nc; c++)
		L->cell[c].modelled = L->cell[c].share_par != -1 || reached[c];
	free(reached);
	return 0;
}

/* ---- parameters -------------------------------------------------------- */

static int add_par(fit_layout *L, const char *name, fit_par p)
{
	fit_problem *pb = &L->pb;
	fit_par *v = realloc(pb->par, (pb->n + 1) * sizeof *v);
	char (*nm)[96] = realloc(L->par_name, (pb->n + 1) * sizeof *nm);
	if (v)
		pb->par = v;
	if (nm)
		L->par_name = nm;
	if (!v || !nm)
		return -1;
	v[pb->n] = p;
	snprintf(nm[pb->n], sizeof nm[pb->n], "%s", name);
	return (int)pb->n++;
}

static int stream_pars(fit_layout *L, const fit_data *d)
{
	const esc_config *cfg = L->cfg;
	double T = d->period_h;
	char name[96];
	for (size_t s = 0; s < L->n_streams; s++) {
		fit_stream *st = &L->stream[s];
		if (st->rate_par == -1)
			continue;
		size_t free_cells = 0, n_cells = 0, bg = 0;   /* events in background cells */
		for (size_t c = 0; c < L->n_cells; c++)
			if (L->cell[c].stream == (int)s && L->cell[c].share_par != -1) {
				n_cells++;
				free_cells += L->cell[c].count > 0;
				bg += L->cell[c].count;
			}
		/* no events in its cells: the rate is 0 on the boundary */
		snprintf(name, sizeof name, "rate %s %s", cfg->parties[st->actor].name, cfg->types[st->type].name);
		st->rate_par = add_par(L, name, (fit_par){ .kind = FIT_POS, .value = bg ? (bg + 0.5) / T : 0,
		                       .scale = 1.0 / T, .hi_limit = 1e3 * (bg + 3) / T,
		                       .zero_ok = 1, .held = bg == 0 });
		if (st->rate_par < 0)
			return -1;
		for (size_t c = 0; c < L->n_cells; c++) {
			fit_cell *ce = &L->cell[c];
			if (ce->stream != (int)s || ce->share_par == -1)
				continue;
			snprintf(name, sizeof name, "share %s %s %s", cfg->parties[ce->actor].name,
			         cfg->types[ce->type].name, cfg->zones[ce->zone]);
			double v = bg ? (double)ce->count / bg : 1.0 / n_cells;
			/* no events: 0 on the boundary; the only cell with events:
			 * 1 minus the others, nothing to estimate on its own */
			int boundary = ce->count == 0 && n_cells > 1;
			int determined = ce->count > 0 && free_cells == 1 && n_cells > 1;
			ce->share_par = add_par(L, name, (fit_par){ .kind = FIT_SHARE, .group = (int)s,
			                        .value = v, .held = boundary || determined || n_cells == 1,
			                        .boundary = boundary, .determined = determined,
			                        .scale = 0.01, .hi_limit = 1, .zero_ok = 1 });
			if (ce->share_par < 0)
				return -1;
		}
	}
	return 0;
}

static int rule_pars(fit_layout *L, int free_kernel)
{
	const esc_config *cfg = L->cfg;
	double T = L->d->period_h;
	char name[96];
	for (size_t r = 0; r < L->n_rules; r++) {
		const esc_excitation *x = &cfg->excitations[r];
		fit_rule *ru = &L->rule[r];
		int none = ru->parents == 0;
		double n0 = x->n < 0.05 ? 0.05 : x->n > 0.9 ? 0.9 : x->n;
		snprintf(name, sizeof name, "n hawkes[%zu]", r + 1);
		ru->n_par = add_par(L, name, (fit_par){ .kind = FIT_POS, .value = none ? x->n : n0,
		                    .held = none, .scale = 0.05, .hi_limit = 50, .zero_ok = 1 });
		int fast_main = x->fast_share > 0;
		snprintf(name, sizeof name, "fast_mean hawkes[%zu]", r + 1);
		ru->fast_par = add_par(L, name, (fit_par){ .kind = FIT_POS, .value = x->fast_mean_h,
		                       .held = none || !(fast_main || free_kernel), .scale = 24, .hi_limit = T });
		snprintf(name, sizeof name, "slow_mean hawkes[%zu]", r + 1);
		ru->slow_par = add_par(L, name, (fit_par){ .kind = FIT_POS, .value = x->slow_mean_h,
		                       .held = none || !(!fast_main || free_kernel), .scale = 24, .hi_limit = T });
		snprintf(name, sizeof name, "fast_share hawkes[%zu]", r + 1);
		double sh = x->fast_share;
		if (free_kernel && !none)
			sh = sh < 0.05 ? 0.05 : sh > 0.95 ? 0.95 : sh;
		ru->share_par = add_par(L, name, (fit_par){ .kind = FIT_UNIT, .value = sh,
		                        .held = none || !free_kernel, .scale = 0.05, .hi_limit = 1, .zero_ok = 1 });
		ru->decay_par = fast_main ? ru->fast_par : ru->slow_par;
		ru->per_fatality = x->per_fatality;
		if (ru->n_par < 0 || ru->fast_par < 0 || ru->slow_par < 0 || ru->share_par < 0)
			return -1;
	}
	return 0;
}

/* ---- components --------------------------------------------------------- */

static int uf_find(int *up, int i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

static void uf_join(int *up, int a, int b)
{
	a = uf_find(up, a);
	b = uf_find(up, b);
	if (a != b)
		up[a > b ? a : b] = a < b ? a : b;
}

/* Parameters that meet in some cell's intensity: its stream's rate and its
 * share, and every rule sending children there. */
static int components(fit_layout *L)
{
	size_t np = L->pb.n;
	int *up = malloc((np ? np : 1) * sizeof *up);
	L->par_comp = malloc((np ? np : 1) * sizeof *L->par_comp);
	L->cell_comp = malloc((L->n_cells ? L->n_cells : 1) * sizeof *L->cell_comp);
	L->rule_comp = malloc((L->n_rules ? L->n_rules : 1) * sizeof *L->rule_comp);
	int *any = malloc((L->n_cells ? L->n_cells : 1) * sizeof *any);   /* a parameter of each cell */
	if (!up || !L->par_comp || !L->cell_comp || !L->rule_comp || !any) {
		free(up);
		free(any);
		return -1;
	}
	for (size_t k = 0; k < np; k++)
		up[k] = (int)k;
	for (size_t c = 0; c < L->n_cells; c++) {
		any[c] = -1;
		if (L->cell[c].share_par >= 0) {
			any[c] = L->cell[c].share_par;
			uf_join(up, any[c], L->stream[L->cell[c].stream].rate_par);
		}
	}
	for (size_t r = 0; r < L->n_rules; r++) {
		const fit_rule *ru = &L->rule[r];
		uf_join(up, ru->n_par, ru->fast_par);
		uf_join(up, ru->n_par, ru->slow_par);
		uf_join(up, ru->n_par, ru->share_par);
	}
	for (size_t q = 0; q < L->par_off[L->d->n]; q++) {
		const fit_parent *pa = &L->par[q];
		if (pa->dest < 0)
			continue;
		int r = L->rule[pa->rule].n_par;
		if (any[pa->dest] >= 0)
			uf_join(up, any[pa->dest], r);
		else
			any[pa->dest] = r;
	}
	/* number the components in parameter order */
	L->n_comp = 0;
	for (size_t k = 0; k < np; k++)
		L->par_comp[k] = uf_find(up, (int)k) == (int)k ? L->n_comp++ : -1;
	for (size_t k = 0; k < np; k++)
		L->par_comp[k] = L->par_comp[uf_find(up, (int)k)];
	for (size_t c = 0; c < L->n_cells; c++)
		L->cell_comp[c] = any[c] >= 0 ? L->par_comp[any[c]] : -1;
	for (size_t r = 0; r < L->n_rules; r++)
		L->rule_comp[r] = L->par_comp[L->rule[r].n_par];
	L->comp = -1;
	free(up);
	free(any);
	return 0;
}

int fit_layout_build(fit_layout *L, const esc_config *cfg, fit_data *d, int free_kernel,
                     esc_error *err)
{
	memset(L, 0, sizeof *L);
	L->cfg = cfg;
	L->d = d;
	L->n_rules = cfg->n_excitations;
	L->gen_cell = malloc((cfg->n_generators ? cfg->n_generators : 1) * sizeof *L->gen_cell);
	L->rule = calloc(L->n_rules ? L->n_rules : 1, sizeof *L->rule);
	if (!L->gen_cell || !L->rule)
		goto oom;
	for (size_t g = 0; g < cfg->n_generators; g++) {
		const esc_generator *gen = &cfg->generators[g];
		int c = add_cell(L, gen->actor, gen->type, gen->zone);
		if (c < 0)
			goto oom;
		L->gen_cell[g] = c;
		L->cell[c].share_par = -2;                      /* background: a share to come */
		L->stream[L->cell[c].stream].rate_par = -2;     /* and a rate */
	}
	int st = excitations(L, d, err);
	if (st)
		return st;
	if (modelled(L, d))
		goto oom;
	if (L->fitted == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: none of the %zu events in the period is of an "
		                     "actor, type and zone the scenario's generators or excitation rules "
		                     "produce: nothing to fit", d->path, d->n);
	L->pb.f = fit_hawkes_loglik;
	L->pb.ctx = L;
	if (stream_pars(L, d) || rule_pars(L, free_kernel) || components(L) || fit_hawkes_work_alloc(L))
		goto oom;
	return 0;
oom:
	return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
}

void fit_layout_free(fit_layout *L)
{
	free(L->cell);
	free(L->stream);
	free(L->rule);
	free(L->gen_cell);
	free(L->par_off);
	free(L->par);
	free(L->pb.par);
	free(L->par_name);
	free(L->par_comp);
	free(L->cell_comp);
	free(L->rule_comp);
	free(L->work);
	memset(L, 0, sizeof *L);
}
