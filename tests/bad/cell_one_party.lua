-- The cell connects two parties, not one.
return scenario {
  name = "cell_one_party",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {parties = {"ISR"}},
}
