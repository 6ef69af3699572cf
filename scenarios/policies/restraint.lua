-- restraint.lua: protest and ask; strike only when the pair is already high
-- on the ladder.
--
-- The posture of a state that wants talks to work: every attack is answered
-- by a query (through the fallback channels, and the cell where there is
-- one), or by an official complaint when it does not ask (the Syrian
-- government's four UNSC complaints in eight months, model-research.md
-- 4), and force is used only once the pair's ladder level towards the
-- perceived attacker is at or above a threshold (MR 1.4, 3.3): a red line,
-- not a reflex.  Even then the
-- strike waits for an answer when it asks.  Parameters:
--
--   min_level    incidents below this ladder level are ignored          (1)
--   threshold    ladder level (towards the perceived attacker) at or
--                above which the policy strikes                         (5)
--   response     incident type of a strike                              ("strike")
--   delay        hours from observation to a strike                     (24)
--   query        ask (queries, and before striking)                     (true)

local policy = require "policy"

local M = {}

local DEFAULTS = { min_level = 1, threshold = 5, response = "strike", delay = hours(24),
                   query = true }

function M.on_incident_observed(self, inc)
  if inc.level < self.min_level then return nil end
  local ask = self.query
  if inc.ladder >= self.threshold then
    return { action = "retaliate", type = self.response, delay = self.delay, query = ask }
  end
  if ask then return { action = "query" } end
  return { action = "protest" }
end

function M.new(params)
  local p = policy.new(M, DEFAULTS, params)   -- not a tail call: errors point at the caller
  return p
end

return M
