-- A spiral is an exchange of at least one move; 0 moves is out.
return scenario {
  name = "spiral_moves_0",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  ladder = {spiral_moves = 0},
}
