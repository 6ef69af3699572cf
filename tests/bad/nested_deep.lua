-- A policy parameter nested 120 levels deep.
local deep = {}
local at = deep
for _ = 1, 120 do at.next = {}; at = at.next end

return scenario { name = "nested_deep",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  policies = {ISR = {plan = deep, on_tick = function() end, tick = 24}},
}
