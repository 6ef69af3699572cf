-- An experiment with a misspelt key: unknown, with the nearest known one.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  replicatons = 3,
}
