-- A policy hook that never returns.
return scenario {
  name = "endless",
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
        while true do end
      end,
    },
  },
  limits = { cpu = 0.1 },
}
