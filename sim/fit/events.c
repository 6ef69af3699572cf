/* events.c: an event export read against a scenario's names (fit_data).
 *
 * One row per event.  escsim's columns and the export's names for them
 * (ACLED's, by default; a mapping file names others):
 *
 *   date        event_date       YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or
 *                                DD Month YYYY (ACLED's older exports)
 *   actor       actor1           a party of the scenario
 *   type        sub_event_type   an incident type, or its ACLED sub-event
 *                                type when one type of the scenario has it
 *   zone        admin1           a zone of the scenario
 *   fatalities  fatalities       optional: deaths, a whole number >= 0
 *   target      (none)           optional: a party (only if mapped)
 *
 * A mapping file (mapping.c) names other columns and values; dates are
 * read by dates.c.
 *
 * Every bad row is refused with its file:line and column (up to five are
 * listed, then how many more); nothing is fitted from a file with one.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "escsim/rng.h"
#include "escsim/suggest.h"
#include "csv.h"
#include "fit_impl.h"
#include "mapping.h"

/* The export's default name for each (ACLED's), and a second choice. */
static const char *const col_acled[FIT_N_COLS] = {
	"event_date", "actor1", "sub_event_type", "admin1", "fatalities", NULL
};
static const char *const col_alias[FIT_N_COLS] = {
	"time", NULL, NULL, NULL, NULL, NULL
};

/* Errors of the rows: the first few in full, then a count. */
typedef struct row_errors {
	char text[900];
	size_t len, count;
} row_errors;

#define ROW_ERRORS_SHOWN 5

static void row_error(row_errors *re, const char *file, size_t line, const char *col,
                      const char *fmt, const char *a, const char *b)
{
	if (re->count++ >= ROW_ERRORS_SHOWN)
		return;
	char msg[400];
	snprintf(msg, sizeof msg, fmt, a, b ? b : "");
	int n = snprintf(re->text + re->len, sizeof re->text - re->len, "%s%s:%zu: column %s: %s",
	                 re->len ? "\n" : "", file, line, col, msg);
	if (n > 0)
		re->len = (size_t)n + re->len < sizeof re->text ? re->len + (size_t)n : sizeof re->text - 1;
}

static int row_errors_report(const row_errors *re, esc_error *err)
{
	if (re->count <= ROW_ERRORS_SHOWN)
		return esc_error_set(err, ESC_ERR_INPUT, "%s", re->text);
	return esc_error_set(err, ESC_ERR_INPUT, "%s\n... and %zu more rows with errors",
	                     re->text, re->count - ROW_ERRORS_SHOWN);
}

/* ---- the export -------------------------------------------------------- */

typedef struct reader {
	const esc_config *cfg;
	const fit_mapping *map;
	const char *file;
	fit_names names[FIT_N_MAPS];
	int col[FIT_N_COLS];        /* field index of each column, -1 if absent */
	const char *col_label[FIT_N_COLS];  /* the export's name, for messages */
	row_errors re;
} reader;

/* Which ACLED sub-event type belongs to exactly one of the scenario's
 * types: that type, or -1 (none), or -3 (several). */
static int type_by_acled(const esc_config *cfg, const char *s)
{
	int found = -1;
	for (size_t i = 0; i < cfg->n_types; i++) {
		if (cfg->types[i].acled_subtype[0] && strcmp(cfg->types[i].acled_subtype, s) == 0)
			found = found == -1 ? (int)i : -3;
	}
	return found;
}

/* A value of column c (actor, type, zone or target) as a config index, -2
 * to drop the row, or -1 after recording the error. */
static int resolve(reader *rd, int c, const char *v, size_t line)
{
	int k = c == FIT_COL_TYPE ? FIT_MAP_TYPE : c == FIT_COL_ZONE ? FIT_MAP_ZONE : FIT_MAP_ACTOR;
	int i = fit_mapping_find(rd->map, k, v);
	if (i != -1)
		return i;
	i = fit_names_find(&rd->names[k], v);
	if (i >= 0)
		return i;
	if (k == FIT_MAP_TYPE) {
		i = type_by_acled(rd->cfg, v);
		if (i >= 0)
			return i;
		if (i == -3) {
			char types[300] = "";
			size_t n = 0;
			for (size_t t = 0; t < rd->cfg->n_types && n < sizeof types; t++)
				if (strcmp(rd->cfg->types[t].acled_subtype, v) == 0)
					n += (size_t)snprintf(types + n, sizeof types - n, "%s%s", n ? ", " : "",
					                      rd->cfg->types[t].name);
			row_error(&rd->re, rd->file, line, rd->col_label[c], "'%s' is the ACLED sub-event type of "
			          "%s: map it to one of them in a mapping file (type,VALUE,NAME)", v, types);
			return -1;
		}
	}
	char all[300], msg[200];
	const char *sug = esc_suggest(v, rd->names[k].v, rd->names[k].n);
	if (!*v)
		snprintf(msg, sizeof msg, "%s", "empty");
	else
		snprintf(msg, sizeof msg, "unknown %s '%.80s'", k == FIT_MAP_ACTOR ? "actor" : fit_map_kind[k], v);
	char tail[400];
	snprintf(tail, sizeof tail, " (the scenario's: %s)%s%s%s; a mapping file can map it, or drop "
	         "its rows with '-'", fit_names_join(&rd->names[k], all, sizeof all),
	         sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
	row_error(&rd->re, rd->file, line, rd->col_label[c], "%s%s", msg, tail);
	return -1;
}

static int parse_deaths(const char *s, int *out)
{
	if (!*s)
		return -1;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > 1000000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = (int)v;
	return 0;
}

/* Find each column in the header: the mapping's name for it, else ACLED's,
 * then the alias and escsim's own name (date, actor, ...).  The target is
 * read only when the mapping names its column. */
static int header(reader *rd, csv_reader *r, esc_error *err)
{
	for (int c = 0; c < FIT_N_COLS; c++) {
		const char *want[3] = {0};
		if (rd->map->column[c])
			want[0] = rd->map->column[c];
		else if (c != FIT_COL_TARGET) {
			want[0] = col_acled[c];
			want[1] = col_alias[c];
			want[2] = fit_col_name[c];
		}
		rd->col[c] = -1;
		for (int w = 0; w < 3 && rd->col[c] < 0; w++)
			for (size_t i = 0; want[w] && i < r->n && rd->col[c] < 0; i++)
				if (strcmp(csv_trim((char *)r->field[i]), want[w]) == 0) {
					rd->col[c] = (int)i;
					rd->col_label[c] = want[w];
				}
		if (rd->col[c] >= 0 || (!rd->map->column[c] && (c == FIT_COL_FATALITIES || c == FIT_COL_TARGET)))
			continue;
		const char *sug = esc_suggest(want[0], r->field, r->n);
		return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: no column '%s' (escsim's %s%s)%s%s%s%s",
		                     rd->file, r->rec_line, want[0], fit_col_name[c],
		                     rd->map->column[c] ? ", as the mapping file names it" : "",
		                     sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "",
		                     rd->map->column[c] ? "" : "; a mapping file (--map) can name another");
	}
	return 0;
}

static int push(fit_data *d, size_t *cap, const fit_event *e)
{
	if (d->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 1024;
		fit_event *v = realloc(d->ev, nc * sizeof *v);
		if (!v)
			return -1;
		d->ev = v;
		*cap = nc;
	}
	d->ev[d->n++] = *e;
	return 0;
}

/* One data row into *e: 1 kept, 0 dropped by the mapping, -1 bad. */
static int row(reader *rd, csv_reader *r, fit_event *e, double *hours)
{
	size_t line = r->rec_line;
	size_t need = 0;
	for (int c = 0; c < FIT_N_COLS; c++)
		if (rd->col[c] >= 0 && (size_t)rd->col[c] + 1 > need)
			need = (size_t)rd->col[c] + 1;
	if (r->n < need) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%zu", r->n);
		snprintf(b, sizeof b, "%zu", need);
		row_error(&rd->re, rd->file, line, rd->col_label[FIT_COL_DATE], "the row has %s fields, "
		          "too few to reach every column (%s)", a, b);
		return -1;
	}
	char *v[FIT_N_COLS] = {0};
	for (int c = 0; c < FIT_N_COLS; c++)
		if (rd->col[c] >= 0)
			v[c] = csv_trim((char *)r->field[rd->col[c]]);
	int bad = 0, drop = 0;
	*e = (fit_event){ .target = -1, .deaths = -1, .cell = -1, .line = line };
	if (fit_parse_when(v[FIT_COL_DATE], &e->day, hours)) {
		row_error(&rd->re, rd->file, line, rd->col_label[FIT_COL_DATE], "cannot read '%.60s' as a date "
		          "(expected YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or DD Month YYYY)%s", v[FIT_COL_DATE], NULL);
		bad = 1;
	}
	int *dst[FIT_N_COLS] = { NULL, &e->actor, &e->type, &e->zone, NULL, &e->target };
	for (int c = FIT_COL_ACTOR; c < FIT_N_COLS; c++) {
		if (!dst[c] || !v[c])
			continue;
		int i = resolve(rd, c, v[c], line);
		if (i == -1)
			bad = 1;
		else if (i == -2)
			drop = 1;
		else
			*dst[c] = i;
	}
	if (v[FIT_COL_FATALITIES] && parse_deaths(v[FIT_COL_FATALITIES], &e->deaths)) {
		row_error(&rd->re, rd->file, line, rd->col_label[FIT_COL_FATALITIES], "expected a whole number "
		          "of deaths >= 0, got '%.40s'%s", v[FIT_COL_FATALITIES], NULL);
		bad = 1;
	}
	return bad ? -1 : drop ? 0 : 1;
}

static int sha256_file(const char *text, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(text, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Rows into d (days still civil); the header first. */
static int read_rows(reader *rd, csv_reader *r, fit_data *d, double **hours, esc_error *err)
{
	size_t cap = 0, hcap = 0;
	int st = csv_next(r, err);
	if (st == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: empty (expected a header line, then one row "
		                     "per event)", rd->file);
	if (st != 1)
		return st;
	if ((st = header(rd, r, err)) != 0)
		return st;
	while ((st = csv_next(r, err)) == 1) {
		d->info.rows++;
		fit_event e;
		double h;
		int k = row(rd, r, &e, &h);
		if (k == 0)
			d->info.dropped++;
		if (k <= 0 || rd->re.count)
			continue;
		if (push(d, &cap, &e))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		if (d->n > hcap) {
			hcap = cap;
			double *nh = realloc(*hours, hcap * sizeof *nh);
			if (!nh)
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			*hours = nh;
		}
		(*hours)[d->n - 1] = h;
	}
	if (st != 0)
		return st;
	if (rd->re.count)
		return row_errors_report(&rd->re, err);
	if (d->info.rows == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: no events (a header and no rows)", rd->file);
	d->has_fatalities = rd->col[FIT_COL_FATALITIES] >= 0;
	d->has_target = rd->col[FIT_COL_TARGET] >= 0;
	return 0;
}

/* Keep the rows in [from, to]; days and times from the period's start. */
static int period(fit_data *d, const double *hours, const char *from, const char *to,
                  int64_t max_events, esc_error *err)
{
	int32_t lo = INT32_MAX, hi = INT32_MIN;
	for (size_t i = 0; i < d->n; i++) {
		lo = d->ev[i].day < lo ? d->ev[i].day : lo;
		hi = d->ev[i].day > hi ? d->ev[i].day : hi;
	}
	char a[11], b[11];
	if (from && esc_fit_parse_day(from, &lo))
		return esc_error_set(err, ESC_ERR_INPUT, "--from: expected a date YYYY-MM-DD, got '%s'", from);
	if (to && esc_fit_parse_day(to, &hi))
		return esc_error_set(err, ESC_ERR_INPUT, "--to: expected a date YYYY-MM-DD, got '%s'", to);
	esc_fit_format_day(lo, a);
	esc_fit_format_day(hi, b);
	if (lo > hi)
		return esc_error_set(err, ESC_ERR_INPUT, "an empty period: from %s to %s", a, b);
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		fit_event e = d->ev[i];
		if (e.day < lo || e.day > hi) {
			d->info.outside_period++;
			continue;
		}
		e.day -= lo;
		e.has_time = hours[i] >= 0;
		e.t_h = e.has_time ? 24.0 * e.day + hours[i] : NAN;
		d->ev[k++] = e;
	}
	d->n = k;
	if (k == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: an empty period: no events from %s to %s",
		                     d->path, a, b);
	if (max_events > 0 && (int64_t)k > max_events)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: %zu events in the period, more than the "
		                     "limit of %lld", d->path, k, (long long)max_events);
	d->period_start = lo;
	d->period_h = 24.0 * (hi - lo + 1);
	d->info.first_day = lo;
	d->info.last_day = hi;
	d->info.in_period = k;
	return 0;
}

int fit_data_read(const esc_config *cfg, const char *events_path, const char *map_path,
                  const char *from, const char *to, int64_t max_events,
                  fit_data *d, esc_error *err)
{
	memset(d, 0, sizeof *d);
	d->path = events_path;
	fit_mapping map = {0};
	reader rd = { .cfg = cfg, .map = &map, .file = events_path };
	char *text = NULL;
	size_t len;
	double *hours = NULL;
	int st = map_path ? fit_mapping_read(&map, cfg, map_path, err) : 0;
	for (int k = 0; st == 0 && k < FIT_N_MAPS; k++)
		if (fit_names_of(cfg, k, &rd.names[k]))
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == 0)
		st = csv_slurp(events_path, "event export", &text, &len, err);
	if (st == 0 && sha256_file(text, len, d->info.sha256))
		st = esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot compute its SHA-256", events_path);
	if (st == 0) {
		csv_reader r;
		csv_open(&r, events_path, text, len);
		st = read_rows(&rd, &r, d, &hours, err);
		csv_close(&r);
	}
	if (st == 0)
		st = period(d, hours, from, to, max_events, err);
	free(hours);
	free(text);
	for (int k = 0; k < FIT_N_MAPS; k++)
		free(rd.names[k].v);
	fit_mapping_free(&map);
	if (st)
		fit_data_free(d);
	return st;
}

static int by_time(const void *a, const void *b)
{
	const fit_event *x = a, *y = b;
	if (x->t_h != y->t_h)
		return x->t_h < y->t_h ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

void fit_data_place(fit_data *d, uint64_t seed)
{
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	if (r)
		gsl_rng_set(r, esc_rng_stream_seed(seed, 0, "fit.within_day"));
	for (size_t i = 0; i < d->n; i++)
		if (!d->ev[i].has_time)
			d->ev[i].t_h = 24.0 * (d->ev[i].day + (r ? gsl_rng_uniform(r) : 0.5));
	gsl_rng_free(r);
	qsort(d->ev, d->n, sizeof *d->ev, by_time);
}

void fit_data_free(fit_data *d)
{
	free(d->ev);
	d->ev = NULL;
	d->n = 0;
}
