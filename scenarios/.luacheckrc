-- luacheck settings for escsim scenarios and policies (luacheck, Debian
-- package lua-check): `luacheck scenarios/` from the source tree, or with
-- --config pointing here from elsewhere.  The sandbox's globals are
-- declared; hooks keep their full signatures, so unused arguments are fine.
std = "lua54"
globals = { "scenario", "experiment" }
read_globals = {
  "sim", "minutes", "hours", "days", "weeks", "per_hour", "per_day", "per_year",
  "constant", "exponential", "lognormal", "gamma", "weibull", "poisson", "negbin", "zinb",
  "discrete",
}
unused_args = false
max_line_length = false
files["meta/escsim.lua"] = { ignore = { ".*" } }   -- definitions for editors, not a script
files["meta/policies.lua"] = { ignore = { ".*" } }  -- written by make meta
