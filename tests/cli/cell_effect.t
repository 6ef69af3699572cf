#!/usr/bin/env bash
# The size of the cell's effect in the default scenario against what the
# model predicts, replication by replication in expectation:
#
# Answers.  Without the fallback channels and with only the cell's answers
# effect on, a misattributed strike is called off exactly when the cell's
# answer about it came in time, named the real culprit (with two candidate
# culprits, an answer names someone other than the suspect exactly when it
# is right) and Israel gave it weight: with probability
# (0.9 * 2 - 1) / (2 - 1) = 0.8 (accuracy corrected for guessing).  Nothing
# else in golan_2026 depends on a strike on Syria (Syria never strikes
# back), so the misattributed retaliations the cell prevents number 0.8 x
# the eligible answers, read from the cell arm's messages and events.
#
# Notices.  With only the notices effect on, a notice delivered at least
# `need` hours (lognormal, median 45 min, sigma 0.8) before its strike
# spares each civilian the strike would kill with probability 0.5
# (cell.notify.harm_reduction).  The strike is the same incident in both
# arms, so the civilians spared in a replication are predicted by
# 0.5 x the sum over its notices of P(need <= the notice's lead at delivery)
# x that strike's civilian deaths without the cell.  Strikes here kill
# civilians more often than in the scenario (half of them, 2 on average),
# so the check is sharp: it would see a harm reduction off by 0.02.

# Each check: the mean over replications of (observed - predicted) lies in
# its 99.9 % t interval, and the effect itself is far from zero.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 4
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 1000 -s 1 -o ans.h5 --events --quiet \
	--arm cell:'channels={}',cell.effects.notices=false,cell.effects.enforcement=false \
	--arm no_cell:cell.enabled=false,'channels={}' > /dev/null 2> err
ok $? "compare: the cell's answers alone, no channels"

$PY - ans.h5 <<'PYEOF' > py.txt 2>&1
import sys, math, numpy as np, pandas as pd
f = sys.argv[1]
c, n = (pd.read_hdf(f, "/arms/%s/runs" % a).set_index("rep") for a in ("cell", "no_cell"))
ev = pd.read_hdf(f, "/arms/cell/events")
msg = pd.read_hdf(f, "/arms/cell/messages")
ev = ev[ev.kind == "incident"] if ev.kind.dtype == object else ev[ev.kind == 0]
wrong = ev[ev.perceived_perpetrator != ev.true_perpetrator][["rep", "id"]]
q = msg[(msg.channel.astype(str).isin(["0", "cell"])) & (msg.kind.astype(str).isin(["0", "query"]))
        & (msg.outcome.astype(str).isin(["0", "answered"])) & (msg.correct == 1)]
q = q.merge(wrong, left_on=["rep", "event_id"], right_on=["rep", "id"])
eligible = q.groupby("rep").size().reindex(c.index, fill_value=0).astype(float)
prevented = (n.misattributed_retaliations - c.misattributed_retaliations).astype(float)
d = prevented - 0.8 * eligible
t999 = 3.300                                  # t(0.9995, 999)
half = t999 * d.std(ddof=1) / math.sqrt(len(d))
print("prevented %.4f per replication, predicted 0.8 x %.4f = %.4f; difference %.4f +- %.4f"
      % (prevented.mean(), eligible.mean(), 0.8 * eligible.mean(), d.mean(), half))
assert abs(d.mean()) <= half, "outside the interval"
assert prevented.mean() > 10 * half, "no effect to speak of"
PYEOF
ok $? "answers: misattributed retaliations prevented = 0.8 x timely right answers about a wrong suspect"
sed 's/^/# /' py.txt

"$ESCSIM" compare "$G" -n 1000 -s 2 -o not.h5 --events --quiet \
	--set 'types.strike.fatalities_civ=zinb{zero=0.5,mean=2,dispersion=1}' \
	--arm cell:cell.effects.answers=false,cell.effects.enforcement=false \
	--arm no_cell:cell.enabled=false > /dev/null 2> err2
ok $? "compare: the cell's notices alone"

$PY - not.h5 <<'PYEOF' > py2.txt 2>&1
import sys, math, numpy as np, pandas as pd
f = sys.argv[1]
c, n = (pd.read_hdf(f, "/arms/%s/runs" % a).set_index("rep") for a in ("cell", "no_cell"))
msg = pd.read_hdf(f, "/arms/cell/messages")
msg = msg[msg.kind.astype(str).isin(["1", "notify"])].copy()
msg["t_op"] = msg.t_submit_h + 2.0                       # cell.notify.lead
msg = msg[msg.t_op <= 365 * 24]                          # strikes past the horizon never come
ev = pd.read_hdf(f, "/arms/no_cell/events")
strikes = ev[(ev.cause.astype(str).isin(["0", "background"]))][["rep", "t_h", "fatalities_civ"]]
m = msg.merge(strikes, left_on=["rep", "t_op"], right_on=["rep", "t_h"], how="left")
assert m.fatalities_civ.notna().all(), "a notice without its strike"
lead = (m.t_op - m.t_answer_h).to_numpy()
Phi = np.vectorize(lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2))))
with np.errstate(invalid="ignore", divide="ignore"):
    p = np.where(lead > 0, Phi((np.log(np.where(lead > 0, lead, 1)) - math.log(0.75)) / 0.8), 0.0)
m["expect"] = 0.5 * p * m.fatalities_civ
pred = m.groupby("rep").expect.sum().reindex(c.index, fill_value=0.0)
spared = (n.fatalities_civ - c.fatalities_civ).astype(float)
d = spared - pred
half = 3.300 * d.std(ddof=1) / math.sqrt(len(d))
print("civilians spared %.4f per replication, predicted %.4f; difference %.4f +- %.4f"
      % (spared.mean(), pred.mean(), d.mean(), half))
assert abs(d.mean()) <= half, "outside the interval"
assert spared.mean() > 5 * half, "no effect to speak of"
assert (c.retaliations == n.retaliations).all()   # notices change no decision
PYEOF
ok $? "notices: civilians spared = 0.5 x P(in time) x the strike's civilian deaths, summed"
sed 's/^/# /' py2.txt
