-- load accepts source text only, never a binary chunk.
local f = assert(load("\27LuaT\0\25\147\r\n\26\n\4\8\8", "chunk", "t"))

return scenario { name = "escape_binary",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
