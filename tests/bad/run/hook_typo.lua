-- A misspelt hook (issue 15): run and compare refuse it as check does (it
-- would never be called: the runs would show no retaliation at all).
return scenario {
  name = "hook_typo",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6}, strike = {level = 5}},
  incidents = {{actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1)}},
  policies = {
    ISR = {
      on_incident_observd = function(self, inc)
        return {action = "retaliate", type = "strike"}
      end,
    },
  },
}
