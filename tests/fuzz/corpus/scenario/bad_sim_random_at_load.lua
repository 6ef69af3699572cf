-- sim.random draws from a replication's stream, so not while loading.
local x = sim.random()

return scenario { name = "sim_random_at_load",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
