-- Queries without end: each action counts against the memory cap.
return scenario {
  name = "query_bomb",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 }, strike = { level = 4 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  cell = { enabled = true, parties = { "ISR", "SYR" } },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        for i = 1, 3e6 do sim.act { action = "query" } end
      end,
    },
  },
  limits = { memory = 16 * 1024 * 1024, cpu = 600 },
}
