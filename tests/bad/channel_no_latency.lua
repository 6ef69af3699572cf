-- A fallback channel must say how long its answers take.
return scenario {
  name = "channel_no_latency",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  channels = {
    {name = "undof_liaison", latency = hours(12), availability = 0.8},
    {name = "us_backchannel", availability = 0.5},
  },
}
