-- A pattern that backtracks for hours inside string.find: stopped by the CPU budget.
return scenario {
  name = "pattern_hang",
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
        string.find(string.rep("a", 40), "(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b")
      end,
    },
  },
  limits = { cpu = 0.1 },
}
