-- A delay of math.huge hours.
return require("hook_world")("delay_huge", function(self, inc)
  return { action = "retaliate", type = "strike", delay = math.huge }
end)
