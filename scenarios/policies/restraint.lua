-- restraint.lua: protest and ask; strike only when the pair is already high
-- on the ladder.
--
-- The posture of a state that wants talks to work: every attack is answered
-- by a query (through the fallback channels, and the cell where there is
-- one), or by an official complaint when it does not ask (the Syrian
-- government's four UNSC complaints in eight months, model-research.md
-- 4), and force is used only once the pair's ladder level towards the
-- perceived attacker is at or above a threshold (MR 1.4, 3.3): a red line,
-- not a reflex.  Even then the strike waits for an answer when it asks.
-- Parameters: M.parameters.

local policy = require "policy"

local M = {}

M.doc = "query (or protest when it does not ask); strike only at a red line on the ladder"

M.queries = "query"   -- it asks the cell only when query is true (escsim check reads this)

M.parameters = {
  { name = "min_level", type = "integer", default = 1, range = {0, 7},
    doc = "incidents below this ladder level are ignored" },
  { name = "threshold", type = "number", default = 5, range = {0, 8},
    doc = "ladder level towards the perceived attacker at or above which the policy strikes" },
  { name = "response", type = "type", default = "strike",
    doc = "incident type of a strike" },
  { name = "delay", type = "number", unit = "h", default = hours(24), range = {0, math.huge},
    doc = "hours from observation to a strike" },
  { name = "query", type = "boolean", default = true,
    doc = "ask (queries, and before striking): the channels, and the cell where there is one" },
}

function M.on_incident_observed(self, inc)
  if inc.level < self.min_level then return nil end
  local ask = self.query
  if inc.ladder >= self.threshold then
    return { action = "retaliate", type = self.response, delay = self.delay, query = ask }
  end
  if ask then return { action = "query" } end
  return { action = "protest" }
end

---@param params? escsim.params.restraint
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
