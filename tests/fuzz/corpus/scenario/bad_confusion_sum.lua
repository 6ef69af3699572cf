-- A row of the confusion matrix must sum to 1.
return scenario {
  name = "confusion_sum",
  parties = {{name = "ISR"}, {name = "SYR"}, {name = "NSA", kind = "nonstate"}},
  zones = {"Golan"},
  types = {rocket = {level = 3}},
  attribution = {confusion = {ISR = {NSA = {SYR = 0.5, NSA = 0.4}}}},
}
