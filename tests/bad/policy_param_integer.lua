-- An integer parameter given a fraction.
local restraint = require "policies.restraint"
return scenario {
  name = "policy_param_integer",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {strike = {level = 5}},
  policies = {
    ISR = restraint.new {
      min_level = 2.5,
    },
  },
}
