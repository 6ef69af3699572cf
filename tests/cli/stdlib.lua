-- stdlib.lua: string.find, match, gmatch and gsub on fixed and random
-- cases, then string.rep, table.move and table.sort, one line of results
-- per case.  stdlib.t runs it with the stock lua5.4 and as an escsim
-- scenario (whose sandbox has its own matcher, sim/lua/pattern.c, and its
-- own rep, move and sort, sim/lua/stdlib_lua.c) and compares the two
-- outputs line by line.

local function show(ok, ...)
  local out = {ok and "ok" or "error"}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  return table.concat(out, " ")
end

local function gmatch_all(s, p, init)
  local out = {}
  for a, b, c in string.gmatch(s, p, init) do
    out[#out + 1] = tostring(a) .. "/" .. tostring(b) .. "/" .. tostring(c)
    if #out > 50 then break end
  end
  return table.concat(out, ",")
end

local lookup = setmetatable({a = "A", ["1"] = false}, {__index = function(t, k) return nil end})
local function repl_fn(a, b) if a == "b" then return nil end return "<" .. tostring(a) .. ">" end

local n = 0
local function case(s, p, init)
  n = n + 1
  print(n, "find", show(pcall(string.find, s, p, init)))
  print(n, "find plain", show(pcall(string.find, s, p, init, true)))
  print(n, "match", show(pcall(string.match, s, p, init)))
  print(n, "gmatch", show(pcall(gmatch_all, s, p, init)))
  print(n, "gsub str", show(pcall(string.gsub, s, p, "[%0|%1]")))
  print(n, "gsub pct", show(pcall(string.gsub, s, p, "%%x%")))
  print(n, "gsub n", show(pcall(string.gsub, s, p, "-", 2)))
  print(n, "gsub tbl", show(pcall(string.gsub, s, p, lookup)))
  print(n, "gsub fn", show(pcall(string.gsub, s, p, repl_fn)))
end

-- every feature, and every error, once
local fixed = {
  {"hello world", "o w"}, {"hello world", "o", 6}, {"hello", "l+"}, {"hello", "l*"},
  {"hello", "l-"}, {"hello", "l?"}, {"hello", "^h"}, {"hello", "^e"}, {"hello", "o$"},
  {"hello", "l$"}, {"a$b", "$b"}, {"a.b", "%."}, {"x = 1, y = 22", "(%w+) = (%d+)"},
  {"key=val", "()=()"}, {"f(a(b)c)d", "%b()"}, {"THE (quick) fox", "%f[%a]%a+"},
  {"abcabc", "(abc)%1"}, {"aXb", "[%u]"}, {"a-b", "[a-]"}, {"]x", "[]]"}, {"^x", "[%^x]+"},
  {"abc", "[^b]+"}, {"a1b2", "%d"}, {"a1b2", "%D+"}, {" \t\n", "%s+"}, {"a,b", "%p"},
  {"\0a\0", "%z"}, {"a\0b", "a\0b"}, {"ab", ".-b"}, {"", ""}, {"abc", ""}, {"abc", "", 10},
  {"abc", "b", -1}, {"abc", "b", -10}, {"abc", "b", 0}, {"abc", "x*", 4},
  {"abc", "%"}, {"abc", "[a"}, {"abc", "[a%"}, {"abc", "(a"}, {"abc", "a)"}, {"abc", "%1"},
  {"abc", "(a)%2"}, {"abc", "%b"}, {"abc", "%ba"}, {"abc", "%f"}, {"abc", "%fa"}, {"abc", "%0"},
  {"abc", "()a()b()c()"}, {"aaa", "(a)(a)(a)"}, {"abc", "(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))"},
  {string.rep("a", 300), string.rep("a?", 150) .. string.rep("a", 150)},
  {string.rep("x", 500), string.rep("x", 500)}, {string.rep("(", 30), string.rep("%b()", 3)},
  {string.rep("a", 250), string.rep("a?", 210)}, {string.rep("a", 10), string.rep("(a?)", 33)},
  {"hello", "(h)(e)(l)(l)(o)"}, {"a.b.c", "%.", 3}, {"a+b", "a+b", 1}, {"abc", "b", 2.0},
}
for _, c in ipairs(fixed) do case(c[1], c[2], c[3]) end
print("replacement errors", show(pcall(string.gsub, "abc", "b", "%2")))
print("replacement errors", show(pcall(string.gsub, "abc", "(b)", "%9")))
print("replacement value", show(pcall(string.gsub, "abc", "b", function() return {} end)))
print("replacement type", show(pcall(string.gsub, "abc", "b", true)))
print("gsub max", show(pcall(string.gsub, "aaaa", "a", "b", 0)), show(pcall(string.gsub, "aaaa", "a", "b", -1)))
print("numbers", show(pcall(string.find, 12345, 34)), show(pcall(string.gsub, 1.5, "%.", ",")))
print("gmatch anchor", gmatch_all("^a^a", "^a"))
print("gmatch empty", gmatch_all("abc", "x*"))

-- random patterns over a small alphabet, against random subjects: an
-- integer LCG (math.random is not in the sandbox)
local seed = 12345
local function rnd(k)
  seed = (seed * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff
  return (seed >> 33) % k + 1
end
local atoms = {"a", "b", ".", "%a", "%d", "%A", "[ab]", "[^a]", "[a-c]", "(", ")", "()",
               "%b()", "%f[a]", "%f[^a]", "%1", "%2", "*", "+", "-", "?", "^", "$", "%",
               "[", "]", "%%", "1", "x"}
local chars = {"a", "b", "c", "(", ")", "1", "x", " "}
for _ = 1, 1500 do
  local p, s = {}, {}
  for _ = 1, rnd(7) - 1 do p[#p + 1] = atoms[rnd(#atoms)] end
  for _ = 1, rnd(12) - 1 do s[#s + 1] = chars[rnd(#chars)] end
  local init = rnd(4) == 1 and rnd(15) - 7 or nil
  case(table.concat(s), table.concat(p), init)
end

-- string.rep, table.move and table.sort (orders without ties, where any
-- correct sort agrees; ties are where Lua's own is not even reproducible)
print("rep", show(pcall(string.rep, "ab", 3, "-")), show(pcall(string.rep, "", 5)),
      show(pcall(string.rep, "x", 0)), show(pcall(string.rep, "x", -1, "y")),
      show(pcall(string.rep, "xy", 1, ",")), show(pcall(string.rep, "x", 1 << 31)),
      show(pcall(string.rep, {}, 2)), show(pcall(string.rep, "x", 2.5)))
local function list(t, n) local o = {} for i = 1, n or #t do o[i] = tostring(t[i]) end return table.concat(o, " ") end
for _, c in ipairs({{1, 3, 2}, {1, 3, 3}, {2, 3, 1}, {1, 0, 1}}) do
  local t = {1, 2, 3, 4, 5}
  local ok, r = pcall(table.move, t, c[1], c[2], c[3])
  print("move", ok, r == t, list(t, 6))
end
print("move other", list(table.move({1, 2, 3}, 1, 3, 2, {9, 9, 9, 9})))
print("move errors", show(pcall(table.move, {}, -1, math.maxinteger, 1)),
      show(pcall(table.move, {}, 1, 2, math.maxinteger)), show(pcall(table.move, 1, 1, 1, 1)),
      show(pcall(table.move, {}, 1, 1)))
for k = 1, 30 do
  local t, u = {}, {}
  for i = 1, rnd(300) do t[i] = rnd(1000000) * 1000 + i; u[i] = tostring(t[i]) end
  table.sort(t)
  table.sort(u, function(a, b) return a > b end)
  print("sort", k, list(t), list(u))
end
print("sort errors", show(pcall(table.sort, {3, "x", 1})), show(pcall(table.sort, {1, 2}, 3)),
      show(pcall(table.sort, 5)), show(pcall(table.sort, {2, 1}, function() error("in the order") end)))
local store = {5, 4, 6, 1}
local proxy = setmetatable({}, {__index = function(_, i) return store[i] end,
                                __newindex = function(_, i, v) store[i] = v end,
                                __len = function() return 4 end})
table.sort(proxy)
print("sort through metamethods", list(store))

if scenario then
  return scenario{name = "patterns", parties = {{name = "A"}, {name = "B"}}, zones = {"z"}}
end
