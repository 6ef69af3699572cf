return scenario { name = "limits_memory_huge",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  limits = {memory = 1e18},
}
