-- An endless loop in on_tick, stopped by the CPU-time budget at the
-- first tick.
return scenario {
  name = "tick_budget",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "Golan" },
  limits = { cpu = 0.1 },
  policies = {
    ISR = { tick = hours(7), on_tick = function() local n = 0 while true do n = n + 1 end end },
  },
}
