-- No package library: package.loadlib would load native code.
package.loadlib("libc.so.6", "system")

return scenario { name = "escape_loadlib",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
