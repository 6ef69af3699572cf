-- A comma is missing after the name: Lua's own syntax error, with file:line.
return scenario {
  name = "syntax_error"
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
}
