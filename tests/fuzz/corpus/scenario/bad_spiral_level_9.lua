-- The ladder has levels 0..7; 8 means "never a spiral by level"; 9 is out.
return scenario {
  name = "spiral_level_9",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
  ladder = {spiral_level = 9},
}
