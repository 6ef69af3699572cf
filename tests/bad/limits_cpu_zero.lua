return scenario { name = "limits_cpu_zero",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  limits = {cpu = 0},
}
