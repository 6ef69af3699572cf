-- The sandbox has no os library.
os.execute("touch /tmp/escsim-escaped")

return scenario { name = "escape_os",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
