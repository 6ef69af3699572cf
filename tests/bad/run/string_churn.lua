-- Building a string by repeated concatenation: each step copies the whole
-- string, so a call may allocate far more than it keeps; at most 16 times
-- the memory cap in one call (a cap of its own, besides the CPU budget).
return scenario {
  name = "string_churn",
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
        local s = "" for i = 1, 1e7 do s = s .. "xxxxxxxxxx" end
      end,
    },
  },
  limits = { memory = 1024 * 1024, cpu = 60 },
}
