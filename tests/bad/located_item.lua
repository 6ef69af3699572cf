-- The second item of an array, written over two lines.
return scenario {
  name = "located_item",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 6}},
  incidents = {
    {actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(1)},
    {actor = "NSA", target = "ISR", type = "rocket", zone = "Golan",
     rate = "weekly"},
  },
}
