-- Stopped by the CPU-time budget (2 s of the load).
local n = 0
while true do n = n + 1 end

return scenario { name = "endless_loop",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
