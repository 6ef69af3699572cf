-- deniable is true or false.
return scenario {
  name = "deniable_not_boolean",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate", deniable = "yes"}},
  zones = {"Golan"},
}
