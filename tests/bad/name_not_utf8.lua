-- The name goes into the results' attributes and JSON as UTF-8.
return scenario { name = "bad\xff\xfeutf",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
