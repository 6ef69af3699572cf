-- A transition rate must be >= 0.
return scenario {
  name = "regime_negative_rate",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  regime = {
    states = {"calm", "tense", "crisis"},
    rates = {calm = {tense = per_day(0.1)}, tense = {crisis = -0.01}},
  },
}
