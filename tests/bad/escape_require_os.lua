-- require cannot bring the os library back.
local os = require "os"

return scenario { name = "escape_require_os",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
