-- A trigger reads a field events do not have.
return scenario {
  name = "event_typo",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 6 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  triggers = {
    { party = "ISR", event = { type = "rocket" },
      action = function(ev)
        if ev.fatalities > 0 then sim.act { action = "protest", target = "SYR", zone = "Golan" } end
      end },
  },
}
