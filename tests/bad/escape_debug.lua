-- No debug library: debug.sethook would lift the CPU-time budget.
debug.sethook()

return scenario { name = "escape_debug",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
