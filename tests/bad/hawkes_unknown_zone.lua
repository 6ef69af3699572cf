-- A Hawkes rule places its children in a zone the scenario does not have.
return scenario {
  name = "hawkes_unknown_zone",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan", "Quneitra"},
  types = {rocket = {level = 6}},
  incidents = {{actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_year(4)}},
  hawkes = {
    {from = {type = "rocket"}, n = 0.2},
    {from = {type = "rocket"}, to = {zone = "Hermon"}, n = 0.1},
  },
}
