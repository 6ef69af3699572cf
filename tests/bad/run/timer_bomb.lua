-- Timers without end: their memory outside Lua (128 bytes each) counts
-- against the cap, which they reach between two of the Lua timer table's
-- doublings (at 32 MiB).
return require("hook_world")("timer_bomb", function(self, inc)
  for i = 1, 1e8 do sim.schedule(1, print) end
end, { limits = { memory = 32 * 1024 * 1024 } })
