-- hook_world.lua: the world of the run cases below (not a case itself):
-- NSA fires rockets at ISR three times a day for ten days, and ISR's
-- on_incident_observed is the case's function.  extra: more top-level
-- keys (limits, cell).
return function(name, observed, extra)
  local s = {
    name = name,
    horizon = days(10),
    parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
    zones = { "Golan" },
    types = { rocket = { level = 3 }, strike = { level = 4 } },
    incidents = {
      { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
    },
    policies = { ISR = { on_incident_observed = observed } },
  }
  for k, v in pairs(extra or {}) do s[k] = v end
  return scenario(s)
end
