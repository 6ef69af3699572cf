-- fails_in_rep_3.lua: a scenario whose policy raises an error in
-- replication 3, on day 5 or later (line 16): the fault tests'
-- (tests/bad/faults.t, damage.t) run stopped part-way by a script error.
return scenario {
  name = "fails_in_rep_3",
  horizon = days(20),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(2) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        if sim.rep() == 3 and sim.now() >= days(5) then error("the policy broke") end
        return { action = "protest" }
      end,
    },
  },
}
