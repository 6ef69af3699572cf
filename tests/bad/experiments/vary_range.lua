-- A varied probability whose range leaves [0, 1].
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  design = "lhs", points = 4,
  vary = { { "cell.accuracy", from = 0.5, to = 1.5 } },
}
