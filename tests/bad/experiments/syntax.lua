-- A syntax error.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua"
  seed = 3,
}
