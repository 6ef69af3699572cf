-- A memory bomb in a process, stopped by the memory cap.
return scenario {
  name = "memory_process",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" } },
  zones = { "Golan" },
  limits = { memory = 16 * 1024 * 1024 },
  policies = {
    ISR = { tick = hours(5), on_tick = function()
      sim.spawn(function()
        sim.wait(1)
        local t = {}
        while true do t[#t + 1] = string.rep("x", 1 << 16) .. #t end
      end)
    end },
  },
}
