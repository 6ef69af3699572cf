-- A misspelt field of an incident (issue 15): read as nil, it made the
-- strike fall back to the default target.  Now an error at its line.
return scenario {
  name = "record_typo",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 6 }, strike = { level = 5 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        return { action = "retaliate", type = "strike", target = inc.perpetrater }
      end,
    },
  },
}
