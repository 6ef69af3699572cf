-- A function named on_... that is no hook: names starting with on_ are kept
-- for hooks (a helper must be named otherwise).
return scenario {
  name = "hook_reserved",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  policies = {
    ISR = {
      on_rocket = function(self, inc) end,
    },
  },
}
