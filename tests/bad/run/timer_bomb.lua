-- Timers without end: their memory outside Lua counts against the cap.
return scenario {
  name = "timer_bomb",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 }, strike = { level = 4 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        for i = 1, 1e8 do sim.schedule(1, print) end
      end,
    },
  },
  limits = { memory = 16 * 1024 * 1024 },
}
