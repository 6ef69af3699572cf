"""escsim_results: an escsim result file as pandas DataFrames, in one line.

    from escsim_results import load
    r = load("golan_2026-compare.h5")
    r.runs["cell"]                 # one DataFrame per arm (also .daily, .events, .messages)
    r.frame("runs")                # every arm in one DataFrame, with an `arm` column
    r.provenance["seed"]           # root attributes: seed, reps, complete, command_line, ...
    r.paired("spiral")             # per replication: each arm minus the baseline arm

Coded columns (parties, zones, incident types, regime states, channels,
event cause and kind, message kind and outcome) come back as pandas
Categoricals named by the labels stored in the file, with `-1 = none` among
the categories; pass `decode=False` for the integer codes.  0/1 flags
labelled no/yes (`spiral`) stay 0/1 numbers, so their mean is a share.
Units are in `r.units[table][column]`, the arms' resolved parameters in
`r.params[arm]` (a dict), and the report's tables, once `escsim report` or
`escsim compare` has written them, in `r.summary["metrics"]` and so on.

Tables are read when first used, so `load` is cheap even for a file with
millions of event rows.  Use Debian's /usr/bin/python3 (python3-h5py,
python3-pandas).  Run this file to print what a result file holds:
`/usr/bin/python3 analysis/escsim_results.py out.h5`.
"""

import json
import sys
from collections.abc import Mapping

import h5py
import numpy as np
import pandas as pd

__all__ = ["load", "Results", "decode_labels"]

TABLES = ("runs", "daily", "events", "messages")


def _text(v):
    """An attribute value as a plain Python value (bytes decoded)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _labels_of(ds):
    """{column: {code: name}} from a table's `labels` attribute."""
    raw = ds.attrs.get("labels")
    if raw is None:
        return {}
    return {col: {int(k): v for k, v in codes.items()}
            for col, codes in json.loads(_text(raw)).items()}


def decode_labels(df, labels):
    """Replace coded columns of DF by Categoricals named by LABELS
    ({column: {code: name}}); categories keep the code order, so sorting
    follows the codes.  Returns DF (changed in place)."""
    for col, codes in labels.items():
        if col not in df.columns or codes == {0: "no", 1: "yes"}:
            continue   # 0/1 flags stay numbers, so that .mean() is a share
        order = sorted(codes)
        names = [codes[c] for c in order]
        values = df[col].to_numpy()
        # Codes absent from the labels become NaN rather than a wrong name.
        pos = np.searchsorted(order, values)
        pos = np.clip(pos, 0, len(order) - 1)
        known = np.asarray(order)[pos] == values
        df[col] = pd.Categorical.from_codes(np.where(known, pos, -1), names)
    return df


class _Tables(Mapping):
    """arm -> DataFrame for one table name, read on first use."""

    def __init__(self, results, table):
        self._r = results
        self._table = table
        self._cache = {}

    def _path(self, arm):
        return "/arms/%s/%s" % (arm, self._table)

    def __getitem__(self, arm):
        if arm not in self._cache:
            if arm not in self._r.arms or self._path(arm) not in self._r._h5:
                raise KeyError(arm)
            self._cache[arm] = self._r._read(self._path(arm))
        return self._cache[arm]

    def __iter__(self):
        return (a for a in self._r.arms if self._path(a) in self._r._h5)

    def __len__(self):
        return sum(1 for _ in self)

    def __repr__(self):
        return "<%s tables of arms %s>" % (self._table, list(self))


class Results:
    """An open result file.  Attributes: path, provenance (dict), complete
    (bool), arms (list), overrides and params (per arm), runs, daily, events,
    messages (arm -> DataFrame), units and labels (table -> column -> ...),
    summary (name -> DataFrame), sweep_points (DataFrame or None), and the
    varied keys' sweep_units and sweep_docs (key -> text)."""

    def __init__(self, path, decode=True):
        self.path = path
        self.decode = decode
        self._h5 = h5py.File(path, "r")
        h = self._h5
        if "schema_version" not in h.attrs or "arms" not in h:
            h.close()
            raise ValueError("%s is not an escsim result file (no "
                             "schema_version attribute or /arms group)" % path)
        self.provenance = {k: _text(v) for k, v in h.attrs.items()}
        self.complete = bool(self.provenance.get("complete", 0))
        self.arms = sorted(h["arms"])
        self.overrides = {a: _text(h["arms"][a].attrs.get("overrides", ""))
                          for a in self.arms}
        self.params = {a: json.loads(_text(h["arms"][a].attrs["resolved_json"]))
                       for a in self.arms
                       if "resolved_json" in h["arms"][a].attrs}
        self.runs = _Tables(self, "runs")
        self.daily = _Tables(self, "daily")
        self.events = _Tables(self, "events")
        self.messages = _Tables(self, "messages")
        self.units, self.labels = {}, {}
        for t in TABLES:
            for a in self.arms:
                p = "/arms/%s/%s" % (a, t)
                if p in h:
                    self.units[t] = json.loads(_text(h[p].attrs.get("units", "{}")))
                    self.labels[t] = _labels_of(h[p])
                    break
        self.summary = {}
        if "summary" in h:
            for name in h["summary"]:
                if isinstance(h["summary"][name], h5py.Dataset):
                    self.summary[name] = self._read("/summary/" + name)
        self.sweep_points = self._read("/sweep/points") if "sweep/points" in h else None
        # Each varied key's units and description ("... (--vary KEY=log:...)").
        self.sweep_units, self.sweep_docs = {}, {}
        if self.sweep_points is not None:
            ds = h["/sweep/points"]
            self.sweep_units = json.loads(_text(ds.attrs.get("units", "{}")))
            for i in range(len(ds.dtype.names)):
                name = _text(ds.attrs.get("FIELD_%d_NAME" % i, ""))
                if name:
                    self.sweep_docs[name] = _text(ds.attrs.get("FIELD_%d_DESCRIPTION" % i, ""))

    # -- reading ---------------------------------------------------------
    def _read(self, path):
        ds = self._h5[path]
        df = pd.DataFrame(ds[()])
        for col in df.columns:
            if df[col].dtype.kind == "S":
                df[col] = df[col].str.decode("utf-8")
        if self.decode:
            decode_labels(df, _labels_of(ds))
        return df

    def frame(self, table, arms=None):
        """Every arm's TABLE in one DataFrame, with a Categorical `arm`
        column first (arms in file order)."""
        src = getattr(self, table)
        arms = [a for a in (arms or self.arms) if a in src]
        parts = [src[a].assign(arm=a) for a in arms]
        if not parts:
            return pd.DataFrame()
        df = pd.concat(parts, ignore_index=True)
        df["arm"] = pd.Categorical(df["arm"], categories=arms)
        return df[["arm"] + [c for c in df.columns if c != "arm"]]

    def baseline(self):
        """The arm the report compares against: no_cell if present, else the
        first."""
        return "no_cell" if "no_cell" in self.arms else self.arms[0]

    def paired(self, metric, baseline=None):
        """Per replication present in every arm: each arm's METRIC (a runs
        column, or "crisis" = a first crisis happened, or "fatalities_total")
        minus the baseline arm's.  Columns are the other arms."""
        base = baseline or self.baseline()

        def col(a):
            r = self.runs[a].set_index("rep")
            if metric == "crisis":
                v = r["first_crisis_h"].notna().astype(float)
            elif metric == "fatalities_total":
                v = (r["fatalities_mil"] + r["fatalities_civ"]).astype(float)
            else:
                v = r[metric].astype(float)
            return v

        wide = pd.DataFrame({a: col(a) for a in self.arms}).dropna(how="any")
        return wide.drop(columns=[base]).sub(wide[base], axis=0)

    def close(self):
        self._h5.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<escsim results %s: arms %s, %s>" % (
            self.path, self.arms, "complete" if self.complete else "INCOMPLETE")


def load(path, decode=True):
    """Open an escsim result file; tables are read on first use."""
    return Results(path, decode=decode)


def _main(argv):
    if len(argv) != 2:
        print("usage: escsim_results.py RESULTS.h5", file=sys.stderr)
        return 2
    try:
        r = load(argv[1])
    except (OSError, ValueError) as e:
        print("escsim_results: %s" % e, file=sys.stderr)
        return 2
    with r:
        print(r)
        for k in ("scenario_name", "seed", "reps", "created", "command_line"):
            print("  %-14s %s" % (k, r.provenance.get(k)))
        for t in TABLES:
            sizes = {a: len(r._h5["/arms/%s/%s" % (a, t)]) for a in r.arms
                     if "/arms/%s/%s" % (a, t) in r._h5}
            if sizes:
                print("  %-14s %s" % (t, ", ".join("%s %d rows" % kv for kv in sizes.items())))
        if r.summary:
            print("  %-14s %s" % ("summary", ", ".join(sorted(r.summary))))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
