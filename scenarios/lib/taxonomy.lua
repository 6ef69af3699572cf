-- taxonomy.lua: incident types with their place on the escalation ladder.
--
-- Each type carries its ladder level (L0-L7, model-research.md section 3.3),
-- Goldstein score and CAMEO root code (section 3.2) and ACLED event type and
-- sub-type (section 3.1), so an event log can be set beside real event data.
-- Casualty distributions are scenario-specific: a scenario copies a type with
-- taxonomy.with(name, {fatalities_mil = ..., fatalities_civ = ...}).

local M = {}

M.types = {
  -- L4: ground incursion or raid without fire, checkpoints, arrests.
  raid = { level = 4, goldstein = -5.0, cameo = "173",
           acled = "Strategic developments/Arrests" },
  -- L5: air or drone strike, shelling of infrastructure or weapons.
  strike = { level = 5, goldstein = -10.0, cameo = "195",
             acled = "Explosions/Remote violence/Air/drone strike" },
  -- L6: cross-border rocket or mortar fire.
  rocket = { level = 6, goldstein = -10.0, cameo = "194",
             acled = "Explosions/Remote violence/Shelling/artillery/missile attack" },
  -- L6: armed clash, typically a raid that meets resistance (Beit Jinn, Nov 2025).
  clash = { level = 6, goldstein = -10.0, cameo = "190",
            acled = "Battles/Armed clash" },
}

-- A copy of type `name` with the given fields added or replaced.
function M.with(name, fields)
  local base = M.types[name]
  if base == nil then error("taxonomy: unknown incident type '" .. tostring(name) .. "'", 2) end
  local t = {}
  for k, v in sim.sorted_pairs(base) do t[k] = v end
  for k, v in sim.sorted_pairs(fields) do t[k] = v end
  return t
end

return M
