-- golan_2026.lua: southern Syria after the Paris agreement of 6 January
-- 2026, with the US-supervised Syria-Israel communication cell.
--
-- The default scenario of `make demo`.  `escsim compare` runs it with the
-- cell (cell.enabled = true) and without it, on common random numbers.
-- It is the calibrated 2025 world (scenarios/lib/world_2025.lua: the
-- same incidents, self-excitation, regimes, attribution, ladder, fallback
-- channels and policies) plus the cell, plus only the 2026 changes listed
-- here with their sources, so its no_cell arm reproduces baseline_2025's
-- calibration (tests/validation/test_baseline_2025.c).
--
-- Sources are model-research.md (cited as MR with a section).  The cell
-- has no operating record yet (MR 7): every cell value is an analogy and an
-- assumption, given with the range to sweep.

local world = require "world_2025"

-- 2026 change 1: the Paris statement (6 Jan 2026; MR 2, "Seed mechanism")
-- commits both sides to "address any disputes promptly and work to prevent
-- misunderstandings".  We read it as Israel asking before it strikes back
-- at an attack on it: through the cell, and through the channels that
-- exist without it (so the no_cell arm asks them too).  That Israel does
-- so in practice is an assumption: compare with
-- --arm ask:policies.ISR.query_first=true --arm no_ask:policies.ISR.query_first=false.
local s = world.new { ISR = { query_first = true } }

s.name = "golan_2026"
s.description = "Southern Syria 2026: the calibrated 2025 world with the US-supervised "
             .. "Syria-Israel communication cell"

-- 2026 change 2: the cell itself (MR 2 and 6.4).
s.cell = {
  enabled = true,
  parties = { "ISR", "SYR" },
  supervisor = "US",
  -- A staffed desk: 2 duty officers around the clock (DGMO hotline: 24/7
  -- duty officers, MR 2); sweep 1-3.  Technical connect and handling take
  -- minutes (DGMO: "the moment he picks up"); median sweep 5-15 min.
  operators = 2,
  handling = lognormal { median = minutes(10), sigma = 0.5 },
  -- The US relay hop: median 15-60 min (MR 6.4).
  relay = lognormal { median = minutes(30), sigma = 0.6 },
  -- Political approval: median 1-2 h, a 90th percentile near 8 h (DGMO 85
  -- min to a ceasefire; a follow-up delayed ~8 h; MR 2).  With the relay
  -- and handling the median answer takes about 1.7 h.
  latency = lognormal { median = hours(1), sigma = 1.2 },
  -- Attribution error 0.3 -> 0.1 with a timely answer (MR 6.4); sweep
  -- 0.5-1.  An answer that is wrong names the other candidate, and the
  -- sender weighs answers by accuracy corrected for guessing (docs/model.md).
  accuracy = 0.9,
  -- Availability A = MTBF / (MTBF + MTTR) = 0.968 (MR 6.4: sweep
  -- 0.90-0.999); the Israel-Russia line was reported unreachable for weeks
  -- in 2023 (MR 2).
  outages = { mtbf = days(60), mttr = days(2) },
  -- "Suspended" after a severe incident (Russia, April 2017; MR 2): an L6
  -- incident between the members, probability 0-0.5 (MR 6.4).
  suspend = { level = 6, p = 0.2, duration = days(3) },
  -- Refusals rise with tension (US-China 2023; MR 2): 2 % at calm, ~20 % at
  -- L6 (MR 6.4: baseline 0.02, crisis 0.1-0.5).
  refuse = { base = 0.02, per_level = 0.03 },
  -- Syria may act against the group itself instead of Israel striking
  -- (the Israel-Lebanon mechanism's logic; MR 2); P(enforce) 0-0.5 (MR 6.4).
  enforce = { p = 0.3, type = "raid" },
  -- Israel pre-notifies strikes two hours ahead (US-Russia 2017: ~2 h;
  -- IL-20 2018: under a minute; MR 2); third parties need ~45 min to clear
  -- (assumption, sweep 15 min-2 h).  A notice delivered in time spares half
  -- of the civilians the strike would kill: assumption (no source measures
  -- it; sweep 0.2-0.9).
  notify = { party = "ISR", type = "strike", lead = hours(2),
             need = lognormal { median = minutes(45), sigma = 0.8 },
             harm_reduction = 0.5 },
}

return scenario(s)
