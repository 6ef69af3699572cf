-- A string of 512 MiB, past the memory cap of the Lua state (256 MiB):
-- refused at once.  (Bombs that grow to a cap step by step, which take
-- longer, are in tests/unit/test_scenario.c and tests/bad/run/memory.lua,
-- under small caps.)
local s = string.rep("x", 1 << 29)

return scenario { name = "memory_bomb",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
