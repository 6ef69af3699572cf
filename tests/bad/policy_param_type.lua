-- A library policy parameter of the wrong type.
local gtft = require "policies.generous_tit_for_tat"
return scenario {
  name = "policy_param_type",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {strike = {level = 5}},
  policies = {ISR = gtft.new {generosity = "high"}},
}
