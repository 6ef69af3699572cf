-- outputs is part of the format but not implemented yet: refused, not ignored.
return scenario {
  name = "reserved_outputs",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  outputs = {events = true},
}
