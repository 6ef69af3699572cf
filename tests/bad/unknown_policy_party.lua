-- A policy for a party that is not in parties.
return scenario {
  name = "unknown_policy_party",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  policies = {IRN = {}},
}
