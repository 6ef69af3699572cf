/* synth.c: synthetic event exports (escsim fit --synthesize).
 *
 * Replication 0 of a scenario, run by the model with its policies, written
 * as an ACLED-style export: one row per incident (protests are not
 * incidents and ACLED does not code them), dated from start_day, with the
 * type's ACLED event type, the zone as admin1 and military plus civilian
 * deaths as fatalities.  sub_event_type holds the scenario's type name, not
 * ACLED's sub-event type: two types may share one ("Air/drone strike" for a
 * strike and a lethal strike), and the export must read back into the types
 * it was made from whatever types a scenario adds later.  The notes column
 * marks every row synthetic, which is also how a later --synthesize knows
 * the file is one it may replace.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/model.h"
#include "escsim/scenario.h"
#include "fit_impl.h"

#define SYNTH_HEADER "event_id_cnty,event_date,year,time_precision,event_type,sub_event_type," \
	"actor1,actor2,admin1,fatalities,notes"
#define SYNTH_NOTE "synthetic (escsim)"

typedef struct rows {
	esc_event_row *v;
	size_t n, cap;
} rows;

static int keep_incident(void *self, const esc_event_row *row, esc_error *err)
{
	rows *r = self;
	if (row->kind != ESC_EVENT_INCIDENT || row->type < 0)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		esc_event_row *v = realloc(r->v, cap * sizeof *v);
		if (!v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *row;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const esc_event_row *x = a, *y = b;
	if (x->t_h != y->t_h)
		return x->t_h < y->t_h ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int fit_is_synthetic(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char line[512];
	int ok = fgets(line, sizeof line, f) && strncmp(line, SYNTH_HEADER, strlen(SYNTH_HEADER)) == 0;
	if (ok && fgets(line, sizeof line, f))
		ok = strstr(line, "," SYNTH_NOTE) != NULL;
	fclose(f);
	return ok;
}

static void csv_field(FILE *o, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, o);
		return;
	}
	fputc('"', o);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', o);
		fputc(*s, o);
	}
	fputc('"', o);
}

static int write_rows(const esc_config *cfg, const rows *r, int32_t start_day, const char *path,
                      esc_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	if (!o)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	fprintf(o, SYNTH_HEADER "\n");
	for (size_t i = 0; i < r->n; i++) {
		const esc_event_row *e = &r->v[i];
		char day[11];
		esc_fit_format_day(start_day + (int32_t)floor(e->t_h / 24), day);
		fprintf(o, "SYN%zu,%s,%.4s,1,", i + 1, day, day);
		csv_field(o, cfg->types[e->type].acled_type);
		fputc(',', o);
		csv_field(o, cfg->types[e->type].name);
		fputc(',', o);
		csv_field(o, cfg->parties[e->actor].name);
		fputc(',', o);
		csv_field(o, cfg->parties[e->target].name);
		fputc(',', o);
		csv_field(o, cfg->zones[e->zone]);
		fprintf(o, ",%d," SYNTH_NOTE "\n", e->fatalities_mil + e->fatalities_civ);
	}
	if (fclose(o) != 0 || !text) {
		free(text);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	int st = fit_write_file(path, text, len, fit_is_synthetic, "synthetic export", err);
	free(text);
	return st;
}

int esc_fit_synthesize(const esc_synth_opts *o, size_t *n_rows, esc_error *err)
{
	esc_scenario *s;
	esc_config cfg;
	esc_policy pol;
	int st = fit_scenario_arm(o->scenario_path, o->sets, o->n_sets, &s, &cfg, &pol, err);
	if (st) {
		esc_scenario_free(s);
		return st;
	}
	rows r = {0};
	esc_model *m = esc_model_new(&cfg, err);
	esc_streams *rs = m ? esc_streams_new(NULL) : NULL;
	if (!rs)
		st = m ? esc_error_set(err, ESC_ERR_RUNTIME, "out of memory") : err->status;
	if (st == 0) {
		esc_model_sink sink = { &r, keep_incident, NULL, NULL, NULL };
		esc_model_set_sink(m, &sink);
		esc_run_row row;
		st = esc_model_run(m, &pol, rs, o->seed, 0, &row, err);
	}
	if (st == 0) {
		qsort(r.v, r.n, sizeof *r.v, by_time);
		st = write_rows(&cfg, &r, o->start_day, o->out_path, err);
	}
	if (n_rows)
		*n_rows = st ? 0 : r.n;
	free(r.v);
	esc_streams_free(rs);
	esc_model_free(m);
	esc_config_free(&cfg);
	esc_scenario_free(s);
	return st;
}
