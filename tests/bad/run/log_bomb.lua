-- A million rows of the user log in one replication.
return scenario {
  name = "log_bomb",
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
        for i = 1, 1000000 do sim.log("k", i) end
      end,
    },
  },
}
