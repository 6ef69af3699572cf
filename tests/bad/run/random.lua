-- A policy hook that calls math.random instead of sim.random.
return scenario {
  name = "random",
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
        if math.random() < 0.5 then return { action = "protest" } end
      end,
    },
  },
}
