-- A misspelt parameter of a library policy.
local restraint = require "policies.restraint"
return scenario {
  name = "policy_param_unknown",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  policies = {ISR = restraint.new {treshold = 5}},
}
