-- A process resumed by hand before its sim.wait is over.
return scenario {
  name = "process_resumed",
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
        local p; sim.spawn(function() p = coroutine.running(); sim.wait(1) end); coroutine.resume(p)
      end,
    },
  },
}
