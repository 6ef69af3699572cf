-- Two parties with one name.
return scenario {
  name = "duplicate_party",
  parties = {{name = "ISR"}, {name = "ISR"}},
  zones = {"Golan"},
}
