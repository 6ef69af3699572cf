-- policy.lua: build a party's policy table from a policy module.
--
-- A policy module holds hooks (functions named on_...) and its parameters'
-- defaults; policy.new(module, defaults, params) returns a fresh table with
-- the defaults, the scenario's params over them, and the hooks.  A parameter
-- the module does not know is an error at the scenario's line, so a typo
-- (deadlline = hours(6)) cannot pass silently.  Call it from a module's
-- own new(params), not as a tail call, so the error names the scenario's line.

local M = {}

function M.new(module, defaults, params)
  local p = {}
  for k, v in sim.sorted_pairs(defaults) do p[k] = v end
  for k, v in sim.sorted_pairs(params or {}) do
    if defaults[k] == nil then
      local known = {}
      for name in sim.sorted_pairs(defaults) do known[#known + 1] = name end
      error("unknown policy parameter '" .. tostring(k) .. "' (known: "
            .. table.concat(known, ", ") .. ")", 3)
    end
    p[k] = v
  end
  for k, v in sim.sorted_pairs(module) do
    if type(v) == "function" and k:sub(1, 3) == "on_" then p[k] = v end
  end
  return p
end

return M
