-- A process that fails after waiting: the error names the process's line,
-- the replication (only replication 2 fails) and the simulated time.
return scenario {
  name = "process_error",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "Golan" },
  policies = {
    ISR = {
      tick = days(1),
      on_tick = function(self, dt)
        if self.started then return end
        self.started = true
        sim.spawn(function()
          sim.wait(hours(6.5))
          if sim.rep() == 2 then error("process failed on purpose") end
        end)
      end,
    },
  },
}
