-- An arm overriding a key golan_2026 does not have: checked where --arm is.
return experiment {
  scenario = "../../../scenarios/golan_2026.lua",
  arms = {
    { "fast", set = { cell = { latncy = hours(1) } } },
    { "no_cell", set = { cell = { enabled = false } } },
  },
}
