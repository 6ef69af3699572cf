-- The sandbox has no io library.
local f = io.open("/etc/passwd")

return scenario { name = "escape_io",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
