-- Ladder levels run from 0 to 7.
return scenario {
  name = "bad_level",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  types = {nuke = {level = 9}},
}
