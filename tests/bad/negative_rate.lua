-- A background rate must be >= 0.
return scenario {
  name = "negative_rate",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  incidents = {{actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = -0.1}},
}
