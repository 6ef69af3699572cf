-- A probability above 1.
return scenario {
  name = "probability_gt1",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  cell = {accuracy = 1.2},
}
