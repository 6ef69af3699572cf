-- Enforcement is an incident: p > 0 needs its type.
return scenario {
  name = "cell_enforce_no_type",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  types = {raid = {level = 4}},
  cell = {enforce = {p = 0.3}},
}
