-- A process resumed by hand before its sim.wait is over.
return require("hook_world")("process_resumed", function(self, inc)
  local p; sim.spawn(function() p = coroutine.running(); sim.wait(1) end); coroutine.resume(p)
end)
