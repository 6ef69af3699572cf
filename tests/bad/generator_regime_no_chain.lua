-- A generator's regime multipliers need a regime chain to refer to.
return scenario {
  name = "generator_regime_no_chain",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {raid = {level = 4}, rocket = {level = 6}},
  incidents = {
    {actor = "ISR", target = "SYR", type = "raid", zone = "Golan", rate = per_day(0.3)},
    {actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_year(4), regime = {crisis = 3}},
  },
}
