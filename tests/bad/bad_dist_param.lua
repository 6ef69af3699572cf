-- A distribution parameter out of its domain, reported at the constructor.
local latency = lognormal {median = hours(1), sigma = -1}

return scenario {
  name = "bad_dist_param",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  cell = {latency = latency},
}
