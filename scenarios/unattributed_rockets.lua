-- unattributed_rockets.lua: the cell's core mechanism in isolation.
--
-- Rockets from an unclaimed non-state group land on the Golan.  Israel holds
-- the host state responsible more often than not (the 3 June 2025 doctrine:
-- "the Syrian president directly responsible"; model-research.md 1.3) and
-- plans a strike on Syrian forces for the night, six hours on.  Before it
-- strikes it asks the cell who fired (there are no other channels here).
-- An answer that arrives before the strike names the group with the cell's
-- accuracy, else Syria; Israel acts on an answer naming someone else with
-- the weight accuracy corrected for guessing gives it (0.8 at 0.9 with two
-- candidates), so a timely answer calls a strike on an innocent Syria off
-- with probability 0.9 x 0.8 = 0.72, and one on the guilty group with
-- 0.1 x 0.8 = 0.08 (docs/model.md).  An answer after the strike changes nothing,
-- so the cell's benefit shrinks to nothing as its latency grows past the
-- deadline (tests/cli/cell_latency.t).
--
-- The rocket rate is raised above the 2025 figure (one event per six months)
-- so that each replication holds enough decisions to measure: assumption.

local taxonomy = require "taxonomy"
local query_before_retaliate = require "policies.query_before_retaliate"
local protest_mostly = require "policies.protest_mostly"

return scenario {
  name = "unattributed_rockets",
  description = "Unclaimed rocket fire, host-state attribution, and the cell's answer before the strike",
  horizon = days(90),

  parties = {
    { name = "ISR", kind = "state" },
    { name = "SYR", kind = "state" },
    { name = "NSA", kind = "nonstate", description = "an unclaimed group (a Telegram-only 'brigade')" },
    { name = "US", kind = "supervisor" },
  },
  zones = { "Golan", "Daraa" },
  types = {
    rocket = taxonomy.with("rocket", {}),
    strike = taxonomy.with("strike", {
      fatalities_mil = zinb { zero = 0.6, mean = 2.0, dispersion = 1.0 },
    }),
    raid = taxonomy.with("raid", {}),
  },

  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1 / 7) },
  },

  attribution = {
    delay = minutes(10),
    -- Host-state doctrine: 60 % of unclaimed fire is blamed on Syria (assumption).
    confusion = { ISR = { NSA = { SYR = 0.6, NSA = 0.4 } } },
  },

  ladder = { step = 1, hold = days(1), half_life = days(7) },

  cell = {
    enabled = true,
    -- Decision latency only, so `cell.latency` is the whole answer time and
    -- the test can set it against the six-hour deadline.
    latency = lognormal { median = hours(1.5), sigma = 1.0 },
    accuracy = 0.9,
  },

  policies = {
    ISR = query_before_retaliate.new { deadline = hours(6), p_retaliate = 1.0 },
    SYR = protest_mostly.new { p_protest = 0.5, p_retaliate = 0.05 },
  },
}
