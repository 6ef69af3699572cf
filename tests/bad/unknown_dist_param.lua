-- A misspelt distribution parameter.
return scenario {
  name = "unknown_dist_param",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  cell = {latency = lognormal {median = hours(1), sigm = 1}},
}
