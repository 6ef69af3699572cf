-- local_reprisal.lua: a non-state armed group that fires back after its
-- community is harmed.
--
-- Rocket and small-arms fire rise after civilian deaths (Haushofer et al.
-- 2010; model-research.md 1.2 and 6.3); unclaimed groups fired on the Golan
-- in June 2025.  Parameters: M.parameters.

local policy = require "policy"

local M = {}

M.doc = "a non-state group firing back after harm to its community"

M.queries = false   -- it never asks the cell (escsim check reads this)

M.parameters = {
  { name = "p_lethal", type = "number", default = 0.2, range = {0, 1},
    doc = "probability of a reprisal after an incident with deaths" },
  { name = "p_other", type = "number", default = 0.005, range = {0, 1},
    doc = "probability of a reprisal after one without deaths" },
  { name = "delay", type = "number", unit = "h", default = hours(48), range = {0, math.huge},
    doc = "hours before the reprisal" },
  { name = "response", type = "type", default = "rocket",
    doc = "incident type of the reprisal" },
  { name = "zone", type = "zone", optional = true, default = false,
    doc = "where the reprisal lands (false: the incident's zone)" },
}

function M.on_incident_observed(self, inc)
  local lethal = inc.fatalities_mil + inc.fatalities_civ > 0
  local p = lethal and self.p_lethal or self.p_other
  if sim.random() < p then
    return { action = "retaliate", type = self.response, delay = self.delay,
                  zone = self.zone or nil }
  end
  return nil
end

---@param params? escsim.params.local_reprisal
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
