-- Replications that are not a count.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  replications = "ten",
}
