-- require takes module names, not paths out of the library folders.
local passwd = require "../../../etc/passwd"

return scenario { name = "escape_require_path",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
