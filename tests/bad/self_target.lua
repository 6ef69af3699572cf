-- A party cannot be the target of its own incidents.
return scenario {
  name = "self_target",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  incidents = {{actor = "ISR", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1)}},
}
