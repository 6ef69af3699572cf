-- query_before_retaliate.lua: retaliate against serious incidents, but ask
-- first, and strike only when the deadline passes without an answer that
-- clears the suspect.  A query goes to the fallback channels (UNDOF, a
-- backchannel, public statements) as it would without any cell, and to the
-- communication cell as well where there is one.
--
-- Israel's reported practice: fast, probable responses to attacks on its
-- forces or territory (Jaeger & Paserman 2008; model-research.md 1.2), the
-- night of the 3 June 2025 rockets.  Parameters (M.parameters) are
-- assumptions to sweep.

local policy = require "policy"

local M = {}

M.doc = "retaliate against serious incidents, asking first (channels, and the cell where there is one)"

M.queries = "query_first"   -- it asks the cell only when query_first is true (escsim check reads this)

M.parameters = {
  { name = "min_level", type = "integer", default = 6, range = {0, 7},
    doc = "incidents below this ladder level are ignored" },
  { name = "p_retaliate", type = "number", default = 0.9, range = {0, 1},
    doc = "probability of retaliating, else a protest" },
  { name = "deadline", type = "number", unit = "h", default = hours(6), range = {0, math.huge},
    doc = "hours from observation to the strike (the cell's deadline)" },
  { name = "query_first", type = "boolean", default = true,
    doc = "ask before striking (the channels, and the cell where there is one)" },
  { name = "response", type = "type", default = "strike",
    doc = "incident type of the retaliation" },
}

function M.on_incident_observed(self, inc)
  if inc.level < self.min_level then return nil end
  if sim.random() >= self.p_retaliate then return { action = "protest" } end
  return {
    action = "retaliate",
    type = self.response,
    delay = self.deadline,
    query = self.query_first,
  }
end

---@param params? escsim.params.query_before_retaliate
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
