-- Two arms of one name.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  arms = { { "cell" }, { "cell", set = { cell = { enabled = false } } } },
}
