-- A cell needs someone on shift.
return scenario {
  name = "cell_operators_0",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {operators = 0},
}
