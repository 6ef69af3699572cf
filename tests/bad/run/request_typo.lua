-- A request through the cell read with a field requests do not have.
return scenario {
  name = "request_typo",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" },
              { name = "US", kind = "supervisor" } },
  zones = { "Golan" },
  types = { rocket = { level = 6 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  cell = { enabled = true, latency = 1 },
  policies = {
    ISR = { on_incident_observed = function(self, inc) return { action = "query" } end },
    SYR = { on_cell_request = function(self, req)
              if req.suspect == "SYR" then return { reply = "deny" } end
            end },
  },
}
