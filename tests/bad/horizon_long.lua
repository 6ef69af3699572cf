-- 7.2e10 hours (8 million years): a daily table of 3e9 rows per replication.
return scenario { name = "horizon_long", horizon = 7.2e10,
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
