-- host_state_responsibility.lua: blame the host state for what non-state
-- groups do from its territory.
--
-- After two rockets from Syria on 3 June 2025, claimed by a Telegram-only
-- brigade, Israel held "the Syrian president directly responsible" and
-- struck Syrian army positions that night (model-research.md 1.3, 4).  The
-- doctrine is an attribution rule, so this module is an `attribute` hook:
-- of the probability the observer would give to non-state perpetrators, a
-- share `p_blame` moves to the host state.  It decides nothing else: add it to a
-- response policy with M.with(policy_table, params), or use M.new(params)
-- alone.  Parameters: M.parameters.

local policy = require "policy"

local M = {}

M.doc = "an attribute hook: a share of the blame for non-state acts goes to the host state"

M.queries = false   -- it never asks the cell (escsim check reads this)

M.parameters = {
  { name = "host", type = "party", default = "SYR",
    doc = "the host state blamed" },
  { name = "p_blame", type = "number", default = 0.6, range = {0, 1},
    doc = "share of the non-state blame moved to the host" },
  { name = "nonstate", type = "table", values = "party", optional = true, default = false,
    doc = "party names treated as non-state (false: every party of kind nonstate)" },
}

local function is_nonstate(self, party)
  if self.nonstate then
    for _, name in ipairs(self.nonstate) do
      if name == party then return true end
    end
    return false
  end
  return sim.kind(party) == "nonstate"
end

-- prior: the confusion matrix's probabilities {PARTY = p} for this incident.
function M.attribute(self, inc, prior)
  if self.p_blame <= 0 or self.host == inc.observer then return nil end
  local out, moved = {}, 0
  for party, q in sim.sorted_pairs(prior) do
    if party ~= self.host and is_nonstate(self, party) then
      out[party] = q * (1 - self.p_blame)
      moved = moved + q * self.p_blame
    else
      out[party] = q
    end
  end
  if moved == 0 then return nil end
  out[self.host] = (out[self.host] or 0) + moved
  return out
end

---@param params? escsim.params.host_state_responsibility
---@return escsim.Policy
function M.new(params)
  local p = policy.new(M, params)   -- not a tail call: errors point at the caller
  return p
end

-- Add the doctrine to another policy's table (built by policy.new): its
-- parameters and its attribute hook join the table's (an error if a name is
-- taken).
function M.with(base, params)
  local p = policy.with(base, M, params)   -- not a tail call: errors point at the caller
  return p
end

return M
