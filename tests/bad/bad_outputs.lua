-- outputs names the tables to write besides runs: daily and events are
-- booleans.
return scenario {
  name = "bad_outputs",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  outputs = {daily = "no"},
}
