-- A misspelt policy parameter: refused where the policy is built.
local qbr = require "policies.query_before_retaliate"
return scenario {
  name = "policy_param_typo",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {strike = {level = 5}},
  policies = {ISR = qbr.new { deadlline = hours(6) }},
}
