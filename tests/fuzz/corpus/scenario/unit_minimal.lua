-- The least a scenario must say; everything else takes its default.
return scenario {
  name = "unit_minimal",
  parties = {{name = "A"}, {name = "B"}},
  zones = {"z"},
}
