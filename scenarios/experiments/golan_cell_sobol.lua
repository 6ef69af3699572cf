-- golan_cell_sobol.lua: which of the cell's properties drive misattributed
-- retaliations and deaths in golan_2026, and where does its benefit go?
--
--   escsim sweep --experiment scenarios/experiments/golan_cell_sobol.lua
--
-- A Saltelli design over eight properties of the cell: N (k + 2) = 64 x 10 =
-- 640 points, each running both arms on the same replications, and the
-- report's Sobol indices (docs/analysis.md, "Worked example: the cell's
-- properties in golan_2026").  The ranges are the ones golan_2026.lua names
-- for sweeping.
return experiment {
  name = "golan_cell_sobol",
  description = "Sobol indices of the cell's properties in golan_2026",
  scenario = "../golan_2026.lua",
  replications = 40,
  seed = 2026,
  horizon = days(180),

  design = "saltelli",
  points = 64,
  vary = {
    { "cell.accuracy", from = 0.5, to = 1.0 },
    { "cell.latency", from = "15m", to = "12h", scale = "log" },
    { "cell.operators", values = { 1, 2, 3, 4 } },
    { "cell.outages.mtbf", from = "7d", to = "180d", scale = "log" },
    { "cell.refuse.base", from = 0.0, to = 0.3 },
    { "cell.enforce.p", from = 0.0, to = 0.5 },
    { "cell.notify.lead", from = "30m", to = "4h", scale = "log" },
    { "cell.notify.harm_reduction", from = 0.2, to = 0.9 },
  },

  arms = {
    { "cell", set = { cell = { enabled = true } } },
    { "no_cell", set = { cell = { enabled = false } } },
  },

  outputs = { file = "golan_cell_sobol.h5" },
}
