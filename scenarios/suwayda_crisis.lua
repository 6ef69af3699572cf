-- suwayda_crisis.lua: a regime shock into crisis, Suwayda, July 2025.
--
-- 13-19 July 2025 (model-research.md section 4, cited as MR): fighting
-- between Druze factions, Bedouin tribes and government forces in Suwayda;
-- Israel, declaring it protected the Druze, struck government convoys and on
-- 16 July the Ministry of Defence / General Staff in Damascus (1, later 3,
-- killed and 18-34 wounded; SOHR: 10 government security personnel killed
-- in Israeli strikes by 16 July); more than 300 killed in the clashes; a
-- ceasefire on 19 July.
--
-- Time 0 is 10 July 2025; the regime is tense (kidnappings on the Damascus
-- road), a shock on 13 July (day 3) forces the crisis, and the crisis ends
-- at a rate of one per six days (the ceasefire came after six), so
-- replications differ in its length.  Israel's strikes are triggers, not
-- background: each clash against the Druze may bring a strike on
-- government forces, which Israel holds responsible whoever attacked (the
-- host-state doctrine, MR 1.3).  With the cell, Israel asks first who
-- attacked: an answer naming the Bedouin calls the strike on the army off,
-- and the government may act against the tribes itself (the cell's
-- enforcement logic, MR 2 and 6.4).  Without it, strikes after Bedouin
-- attacks hit government forces that did not do it (misattributed
-- retaliations).  Once the pair's ladder level reaches `HQ_LEVEL` in the
-- crisis, a single strike on Damascus follows.  Every rate marked
-- "assumption" belongs in a sweep.

local taxonomy = require "taxonomy"
local protest_mostly = require "policies.protest_mostly"
local local_reprisal = require "policies.local_reprisal"
local query_before_retaliate = require "policies.query_before_retaliate"
local host_state = require "policies.host_state_responsibility"

local P_PROTECT = 0.25      -- share of clashes against the Druze Israel answers (assumption)
local HQ_LEVEL = 6          -- ISR -> SYR ladder level that brings the strike on Damascus (assumption)

return scenario {
  name = "suwayda_crisis",
  description = "Suwayda, July 2025: intra-Syrian clashes in a crisis regime, Israeli strikes "
             .. "on government forces, and the cell's attribution before each strike",
  horizon = days(30),

  parties = {
    { name = "ISR", kind = "state" },
    { name = "SYR", kind = "state" },            -- government forces
    { name = "DRUZE", kind = "nonstate" },       -- Druze factions of Suwayda
    { name = "BEDOUIN", kind = "nonstate" },     -- Bedouin tribes
    { name = "US", kind = "supervisor" },
  },
  zones = { "Suwayda", "Daraa", "Damascus", "Quneitra" },

  types = {
    -- More than 300 killed in about 70 clashes over six days: ~4.2 per
    -- clash with a heavy tail (MR 4; split assumed).
    clash = taxonomy.with("clash", {
      fatalities_mil = zinb { zero = 0.4, mean = 3.0, dispersion = 0.8 },
      fatalities_civ = zinb { zero = 0.5, mean = 4.0, dispersion = 0.6 },
    }),
    -- Strikes on convoys: 10 security personnel killed by 16 July in about
    -- a dozen strikes (MR 4).
    strike = taxonomy.with("strike", {
      fatalities_mil = zinb { zero = 0.5, mean = 1.6, dispersion = 1.0 },
    }),
    -- The General Staff and the Ministry of Defence in Damascus: 3 killed,
    -- 34 wounded (MR 4).
    lethal_strike = taxonomy.with("lethal_strike", {
      fatalities_mil = zinb { zero = 0.1, mean = 2.0, dispersion = 2.0 },
      fatalities_civ = zinb { zero = 0.6, mean = 1.0, dispersion = 1.0 },
    }),
    -- Government action against the tribes when it enforces.
    raid = taxonomy.with("raid", {}),
  },

  regime = {
    states = { "calm", "tense", "crisis" },
    initial = "tense",
    rates = {
      calm = { tense = per_day(1 / 60) },
      tense = { calm = per_day(1 / 10) },
      crisis = { tense = per_day(1 / 6) },    -- the ceasefire, mean six days (MR 4)
    },
    multiplier = { calm = 0.1, tense = 0.3, crisis = 6 },
    shocks = { { at = days(3), state = "crisis" } },   -- 13 July 2025
  },

  incidents = {
    -- Clashes in Suwayda: ~14 a day in the crisis, under one a day when
    -- tense (assumption fitted to ~70-80 clashes and >300 deaths in six
    -- days).
    { actor = "BEDOUIN", target = "DRUZE", type = "clash", zone = "Suwayda", rate = per_day(1.0) },
    { actor = "SYR", target = "DRUZE", type = "clash", zone = "Suwayda", rate = per_day(0.7) },
    { actor = "DRUZE", target = "SYR", type = "clash", zone = "Suwayda", rate = per_day(0.3) },
    { actor = "DRUZE", target = "BEDOUIN", type = "clash", zone = "Suwayda", rate = per_day(0.3) },
    -- Israel's routine strikes elsewhere go on (1.7 ACLED events a day in
    -- 2025, MR 4), unmoved by Suwayda's regime.
    { actor = "ISR", target = "SYR", type = "strike", zone = "Quneitra", rate = per_day(0.7),
      regime = { calm = 1, tense = 1, crisis = 1 } },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Daraa", rate = per_day(0.5),
      regime = { calm = 1, tense = 1, crisis = 1 } },
  },

  attribution = { delay = lognormal { median = minutes(30), sigma = 1.0 } },

  ladder = { step = 1, hold = days(1), half_life = days(7) },

  cell = {
    enabled = true,
    parties = { "ISR", "SYR" },
    supervisor = "US",
    operators = 2,
    handling = lognormal { median = minutes(10), sigma = 0.5 },
    relay = lognormal { median = minutes(30), sigma = 0.6 },
    -- A crisis slows political approval: median 1.5 h (assumption).
    latency = lognormal { median = hours(1.5), sigma = 1.0 },
    accuracy = 0.9,
    -- Refusals rise with tension, as in golan_2026.
    refuse = { base = 0.02, per_level = 0.03 },
    -- The government acts against the tribes itself (assumption).
    enforce = { p = 0.3, type = "raid" },
  },

  policies = {
    -- Rockets and other fire at Israel, if any: the 2025 practice, with
    -- the host-state doctrine as an attribution rule.
    ISR = host_state.with(query_before_retaliate.new { deadline = hours(6) }, { host = "SYR", p_blame = 0.6 }),
    SYR = protest_mostly.new { p_protest = 0.3, p_retaliate = 0, response = "strike" },
    DRUZE = local_reprisal.new { p_lethal = 0.15, p_other = 0.02, delay = hours(12), response = "clash" },
    BEDOUIN = local_reprisal.new { p_lethal = 0.15, p_other = 0.02, delay = hours(12), response = "clash" },
  },

  triggers = {
    -- "Protecting the Druze": a strike on government forces after a clash
    -- against them, whoever attacked; the cell is asked first.
    { name = "protect_druze", party = "ISR", probability = P_PROTECT,
      event = { target = "DRUZE", type = "clash", zone = "Suwayda", kind = "incident" },
      condition = function(ev) return sim.regime() == "crisis" end,
      action = function(ev)
        sim.act { action = "retaliate", target = "SYR", type = "strike", zone = "Suwayda",
                  delay = hours(3), query = true }
      end },
    -- 16 July: once the pair is high enough on the ladder, the General Staff.
    { name = "damascus_hq", party = "ISR", repeatable = false,
      event = { actor = "ISR", target = "SYR", type = "strike", zone = "Suwayda" },
      condition = function(ev) return sim.regime() == "crisis" and sim.ladder("ISR", "SYR") >= HQ_LEVEL end,
      action = function(ev)
        sim.act { action = "retaliate", target = "SYR", type = "lethal_strike", zone = "Damascus",
                  delay = hours(12) }
        sim.log("hq_strike_day", sim.now() / 24)
      end },
    -- For the analyst: Israeli strikes carried out in Suwayda, a user
    -- column of the results (sim.log).
    { name = "count_suwayda_strikes", party = "US",
      event = { actor = "ISR", target = "SYR", cause = "policy", zone = "Suwayda" },
      action = function(ev) sim.log("suwayda_strikes", 1) end },
  },
}
