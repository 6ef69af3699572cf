-- A valid scenario whose policy has mistakes escsim check warns about.
return scenario {
  name = "warnings",
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 6 } },
  incidents = { { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1) } },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc) return { action = "protest" } end,
      on_tick = function(self, dt) end,
    },
    NSA = { on_cell_request = function(self, req) end },
  },
  triggers = {
    { party = "SYR", event = { type = "rockets" }, action = function(ev) end },
  },
}
