-- A bad value in a table a required module wrote: reported in the module.
local world = require "bad_world"
return scenario {
  name = "located_module",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "US", kind = "supervisor"}},
  zones = {"Golan"},
  cell = world.cell,
}
