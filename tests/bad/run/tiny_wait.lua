-- A process whose wait is too short to move the clock.
return require("hook_world")("tiny_wait", function(self, inc)
  sim.spawn(function() while true do sim.wait(5e-324) end end)
end)
