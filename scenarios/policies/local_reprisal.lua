-- local_reprisal.lua: a non-state armed group that fires back after its
-- community is harmed.
--
-- Rocket and small-arms fire rise after civilian deaths (Haushofer et al.
-- 2010; model-research.md 1.2 and 6.3); unclaimed groups fired on the Golan
-- in June 2025.  Parameters:
--
--   p_lethal     probability of a reprisal after an incident with deaths (0.2)
--   p_other      probability after one without deaths                    (0.005)
--   delay        hours before the reprisal                                (48)
--   response     incident type of the reprisal                            ("rocket")
--   zone         where the reprisal lands (false: the incident's zone)    (false)

local policy = require "policy"

local M = {}

local DEFAULTS = { p_lethal = 0.2, p_other = 0.005, delay = hours(48),
                  response = "rocket", zone = false }

function M.on_incident_observed(self, inc)
  local lethal = inc.fatalities_mil + inc.fatalities_civ > 0
  local p = lethal and self.p_lethal or self.p_other
  if sim.random() < p then
    return { action = "retaliate", type = self.response, delay = self.delay,
                  zone = self.zone or nil }
  end
  return nil
end

function M.new(params)
  local p = policy.new(M, DEFAULTS, params)   -- not a tail call: errors point at the caller
  return p
end

return M
