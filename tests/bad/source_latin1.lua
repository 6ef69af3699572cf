-- A Latin-1 comment: café.
return scenario { name = "source_latin1",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
