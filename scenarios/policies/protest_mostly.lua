-- protest_mostly.lua: a state that answers attacks with official complaints
-- and almost never with force.
--
-- The Syrian government since December 2024: four complaints to the UN
-- Security Council in eight months and no military retaliation
-- (model-research.md section 4).  Parameters:
--
--   p_protest    probability of a protest after an incident       (0.05)
--   p_retaliate  probability of retaliating after a lethal one    (0.02)
--   deadline     hours before a retaliation                       (24)
--   response     incident type of a retaliation                   ("rocket")

local policy = require "policy"

local M = {}

local DEFAULTS = { p_protest = 0.05, p_retaliate = 0.02, deadline = hours(24),
                  response = "rocket" }

function M.on_incident_observed(self, inc)
  local lethal = inc.fatalities_mil + inc.fatalities_civ > 0
  local u = sim.random()
  if lethal and u < self.p_retaliate then
    return { action = "retaliate", type = self.response, delay = self.deadline }
  end
  if u < self.p_retaliate + self.p_protest then return { action = "protest" } end
  return nil
end

function M.new(params)
  local p = policy.new(M, DEFAULTS, params)   -- not a tail call: errors point at the caller
  return p
end

return M
