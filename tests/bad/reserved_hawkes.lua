-- hawkes is part of the format but not implemented yet: refused, not ignored.
return scenario {
  name = "reserved_hawkes",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  hawkes = {alpha = 0.5},
}
