#!/usr/bin/python3
"""trace_plot.py: one replication of an escsim result file as a timeline.

    MPLBACKEND=Agg /usr/bin/python3 analysis/trace_plot.py RESULTS.h5 OUT.png \\
        --arm cell --rep 3 [--root ID]

`escsim trace RESULTS.h5 --rep K --plot OUT.png` runs this.  Needs the
events table (a file written with --events); messages are drawn when there.

Top panel: the ladder, each act's rung (dots) and the day's highest level
of any pair (step, the daily table's max_level: the model lifts, holds and
decays levels, so it can stand above the acts' rungs).
Bottom panel: one lane per party.  Each act is a marker in its actor's lane
with a line to its target's lane: triangles for background incidents,
circles for triggered ones, squares for a policy's decision (a
retaliation), crosses for protests; red when the target blames the wrong
party.  Each message is a dashed line from the sender's lane when sent to
the receiver's lane when answered (green in time, orange late) or at its
deadline (grey: refused, unavailable or pending).  Time in days.
"""

import argparse
import os
import sys

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from escsim_results import load  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("out")
    ap.add_argument("--arm", required=True)
    ap.add_argument("--rep", type=int, required=True)
    ap.add_argument("--root", type=int, default=-1)
    a = ap.parse_args(argv)
    r = load(a.file)
    ev = r.events[a.arm]
    ev = ev[ev.rep == a.rep]
    msgs = r.messages[a.arm] if a.arm in r.messages else None
    if a.root >= 0:
        ev = ev[ev.root_id == a.root]
    if msgs is not None:
        msgs = msgs[msgs.rep == a.rep]
        if a.root >= 0:
            msgs = msgs[msgs.event_id.isin(ev.id)]
    parties = [p for p in ev.actor.cat.categories if p != "none"]
    lane = {p: i for i, p in enumerate(parties)}
    fig, (top, ax) = plt.subplots(2, 1, figsize=(12, 2 + 0.8 * len(parties) + 2),
                                  sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    t = ev.t_h.to_numpy() / 24
    lev = ev.level.to_numpy(dtype=float)
    top.plot(t, lev, ".", color="grey", ms=3, label="rung of each act")
    daily = r.daily[a.arm] if a.arm in r.daily else None
    if daily is not None and len(daily):
        d = daily[daily.rep == a.rep].sort_values("day")
        top.step(d.day.to_numpy(), d.max_level.to_numpy(dtype=float), where="post",
                 color="black", lw=1.2, label="highest level that day")
    elif len(t):
        top.step(t, np.maximum.accumulate(lev), where="post", color="black",
                 lw=1.2, label="highest rung so far")
    top.set_ylabel("ladder level")
    top.set_ylim(-0.3, 7.5)
    top.legend(fontsize=8, loc="lower right")
    top.set_title("Replication %d of arm %s%s (%d events, %d messages)"
                  % (a.rep, a.arm, " : cluster of #%d" % a.root if a.root >= 0 else "",
                     len(ev), 0 if msgs is None else len(msgs)), fontsize=10)

    wrong = (ev.perceived_perpetrator.astype(str) != ev.true_perpetrator.astype(str)) & \
        (ev.kind.astype(str) == "incident")
    marker = {"background": "^", "triggered": "o", "policy": "s"}
    for i, row in enumerate(ev.itertuples(index=False)):
        y0 = lane.get(str(row.actor))
        y1 = lane.get(str(row.target))
        if y0 is None:
            continue
        protest = str(row.kind) == "protest"
        c = "red" if wrong.iloc[i] else ("tab:purple" if protest else "tab:blue")
        if y1 is not None:
            ax.plot([t[i], t[i]], [y0, y1], color=c, lw=0.6, alpha=0.5)
        ax.plot(t[i], y0, "x" if protest else marker.get(str(row.cause), "o"),
                color=c, ms=5)
    if msgs is not None and len(msgs):
        for row in msgs.itertuples(index=False):
            y0, y1 = lane.get(str(row.sender)), lane.get(str(row.receiver))
            if y0 is None or y1 is None:
                continue
            end = row.t_answer_h if np.isfinite(row.t_answer_h) else row.deadline_h
            if not np.isfinite(end):
                end = row.t_submit_h
            oc = str(row.outcome)
            c = {"answered": "tab:green", "late": "tab:orange"}.get(oc, "grey")
            ax.plot([row.t_submit_h / 24, end / 24], [y0 + 0.12, y1 - 0.12], "--",
                    color=c, lw=0.8, alpha=0.7)
    ax.set_yticks(range(len(parties)))
    ax.set_yticklabels(parties)
    ax.set_ylim(-0.6, len(parties) - 0.4)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("party (lane)")
    ax.grid(axis="y", lw=0.3)
    handles = [
        Line2D([], [], marker="^", ls="", color="tab:blue", label="background incident"),
        Line2D([], [], marker="o", ls="", color="tab:blue", label="triggered"),
        Line2D([], [], marker="s", ls="", color="tab:blue", label="decision (retaliation)"),
        Line2D([], [], marker="x", ls="", color="tab:purple", label="protest"),
        Line2D([], [], marker="o", ls="", color="red", label="target blames the wrong party"),
        Line2D([], [], ls="--", color="tab:green", label="message answered in time"),
        Line2D([], [], ls="--", color="tab:orange", label="answered late"),
        Line2D([], [], ls="--", color="grey", label="refused, unavailable, pending"),
    ]
    ax.legend(handles=handles, fontsize=7, ncol=4, loc="upper center",
              bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    try:
        fig.savefig(a.out, dpi=120, bbox_inches="tight")
    except OSError as e:
        print("trace_plot.py: cannot write '%s': %s" % (a.out, e.strerror or e), file=sys.stderr)
        return 1
    r.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
