-- golan_2026.lua: southern Syria after the Paris agreement of 6 January 2026,
-- with the US-supervised Syria-Israel communication cell.
--
-- The default scenario of `make demo`.  `escsim compare` runs it with the
-- cell (cell.enabled = true) and without it on common random numbers.
-- Figures come from ../shared/research/model-research.md (cited as MR with a
-- section); everything marked "assumption" is ours and belongs in a sweep.

local taxonomy = require "taxonomy"
local query_before_retaliate = require "policies.query_before_retaliate"
local protest_mostly = require "policies.protest_mostly"
local local_reprisal = require "policies.local_reprisal"

return scenario {
  name = "golan_2026",
  description = "Southern Syria 2026: Israeli strikes and raids, unattributed "
             .. "non-state fire, and the US-supervised communication cell",
  horizon = days(365),

  parties = {
    { name = "ISR", kind = "state" },
    { name = "SYR", kind = "state" },       -- the Syrian government
    { name = "NSA", kind = "nonstate" },    -- local armed groups, unclaimed fire (MR 6.1)
    { name = "US",  kind = "supervisor" },  -- supervises the cell
  },

  -- ACLED admin names (MR 6.1); "Other" holds the ~20 % of events elsewhere.
  zones = { "Quneitra", "Daraa", "Damascus", "Golan", "Other" },

  types = {
    -- Syrian deaths caused by Israeli forces: 62 in 2025, about 0.1 per
    -- event with a heavy tail (MR 4).  With these rates a year gives ~31
    -- from strikes, ~12 civilians in strikes, ~7 in raids and ~10 in the
    -- yearly clash.  The military/civilian split is an assumption.
    strike = taxonomy.with("strike", {
      fatalities_mil = zinb { zero = 0.95, mean = 1.0, dispersion = 0.5 },
      fatalities_civ = zinb { zero = 0.98, mean = 1.0, dispersion = 0.5 },
    }),
    -- Raids: mostly arrests; rarely lethal (assumption).
    raid = taxonomy.with("raid", {
      fatalities_civ = zinb { zero = 0.99, mean = 1.0, dispersion = 0.5 },
    }),
    -- Rockets from Syria: the 3 June 2025 pair did no damage (MR 4).
    rocket = taxonomy.with("rocket", {
      fatalities_mil = zinb { zero = 0.95, mean = 1.0, dispersion = 1.0 },
    }),
    -- Raid-clash: Beit Jinn, 28 Nov 2025, 13 Syrians killed, 6 IDF wounded (MR 4).
    clash = taxonomy.with("clash", {
      fatalities_mil = zinb { zero = 0.3, mean = 3.0, dispersion = 1.0 },
      fatalities_civ = zinb { zero = 0.2, mean = 6.0, dispersion = 0.8 },
    }),
  },

  incidents = {
    -- Israeli air, drone and artillery events: >600 ACLED events from 8 Dec
    -- 2024 to 28 Nov 2025, about 1.7/day; Quneitra >= 232, Daraa 167,
    -- Damascus governorate >= 77 (MR 4).  Rates are that split of 1.7/day.
    { actor = "ISR", target = "SYR", type = "strike", zone = "Quneitra", rate = per_day(1.7 * 232 / 600) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Daraa",    rate = per_day(1.7 * 167 / 600) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Damascus", rate = per_day(1.7 *  77 / 600) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Other",    rate = per_day(1.7 * 124 / 600) },
    -- Ground raids: 1.7-2.9/day in 2025 (MR 4); we take 1.8/day, two thirds
    -- in Quneitra (assumption), against local residents.
    { actor = "ISR", target = "NSA", type = "raid", zone = "Quneitra", rate = per_day(1.2) },
    { actor = "ISR", target = "NSA", type = "raid", zone = "Daraa",    rate = per_day(0.6) },
    -- Non-state cross-border fire: about one event per six months (MR 4).
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_year(2) },
    -- Lethal raid-clashes: at least one a year with 10+ deaths (MR 4).
    { actor = "NSA", target = "ISR", type = "clash", zone = "Damascus", rate = per_year(1) },
  },

  attribution = {
    -- Detection delay: median 10-30 min for strikes (MR 6.3); we take 20 min.
    delay = lognormal { median = minutes(20), sigma = 1.0 },
    confusion = {
      -- Host-state doctrine: after the June 2025 rockets Israel held "the
      -- Syrian president directly responsible" (MR 1.3).  Share: assumption.
      ISR = { NSA = { SYR = 0.6, NSA = 0.4 } },
    },
  },

  ladder = {
    step = 1,                 -- a retaliation climbs one rung above the pair's level (assumption)
    half_life = days(7),      -- forgiveness (Frank et al. 2018, MR 1.2); value: assumption
    -- L7, a campaign against state forces (MR 3.3): single L6 acts (a rocket,
    -- a clash) happen every year, so a crisis is a pair pushed past them.
    crisis_level = 7,
    spiral_size = 4,          -- an incident and three responses in a chain (MR 6.6; K assumed)
  },

  -- The cell as a service (MR 2 and 6.4; every value an assumption to sweep).
  cell = {
    enabled = true,
    parties = { "ISR", "SYR" },
    supervisor = "US",
    -- A staffed desk: 2 duty officers around the clock; technical connect
    -- and handling take minutes (DGMO: "the moment he picks up").
    operators = 2,
    handling = lognormal { median = minutes(10), sigma = 0.5 },
    -- The US relay hop: median 15-60 min.
    relay = lognormal { median = minutes(30), sigma = 0.6 },
    -- Political approval: median 1-2 h, a 90th percentile near 8 h
    -- (DGMO 85 min to a ceasefire; a follow-up delayed ~8 h).  With the
    -- relay and handling the median answer takes about 1.7 h.
    latency = lognormal { median = hours(1), sigma = 1.2 },
    -- Attribution error 0.3 -> 0.1 with a timely answer.
    accuracy = 0.9,
    -- Availability A = MTBF / (MTBF + MTTR) = 0.968 (sweep 0.90-0.999);
    -- the Israel-Russia line was reported unreachable for weeks in 2023.
    outages = { mtbf = days(60), mttr = days(2) },
    -- "Suspended" after a severe incident (Russia, April 2017).
    suspend = { level = 6, p = 0.2, duration = days(3) },
    -- Refusals rise with tension (US-China 2023): 2 % at calm, ~20 % at L6.
    refuse = { base = 0.02, per_level = 0.03 },
    -- Syria may act against the group itself instead of Israel striking
    -- (the Israel-Lebanon mechanism's logic); P(enforce) 0-0.5.
    enforce = { p = 0.3, type = "raid" },
    -- Israel pre-notifies strikes two hours ahead (US-Russia 2017: ~2 h;
    -- IL-20 2018: under a minute); third parties need ~45 min to clear.
    notify = { party = "ISR", type = "strike", lead = hours(2),
               need = lognormal { median = minutes(45), sigma = 0.8 } },
  },

  -- Fallback channels when the cell is disabled, down, suspended or refuses
  -- (MR 2: UNDOF is an existing slow liaison; a US backchannel; public
  -- statements).  Latencies and availabilities are assumptions.
  channels = {
    { name = "UNDOF", latency = lognormal { median = hours(12), sigma = 1.0 },
      availability = 0.8, accuracy = 0.7 },
    { name = "US_backchannel", latency = lognormal { median = hours(4), sigma = 1.0 },
      availability = 0.5, accuracy = 0.8 },
    { name = "public", latency = lognormal { median = hours(24), sigma = 0.8 },
      availability = 1.0, accuracy = 0.6 },
  },

  policies = {
    ISR = query_before_retaliate.new { deadline = hours(6) },
    SYR = protest_mostly.new {},
    NSA = local_reprisal.new { zone = "Golan" },   -- fire lands on the Golan
  },
}
