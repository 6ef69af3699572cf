-- Queries without end: each action counts against the memory cap.
return require("hook_world")("query_bomb", function(self, inc)
  for i = 1, 3e6 do sim.act { action = "query" } end
end, { cell = { enabled = true, parties = { "ISR", "SYR" } }, limits = { memory = 16 * 1024 * 1024, cpu = 600 } })
