-- No os library (with one, the file would appear in catalogue.t's empty folder).
os.execute("touch escaped_os")

return scenario { name = "escape_os",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
