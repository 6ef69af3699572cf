-- A varied key given both a list and a range.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  design = "lhs", points = 4,
  vary = { { "cell.accuracy", values = { 0.5, 1 }, from = 0.5 } },
}
