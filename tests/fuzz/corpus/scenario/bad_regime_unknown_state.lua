-- A rate to a state the chain does not have (a typo for "tense").
return scenario {
  name = "regime_unknown_state",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  regime = {
    states = {"calm", "tense", "crisis"},
    rates = {calm = {tence = per_day(0.1)}, tense = {calm = per_day(0.2)}},
  },
}
