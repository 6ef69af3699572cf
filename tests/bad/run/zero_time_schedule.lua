-- A timer that sets itself again at the same time, for ever.
return require("hook_world")("zero_time_schedule", function(self, inc)
  local function again() sim.schedule(0, again) end sim.schedule(0, again)
end)
