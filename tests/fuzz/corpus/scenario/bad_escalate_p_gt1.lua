-- The probability that a raid turns into a clash must be in [0, 1].
return scenario {
  name = "escalate_p_gt1",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Quneitra"},
  types = {
    raid = {level = 4, escalate = {to = "clash", p = 1.5}},
    clash = {level = 6},
  },
}
