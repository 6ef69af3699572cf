-- A timer that sets itself again at the same time, for ever.
return scenario {
  name = "zero_time_schedule",
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
        local function again() sim.schedule(0, again) end sim.schedule(0, again)
      end,
    },
  },
}
