-- A module's own declaration is wrong: the error points at the module.
local bad = require "policies.bad_decl"
return scenario {
  name = "policy_decl_bad",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  policies = {ISR = bad.new {}},
}
