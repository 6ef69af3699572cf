-- A million rows of the user log in one replication.
return require("hook_world")("log_bomb", function(self, inc)
  for i = 1, 1000000 do sim.log("k", i) end
end)
