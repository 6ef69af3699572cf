-- name is required.
return scenario {
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
