-- A function scheduled with sim.schedule fails when it runs.
return scenario {
  name = "timer_error",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "Golan" },
  policies = {
    SYR = {
      tick = days(2),
      on_tick = function(self, dt)
        sim.schedule(hours(1.25), function()
          local t = nil
          return t.missing
        end)
      end,
    },
  },
}
