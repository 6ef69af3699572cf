-- A policy parameter of type "type": a name the scenario must define.
local qbr = require "policies.query_before_retaliate"
return scenario {
  name = "policy_param_name",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {strike = {level = 5}, raid = {level = 4}},
  policies = {
    ISR = qbr.new {response = "strik"},
  },
}
