-- 1e300 hours would overflow the daily table's size.
return scenario { name = "horizon_huge", horizon = 1e300,
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
