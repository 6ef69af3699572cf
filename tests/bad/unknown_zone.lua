-- A zone that is not in zones.
return scenario {
  name = "unknown_zone",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  incidents = {{actor = "NSA", target = "ISR", type = "rocket", zone = "Hermon", rate = per_day(1)}},
}
