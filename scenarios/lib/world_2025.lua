-- world_2025.lua: southern Syria as it was in 2025, calibrated; the world
-- both baseline_2025 and golan_2026 stand in.
--
-- world.new(changes) returns a fresh table of scenario keys (parties, zones,
-- types, regime, incidents, hawkes, attribution, ladder, channels,
-- policies; no cell): a scenario adds its name, its cell and its own cited
-- changes, and passes it to scenario{}.  `changes` may give policy
-- parameters by party ({ISR = {query_first = true}}), which replace the
-- 2025 ones; nothing else about the world changes, so every scenario built
-- on it reproduces the calibration below without its cell
-- (tests/validation/test_baseline_2025.c checks baseline_2025 and
-- golan_2026's no_cell arm against the same bands).
--
-- Calibration targets, from model-research.md section 4 (cited as MR):
--
--   T1  Israeli air, drone and artillery events: 1.7 per day
--       (ACLED, >600 events 8 Dec 2024 - 28 Nov 2025; MR 4)
--   T2  their split: Quneitra 232, Daraa 167, Damascus governorate 77 of
--       600, i.e. shares 0.387, 0.278, 0.128 (same ACLED tally; MR 4)
--   T3  ground raids and incursions: 1.7 per day (954 strikes and 421
--       incursions in about 8 months, Syrian figures; 1.7-2.9/day; MR 4)
--   T4  Syrians killed by Israeli forces: 62 in the year (SNHR; MR 4); the
--       runs column fatalities_by_ISR
--   T5  non-state cross-border fire: one event per six months (MR 4)
--   T6  lethal raid-clashes: at least one a year (Beit Jinn, 28 Nov 2025,
--       13 killed; MR 4)
--   T7  Syrian-state kinetic retaliation: none; official complaints about
--       0.5 a month (four UNSC complaints in eight months; MR 4)
--
-- Everything marked "assumption" is ours and belongs in a sweep; the range
-- to sweep is given with it.

local taxonomy = require "taxonomy"
local query_before_retaliate = require "policies.query_before_retaliate"
local protest_mostly = require "policies.protest_mostly"
local local_reprisal = require "policies.local_reprisal"

local M = {}

-- Self-excitation of Israeli strikes: 37-50 % of conflict events are
-- self-excited (Lewis et al. 2012; MR 1.1); we take n = 0.37, so the
-- background rate is 1.7 * (1 - 0.37) = 1.07/day (MR 6.7).
M.N_STRIKES = 0.37
local STRIKES_PER_DAY = 1.7 * (1 - M.N_STRIKES)

-- The parties' 2025 policies (parameters: assumptions calibrated to T5, T7).
M.policy_params = {
  -- Israel strikes back at attacks on it (Jaeger & Paserman 2008, MR 1.2)
  -- without asking anyone first: after the 3 June 2025 rockets it struck
  -- Syrian army positions that night (MR 1.3).  p_retaliate: assumption,
  -- sweep 0.5-1.
  ISR = { deadline = hours(6), query_first = false },
  -- T7: complaints on about 1 % of the ~620 strikes a year, no force.
  SYR = { p_protest = 0.01, p_retaliate = 0 },
  -- T5: reprisals after harm to the community (Haushofer et al. 2010, MR
  -- 1.2); p_lethal assumption, sweep 0.05-0.3.
  NSA = { p_lethal = 0.1, p_other = 0.001 },
}

local function merged(base, over)
  local t = {}
  for k, v in sim.sorted_pairs(base) do t[k] = v end
  for k, v in sim.sorted_pairs(over or {}) do t[k] = v end
  return t
end

function M.new(changes)
  changes = changes or {}
  local pp = {}
  for party, params in sim.sorted_pairs(M.policy_params) do
    pp[party] = merged(params, changes[party])
  end
  return {
    horizon = days(365),

    parties = {
      { name = "ISR", kind = "state" },
      { name = "SYR", kind = "state", description = "the Syrian government" },
      { name = "NSA", kind = "nonstate", description = "local armed groups, unclaimed fire (MR 6.1)" },
      { name = "US", kind = "supervisor", description = "supervises the cell where there is one" },
    },

    -- ACLED admin names (MR 6.1); "Other" holds the ~20 % of events elsewhere.
    zones = { "Quneitra", "Daraa", "Damascus", "Suwayda", "Golan", "Other" },

    types = {
      -- T4: about 0.1 deaths per event with a heavy tail; the split between
      -- strikes, raids and clashes is an assumption that sums to ~60 a year.
      strike = taxonomy.with("strike", {
        fatalities_mil = zinb { zero = 0.945, mean = 1.0, dispersion = 0.5 },
        fatalities_civ = zinb { zero = 0.985, mean = 1.0, dispersion = 0.5 },
      }),
      -- T6: a raid meets resistance and becomes a clash with probability
      -- 0.0023, about 1.5 clashes a year at 1.7 raids a day (assumption).
      raid = taxonomy.with("raid", {
        fatalities_civ = zinb { zero = 0.992, mean = 1.0, dispersion = 0.5 },
        escalate = { to = "clash", p = 0.0023 },
      }),
      -- Beit Jinn, 28 Nov 2025: 13 Syrians killed, 6 IDF wounded (MR 4).
      clash = taxonomy.with("clash", {
        fatalities_mil = zinb { zero = 0.3, mean = 3.0, dispersion = 1.0 },
        fatalities_civ = zinb { zero = 0.2, mean = 6.0, dispersion = 0.8 },
      }),
      -- The 3 June 2025 pair did no damage (MR 4).
      rocket = taxonomy.with("rocket", {
        fatalities_mil = zinb { zero = 0.95, mean = 1.0, dispersion = 1.0 },
      }),
    },

    -- Calm, tense and crisis periods (MR 6.3).  Rates are assumptions giving
    -- stationary shares of about 0.69 / 0.30 / 0.01; the multipliers average
    -- ~1 over the year, so T1 and T3 hold on average.
    regime = {
      states = { "calm", "tense", "crisis" },
      initial = "calm",
      rates = {
        calm = { tense = per_day(1 / 45) },
        tense = { calm = per_day(1 / 20), crisis = per_day(1 / 200) },
        crisis = { tense = per_day(1 / 6) },
      },
      multiplier = { calm = 0.8, tense = 1.3, crisis = 3.0 },
      -- Suwayda, 13-19 July 2025: Druze-Bedouin-government fighting, Israeli
      -- strikes on convoys and on the General Staff in Damascus (MR 4).
      shocks = { { at = days(193), state = "crisis" } },
    },

    incidents = {
      -- T1, T2: background strikes by zone (Other: the remaining 124 of 600).
      { actor = "ISR", target = "SYR", type = "strike", zone = "Quneitra", rate = per_day(STRIKES_PER_DAY * 232 / 600) },
      { actor = "ISR", target = "SYR", type = "strike", zone = "Daraa",    rate = per_day(STRIKES_PER_DAY * 167 / 600) },
      { actor = "ISR", target = "SYR", type = "strike", zone = "Damascus", rate = per_day(STRIKES_PER_DAY *  77 / 600) },
      { actor = "ISR", target = "SYR", type = "strike", zone = "Other",    rate = per_day(STRIKES_PER_DAY * 124 / 600) },
      -- Israeli strikes on government forces during a crisis only (Suwayda).
      { actor = "ISR", target = "SYR", type = "strike", zone = "Suwayda", rate = per_day(1),
        regime = { calm = 0, tense = 0, crisis = 1 } },
      -- T3: raids against local residents; zone split an assumption.
      { actor = "ISR", target = "NSA", type = "raid", zone = "Quneitra", rate = per_day(1.0) },
      { actor = "ISR", target = "NSA", type = "raid", zone = "Daraa",    rate = per_day(0.5) },
      { actor = "ISR", target = "NSA", type = "raid", zone = "Damascus", rate = per_day(0.2) },
      -- T5: unclaimed fire, half of it background, half reprisals (policies).
      { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_year(1) },
      -- Intra-Syrian fighting in Suwayda during the crisis (exogenous driver;
      -- its deaths are fatalities_by_SYR, not Israel's).
      { actor = "SYR", target = "NSA", type = "clash", zone = "Suwayda", rate = per_day(2),
        regime = { calm = 0, tense = 0, crisis = 1 } },
    },

    hawkes = {
      { from = { actor = "ISR", target = "SYR", type = "strike" },
        n = M.N_STRIKES,
        -- Retaliation-scale fast kernel (1-2 days) and a contagion-scale slow
        -- one (1-4 weeks); MR 1.1.  The share is an assumption (sweep 0.3-0.8).
        fast_share = 0.6, fast_mean = days(1.5), slow_mean = weeks(2) },
    },

    attribution = {
      -- Detection delay: median 10-30 min for strikes (MR 6.3); we take 20 min.
      delay = lognormal { median = minutes(20), sigma = 1.0 },
      confusion = {
        -- Host-state doctrine: after the June 2025 rockets Israel held "the
        -- Syrian president directly responsible" (MR 1.3).  Share:
        -- assumption, sweep 0.3-0.9.
        ISR = { NSA = { SYR = 0.6, NSA = 0.4 } },
      },
    },

    ladder = {
      step = 1,                 -- a retaliation climbs one rung above the pair's level (assumption, sweep 0.5-2)
      hold = days(1),           -- a raised level holds a day before it decays (assumption, sweep 0-3 days)
      half_life = days(7),      -- forgiveness (Frank et al. 2018, MR 1.2); value: assumption, sweep 2-30 days
      window = days(14),        -- an answer within two weeks continues an exchange (assumption)
      spiral_moves = 2,         -- a spiral: an answer to an answer (tit for tat and back; MR 1.2)
      crisis_moves = 2,         -- a crisis: the same between two states
    },

    -- Channels that existed without any cell (MR 2): UNDOF is an existing
    -- slow liaison, the US a backchannel, and public statements always
    -- reach the other side.  Latencies, availabilities and accuracies are
    -- assumptions (sweep latency x0.5-x2, availability 0.5-1, accuracy
    -- 0.5-0.9).  A query goes to the first one available.
    channels = {
      { name = "UNDOF", latency = lognormal { median = hours(12), sigma = 1.0 },
        availability = 0.8, accuracy = 0.7 },
      { name = "US_backchannel", latency = lognormal { median = hours(4), sigma = 1.0 },
        availability = 0.5, accuracy = 0.8 },
      { name = "public", latency = lognormal { median = hours(24), sigma = 0.8 },
        availability = 1.0, accuracy = 0.6 },
    },

    cell = { enabled = false },

    policies = {
      ISR = query_before_retaliate.new(pp.ISR),
      SYR = protest_mostly.new(pp.SYR),
      NSA = local_reprisal.new(pp.NSA),
    },
  }
end

return M
