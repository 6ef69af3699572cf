-- generous_tit_for_tat.lua: retaliate, but forgive some attacks.
--
-- Under noise (an attack misperceived, a response misattributed) plain
-- tit-for-tat locks two sides into an echo of retaliations; "generous"
-- tit-for-tat, which lets a share of defections go unanswered, restores
-- cooperation (Wu & Axelrod 1995; Zagorsky et al. 2013; model-research.md
-- 1.2, 6.3).  Reciprocating dyads also forgive faster (Frank et al. 2018):
-- with `forget` > 0 the policy's grudge against each party decays, and it
-- forgives more readily the longer a party has kept quiet.  Parameters:
-- M.parameters.  State: self.grudges, {PARTY = recent attacks}, made by the
-- hooks.

local policy = require "policy"

local M = {}

M.doc = "retaliate, but forgive some attacks, less so for repeat offenders; grudges decay"

M.queries = "query"   -- it asks the cell only when query is true (escsim check reads this)

M.parameters = {
  { name = "min_level", type = "integer", default = 3, range = {0, 7},
    doc = "incidents below this ladder level are ignored" },
  { name = "generosity", type = "number", default = 0.3, range = {0, 1},
    doc = "probability of forgiving an attack (a protest instead)" },
  { name = "grudge", type = "number", default = 0.1, range = {0, 1},
    doc = "generosity lost per recent attack by the same party (the sucker's limit)" },
  { name = "forget", type = "number", unit = "h", default = hours(168), range = {0, math.huge},
    doc = "hours for a grudge to halve (0: never forget)" },
  { name = "response", type = "type", optional = true, default = false,
    doc = "incident type of the retaliation (false: in kind)" },
  { name = "delay", type = "number", unit = "h", default = hours(12), range = {0, math.huge},
    doc = "hours from observation to the retaliation" },
  { name = "query", type = "boolean", default = true,
    doc = "ask first (the channels, and the cell where there is one)" },
  { name = "tick", type = "number", unit = "h", default = hours(24), range = {0, math.huge},
    doc = "hours between grudge updates (on_tick; 0: never)" },
}

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

---@param params? escsim.params.generous_tit_for_tat
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
