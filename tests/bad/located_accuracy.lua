-- A bad value deep in the scenario table (issue 15: accuracy = "90%" on
-- line 107 was reported at the `return scenario {` line).
local LATENCY = lognormal {
  median = hours(1.5),
  sigma = 1,
}

return scenario {
  name = "located_accuracy",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "US", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {
    enabled = true,
    latency = LATENCY,
    accuracy = "90%",
  },
}
