-- Building a string by repeated concatenation: each step copies the whole
-- string in one instruction, so the instruction budget alone would let this
-- run for hours; the allocation budget of a call stops it.
local s = ""
for i = 1, 1e7 do s = s .. "xxxxxxxxxx" end
return scenario { name = "string_churn" }
