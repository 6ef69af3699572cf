-- Stopped by the memory cap of the Lua state.
local t = {}
while true do t[#t + 1] = string.rep("x", 1 << 20) .. #t end

return scenario { name = "memory_bomb",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
