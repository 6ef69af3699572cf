return scenario { name = "limits_steps_typo",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  limits = {step = 1e6},
}
