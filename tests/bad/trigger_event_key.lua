-- A misspelt key of a trigger's event match.
return scenario {
  name = "trigger_event_key",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6}},
  triggers = {
    {party = "ISR", event = {type = "rocket", zoen = "Golan"},
     action = function(ev) sim.act{action = "protest"} end},
  },
}
