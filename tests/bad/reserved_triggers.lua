-- triggers is part of the format but not implemented yet: refused, not ignored.
return scenario {
  name = "reserved_triggers",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  triggers = {{at = days(10)}},
}
