-- No io library (with one, the file would appear in catalogue.t's empty folder).
local f = io.open("escaped_io", "w")

return scenario { name = "escape_io",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
