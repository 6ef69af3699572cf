-- A policy tick of 1e-9 hours: ten million ticks before the first
-- microsecond of the horizon is over.
return scenario {
  name = "tick_tiny",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "Golan" },
  policies = { ISR = { tick = 1e-9, on_tick = function(self) end } },
  limits = { steps = 100000 },
}
