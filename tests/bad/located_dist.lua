-- A helper's parameter written on its own line: reported at that line.
return scenario {
  name = "located_dist",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "US", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {
    latency = lognormal {
      median = hours(2),
      sigma = -1,
    },
  },
}
