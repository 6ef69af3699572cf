-- The instruction budget is gone; the message names its replacement.
return scenario { name = "limits_instructions",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  limits = {instructions = 1e7},
}
