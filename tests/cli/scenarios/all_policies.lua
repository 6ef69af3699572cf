-- all_policies.lua: a scenario that loads every shipped policy module, so
-- that `escsim check --luals` writes the definitions of all of them
-- (`make meta` writes scenarios/meta/policies.lua; tests/cli/scripting.t
-- checks that the file is up to date).  Each party has one of them.
local gtft = require "policies.generous_tit_for_tat"
local hsr = require "policies.host_state_responsibility"
local lr = require "policies.local_reprisal"
local pr = require "policies.proportional_retaliation"
local pm = require "policies.protest_mostly"
local qbr = require "policies.query_before_retaliate"
local rs = require "policies.restraint"
return scenario {
  name = "all_policies",
  parties = {
    { name = "ISR" }, { name = "SYR" }, { name = "JOR" }, { name = "LBN" }, { name = "TUR" },
    { name = "NSA", kind = "nonstate" }, { name = "DRUZE", kind = "nonstate" },
  },
  zones = { "Golan" },
  types = { rocket = { level = 6 }, strike = { level = 5 }, clash = { level = 6 } },
  incidents = { { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1) } },
  policies = {
    ISR = hsr.with(qbr.new {}, {}),
    SYR = pm.new {},
    JOR = pr.new {},
    LBN = rs.new {},
    TUR = gtft.new {},
    NSA = lr.new {},
    DRUZE = lr.new { response = "clash" },
  },
}
