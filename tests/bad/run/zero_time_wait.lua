-- A process that waits 0 hours, for ever.
return require("hook_world")("zero_time_wait", function(self, inc)
  sim.spawn(function() while true do sim.wait(0) end end)
end)
