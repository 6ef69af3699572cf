return scenario { name = "acled_not_utf8",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {rocket = {level = 3, acled_type = "Explosions\xe9"}},
}
