-- math.huge means "never"; NaN means nothing.
return scenario {
  name = "cell_mtbf_nan",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  cell = {outages = {mtbf = 0/0, mttr = hours(6)}},
}
