-- A hook name bound to something that is not a function.
return scenario {
  name = "bad_hook",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  policies = {ISR = {on_incident_observed = "retaliate"}},
}
