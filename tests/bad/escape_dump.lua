-- string.dump is removed (bytecode could be crafted from it).
local code = string.dump(function() end)

return scenario { name = "escape_dump",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
