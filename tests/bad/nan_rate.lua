-- 0/0 is NaN: refused like every non-finite number.
return scenario {
  name = "nan_rate",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  incidents = {{actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = 0/0}},
}
