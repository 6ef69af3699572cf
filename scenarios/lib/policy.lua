-- policy.lua: build a party's policy table from a policy module.
--
-- A policy module holds hooks (attribute, on_incident_observed,
-- on_cell_request, on_cell_reply, pre_operation, on_tick, on_event), helper
-- functions its hooks call as methods (self:helper()), and its parameters'
-- defaults.  policy.new(module, defaults, params) returns a fresh table with
-- the defaults, the scenario's params over them, and the module's functions
-- (all but new).  A parameter the module does not know is an error at the
-- scenario's line, so a typo (deadlline = hours(6)) cannot pass silently;
-- so is a parameter of the wrong type (a string where the default is a
-- number).  Call it from a module's own new(params), not as a tail call, so
-- the error names the scenario's line.

local M = {}

local function known_names(defaults)
  local known = {}
  for name in sim.sorted_pairs(defaults) do known[#known + 1] = name end
  return table.concat(known, ", ")
end

function M.new(module, defaults, params)
  if params ~= nil and type(params) ~= "table" then
    error("policy parameters: expected a table {name = value, ...}, got " .. type(params), 3)
  end
  local p = {}
  for k, v in sim.sorted_pairs(defaults) do p[k] = v end
  for k, v in sim.sorted_pairs(params or {}) do
    local d = defaults[k]
    if d == nil then
      error("unknown policy parameter '" .. tostring(k) .. "' (known: " .. known_names(defaults) .. ")", 3)
    end
    -- false is the default of optional names and tables ("none"): anything goes
    if d ~= false and type(v) ~= type(d) then
      error("policy parameter '" .. tostring(k) .. "': expected a " .. type(d) .. " (like the default, "
            .. tostring(d) .. "), got " .. type(v), 3)
    end
    p[k] = v
  end
  for k, v in sim.sorted_pairs(module) do
    if type(v) == "function" and k ~= "new" then p[k] = v end
  end
  return p
end

return M
