-- on_tick every -6 hours.
return scenario {
  name = "tick_negative",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  policies = {ISR = {tick = hours(-6), on_tick = function(self, dt) end}},
}
