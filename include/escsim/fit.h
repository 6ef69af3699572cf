/* fit.h: calibrate a scenario from an event export (escsim fit).
 *
 * The fit layer (sim/fit) sits beside the batch layer: it loads a scenario
 * through the script layer, reads an event export (one row per event: date
 * or time, actor, type, zone, optionally fatalities and target), and
 * estimates by maximum likelihood, per stream of the scenario's background
 * generators, the background rate and its zone split, the branching ratio
 * and decay of each excitation rule, and each incident type's casualty
 * distribution, with profile-likelihood intervals.  It runs the model
 * (sim/model) for goodness of fit and for synthetic exports.  docs/
 * calibration.md describes the statistical model and its limits.
 *
 *   esc_fit_synthesize   one replication of a scenario, written as an export
 *   esc_fit_run          read, fit, intervals, goodness of fit
 *   esc_fit_write_module the fit as a Lua module a scenario can require
 *
 * Times are hours, rates per hour, as everywhere; the module writes them
 * with per_day() and days() for people.
 */
#ifndef ESCSIM_FIT_H
#define ESCSIM_FIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "escsim/error.h"

/* ---- synthetic exports ------------------------------------------------- */

typedef struct esc_synth_opts {
	const char *scenario_path;
	const char *const *sets;        /* KEY=VALUE overrides, as --set */
	size_t n_sets;
	uint64_t seed;                  /* the replication is replication 0 of this seed */
	int32_t start_day;              /* date of hour 0: days since 1970-01-01 */
	const char *out_path;           /* the CSV; written through NAME.partial */
} esc_synth_opts;

/* Run replication 0 of the scenario and write every incident in the
 * export format (ACLED's columns: event_date, event_type, sub_event_type,
 * actor1, actor2, admin1, fatalities, ...), one row each, in time order.
 * Returns the number of rows in *rows (may be NULL). */
int esc_fit_synthesize(const esc_synth_opts *o, size_t *rows, esc_error *err);

/* ---- the fit ------------------------------------------------------------ */

typedef struct esc_fit_opts {
	const char *events_path;
	const char *map_path;           /* mapping file (CSV kind,source,escsim), or NULL */
	const char *scenario_path;
	const char *const *sets;
	size_t n_sets;
	const char *from, *to;          /* the period, YYYY-MM-DD (inclusive); NULL: the
	                                   first and last event dates */
	int free_kernel;                /* also fit fast_share and the other kernel's mean */
	int64_t reps;                   /* replications of the fitted scenario for the
	                                   weekly counts (0: none) */
	uint64_t seed;                  /* within-day times and those replications */
	int64_t max_events;             /* refuse exports with more rows in the
	                                   period (0: no limit) */
	double level;                   /* of the intervals (0: 0.95) */
} esc_fit_opts;

/* What an estimate is of. */
typedef enum esc_fit_kind {
	ESC_FIT_RATE,           /* background rate of a stream, per hour */
	ESC_FIT_ZONE_SHARE,     /* share of a stream's background in a zone */
	ESC_FIT_BRANCHING,      /* n of an excitation rule */
	ESC_FIT_FAST_MEAN,      /* fast kernel mean of a rule, hours */
	ESC_FIT_SLOW_MEAN,      /* slow kernel mean, hours */
	ESC_FIT_FAST_SHARE,     /* fast_share of a rule */
	ESC_FIT_ZERO,           /* zinb zero of a type's deaths per incident */
	ESC_FIT_MEAN,           /* zinb mean */
	ESC_FIT_DISPERSION      /* zinb dispersion */
} esc_fit_kind;

/* One parameter: its maximum-likelihood value and profile-likelihood
 * interval (95% unless esc_fit_opts.level says otherwise).  held: not estimated (the scenario's value, written as such;
 * note says why when the data cannot tell it, as a kernel's mean when the
 * rule's n is 0).
 * A bound the profile never reaches within the parameter's range is
 * +-infinity (lo = 0 where the profile at 0 is inside: a boundary). */
typedef struct esc_fit_estimate {
	esc_fit_kind kind;
	int actor, type, zone;  /* config indices (-1 where not applicable) */
	int rule;               /* excitation rule index, or -1 */
	char name[96];          /* "rate ISR strike", "n hawkes[1]", ... */
	double value, lo, hi;
	int held;
	char note[64];          /* why a value is held, or "" */
} esc_fit_estimate;

/* Goodness of fit. */
typedef struct esc_fit_gof {
	size_t n_residuals;     /* time-rescaled gaps */
	double ks_d, ks_p;      /* Kolmogorov-Smirnov against Exp(1) */
	int64_t reps;           /* replications behind the weekly band (0: none) */
	size_t weeks;           /* weeks x streams compared */
	size_t weeks_inside;    /* observed count inside the 5-95% band */
	int supercritical;      /* the fitted excitation is not stable: no band */
} esc_fit_gof;

typedef struct esc_fit esc_fit;

/* Read the export, fit, compute the intervals and the goodness of fit.
 * Statuses: ESC_ERR_INPUT for a bad scenario, mapping or export (the
 * message names file:line and the column: an unparseable date, an unknown
 * actor, type or zone with "did you mean", a negative or non-integer
 * fatality count, an empty period), ESC_ERR_RUNTIME when the optimiser
 * fails or memory runs out.  *out is NULL on error. */
int esc_fit_run(const esc_fit_opts *o, esc_fit **out, esc_error *err);
void esc_fit_free(esc_fit *f);

size_t esc_fit_estimates(const esc_fit *f, const esc_fit_estimate **out);
const esc_fit_gof *esc_fit_goodness(const esc_fit *f);
double esc_fit_loglik(const esc_fit *f);

/* The data's description: its SHA-256, rows read, rows fitted, first and
 * last day of the period (days since 1970-01-01). */
typedef struct esc_fit_data_info {
	char sha256[65];
	size_t rows;            /* data rows in the file */
	size_t in_period;       /* rows in the period (dropped rows excluded) */
	size_t fitted;          /* of those, rows in a fitted stream */
	size_t unexplained;     /* rows of a cell only excitation reaches, before
	                           anything excites it: the model cannot produce
	                           them (not fitted) */
	size_t dropped;         /* rows the mapping drops ('-') */
	size_t outside_period;
	int32_t first_day, last_day;
} esc_fit_data_info;
const esc_fit_data_info *esc_fit_data(const esc_fit *f);

/* The fitted module: a Lua file a scenario can require (docs/calibration.md),
 * written through NAME.partial and renamed.  An existing file is replaced
 * only if escsim fit wrote it. */
int esc_fit_write_module(const esc_fit *f, const char *path, const char *command_line,
                         esc_error *err);

/* Whether path may be written as a module (synthetic = 0) or a synthetic
 * export (1), before the work: ESC_ERR_INPUT for an existing file escsim
 * did not write or one that is not a regular file, ESC_ERR_RUNTIME for a
 * folder that does not take a new file. */
int esc_fit_check_output(const char *path, int synthetic, esc_error *err);

/* The goodness-of-fit series as CSV files in dir (residuals.csv,
 * weekly.csv), for analysis/fit_plots.py. */
int esc_fit_write_plot_data(const esc_fit *f, const char *dir, esc_error *err);

/* The estimates, the goodness of fit and the data summary as text. */
void esc_fit_print(const esc_fit *f, FILE *out);

/* Dates: YYYY-MM-DD to days since 1970-01-01 (0 on success), and back. */
int esc_fit_parse_day(const char *s, int32_t *day);
void esc_fit_format_day(int32_t day, char out[11]);

#endif
