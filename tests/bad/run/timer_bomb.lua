-- Timers without end: their memory outside Lua counts against the cap.
return require("hook_world")("timer_bomb", function(self, inc)
  for i = 1, 1e8 do sim.schedule(1, print) end
end, { limits = { memory = 16 * 1024 * 1024 } })
