-- A trigger's probability is a probability.
return scenario {
  name = "trigger_probability",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6}},
  triggers = {
    {party = "ISR", event = {type = "rocket"}, probability = 50,
     action = function(ev) sim.act{action = "protest"} end},
  },
}
