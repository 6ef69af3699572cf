-- An error 150 coroutine.wrap calls deep: the cause is not cut off.
return scenario {
  name = "wrap_recursion",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 }, strike = { level = 4 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        local function f(n) if n == 0 then error("the cause, 150 levels down") end return coroutine.wrap(f)(n - 1) end f(150)
      end,
    },
  },
}
