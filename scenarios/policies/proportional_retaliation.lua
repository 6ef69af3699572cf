-- proportional_retaliation.lua: answer an attack on the same rung of the
-- ladder, in kind or through a map of types.
--
-- "Tit for tat" at the level of the escalation ladder (model-research.md
-- 1.4 and 3.3): the response matches the incident's rung, so a pair stays
-- where the other side put it instead of climbing.  Great powers mix
-- routine with limited reciprocity (Goldstein & Freeman 1991; MR 1.2): a
-- response probability below 1 is that partial reciprocity.  By default the
-- response is the incident's own type (same type, same rung); `by_type`
-- maps an incident type to the response type (a rocket is answered by a
-- strike), and `by_level` a ladder level to one, for types not in by_type.
-- Parameters: M.parameters.  by_level is read at the incident's level,
-- else the nearest level below it that has an entry.

local policy = require "policy"

local M = {}

M.doc = "answer on the incident's rung: in kind, or through by_type / by_level maps"

M.queries = "query"   -- it asks the cell only when query is true (escsim check reads this)

M.parameters = {
  { name = "min_level", type = "integer", default = 1, range = {0, 7},
    doc = "incidents below this ladder level are ignored" },
  { name = "p_respond", type = "number", default = 1.0, range = {0, 1},
    doc = "probability of responding, else a protest" },
  { name = "delay", type = "number", unit = "h", default = hours(12), range = {0, math.huge},
    doc = "hours from observation to the response" },
  { name = "query", type = "boolean", default = false,
    doc = "ask first (the channels, and the cell where there is one)" },
  { name = "by_type", type = "table", keys = "type", values = "type", optional = true, default = false,
    doc = "{incident type = response type} (false: none)" },
  { name = "by_level", type = "table", keys = "integer", values = "type", optional = true, default = false,
    doc = "{level = response type}, e.g. {[5] = \"strike\"} (false: none)" },
}

-- The response type for an incident: by_type, then by_level, then in kind.
function M.response_type(self, inc)
  if self.by_type and self.by_type[inc.type] then return self.by_type[inc.type] end
  if self.by_level then
    for level = inc.level, 0, -1 do
      if self.by_level[level] then return self.by_level[level] end
    end
  end
  return inc.type
end

function M.on_incident_observed(self, inc)
  if inc.level < self.min_level then return nil end
  if sim.random() >= self.p_respond then return { action = "protest" } end
  return {
    action = "retaliate",
    type = self:response_type(inc),
    delay = self.delay,
    query = self.query,
  }
end

---@param params? escsim.params.proportional_retaliation
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
