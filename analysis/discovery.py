"""discovery: scenario discovery on escsim results with PRIM.

Which region of the parameter space produces the outcome you worry about?
PRIM (Friedman and Fisher 1999, the Patient Rule Induction Method, as the
EMA Workbench uses it for scenario discovery) finds boxes, a range for a
few parameters each, that hold many of the cases of interest (coverage)
and few others (density).

    /usr/bin/python3 analysis/discovery.py RESULTS.h5 --outcome spiral --above 0.4
    /usr/bin/python3 analysis/discovery.py RESULTS.h5 \\
        --outcome misattributed_retaliations --difference --above -0.1

The outcome is, by default, its mean over the replications at each design
point of one arm (the first arm other than the baseline); --difference
takes the mean paired difference from the baseline arm instead (where the
cell's benefit is small), --per-replication one row per replication.  The
command prints each box with its coverage, density, mass and the restricted
parameters with their limits and quasi-p-values, the peeling trajectory,
and draws the trajectory (coverage against density, one point per peeling
step, coloured by the number of restricted parameters) to a PNG.

As a module (numpy and pandas only; matplotlib only to draw):

    import sys; sys.path.insert(0, "analysis")
    from escsim_results import load
    import discovery
    x, y = load("sweep.h5").experiments()          # or any DataFrame and array
    p = discovery.Prim(x[["cell.accuracy", "cell.latency"]], y["spiral"] > 0,
                       threshold=0.8)
    box = p.find_box()
    print(box.inspect())                  # coverage, density, mass, limits, qp
    box.trajectory                        # DataFrame: one row per peeling step
    box.select(5)                         # another box on the trajectory
    box.plot_trajectory("prim.png")

The algorithm.  Peeling: starting from the box that holds every row, each
step removes the slice that improves the box most, among the peel_alpha
(5 %) of the box's rows with the lowest or the highest values of one
numeric parameter, or the rows of one category of a categorical one; the
improvement is the gain in density per unit of mass removed (EMA's
"lenient1"; objective="original": the gain in density), and peeling stops
when no slice improves the density or the box would hold less than
mass_min of the rows.  The box chosen on the trajectory is the one with the
largest coverage among those whose density reaches `threshold` (or, when
none does, the densest).  Pasting then widens the chosen box, one limit at
a time, by paste_alpha of its rows, while that does not lower the density
(so a limit that peeling drew but that excludes nothing of interest is
pasted away), and a limit that then excludes no row the box's other
limits admit is dropped.
Covering: the rows of a box found are left out of the search for the next.
Coverage and mass are shares of all the rows and cases given.  The
quasi-p-value of a restricted parameter is the binomial probability of the
box holding at least its number of cases if that parameter were not
restricted (the density of the box without that limit), one-sided, as in
the EMA Workbench.
"""

import argparse
import math
import os
import sys

import numpy as np
import pandas as pd

__all__ = ["Prim", "PrimBox", "outcome_frame", "binom_sf"]


def binom_sf(k, n, p):
    """P(X >= k) for X ~ Binomial(n, p), summed in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    base = math.lgamma(n + 1)
    terms = [base - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
             for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _slice_limits(v, alpha):
    """The new lower and upper limits that peel ALPHA of the values V off
    either end (None: nothing to peel there).  Where ties at the end hold
    more than ALPHA, the whole end value goes."""
    vmin, vmax = v.min(), v.max()
    lo, hi = float(np.quantile(v, alpha)), float(np.quantile(v, 1 - alpha))
    if lo <= vmin:
        up = v[v > vmin]
        lo = float(up.min()) if len(up) else None
    if hi >= vmax:
        down = v[v < vmax]
        hi = float(down.max()) if len(down) else None
    return lo, hi


class _Limits:
    """A box: [lo, hi] per numeric column, the allowed set per categorical
    one."""

    def __init__(self, lo, hi, cats):
        self.lo, self.hi, self.cats = dict(lo), dict(hi), {k: frozenset(v) for k, v in cats.items()}

    def copy(self):
        return _Limits(self.lo, self.hi, self.cats)

    def inside(self, x):
        m = np.ones(len(x), dtype=bool)
        for c in self.lo:
            v = x[c].to_numpy()
            m &= (v >= self.lo[c]) & (v <= self.hi[c])
        for c, allowed in self.cats.items():
            m &= x[c].isin(allowed).to_numpy()
        return m


class PrimBox:
    """A box found by Prim.find_box: its peeling trajectory and the box
    chosen on it (then pasted).  Attributes: coverage, density, mass,
    res_dim, limits (DataFrame: min, max or the allowed categories, qp, for
    the restricted parameters), trajectory (DataFrame: coverage, density,
    mass, res_dim, one row per peeling step), selected (its step),
    meets_threshold."""

    def __init__(self, prim, steps, chosen, rem, index):
        self._prim = prim
        self._steps = steps             # [(limits, mask)] of the peeling
        self._rem = rem                 # the rows searched (not in earlier boxes)
        self.index = index
        self.trajectory = pd.DataFrame(
            [prim._stats(lim, m) for lim, m in steps],
            columns=["coverage", "density", "mass", "res_dim"])
        self.trajectory.index.name = "step"
        self._set(chosen)

    def _set(self, step):
        lim, mask = self._prim._paste(*self._steps[step], self._rem)
        self.selected = step
        self.box_limits = lim
        self.mask = mask
        self.coverage, self.density, self.mass, self.res_dim = self._prim._stats(lim, mask)
        self.meets_threshold = self.density >= self._prim.threshold
        self.limits = self._prim._limits_frame(lim, mask, self._rem)

    def select(self, step):
        """Make the box of peeling step STEP (pasted) the chosen one."""
        if not 0 <= step < len(self._steps):
            raise IndexError("step %d: the trajectory has steps 0..%d" %
                             (step, len(self._steps) - 1))
        self._set(step)
        return self

    def inspect(self):
        """The box as text: its statistics and limits."""
        p = self._prim
        lines = ["box %d: coverage %.3f, density %.3f, mass %.3f (%d rows, %d cases "
                 "of interest), %d restricted parameter%s; peeling step %d of %d%s" %
                 (self.index, self.coverage, self.density, self.mass, int(self.mask.sum()),
                  int(p.y[self.mask].sum()), self.res_dim, "" if self.res_dim == 1 else "s",
                  self.selected, len(self._steps) - 1,
                  "" if self.meets_threshold else
                  " (density below the threshold %.2f)" % p.threshold)]
        if len(self.limits):
            w = max(12, max(len(str(c)) for c in self.limits.index))
            lines.append("  %-*s %12s %12s %10s   %s" % (w, "parameter", "min", "max", "qp",
                                                       "range in the data"))
            for c, r in self.limits.iterrows():
                if c in p._cats:
                    lines.append("  %-*s %25s %10.3g   %s" % (
                        w, c, "{%s}" % ", ".join(map(str, sorted(r["allowed"]))), r["qp"],
                        "{%s}" % ", ".join(map(str, p._levels[c]))))
                else:
                    lines.append("  %-*s %12.5g %12.5g %10.3g   %.5g .. %.5g" % (
                        w, c, r["min"], r["max"], r["qp"], p._range[c][0], p._range[c][1]))
        return "\n".join(lines)

    def __repr__(self):
        return self.inspect()

    def plot_trajectory(self, path=None, ax=None):
        """Coverage against density along the peeling, coloured by the
        number of restricted parameters, the chosen box circled; to PATH
        (PNG, SVG, ...) or onto AX."""
        import matplotlib
        if ax is None:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        own = ax is None
        if own:
            fig, ax = plt.subplots(figsize=(6, 4.5))
        t = self.trajectory
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22,
                        zorder=2)
        ax.plot(t["coverage"], t["density"], color="0.7", lw=0.8, zorder=1)
        ax.scatter([self.coverage], [self.density], s=120, facecolors="none",
                   edgecolors="crimson", lw=1.5, zorder=3,
                   label="chosen (step %d, pasted)" % self.selected)
        ax.axhline(self._prim.threshold, color="crimson", lw=0.6, ls=":")
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_title("PRIM peeling trajectory, box %d" % self.index)
        ax.legend(loc="lower left", fontsize=8)
        if own:
            from matplotlib.ticker import MaxNLocator
            fig.colorbar(sc, ax=ax, label="restricted parameters",
                         ticks=MaxNLocator(integer=True))
            fig.tight_layout()
            if path:
                fig.savefig(path, dpi=120)
            plt.close(fig)


class Prim:
    """PRIM over the rows of X (a DataFrame: numeric columns, and
    categorical, object or bool columns as categories) with Y the cases of
    interest (booleans, or numbers in [0, 1] whose mean is the density).
    Columns that do not vary are left out."""

    def __init__(self, x, y, threshold=0.8, peel_alpha=0.05, paste_alpha=0.05,
                 mass_min=0.05, objective="lenient1"):
        x = pd.DataFrame(x).reset_index(drop=True)
        y = np.asarray(y, dtype=float)
        if len(x) != len(y) or len(x) == 0:
            raise ValueError("x and y need the same number of rows (at least one): %d, %d"
                             % (len(x), len(y)))
        if np.isnan(y).any():
            raise ValueError("y has NaN values")
        if objective not in ("lenient1", "original"):
            raise ValueError("objective: lenient1 or original, not %r" % (objective,))
        if not (0 < peel_alpha < 1 and 0 < paste_alpha < 1 and 0 <= mass_min < 1):
            raise ValueError("peel_alpha and paste_alpha in (0, 1), mass_min in [0, 1)")
        self.threshold, self.peel_alpha, self.paste_alpha = threshold, peel_alpha, paste_alpha
        self.mass_min, self.objective = mass_min, objective
        self._cats, self._levels, self._range = [], {}, {}
        cols = []
        for c in x.columns:
            s = x[c]
            if s.nunique(dropna=False) < 2:
                continue
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                x[c] = s.astype(float)
                self._range[c] = (float(s.min()), float(s.max()))
            else:
                self._cats.append(c)
                self._levels[c] = sorted(s.unique(), key=str)
            cols.append(c)
        self.x, self.y = x[cols], y
        self.n, self.cases = len(y), float(y.sum())
        self.remaining = np.ones(self.n, dtype=bool)
        self.boxes = []

    # -- statistics --------------------------------------------------------
    def _full(self):
        return _Limits({c: r[0] for c, r in self._range.items()},
                       {c: r[1] for c, r in self._range.items()},
                       {c: self._levels[c] for c in self._cats})

    def _restricted(self, lim):
        out = [c for c in self._range if lim.lo[c] > self._range[c][0] or
               lim.hi[c] < self._range[c][1]]
        out += [c for c in self._cats if len(lim.cats[c]) < len(self._levels[c])]
        return out

    def _stats(self, lim, mask):
        n = int(mask.sum())
        k = float(self.y[mask].sum())
        return (k / self.cases if self.cases else float("nan"),
                k / n if n else float("nan"), n / self.n, len(self._restricted(lim)))

    def _without(self, lim, c):
        """LIM with parameter C unrestricted."""
        wider = lim.copy()
        if c in self._cats:
            wider.cats[c] = frozenset(self._levels[c])
        else:
            wider.lo[c], wider.hi[c] = self._range[c]
        return wider

    def _limits_frame(self, lim, mask, rem):
        rows = []
        k, n = int(round(self.y[mask].sum())), int(mask.sum())
        for c in self._restricted(lim):
            m = self._without(lim, c).inside(self.x) & rem
            p0 = self.y[m].mean() if m.any() else float("nan")
            qp = binom_sf(k, n, p0) if n and not math.isnan(p0) else float("nan")
            if c in self._cats:
                rows.append((c, float("nan"), float("nan"), sorted(lim.cats[c], key=str), qp))
            else:
                rows.append((c, lim.lo[c], lim.hi[c], None, qp))
        return pd.DataFrame(rows, columns=["parameter", "min", "max", "allowed", "qp"]
                            ).set_index("parameter")

    def _score(self, mean_old, mass_old, mask_new):
        n = int(mask_new.sum())
        if n == 0:
            return None
        mean_new = self.y[mask_new].mean()
        mass_new = n / self.n
        gain = mean_new - mean_old
        if self.objective == "lenient1":
            gain = gain / (mass_old - mass_new) if mass_old > mass_new else gain * np.inf
        return gain, mass_new

    # -- peeling -----------------------------------------------------------
    def _peels(self, lim, mask):
        """Every candidate: (limits, mask) of the box less one slice."""
        x = self.x
        for c in self._range:
            col = x[c].to_numpy()
            v = col[mask]
            lo_q, hi_q = _slice_limits(v, self.peel_alpha)
            if lo_q is not None:
                new = lim.copy()
                new.lo[c] = lo_q
                yield new, mask & (col >= lo_q)
            if hi_q is not None:
                new = lim.copy()
                new.hi[c] = hi_q
                yield new, mask & (col <= hi_q)
        for c in self._cats:
            if len(lim.cats[c]) < 2:
                continue
            for level in lim.cats[c]:
                new = lim.copy()
                new.cats[c] = lim.cats[c] - {level}
                yield new, mask & x[c].isin(new.cats[c]).to_numpy()

    def _peel(self, lim, mask):
        steps = [(lim, mask)]
        while True:
            mean_old, mass_old = self.y[mask].mean(), mask.sum() / self.n
            best = None
            for new, m in self._peels(lim, mask):
                s = self._score(mean_old, mass_old, m)
                if s is None or s[1] >= mass_old or s[1] < self.mass_min:
                    continue
                if best is None or s > best[0]:
                    best = (s, new, m)
            if best is None or not best[0][0] > 0:
                return steps
            lim, mask = best[1], best[2]
            steps.append((lim, mask))

    # -- pasting -----------------------------------------------------------
    def _pastes(self, lim, mask, rem):
        x, n_box = self.x, max(1, int(round(self.paste_alpha * mask.sum())))
        for c in self._restricted(lim):
            if c in self._cats:
                for level in set(self._levels[c]) - lim.cats[c]:
                    new = lim.copy()
                    new.cats[c] = lim.cats[c] | {level}
                    yield new, new.inside(x) & rem
                continue
            near = self._without(lim, c).inside(x) & rem & ~mask
            col = x[c].to_numpy()
            below = np.sort(col[near & (col < lim.lo[c])])
            above = np.sort(col[near & (col > lim.hi[c])])
            if len(below):
                new = lim.copy()
                new.lo[c] = float(below[-min(n_box, len(below))])
                yield new, new.inside(x) & rem
            if len(above):
                new = lim.copy()
                new.hi[c] = float(above[min(n_box, len(above)) - 1])
                yield new, new.inside(x) & rem

    def _paste(self, lim, mask, rem):
        while True:
            mean_old = self.y[mask].mean()
            best = None
            for new, m in self._pastes(lim, mask, rem):
                mean_new = self.y[m].mean()
                if mean_new >= mean_old and m.sum() > mask.sum() and \
                        (best is None or (mean_new, m.sum()) > best[0]):
                    best = ((mean_new, m.sum()), new, m)
            if best is None:
                return self._unbind(lim, mask, rem), mask
            lim, mask = best[1], best[2]

    def _unbind(self, lim, mask, rem):
        """LIM without the limits that exclude no row the others admit
        (peeling can draw a limit through empty space)."""
        for c in self._restricted(lim):
            wider = self._without(lim, c)
            if ((wider.inside(self.x) & rem) == mask).all():
                lim = wider
        return lim

    # -- covering ------------------------------------------------------------
    def find_box(self):
        """The next box, from the rows no earlier box holds; None when
        those rows hold no case of interest."""
        if not self.y[self.remaining].any():
            return None
        rem = self.remaining.copy()
        steps = self._peel(self._full(), rem.copy())
        stats = [self._stats(lim, m) for lim, m in steps]
        good = [i for i, s in enumerate(stats) if s[1] >= self.threshold]
        if good:
            chosen = max(good, key=lambda i: (stats[i][0], stats[i][1]))
        else:
            chosen = max(range(len(stats)), key=lambda i: (stats[i][1], stats[i][0]))
        box = PrimBox(self, steps, chosen, rem, len(self.boxes) + 1)
        self.boxes.append(box)
        self.remaining &= ~box.mask
        return box


# -- escsim result files ------------------------------------------------------

def outcome_frame(results, outcome, arm=None, difference=False, baseline=None,
                  per_replication=False):
    """(x, values, description) from an escsim result: the varied keys at
    each design point (or replication), and OUTCOME's mean there for ARM,
    or with DIFFERENCE its mean paired difference from BASELINE."""
    exp, out = results.experiments()
    if outcome not in out.columns:
        raise KeyError("no outcome %r: the outcomes are %s" % (outcome, ", ".join(out.columns)))
    arms = list(exp["arm"].cat.categories)
    base = baseline or ("no_cell" if "no_cell" in arms else arms[0])
    if base not in arms:
        raise KeyError("no arm %r: the arms are %s" % (base, ", ".join(arms)))
    if arm is None:
        others = [a for a in arms if a != base]
        arm = others[0] if others else arms[0]
    if arm not in arms:
        raise KeyError("no arm %r: the arms are %s" % (arm, ", ".join(arms)))
    keys = [c for c in exp.columns if c not in ("point", "arm", "rep")]
    if not keys:
        raise ValueError("%s is not a sweep: no varied parameters" % results.path)
    df = pd.concat([exp, out[[outcome]]], axis=1)
    mine = df[df["arm"] == arm].set_index(["point", "rep"])
    v = mine[outcome]
    what = "%s of arm %s" % (outcome, arm)
    if difference:
        if arm == base:
            raise ValueError("--difference: arm %s is the baseline itself" % arm)
        other = df[df["arm"] == base].set_index(["point", "rep"])[outcome]
        v = (v - other).dropna()
        what = "%s, %s - %s (paired by replication)" % (outcome, arm, base)
    v = v.dropna()
    xs = mine.loc[v.index, keys]
    if per_replication:
        return xs.reset_index(drop=True), v.to_numpy(), what + ", one row per replication"
    g = v.groupby(level="point")
    xp = xs.groupby(level="point").first()
    return xp, g.mean().loc[xp.index].to_numpy(), "mean %s over %d replications per point" % (
        what, int(g.size().max()))


def _main(argv):
    ap = argparse.ArgumentParser(
        prog="discovery.py",
        description="Scenario discovery with PRIM on an escsim sweep: the boxes of "
        "parameter values where an outcome is above (or below) a threshold.")
    ap.add_argument("results", help="a result file of escsim sweep")
    ap.add_argument("--outcome", required=True, help="a runs metric, fatalities_total or crisis")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--above", type=float, help="cases of interest: outcome > VALUE")
    g.add_argument("--below", type=float, help="cases of interest: outcome < VALUE")
    ap.add_argument("--arm", help="the arm (default: the first that is not the baseline)")
    ap.add_argument("--difference", action="store_true",
                    help="the outcome's paired difference from the baseline arm")
    ap.add_argument("--baseline", help="the baseline arm (default no_cell, else the first)")
    ap.add_argument("--per-replication", action="store_true",
                    help="one row per replication instead of the mean per point")
    ap.add_argument("--threshold", type=float, default=0.8,
                    help="the density a box must reach (default 0.8)")
    ap.add_argument("--peel-alpha", type=float, default=0.05)
    ap.add_argument("--paste-alpha", type=float, default=0.05)
    ap.add_argument("--mass-min", type=float, default=0.05)
    ap.add_argument("--objective", choices=("lenient1", "original"), default="lenient1")
    ap.add_argument("--boxes", type=int, default=3, help="at most this many boxes (default 3)")
    ap.add_argument("--plot", help="the trajectory plot of the first box (default "
                    "RESULTS-prim-OUTCOME.png in the working folder)")
    ap.add_argument("--no-plot", action="store_true")
    a = ap.parse_args(argv[1:])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from escsim_results import load
    try:
        r = load(a.results)
    except (OSError, ValueError) as e:
        print("discovery: %s" % e, file=sys.stderr)
        return 2
    with r:
        try:
            x, v, what = outcome_frame(r, a.outcome, a.arm, a.difference, a.baseline,
                                       a.per_replication)
            y = v > a.above if a.above is not None else v < a.below
            p = Prim(x, y, threshold=a.threshold, peel_alpha=a.peel_alpha,
                     paste_alpha=a.paste_alpha, mass_min=a.mass_min, objective=a.objective)
        except (KeyError, ValueError) as e:
            print("discovery: %s" % (e.args[0] if e.args else e), file=sys.stderr)
            return 2
    cond = "> %g" % a.above if a.above is not None else "< %g" % a.below
    print("PRIM on %s: %s" % (a.results, what))
    print("cases of interest: %s %s: %d of %d rows (%.1f%%); threshold density %.2f, "
          "peel %.2f, paste %.2f, mass at least %.2f, objective %s" % (
              a.outcome, cond, int(y.sum()), len(y), 100.0 * y.mean(), a.threshold,
              a.peel_alpha, a.paste_alpha, a.mass_min, a.objective))
    first = None
    for _ in range(a.boxes):
        box = p.find_box()
        if box is None:
            break
        first = first or box
        print()
        print(box.inspect())
        if not box.meets_threshold:
            break
    if first is None:
        print("\nno case of interest: no box")
        return 0
    print("\npeeling trajectory of box 1 (the chosen step marked *):")
    print("%5s %9s %8s %6s %8s" % ("step", "coverage", "density", "mass", "res_dim"))
    for i, t in first.trajectory.iterrows():
        print("%5d %9.3f %8.3f %6.3f %8d%s" % (i, t["coverage"], t["density"], t["mass"],
                                               t["res_dim"], " *" if i == first.selected else ""))
    if not a.no_plot:
        path = a.plot or "%s-prim-%s.png" % (
            os.path.splitext(os.path.basename(a.results))[0], a.outcome)
        first.plot_trajectory(path)
        print("\ntrajectory plot: %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
