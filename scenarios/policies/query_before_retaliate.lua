-- query_before_retaliate.lua: retaliate against serious incidents, but ask
-- first, and strike only when the deadline passes without an answer that
-- clears the suspect.  A query goes to the fallback channels (UNDOF, a
-- backchannel, public statements) as it would without any cell, and to the
-- communication cell as well where there is one.
--
-- Israel's reported practice: fast, probable responses to attacks on its
-- forces or territory (Jaeger & Paserman 2008; model-research.md 1.2), the
-- night of the 3 June 2025 rockets.  Parameters are assumptions to sweep.
--
--   min_level    incidents below this ladder level are ignored   (6)
--   p_retaliate  probability of retaliating, else a protest      (0.9)
--   deadline     hours from observation to the strike            (6)
--   query_first  ask before striking                             (true)
--   response     incident type of the retaliation                ("strike")

local policy = require "policy"

local M = {}

local DEFAULTS = { min_level = 6, p_retaliate = 0.9, deadline = hours(6),
                  query_first = true, response = "strike" }

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

function M.new(params)
  local p = policy.new(M, DEFAULTS, params)   -- not a tail call: errors point at the caller
  return p
end

return M
