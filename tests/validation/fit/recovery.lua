-- recovery.lua: known parameters for the fit's recovery test
-- (tests/validation/test_fit_recovery.c).  A year of about 1,250 events:
-- strikes with self-excitation (both kernels), raids without, and rockets
-- that raids excite across actors into the raid's own zone (North has no
-- rocket generator: its rockets all come through the rule).  No regime
-- chain and no policies, so the fit's model is the simulator's.
return scenario {
  name = "fit_recovery",
  horizon = days(365),
  parties = {
    { name = "ISR", kind = "state" },
    { name = "SYR", kind = "state" },
    { name = "NSA", kind = "nonstate" },
  },
  zones = { "North", "Centre", "South" },
  types = {
    strike = { level = 5, goldstein = -10, acled_type = "Explosions/Remote violence",
               acled_subtype = "Air/drone strike",
               fatalities_civ = zinb { zero = 0.7, mean = 1.5, dispersion = 0.8 } },
    raid = { level = 4, goldstein = -5, acled_type = "Strategic developments",
             acled_subtype = "Arrests",
             fatalities_mil = zinb { zero = 0.85, mean = 2.0, dispersion = 2.0 } },
    rocket = { level = 6, goldstein = -10, acled_type = "Explosions/Remote violence",
               acled_subtype = "Shelling/artillery/missile attack" },
  },
  incidents = {
    { actor = "ISR", target = "SYR", type = "strike", zone = "North",  rate = per_day(0.5) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "Centre", rate = per_day(0.3) },
    { actor = "ISR", target = "SYR", type = "strike", zone = "South",  rate = per_day(0.2) },
    { actor = "ISR", target = "NSA", type = "raid",   zone = "North",  rate = per_day(0.9) },
    { actor = "ISR", target = "NSA", type = "raid",   zone = "South",  rate = per_day(0.6) },
    { actor = "NSA", target = "ISR", type = "rocket", zone = "South",  rate = per_day(0.15) },
  },
  hawkes = {
    { from = { actor = "ISR", target = "SYR", type = "strike" },
      n = 0.4, fast_share = 0.6, fast_mean = days(1.5), slow_mean = weeks(2) },
    { from = { actor = "ISR", type = "raid" },
      to = { actor = "NSA", target = "ISR", type = "rocket" },
      n = 0.08, fast_share = 1, fast_mean = days(2), slow_mean = weeks(2) },
  },
}
