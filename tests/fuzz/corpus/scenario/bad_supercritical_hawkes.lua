-- Each rocket brings on average 0.7 more at the same target, plus 0.2 per
-- death with two deaths expected: 0.7 * (1 + 0.2 * 2) = 0.98 from this rule,
-- and the reprisal rule's 0.1 tips it over 1 (incidents would multiply
-- without bound).  Every value is in range: only the check of the whole
-- process refuses it.
return scenario {
  name = "supercritical_hawkes",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6, fatalities_civ = poisson{mean = 2}}},
  incidents = {{actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_year(6)}},
  hawkes = {
    {from = {type = "rocket"}, n = 0.7, per_fatality = 0.2},
    {from = {actor = "NSA"}, n = 0.1},
  },
}
