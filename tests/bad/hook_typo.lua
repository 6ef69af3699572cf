-- A misspelt hook (issue 15): it would never be called, so the run would
-- finish with no retaliation.  An error in every command, not a warning
-- (check here; run and compare in cli.txt).
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
