-- channels is part of the format but not implemented yet: refused, not ignored.
return scenario {
  name = "reserved_channels",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  channels = {{name = "undof_liaison"}},
}
