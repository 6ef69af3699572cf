-- A latency must be a distribution or a number of hours.
return scenario {
  name = "not_a_distribution",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  cell = {latency = "fast"},
}
