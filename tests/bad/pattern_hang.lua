-- A pattern that backtracks for hours inside string.find, where no VM hook
-- sees it: stopped by the CPU-time budget of the load (2 s).
local s = string.rep("a", 40)
local found = string.find(s, "(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b")

return scenario { name = "pattern_hang",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
