-- A policy hook that allocates without end.
return scenario {
  name = "memory",
  horizon = days(10),
  limits = { memory = 16 * 1024 * 1024 },   -- a small cap: quick under valgrind
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 }, strike = { level = 4 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        local t = {}
        for i = 1, math.maxinteger do t[i] = string.rep("x", 1 << 20) .. i end
      end,
    },
  },
}
