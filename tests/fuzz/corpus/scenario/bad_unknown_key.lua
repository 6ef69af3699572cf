-- A misspelt key is an error that suggests the nearest known key.
return scenario {
  name = "unknown_key",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  cell = {latancy = hours(1)},
}
