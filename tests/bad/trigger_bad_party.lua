-- A trigger acting for a party the scenario does not have.
return scenario {
  name = "trigger_bad_party",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6}},
  triggers = {
    {name = "rocket_alert", party = "IDF", event = {type = "rocket"},
     action = function(ev) sim.act{action = "protest"} end},
  },
}
