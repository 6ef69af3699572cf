-- userlog.lua: a policy that records a value with sim.log on every rocket it
-- observes, so the test can find those rows in /arms/<ARM>/log.
local taxonomy = require "taxonomy"
return scenario {
  name = "userlog",
  horizon = days(30),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = taxonomy.with("rocket", {}) },
  incidents = { { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1) } },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        sim.log("rocket_level", inc.level)
        return nil
      end,
    },
  },
}
