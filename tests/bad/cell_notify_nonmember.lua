-- Only a party of the cell can notify its operations through it.
return scenario {
  name = "cell_notify_nonmember",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {notify = {party = "NSA", lead = hours(2)}},
}
