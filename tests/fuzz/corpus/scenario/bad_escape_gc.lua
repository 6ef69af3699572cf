-- __gc finalizers run whenever the collector gets to them: refused, since
-- what they do would differ from run to run.
local t = setmetatable({}, {__gc = function() print("collected") end})

return scenario { name = "escape_gc",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
