-- Escalation needs two parties at least.
return scenario {
  name = "one_party",
  parties = {{name = "ISR"}},
  zones = {"Golan"},
}
