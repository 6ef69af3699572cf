-- il20_deconfliction.lua: a deconfliction line whose notices come too late.
--
-- 17 September 2018 (model-research.md section 2, cited as MR): Israeli
-- F-16s struck targets near Latakia; Syrian S-200 fire aimed at them shot
-- down a Russian IL-20 and its 15 crew.  Russia's Ministry of Defence: the
-- notice came "via a hotline less than a minute before the strike"; the IDF:
-- the mechanism "operated in the relevant timeframe".  Russia blamed Israel,
-- and delivered S-300 systems to Syria.  The Israel-Russia line carried
-- about 200 notified strikes in 2.5 years with one such failure: about 0.5 %
-- per notified operation (MR 2, lesson e), an order-of-magnitude prior.
--
-- Here the cell is that line (ISR and RUS, no supervisor).  Israel notifies
-- every strike through it (pre_operation), `lead` hours before the jets
-- strike; a third party (Russian aircraft and crews near the coast) clears
-- the area if the notice reaches it `need` hours before.  The model's
-- civilian column stands for that third party: a strike notified in time
-- harms no third party; one notified too late (notices_too_late in the
-- runs table) or not at all may.  Only coastal strikes (Latakia, where Russia
-- flies) put a third party at risk.  A loss makes Russia protest and log it
-- (a trigger).  Compare the arms: `escsim compare` gives the line against
-- no line, with IL-20's lead (under a minute: too late, no protection);
-- `--set policies.ISR.lead=2h` gives the US-Russia practice of 2017 (about
-- two hours): every coastal strike deconflicted.

local taxonomy = require "taxonomy"
local protest_mostly = require "policies.protest_mostly"

-- Israeli strikes: 202 targets from January 2017 to September 2018, about
-- 2.6 a week (MR 2, 4); the zone split is an assumption.
local PER_WEEK = 2.6

return scenario {
  name = "il20_deconfliction",
  description = "Israeli strikes in Syria notified through the Israel-Russia line: leads under a "
             .. "minute (IL-20, 2018) against leads of hours, near misses against deconfliction",
  horizon = days(365),

  parties = {
    { name = "ISR", kind = "state" },
    { name = "RUS", kind = "state" },   -- the other end of the line; the third party at risk
    { name = "SYR", kind = "state" },   -- Syrian and allied forces, the targets
  },
  zones = { "Latakia", "Damascus", "Homs", "Quneitra" },

  types = {
    strike = taxonomy.with("strike", {
      fatalities_mil = zinb { zero = 0.8, mean = 1.5, dispersion = 1.0 },
    }),
    -- A strike near Russian assets: a third party may be hit.  With the
    -- 0.5 % prior per operation and IL-20's 15 dead (the civilian column
    -- counts the third party; assumption for the split).
    coastal_strike = taxonomy.with("strike", {
      fatalities_mil = zinb { zero = 0.8, mean = 1.5, dispersion = 1.0 },
      fatalities_civ = zinb { zero = 0.98, mean = 12.0, dispersion = 2.0 },
      description = "air strike near Latakia, where Russian aircraft operate",
    }),
  },

  incidents = {
    { actor = "ISR", target = "SYR", type = "strike", zone = "Damascus", rate = per_day(PER_WEEK * 0.5 / 7) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Homs", rate = per_day(PER_WEEK * 0.2 / 7) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Quneitra", rate = per_day(PER_WEEK * 0.15 / 7) },
    { actor = "ISR", target = "SYR", type = "coastal_strike", zone = "Latakia", rate = per_day(PER_WEEK * 0.15 / 7) },
  },

  attribution = { delay = minutes(5) },
  -- Ladder as in the 2025 world (scenarios/lib/world_2025.lua), a slower decay.
  ladder = { step = 1, hold = days(1), half_life = days(14) },

  cell = {
    enabled = true,
    parties = { "ISR", "RUS" },
    supervisor = false,
    -- A direct military line: a minute to pick up and pass the notice on
    -- (assumption), no political approval for a notice.
    handling = lognormal { median = minutes(0.5), sigma = 0.5 },
    latency = lognormal { median = minutes(0.5), sigma = 0.5 },
    accuracy = 1.0,
    -- Israel notifies its strikes; how far ahead is the policy's `lead`
    -- (pre_operation below).  Crews need ~20-60 min to clear (assumption).
    -- Crews that leave in time are out of harm's way: a notice in time
    -- spares every third-party death (assumption, sweep 0.8-1).
    notify = { party = "ISR", lead = minutes(1),
               need = lognormal { median = minutes(30), sigma = 0.6 },
               harm_reduction = 1.0 },
  },

  policies = {
    ISR = {
      -- Hours between the notice and the strike: IL-20's "less than a
      -- minute" (MR 2).  Sweep it: 2h is the US-Russia practice of 2017.
      lead = minutes(0.8),
      pre_operation = function(self, op)
        return { notify = true, lead = self.lead }
      end,
    },
    SYR = protest_mostly.new { p_protest = 0.05, p_retaliate = 0, response = "strike" },
  },

  triggers = {
    -- A coastal strike that killed third-party personnel: Russia holds
    -- Israel responsible (as in 2018), protests, and the loss is logged.
    { name = "third_party_loss", party = "RUS",
      event = { actor = "ISR", type = "coastal_strike" },
      condition = function(ev) return ev.fatalities_civ > 0 end,
      action = function(ev)
        sim.act { action = "protest", target = "ISR", zone = "Latakia" }
        sim.log("third_party_deaths", ev.fatalities_civ)
      end },
  },
}
