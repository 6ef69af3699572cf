-- A varied key's entry with a misspelt field.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  design = "lhs", points = 4,
  vary = { { "cell.accuracy", from = 0.5, too = 1 } },
}
