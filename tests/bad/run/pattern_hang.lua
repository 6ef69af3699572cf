-- A pattern that backtracks for hours inside string.find: stopped by the CPU budget.
return require("hook_world")("pattern_hang", function(self, inc)
  string.find(string.rep("a", 40), "(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b")
end, { limits = { cpu = 0.1 } })
