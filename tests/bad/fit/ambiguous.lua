-- ambiguous.lua: two incident types with one ACLED sub-event type, so an
-- export's "Air/drone strike" cannot be read without a mapping
-- (tests/bad/fit.t).
return scenario {
  name = "ambiguous",
  horizon = days(30),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "North" },
  types = {
    strike = { level = 5, goldstein = -10, acled_subtype = "Air/drone strike" },
    lethal_strike = { level = 6, goldstein = -10, acled_subtype = "Air/drone strike" },
  },
  incidents = { { actor = "ISR", target = "SYR", type = "strike", zone = "North", rate = per_day(1) } },
}
