-- A shock forces a state the chain does not have.
return scenario {
  name = "shock_unknown_state",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  regime = {
    states = {"calm", "tense", "crisis"},
    shocks = {{at = days(30), state = "crisis"}, {at = days(45), state = "war"}},
  },
}
