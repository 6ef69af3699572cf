-- Channel names label results: each must be unique.
return scenario {
  name = "channel_duplicate",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "USA", kind = "supervisor"}},
  zones = {"Golan"},
  channels = {
    {name = "undof_liaison", latency = hours(12)},
    {name = "undof_liaison", latency = days(1)},
  },
}
