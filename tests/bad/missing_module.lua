-- require of a module that is in none of the library folders.
local missing = require "policies.no_such_policy"

return scenario {
  name = "missing_module",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
