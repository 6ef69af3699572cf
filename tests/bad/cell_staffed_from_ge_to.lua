-- Staffed hours are one shift within a day: from must come before to.
return scenario {
  name = "cell_staffed_from_ge_to",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {staffed = {from = 20, to = 8}},
}
