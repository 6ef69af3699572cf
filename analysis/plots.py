#!/usr/bin/python3
"""plots.py: the report's plots of an escsim result file, as PNG and SVG.

    MPLBACKEND=Agg /usr/bin/python3 analysis/plots.py RESULTS.h5 DIR [--baseline ARM]

`escsim report RESULTS.h5 --plots DIR` runs this after storing /summary.
Each plot is written as DIR/NAME.png and DIR/NAME.svg:

  distributions   key runs metrics per arm: box plots, mean and 95% CI marked
  differences     paired differences from the baseline arm with 95% CIs (forest plot)
  ladder          daily highest ladder level: mean over replications with
                  10-90% and 95%-CI bands, per arm
  cell_timing     cell and channel answers against the decision deadline
                  (from the messages table, written with --events), else the
                  distribution of cell_mean_latency_h
  survival        time to first crisis: Kaplan-Meier curves with 95% bands
  sweep_<param>   with a sweep: each metric's paired difference along each
                  varied parameter, in its units; a key varied as log:LO:HI:N
                  on a log axis
  sensitivity     after a saltelli sweep: S1 and ST of each parameter with
                  their 95% intervals, per headline metric of each arm's
                  difference from the baseline; after a morris sweep: mu*
                  against sigma, one labelled dot per parameter

Metrics with nothing to draw (no finite value, or no spread to scale a
difference by) are left out of a figure, not drawn as empty rows, and a
figure with none is not written.  No warning is printed (a single
replication has no interval: its bands are left out).

Needs Debian's python3-matplotlib, python3-h5py and python3-pandas.
"""

import argparse
import os
import sys

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullLocator  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from escsim_results import load  # noqa: E402

KEY_METRICS = [
    "misattributed_retaliations", "retaliations", "fatalities_total",
    "hours_at_or_above_6", "max_level", "cell_requests",
]


FORMATS = ("png", "svg")


def save(fig, outdir, name, written):
    for ext in FORMATS:
        path = os.path.join(outdir, "%s.%s" % (name, ext))
        fig.savefig(path, dpi=120, bbox_inches="tight")
        written.append(path)
    plt.close(fig)


def colours(arms):
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return {a: cycle[i % len(cycle)] for i, a in enumerate(arms)}


def runs_metric(r, arm, metric):
    df = r.runs[arm]
    if metric == "fatalities_total":
        return (df.fatalities_mil + df.fatalities_civ).astype(float)
    if metric == "crisis":
        return df.first_crisis_h.notna().astype(float)
    return df[metric].astype(float)


def plot_distributions(r, outdir, written, col):
    metrics = [m for m in KEY_METRICS
               if (m == "fatalities_total" or m in r.runs[r.arms[0]].columns) and
               any(runs_metric(r, a, m).notna().any() for a in r.arms)]
    if not metrics:
        return
    n = len(metrics)
    ncol = 3
    nrow = (n + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.4 * nrow),
                             squeeze=False)
    summ = r.summary.get("metrics")
    for ax, m in zip(axes.flat, metrics):
        data = [runs_metric(r, a, m).dropna().to_numpy() for a in r.arms]
        ax.boxplot(data, labels=r.arms, showfliers=True, widths=0.5,
                   flierprops={"markersize": 2, "alpha": 0.4})
        for i, a in enumerate(r.arms):
            if summ is not None:
                row = summ[(summ.arm.astype(str) == a) & (summ.metric.astype(str) == m)]
                if len(row) and np.isfinite(row[["mean", "lo", "hi"]].iloc[0]).all():
                    mu, lo, hi = row["mean"].iloc[0], row["lo"].iloc[0], row["hi"].iloc[0]
                    ax.errorbar(i + 1.3, mu, yerr=[[mu - lo], [hi - mu]], fmt="D",
                                color=col[a], ms=4, capsize=3)
        unit = r.units.get("runs", {}).get(m, "")
        ax.set_title(m, fontsize=10)
        ax.set_ylabel(unit)
        ax.tick_params(axis="x", labelsize=8)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle("Per replication, by arm (box: quartiles; diamond: mean, 95% CI)",
                 fontsize=11)
    fig.tight_layout()
    save(fig, outdir, "distributions", written)


def plot_differences(r, outdir, written, baseline, col):
    d = r.summary.get("differences")
    if d is None or d.empty or r.sweep_points is not None:
        return   # a sweep's differences are the sweep_<key> plots
    d = d[np.isfinite(d["mean"])]
    # Standardise by the baseline's sd so metrics of different units share an axis.
    m = r.summary["metrics"]
    mb = m[m.arm.astype(str) == baseline]
    base = pd.Series(mb["sd"].to_numpy(), index=mb.metric.astype(str))
    arms = [a for a in r.arms if a != baseline]
    sd = base.reindex(d.metric.astype(str)).to_numpy()
    d = d[np.isfinite(sd) & (sd > 0)]    # a metric with no spread: no row
    metrics = list(dict.fromkeys(d.metric.astype(str)))
    if not metrics or not arms:
        return
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(metrics) * max(1, len(arms)) + 1.5))
    y = 0
    ticks, labels = [], []
    for metric in metrics:
        sd = base.get(metric, np.nan)
        for j, a in enumerate(arms):
            row = d[(d.metric.astype(str) == metric) & (d.arm.astype(str) == a)]
            if row.empty:
                continue
            scale = sd if np.isfinite(sd) and sd > 0 else np.nan
            mu, lo, hi = (row[c].iloc[0] / scale for c in ("mean", "lo", "hi"))
            if np.isfinite(mu):
                ax.errorbar(mu, y, xerr=[[mu - lo], [hi - mu]], fmt="o", ms=4,
                            color=col[a], capsize=2, label=a if metric == metrics[0] else None)
            ticks.append(y)
            labels.append(metric if j == 0 else "")
            y -= 1
        y -= 0.5
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel("paired difference from %s, in baseline standard deviations "
                  "(95%% CI)" % baseline)
    if arms:
        ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Effect of each arm against %s (metrics with no spread left out)"
                 % baseline, fontsize=10)
    fig.tight_layout()
    save(fig, outdir, "differences", written)


def plot_ladder(r, outdir, written, col):
    if not len(r.daily):
        return
    fig, ax = plt.subplots(figsize=(9, 4))
    for a in r.arms:
        if a not in r.daily:
            continue
        d = r.daily[a]
        g = d.groupby("day")["max_level"]
        mean = g.mean()
        n = g.count()
        se = g.std(ddof=1) / np.sqrt(n)
        q10, q90 = g.quantile(0.1), g.quantile(0.9)
        days = mean.index.to_numpy()
        ax.fill_between(days, q10, q90, color=col[a], alpha=0.12, step="mid",
                        label="%s 10-90%%" % a)
        if np.isfinite(se).any():    # one replication has no interval
            ok = np.isfinite(se).to_numpy()
            ax.fill_between(days[ok], (mean - 1.96 * se)[ok], (mean + 1.96 * se)[ok],
                            color=col[a], alpha=0.35, label="%s mean, 95%% CI" % a)
        ax.plot(days, mean, color=col[a], lw=1, label=None if np.isfinite(se).any()
                else "%s mean" % a)
    ax.set_xlabel("day of the horizon")
    ax.set_ylabel("highest ladder level that day (L0-L7)")
    ax.set_ylim(-0.2, 7.2)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Daily ladder level across replications", fontsize=10)
    fig.tight_layout()
    save(fig, outdir, "ladder", written)


def plot_cell_timing(r, outdir, written, col):
    msgs = {a: r.messages[a] for a in r.messages if len(r.messages[a])}
    if msgs:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
        frame = pd.concat([m.assign(arm=a) for a, m in msgs.items()], ignore_index=True)
        frame = frame[np.isfinite(frame.deadline_h)]
        frame["group"] = frame.arm.astype(str) + ": " + frame.kind.astype(str)
        groups = list(dict.fromkeys(frame.group))
        cyc = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        rng = np.random.default_rng(1)
        lim = 1.0
        for i, gname in enumerate(groups):
            g = frame[frame.group == gname]
            wait = (g.t_answer_h - g.t_submit_h).to_numpy()
            allowed = (g.deadline_h - g.t_submit_h).to_numpy()
            answered = np.isfinite(wait)
            c = cyc[i % len(cyc)]
            idx = np.flatnonzero(answered)
            if len(idx) > 3000:   # a readable cloud, not every point
                idx = rng.choice(idx, 3000, replace=False)
            ax.scatter(allowed[idx] + rng.uniform(-0.05, 0.05, len(idx)) * allowed[idx].max(),
                       wait[idx], s=5, alpha=0.3, color=c,
                       label="%s (%d answered, %d not)" % (gname, answered.sum(), (~answered).sum()))
            if answered.any():
                lim = max(lim, np.nanpercentile(np.r_[wait[answered], allowed], 98))
                slack = np.sort((g.deadline_h - g.t_answer_h).to_numpy()[answered])
                ecdf = np.arange(1, len(slack) + 1) / len(g)   # unanswered never reach 1
                ax2.step(slack, ecdf, where="post", color=c,
                         label="%s: %.0f%% in time" % (gname, 100 * (slack > 0).sum() / len(g)))
        ax.plot([0, lim], [0, lim], color="grey", lw=0.8)
        ax.text(lim * 0.97, lim * 0.92, "late", ha="right", fontsize=9, color="grey")
        ax.text(lim * 0.97, lim * 0.04, "in time", ha="right", fontsize=9, color="grey")
        ax.set_xlim(0, lim)
        ax.set_ylim(0, lim)
        ax.set_xlabel("time allowed: deadline - sent (h)")
        ax.set_ylabel("answer time: answered - sent (h)")
        ax.set_title("Each answer against its deadline (sample of 3000 per group)",
                     fontsize=10)
        ax.legend(fontsize=7, markerscale=3, loc="upper left")
        ax2.axvline(0, color="grey", lw=0.8)
        ax2.set_xlabel("slack: deadline - answer time (h); > 0 in time")
        ax2.set_ylabel("share of messages with a deadline")
        ax2.set_title("Slack of the answers (unanswered: never counted)", fontsize=10)
        lo, hi = -0.5, 0.5
        for gname in groups:
            sl = (frame.deadline_h - frame.t_answer_h)[frame.group == gname].dropna()
            if len(sl):
                a, b = np.percentile(sl, [2, 100])
                lo, hi = min(lo, a), max(hi, b)
        ax2.set_xlim(lo, hi + 0.02 * (hi - lo))
        ax2.legend(fontsize=7, loc="upper left")
    else:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        data = {a: r.runs[a].cell_mean_latency_h.dropna() for a in r.arms
                if "cell_mean_latency_h" in r.runs[a]}
        data = {a: v for a, v in data.items() if len(v)}
        if not data:
            plt.close(fig)
            return
        for a, v in data.items():
            ax.hist(v, bins=30, alpha=0.5, color=col[a], label=a)
        ax.set_xlabel("cell_mean_latency_h per replication (h)")
        ax.set_ylabel("replications")
        ax.set_title("Cell answer time (no messages table: run with --events "
                     "for each answer against its deadline)", fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    save(fig, outdir, "cell_timing", written)


def km_curve(times, events):
    order = np.argsort(times, kind="stable")
    t, e = np.asarray(times)[order], np.asarray(events)[order]
    n = len(t)
    xs, ss = [0.0], [1.0]
    s, i = 1.0, 0
    while i < n:
        j = i
        while j < n and t[j] == t[i]:
            j += 1
        d = e[i:j].sum()
        if d:
            s *= 1 - d / (n - i)
        xs.append(t[i])
        ss.append(s)
        i = j
    return np.array(xs), np.array(ss)


def plot_survival(r, outdir, written, col):
    surv = r.summary.get("survival")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    drawn = False
    for a in r.arms:
        if surv is not None and len(surv):
            s = surv[surv.arm.astype(str) == a]
            if s.empty:
                continue
            t = s.t_h.to_numpy() / 24
            ax.step(t, s.survival, where="post", color=col[a], label=a)
            ax.fill_between(t, s.lo, s.hi, step="post", color=col[a], alpha=0.2)
            drawn = True
        elif "first_crisis_h" in r.runs[a]:
            horizon = r.params.get(a, {}).get("horizon_h")
            if horizon is None:
                continue
            fc = r.runs[a].first_crisis_h.to_numpy()
            ev = np.isfinite(fc)
            x, s = km_curve(np.where(ev, fc, horizon), ev)
            ax.step(x / 24, s, where="post", color=col[a], label=a)
            drawn = True
    if not drawn:
        plt.close(fig)
        return
    ax.set_xlabel("days")
    ax.set_ylabel("P(no crisis yet)")
    lo = ax.get_ylim()[0]
    ax.set_ylim(max(0, min(lo, 0.9)), 1.01)
    ax.legend(fontsize=8)
    ax.set_title("Time to first crisis: Kaplan-Meier, censored at the horizon "
                 "(band: 95%, Greenwood log-log)", fontsize=10)
    fig.tight_layout()
    save(fig, outdir, "survival", written)


def sweep_is_log(r, key):
    """A key varied as log:LO:HI:N (so the file's description of the column
    says), or whose values are positive and evenly spaced in log over more
    than a factor of 10: drawn on a log axis."""
    if "=log:" in r.sweep_docs.get(key, ""):
        return True
    v = np.unique(r.sweep_points[key].to_numpy(dtype=float))
    if len(v) < 3 or not (v > 0).all() or v[-1] / v[0] <= 10:
        return False
    ratios = v[1:] / v[:-1]
    return bool(np.allclose(ratios, ratios[0], rtol=1e-6))


def plot_sweep(r, outdir, written):
    """Per varied key: each headline metric's paired difference at every
    point (dots, 95% CI) against the key's value, and the marginal mean over
    the other keys (line)."""
    sw = r.summary.get("sweep")
    mg = r.summary.get("sweep_marginal")
    if sw is None or sw.empty or r.sweep_points is None:
        return
    keys = [c for c in r.sweep_points.columns if c != "point"]
    finite = sw[np.isfinite(sw["mean"])]
    present = set(finite.metric.astype(str))      # an all-NaN metric: left out
    metrics = [m for m in ("misattributed_retaliations", "retaliations",
                           "fatalities_total", "spiral", "crisis",
                           "hours_at_or_above_6") if m in present]
    if not metrics:
        return
    arms = list(dict.fromkeys(sw.arm.astype(str)))
    cyc = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for key in keys:
        ncol = min(3, len(metrics))
        nrow = (len(metrics) + ncol - 1) // ncol
        fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.3 * nrow),
                                 squeeze=False)
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        for ax, m in zip(axes.flat, metrics):
            for i, a in enumerate(arms):
                s = sw[(sw.metric.astype(str) == m) & (sw.arm.astype(str) == a)]
                ax.errorbar(s[key], s["mean"], yerr=[s["mean"] - s["lo"], s["hi"] - s["mean"]],
                            fmt="o", ms=3, capsize=2, alpha=0.5, color=cyc[i % len(cyc)],
                            label="%s, each point" % a)
                if mg is not None and len(mg):
                    g = mg[(mg.metric.astype(str) == m) & (mg.arm.astype(str) == a) &
                           (mg.key.astype(str) == key)].sort_values("value")
                    ax.plot(g.value, g["mean"], "-", color=cyc[i % len(cyc)],
                            label="%s, mean over the other keys" % a)
                    band = np.isfinite(g.lo) & np.isfinite(g.hi)
                    if band.any():
                        ax.fill_between(g.value[band], g.lo[band], g.hi[band],
                                        color=cyc[i % len(cyc)], alpha=0.15)
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_title(m, fontsize=9)
            unit = r.sweep_units.get(key, "")
            ax.set_xlabel("%s (%s)" % (key, unit) if unit and unit != "1" else key)
            if sweep_is_log(r, key):
                ax.set_xscale("log")
                # ticks at the design's own values, as numbers, not powers
                ax.set_xticks(np.unique(r.sweep_points[key].to_numpy(dtype=float)))
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "%.3g" % v))
                ax.xaxis.set_minor_locator(NullLocator())
        for row in axes:
            row[0].set_ylabel("difference from %s (95%% CI)"
                              % sw.baseline.astype(str).iloc[0])
        axes.flat[0].legend(fontsize=7)
        fig.tight_layout()
        save(fig, outdir, "sweep_%s" % key.replace(".", "_"), written)


def plot_sensitivity(r, outdir, written):
    """/summary/sensitivity of the headline metrics, the first arm's
    difference from the baseline."""
    t = r.summary.get("sensitivity")
    if t is None or t.empty:
        return
    diff = t[t.baseline.astype(str) != "none"]
    if diff.empty:
        diff = t
    arm = str(diff.arm.iloc[0])
    diff = diff[diff.arm.astype(str) == arm]
    sobol = "ST" in t.columns
    # A metric with no finite index (it never varied) has nothing to draw.
    value = "S1" if sobol else "mu_star"
    present = set(diff[np.isfinite(diff[value].astype(float))].metric.astype(str))
    metrics = [m for m in ("misattributed_retaliations", "retaliations", "fatalities_total",
                           "spiral", "hours_at_or_above_6") if m in present]
    if not metrics:
        return
    ncol = min(3, len(metrics))
    nrow = (len(metrics) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol, 3.4 * nrow), squeeze=False)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    for ax, m in zip(axes.flat, metrics):
        d = diff[diff.metric.astype(str) == m]
        names = list(d.parameter.astype(str))
        if sobol:
            y = np.arange(len(d))
            for off, col, lab in ((-0.18, "S1", "first order S1"), (0.18, "ST", "total ST")):
                v = d[col].to_numpy()
                err = [v - d[col + "_lo"].to_numpy(), d[col + "_hi"].to_numpy() - v]
                ax.barh(y + off, v, height=0.34, xerr=err, capsize=2, label=lab)
            ax.set_yticks(y)
            ax.set_yticklabels(names, fontsize=8)
            ax.invert_yaxis()
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_xlabel("share of the variance (95% bootstrap CI)")
        else:
            ax.errorbar(d.mu_star, d.sigma,
                        xerr=[d.mu_star - d.mu_star_lo, d.mu_star_hi - d.mu_star],
                        fmt="o", ms=4, capsize=2)
            for _, row in d.iterrows():
                ax.annotate(str(row.parameter), (row.mu_star, row.sigma), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
            ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_ylabel("sigma")
            ax.set_xlim(left=0)
            ax.set_ylim(bottom=0)
        ax.set_title("%s: %s" % (m, arm if diff is t else "%s - %s" % (
            arm, d.baseline.astype(str).iloc[0] if len(d) else "")), fontsize=9)
    if sobol:
        axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    save(fig, outdir, "sensitivity", written)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("outdir")
    ap.add_argument("--baseline")
    ap.add_argument("--format", choices=("png", "svg", "both"), default="both",
                    help="png, svg or both (default)")
    ap.add_argument("--quiet", action="store_true", help="no closing line")
    args = ap.parse_args(argv)
    global FORMATS
    FORMATS = ("png", "svg") if args.format == "both" else (args.format,)
    try:
        os.makedirs(args.outdir, exist_ok=True)
        if not os.access(args.outdir, os.W_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as e:
        print("plots.py: cannot write plots to '%s': %s" % (args.outdir, e.strerror or e),
              file=sys.stderr)
        return 1
    r = load(args.file)
    baseline = args.baseline or r.baseline()
    col = colours(r.arms)
    written = []
    steps = [
        ("distributions", lambda: plot_distributions(r, args.outdir, written, col)),
        ("differences", lambda: plot_differences(r, args.outdir, written, baseline, col)),
        ("ladder", lambda: plot_ladder(r, args.outdir, written, col)),
        ("cell_timing", lambda: plot_cell_timing(r, args.outdir, written, col)),
        ("survival", lambda: plot_survival(r, args.outdir, written, col)),
        ("sweep", lambda: plot_sweep(r, args.outdir, written)),
        ("sensitivity", lambda: plot_sensitivity(r, args.outdir, written)),
    ]
    failed = 0
    for name, fn in steps:
        try:
            fn()
        except Exception as e:  # one plot's failure should not lose the others
            failed += 1
            print("plots.py: %s: %s: %s" % (name, type(e).__name__, e), file=sys.stderr)
    r.close()
    if not args.quiet:
        print("plots: %d files in %s" % (len(written), args.outdir), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
