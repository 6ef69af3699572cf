-- bad_decl.lua: a policy module whose declaration names a type escsim does
-- not know (for tests/bad/policy_decl_bad.lua).
local policy = require "policy"
local M = {}
M.parameters = {
  { name = "rate", type = "float", default = 1, doc = "a rate" },
}
function M.on_incident_observed(self, inc) return nil end
function M.new(params) local p = policy.new(M, params) return p end
return M
