-- A trigger that does nothing: the action is required.
return scenario {
  name = "trigger_no_action",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6}},
  triggers = {
    {name = "rocket_alert", party = "ISR", event = {type = "rocket"}, probability = 0.5},
  },
}
