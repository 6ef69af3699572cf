-- An incident generator naming a party that does not exist.
return scenario {
  name = "unknown_party",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  incidents = {{actor = "IRN", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1)}},
}
