return scenario { name = "",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
