-- An error 150 coroutine.wrap calls deep: the cause is not cut off.
return require("hook_world")("wrap_recursion", function(self, inc)
  local function f(n) if n == 0 then error("the cause, 150 levels down") end return coroutine.wrap(f)(n - 1) end f(150)
end)
