-- A table parameter whose values must be incident types.
local pr = require "policies.proportional_retaliation"
return scenario {
  name = "policy_param_table",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {strike = {level = 5}, rocket = {level = 6}},
  policies = {
    ISR = pr.new {by_type = {rocket = "airstrike"}},
  },
}
