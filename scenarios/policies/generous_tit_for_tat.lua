-- generous_tit_for_tat.lua: retaliate, but forgive some attacks.
--
-- Under noise (an attack misperceived, a response misattributed) plain
-- tit-for-tat locks two sides into an echo of retaliations; "generous"
-- tit-for-tat, which lets a share of defections go unanswered, restores
-- cooperation (Wu & Axelrod 1995; Zagorsky et al. 2013; model-research.md
-- 1.2, 6.3).  Reciprocating dyads also forgive faster (Frank et al. 2018):
-- with `forget` > 0 the policy's grudge against each party decays, and it
-- forgives more readily the longer a party has kept quiet.  Parameters:
--
--   min_level    incidents below this ladder level are ignored            (3)
--   generosity   probability of forgiving an attack (protest instead)     (0.3)
--   grudge       extra generosity lost per recent attack by the same
--                party (the sucker's limit), up to generosity             (0.1)
--   forget       hours for a grudge to halve (0: never forget)            (168)
--   response     incident type of the retaliation (false: in kind)        (false)
--   delay        hours from observation to the retaliation               (12)
--   query        ask first (the channels, and the cell where there is one) (true)
--   tick         hours between grudge updates (on_tick)                   (24)

local policy = require "policy"

local M = {}

local DEFAULTS = { min_level = 3, generosity = 0.3, grudge = 0.1, forget = hours(168),
                   response = false, delay = hours(12), query = true, tick = hours(24) }

-- Grudges decay once a tick: halved every `forget` hours.
function M.on_tick(self, dt)
  if self.forget <= 0 or not self.grudges then return end
  local keep = 0.5 ^ (dt / self.forget)
  for party, g in sim.sorted_pairs(self.grudges) do
    self.grudges[party] = g * keep
  end
end

function M.on_incident_observed(self, inc)
  if inc.level < self.min_level then return nil end
  self.grudges = self.grudges or {}
  local g = self.grudges[inc.perpetrator] or 0
  self.grudges[inc.perpetrator] = g + 1
  local generosity = math.max(0, self.generosity - self.grudge * g)
  if sim.random() < generosity then
    return { action = "protest" }       -- forgiven: a complaint, no force
  end
  return {
    action = "retaliate",
    type = self.response or inc.type,
    delay = self.delay,
    query = self.query,
  }
end

function M.new(params)
  local p = policy.new(M, DEFAULTS, params)   -- not a tail call: errors point at the caller
  return p
end

return M
