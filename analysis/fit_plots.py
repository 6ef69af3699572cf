#!/usr/bin/python3
"""fit_plots.py: the goodness-of-fit plots of escsim fit, as PNG and SVG.

    MPLBACKEND=Agg /usr/bin/python3 analysis/fit_plots.py DIR

`escsim fit EVENTS.csv --scenario S.lua -o FITTED.lua --plots DIR` writes
the data (fit_residuals.csv, fit_weekly.csv, fit_summary.csv) into DIR, then
runs this, which draws there:

  fit_residuals   Q-Q plot of the time-rescaled gaps between consecutive
                  events of each stream against Exp(1), with the 95%
                  Kolmogorov-Smirnov band and the test's D and p
  fit_weekly      per stream, the export's weekly counts against the mean
                  and 5-95% band of the replications of the fitted scenario

Needs Debian's python3-matplotlib (and numpy, which it brings).
"""

import csv
import math
import os
import sys

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save(fig, outdir, name):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(outdir, "%s.%s" % (name, ext)), dpi=120,
                    bbox_inches="tight")
    plt.close(fig)


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def plot_residuals(outdir, summary):
    rows = read(os.path.join(outdir, "fit_residuals.csv"))
    gap = np.array([float(r["gap"]) for r in rows])
    expected = np.array([float(r["expected"]) for r in rows])
    n = len(gap)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    if n:
        # A KS band on the uniform scale, mapped back to Exp(1) quantiles.
        p = (np.arange(n) + 0.5) / n
        d95 = 1.358 / (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n))
        lo = -np.log1p(-np.clip(p - d95, 0, 1 - 1e-12))
        hi = -np.log1p(-np.clip(p + d95, 0, 1 - 1e-12))
        ax.fill_between(expected, lo, hi, color="0.85", label="95% Kolmogorov-Smirnov band")
        ax.plot(expected, gap, ".", ms=3, label="time-rescaled gaps")
        top = max(expected.max(), gap.max())
        ax.plot([0, top], [0, top], color="k", lw=0.8, label="Exp(1)")
        ax.set_xlim(0, expected.max() * 1.02)
        ax.set_ylim(0, top * 1.02)
        ax.legend(fontsize=8, loc="upper left")
    ax.set_xlabel("Exp(1) quantile")
    ax.set_ylabel("time-rescaled gap (compensator units)")
    ax.set_title("Time rescaling: KS D = %.4f, p = %.3g over %d gaps"
                 % (summary["ks_d"], summary["ks_p"], n), fontsize=10)
    fig.tight_layout()
    save(fig, outdir, "fit_residuals")


def plot_weekly(outdir, summary):
    rows = read(os.path.join(outdir, "fit_weekly.csv"))
    streams = list(dict.fromkeys(r["stream"] for r in rows))
    n = max(1, len(streams))
    fig, axes = plt.subplots(n, 1, figsize=(9, 2.3 * n), squeeze=False, sharex=True)
    reps = int(summary["reps"])
    for ax, s in zip(axes[:, 0], streams):
        sr = [r for r in rows if r["stream"] == s]
        week = np.array([int(r["week"]) for r in sr])
        obs = np.array([float(r["observed"]) for r in sr])
        ax.step(week, obs, where="mid", color="k", lw=1, label="export")
        if reps > 0:
            mean = np.array([float(r["sim_mean"]) for r in sr])
            lo = np.array([float(r["sim_p05"]) for r in sr])
            hi = np.array([float(r["sim_p95"]) for r in sr])
            ax.fill_between(week, lo, hi, step="mid", color="C0", alpha=0.3,
                            label="fitted scenario, 5-95%")
            ax.step(week, mean, where="mid", color="C0", lw=1, label="fitted scenario, mean")
        ax.set_ylabel("events / week")
        ax.set_title(s, fontsize=9, loc="left")
    axes[0, 0].legend(fontsize=8, loc="upper right")
    axes[-1, 0].set_xlabel("week of the period (from its first day)")
    if reps > 0:
        title = ("Weekly counts: %d of %d stream-weeks inside the 5-95%% band of %d replications"
                 % (int(summary["weeks_inside"]), int(summary["weeks"]), reps))
    else:
        title = "Weekly counts of the export (no replications: -n 0)"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save(fig, outdir, "fit_weekly")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fit_plots.py DIR (written by escsim fit --plots DIR)")
    outdir = sys.argv[1]
    summary = {r["key"]: float(r["value"]) for r in read(os.path.join(outdir, "fit_summary.csv"))}
    plot_residuals(outdir, summary)
    plot_weekly(outdir, summary)


if __name__ == "__main__":
    main()
