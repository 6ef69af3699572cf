-- math.random is removed: scripts draw only through sim.random, per replication.
local x = math.random()

return scenario { name = "escape_random",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
