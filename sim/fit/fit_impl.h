/* fit_impl.h: what the fit's files share (not a public header).
 *
 *   events.c    the event export -> fit_data; mapping.c the scenario's
 *               names and the mapping file; dates.c dates; csv.c records
 *   layout.c    the scenario as the fit sees it: streams, cells, rules,
 *               each event's cell and the rules it excites -> fit_layout
 *   hawkes_lik.c the log-likelihood of the marked Hawkes process, its
 *               gradient, and the time-rescaled residuals
 *   zinb.c      the casualty likelihood (zero-inflated negative binomial)
 *   optim.c     maximisation (GSL multimin) and profile-likelihood intervals
 *   apply.c     the fit applied to a configuration (regime mean
 *               multipliers, generator rates, kernels, casualties)
 *   gof.c       Kolmogorov-Smirnov, weekly counts of the fitted scenario
 *   module.c    the Lua module, the printed summary, the plot data
 *   synth.c     synthetic exports from the model
 *   fit.c       esc_fit_run: the steps above in order
 */
#ifndef ESCSIM_FIT_IMPL_H
#define ESCSIM_FIT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "escsim/config.h"
#include "escsim/fit.h"
#include "escsim/scenario.h"


/* ---- the data (events.c) --------------------------------------------- */

typedef struct fit_event {
	double t_h;             /* hours from the period's start */
	int32_t day;            /* days from the period's start */
	int has_time;           /* the row gave a time of day */
	int actor, target, type, zone;   /* config indices; target -1: unknown */
	int deaths;             /* -1: the export has no fatalities */
	int cell;               /* modelled cell (layout.c), or -1 */
	size_t line;            /* in the export */
} fit_event;

typedef struct fit_data {
	esc_fit_data_info info;
	const char *path;
	int has_fatalities, has_target;
	int32_t period_start;   /* civil day of hour 0 */
	double period_h;        /* length of the period */
	size_t n;
	fit_event *ev;          /* in time order once placed */
} fit_data;

/* Read the export (and mapping) against the scenario's names.  from/to:
 * YYYY-MM-DD or NULL. */
int fit_data_read(const esc_config *cfg, const char *events_path, const char *map_path,
                  const char *from, const char *to, int64_t max_events,
                  fit_data *d, esc_error *err);
/* A date, or a date and time of day (dates.c): the day, and the hours
 * into it or -1. */
int fit_parse_when(const char *s, int32_t *day, double *hours);

/* Give each event without a time of day a uniform time within its day
 * (from the stream "fit.within_day" of seed), then sort by time. */
void fit_data_place(fit_data *d, uint64_t seed);
void fit_data_free(fit_data *d);

/* ---- the optimiser (optim.c) ------------------------------------------ */

enum fit_par_kind {
	FIT_POS,                /* > 0, free coordinate log(value) */
	FIT_UNIT,               /* in (0, 1), logit(value) */
	FIT_SHARE               /* one of a group of shares summing to 1 */
};

typedef struct fit_par {
	int kind;
	int group;              /* FIT_SHARE: members of a group share it */
	int held;               /* fixed at value (not estimated) */
	double value;
	double scale;           /* a typical size, to search up from 0 */
	double hi_limit;        /* the profile gives up above it: +inf bound */
	int zero_ok;            /* the likelihood is defined at 0 (a lower bound may be 0) */
	int boundary;           /* estimated, at 0 (held there while maximising) */
	int determined;         /* a share the group's others fix (held while
	                           maximising, free while another is profiled) */
} fit_par;

/* The log-likelihood at natural parameters p, and its gradient with respect
 * to them when grad is not NULL.  -HUGE_VAL where undefined. */
typedef double (*fit_loglik_fn)(void *ctx, const double *p, double *grad);

typedef struct fit_problem {
	size_t n;
	fit_par *par;
	fit_loglik_fn f;
	void *ctx;
	double drop;            /* an interval holds the values whose profile is
	                           within drop of the maximum: half the chi-square(1)
	                           quantile at the level (Wilks) */
	size_t evaluations;     /* counted, for the benchmark */
} fit_problem;

/* Maximise over the parameters not held, from their values; the maximum
 * goes back into par[].value and *ll. */
int fit_maximize(fit_problem *pb, double *ll, esc_error *err);

/* The profile-likelihood interval of parameter k, from the maximum (par[]
 * at the maximum, ll_hat its log-likelihood); par[] is left as it was. */
int fit_profile(fit_problem *pb, size_t k, double ll_hat, double *lo, double *hi,
                esc_error *err);

/* ---- the scenario as the fit sees it (layout.c) ----------------------- */

/* A cell: events of one actor and type in one zone.  Background cells
 * come from generators; others are reached only through excitation. */
typedef struct fit_cell {
	int actor, type, zone;
	int stream;
	int share_par;          /* its zone share's parameter, or -1 */
	int modelled;           /* its events are fitted */
	size_t count;           /* events of the period in it */
} fit_cell;

/* A stream: the cells of one actor and type.  rate_par is -1 for a stream
 * that has no background generator (excitation only). */
typedef struct fit_stream {
	int actor, type;
	int rate_par;
	size_t count;
} fit_stream;

typedef struct fit_rule {
	int n_par, fast_par, slow_par, share_par;
	int decay_par;          /* the kernel mean the fit estimates */
	double per_fatality;
	size_t parents;         /* events that excite through it */
} fit_rule;

typedef struct fit_parent {
	int rule;
	int dest;               /* cell its children fall in */
	double w;               /* 1 + per_fatality * deaths */
} fit_parent;

typedef struct fit_layout {
	const esc_config *cfg;
	const fit_data *d;
	size_t n_cells, n_streams, n_rules;
	fit_cell *cell;
	fit_stream *stream;
	fit_rule *rule;
	int *gen_cell;          /* generator -> its cell */
	size_t *par_off;        /* event j's excitations: par[par_off[j] .. par_off[j+1]) */
	fit_parent *par;
	size_t fitted;          /* events in modelled cells */
	fit_problem pb;         /* the Hawkes parameters */
	char (*par_name)[96];
	/* Independent parts of the likelihood: parameters linked through a
	 * cell's intensity share a component; each is maximised and profiled
	 * on its own, evaluating only its cells and rules. */
	int n_comp;
	int *par_comp;          /* parameter -> component */
	int *cell_comp;         /* cell -> component (-1: no parameter) */
	int *rule_comp;
	int comp;               /* the component evaluated, or -1: all */
	void *work;             /* hawkes_lik.c's workspace */
} fit_layout;

int fit_layout_build(fit_layout *L, const esc_config *cfg, fit_data *d,
                     int free_kernel, esc_error *err);
void fit_layout_free(fit_layout *L);

/* ---- likelihoods ------------------------------------------------------- */

/* The likelihood's workspace in L->work (freed with the layout). */
int fit_hawkes_work_alloc(fit_layout *L);

/* The Hawkes log-likelihood (a fit_loglik_fn on a fit_layout). */
double fit_hawkes_loglik(void *layout, const double *p, double *grad);

/* Time-rescaled gaps between consecutive events of each stream, pooled
 * (Exp(1) under the model); malloc'd, *n of them. */
double *fit_hawkes_residuals(const fit_layout *L, const double *p, size_t *n);

/* Deaths per event of one type, as counts by value. */
typedef struct fit_zinb_data {
	size_t n_values;
	int *value;
	size_t *count;
	size_t events;
	size_t lethal;          /* events with deaths > 0 */
} fit_zinb_data;

/* A fit_loglik_fn over (zero, mean, dispersion) on a fit_zinb_data. */
double fit_zinb_loglik(void *data, const double *p, double *grad);

/* ---- applying a fit (apply.c) ------------------------------------------ */

/* Each generator's mean regime multiplier over [0, horizon_h] (1 without a
 * regime chain), from the chain's forward equations with its shocks. */
int fit_regime_means(const esc_config *cfg, double horizon_h, double *mean, esc_error *err);

/* Set cfg's generator rates, excitation rules and casualty distributions
 * to the fit's (rates divided by the mean multipliers, so the fitted mean
 * rate holds over the horizon).  rate_per_h[g] receives each generator's
 * rate when not NULL. */
int fit_apply(const esc_fit *f, esc_config *cfg, double *rate_per_h, esc_error *err);

/* ---- the whole fit (fit.c) --------------------------------------------- */

typedef struct fit_casualty {
	int type;
	fit_zinb_data data;
	double zero, mean, dispersion;
	double mil_share;       /* the scenario's military share of deaths */
	int fitted;             /* 0: no deaths in the data, or no events */
} fit_casualty;

struct esc_fit {
	esc_config cfg;
	int have_cfg;
	char *scenario_path, *events_path;
	char *scenario_name;
	fit_data data;
	fit_layout L;
	double ll;
	double *regime_mean;    /* per generator */
	size_t n_casualties;
	fit_casualty *cas;
	size_t n_est;
	esc_fit_estimate *est;
	esc_fit_gof gof;
	double *resid;          /* time-rescaled gaps, sorted */
	/* weekly counts: [stream * weeks + week] */
	size_t weeks;
	double *obs, *sim_mean, *sim_lo, *sim_hi;
	int free_kernel;
	double level;
};

/* ---- goodness of fit (gof.c) ------------------------------------------- */

/* Kolmogorov-Smirnov of x[0..n) (sorted on return) against Exp(1): the
 * statistic and its asymptotic p-value (Stephens' small-sample form). */
void fit_ks_exp(double *x, size_t n, double *d, double *p);

/* The weekly counts of the data and of reps replications of the fitted
 * scenario, per stream. */
int fit_weekly(esc_fit *f, const esc_fit_opts *o, esc_error *err);

/* ---- small shared helpers --------------------------------------------- */

/* Load the scenario at path (*s, NULL if it could not be read; free it with
 * esc_scenario_free), apply the overrides and build its arm into cfg and
 * pol. */
int fit_scenario_arm(const char *path, const char *const *sets, size_t n_sets,
                     esc_scenario **s, esc_config *cfg, esc_policy *pol, esc_error *err);

/* May path be written: not an existing file other than one ours(path) says
 * escsim wrote (ESC_ERR_INPUT), in a folder that takes a new file
 * (ESC_ERR_RUNTIME otherwise).  what names the kind of file. */
int fit_check_output(const char *path, int (*ours)(const char *path), const char *what,
                     esc_error *err);

/* Write text to path through path.partial, renamed when complete, after
 * fit_check_output. */
int fit_write_file(const char *path, const char *text, size_t len,
                   int (*ours)(const char *path), const char *what, esc_error *err);

/* Is path a synthetic export escsim wrote (its header and notes)? */
int fit_is_synthetic(const char *path);

#endif
