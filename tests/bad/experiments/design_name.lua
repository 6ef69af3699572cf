-- An unknown design.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  design = "sobl", points = 4,
  vary = { { "cell.accuracy", from = 0.5, to = 1 } },
}
