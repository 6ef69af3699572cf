-- bad_world.lua: a shared module with a bad value (for located_module.lua).
local M = {}
M.cell = {
  enabled = true,
  operators = 0,
}
return M
