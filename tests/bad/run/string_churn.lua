-- Building a string by repeated concatenation: each step copies the whole
-- string, so a call may allocate far more than it keeps; at most 16 times
-- the memory cap in one call (a cap of its own, besides the CPU budget).
return require("hook_world")("string_churn", function(self, inc)
  local s = "" for i = 1, 1e7 do s = s .. "xxxxxxxxxx" end
end, { limits = { memory = 1024 * 1024, cpu = 60 } })
