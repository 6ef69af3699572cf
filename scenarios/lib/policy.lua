-- policy.lua: build a party's policy table from a policy module.
--
-- A policy module holds hooks (attribute, on_incident_observed,
-- on_cell_request, on_cell_reply, pre_operation, on_tick, on_event), helper
-- functions its hooks call as methods (self:helper()), a one-line `doc`, and
-- the declaration of its parameters, M.parameters, an array of
--
--   { name = "deadline", type = "number", unit = "h", default = hours(6),
--     range = {0, math.huge}, doc = "hours from observation to the strike" }
--
-- type is number, integer, boolean, string, table, party, type, zone (a
-- name the scenario defines) or any; optional = true also accepts false
-- ("none"); a table may say the type of its keys and values (keys = "type",
-- values = "type").  range is closed; unit is for people ("h": hours).
--
-- policy.new(module, params) returns a fresh table with every parameter at
-- its default, the scenario's params over them, and the module's functions
-- (all but new).  The table's metatable names the module, its declaration
-- and the params, so that escsim checks every value against the
-- declaration when it validates the scenario: a parameter the module does
-- not declare (deadlline = hours(6)) or a value of the wrong type or out of
-- range is an error at the line of the scenario that wrote it, and the same
-- holds for --set, --arm and --vary (docs/scripting.md).
--
-- policy.new(module, defaults, params), the older form, still works: the
-- defaults become a declaration whose types are the defaults' (false: any).
--
-- policy.with(base, module, params) adds a second module's parameters and
-- functions to a policy table already built (host_state_responsibility's
-- `attribute` joins a response policy this way).

local M = {}

-- The older form: each default's own type (false: anything goes).
local function from_defaults(defaults)
  local decl = {}
  for name, d in sim.sorted_pairs(defaults or {}) do
    decl[#decl + 1] = { name = name, type = d == false and "any" or type(d), default = d,
                        doc = "(undeclared: the type of its default)" }
  end
  return decl
end

local function check_params(params)
  if params ~= nil and type(params) ~= "table" then
    error("policy parameters: expected a table {name = value, ...}, got " .. type(params), 4)
  end
end

-- Fill p from module's declaration and params; returns the declaration.
local function fill(p, module, decl, params)
  for _, d in ipairs(decl) do
    if type(d) == "table" and d.name ~= nil then p[d.name] = d.default end
  end
  for k, v in sim.sorted_pairs(params or {}) do p[k] = v end   -- checked by escsim
  for k, v in sim.sorted_pairs(module) do
    if type(v) == "function" and k ~= "new" and k ~= "with" then p[k] = v end
  end
end

function M.new(module, a, b)
  local decl, params = module.parameters, a
  if decl == nil then decl, params = from_defaults(a), b end
  check_params(params)
  local p = {}
  fill(p, module, decl, params)
  return setmetatable(p, { __escsim_policy = { module = module, parameters = decl,
                                               sources = { params } } })
end

function M.with(base, module, params)
  check_params(params)
  local mt = getmetatable(base)
  local meta = type(mt) == "table" and rawget(mt, "__escsim_policy")
  if not meta then
    error("policy.with: the policy table was not built by policy.new", 3)
  end
  for _, d in ipairs(module.parameters) do
    if base[d.name] ~= nil then
      error("policy.with: the policy already has a parameter '" .. d.name .. "'", 3)
    end
  end
  for k, v in sim.sorted_pairs(module) do
    if type(v) == "function" and k ~= "new" and k ~= "with" and base[k] ~= nil then
      error("policy.with: the policy already has a function '" .. k .. "'", 3)
    end
  end
  local decl, sources = {}, {}
  for _, d in ipairs(meta.parameters) do decl[#decl + 1] = d end
  for _, d in ipairs(module.parameters) do decl[#decl + 1] = d end
  for _, s in ipairs(meta.sources) do sources[#sources + 1] = s end
  sources[#sources + 1] = params
  fill(base, module, module.parameters, params)
  return setmetatable(base, { __escsim_policy = { module = meta.module, also = module,
                                                  parameters = decl, sources = sources } })
end

return M
