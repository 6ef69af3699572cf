return scenario { name = "rate_inf",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  cell = {enabled = true, parties = {"ISR", "SYR"}, notify = {party = "ISR", lead = math.huge}},
}
