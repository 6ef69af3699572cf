-- A misspelt parameter of a second module joined with policy.with.
local hsr = require "policies.host_state_responsibility"
local qbr = require "policies.query_before_retaliate"
return scenario {
  name = "policy_with_typo",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {strike = {level = 5}},
  policies = {
    ISR = hsr.with(qbr.new {deadline = hours(6)},
                   {host = "SYR", p_blam = 0.5}),
  },
}
