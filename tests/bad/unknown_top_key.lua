-- A misspelt top-level key.
return scenario {
  name = "unknown_top_key",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  incidnets = {},
}
