-- horizon must be a number of hours, not a string.
return scenario {
  name = "wrong_type",
  horizon = "one year",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
