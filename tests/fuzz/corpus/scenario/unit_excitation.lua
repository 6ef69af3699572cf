-- Escalating types, Hawkes rules, a regime chain with shocks and a
-- generator's own regime multipliers: every new key, most of them away from
-- their defaults.  Keys are written out of order on purpose.
return scenario {
  name = "unit_excitation",
  horizon = days(60),
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"golan", "quneitra"},
  types = {
    raid = {level = 4, escalate = {p = 0.25, to = "clash"}, cameo = "173",
            acled_type = "Strategic developments", acled_subtype = "Arrests"},
    clash = {level = 6, fatalities_mil = poisson{mean = 0.5}},
    rocket = {level = 6},
  },
  regime = {
    states = {"calm", "tense", "crisis"},
    initial = "tense",
    rates = {
      calm = {tense = per_day(0.1)},
      tense = {crisis = per_day(0.05), calm = per_day(0.2)},
      crisis = {tense = per_day(0.5)},
    },
    multiplier = {crisis = 4, tense = 2},
    shocks = {
      {at = days(30), state = "crisis"},
      {at = days(5), state = "tense", description = "first of two at the same time"},
      {at = days(5), state = "calm"},
      {at = 0, state = "crisis"},
    },
  },
  incidents = {
    {actor = "ISR", target = "SYR", type = "raid", zone = "quneitra", rate = per_day(0.5),
     regime = {crisis = 3, calm = 0}},
    {actor = "NSA", target = "ISR", type = "rocket", zone = "golan", rate = per_year(6)},
  },
  hawkes = {
    {from = {type = "raid"}, to = {actor = "SYR", target = "ISR", type = "clash"},
     n = 0.3, per_fatality = 0.1, fast_share = 0.7, fast_mean = hours(6), slow_mean = weeks(3)},
    {n = 0.1, to = {zone = "golan"}},
    {from = {actor = "NSA", target = "ISR", type = "rocket"}, n = 0.2, description = "reprisal fire"},
  },
  ladder = {spiral_level = 8},
}
