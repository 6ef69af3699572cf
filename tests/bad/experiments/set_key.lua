-- A set (every arm) with a misspelt key: checked where --set is.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  set = { cell = { acuracy = 0.5 } },
}
