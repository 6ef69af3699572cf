return scenario { name = "trigger_name_control",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  triggers = {{name = "two\nlines", party = "ISR", event = {type = "rocket"}, action = function() end}},
}
