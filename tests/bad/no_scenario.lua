-- A plain table is not a scenario: the file must return scenario{...}.
return {
  name = "no_scenario",
  parties = {{name = "ISR"}, {name = "SYR"}},
  zones = {"Golan"},
}
