-- protest_mostly.lua: a state that answers attacks with official complaints
-- and almost never with force.
--
-- The Syrian government since December 2024: four complaints to the UN
-- Security Council in eight months and no military retaliation
-- (model-research.md section 4).  Parameters: M.parameters.

local policy = require "policy"

local M = {}

M.doc = "protest; retaliate rarely and only after lethal incidents"

M.queries = false   -- it never asks the cell (escsim check reads this)

M.parameters = {
  { name = "p_protest", type = "number", default = 0.05, range = {0, 1},
    doc = "probability of a protest after an incident" },
  { name = "p_retaliate", type = "number", default = 0.02, range = {0, 1},
    doc = "probability of retaliating after a lethal incident" },
  { name = "deadline", type = "number", unit = "h", default = hours(24), range = {0, math.huge},
    doc = "hours before a retaliation" },
  { name = "response", type = "type", default = "rocket",
    doc = "incident type of a retaliation" },
}

function M.on_incident_observed(self, inc)
  local lethal = inc.fatalities_mil + inc.fatalities_civ > 0
  local u = sim.random()
  if lethal and u < self.p_retaliate then
    return { action = "retaliate", type = self.response, delay = self.deadline }
  end
  if u < self.p_retaliate + self.p_protest then return { action = "protest" } end
  return nil
end

---@param params? escsim.params.protest_mostly
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
