-- A trigger whose action takes an action that cannot be: a strike with no
-- target, on a protest (an event no strike can be about).
return scenario {
  name = "trigger_error",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "Golan" },
  types = { strike = { level = 5 } },
  policies = {
    SYR = { tick = hours(30), on_tick = function() sim.act { action = "protest", target = "ISR", zone = "Golan" } end },
  },
  triggers = {
    { name = "answer_protest", party = "ISR", event = { kind = "protest" },
      action = function(ev)
        sim.act { action = "retaliate", type = "strike", delay = 1 }
      end },
  },
}
