-- A policy parameter outside the range its module declares.
local qbr = require "policies.query_before_retaliate"
return scenario {
  name = "policy_param_range",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {strike = {level = 5}},
  policies = {
    ISR = qbr.new {
      deadline = hours(6),
      p_retaliate = 1.5,
    },
  },
}
