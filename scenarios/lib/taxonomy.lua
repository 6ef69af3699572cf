-- taxonomy.lua: incident types and their place on the escalation ladder.
--
-- Every type carries its ladder level (L0-L7, model-research.md section 3.3)
-- and, where killing raises it, its lethal_level: MR 3.3 puts a strike or
-- shelling without deaths on L5 and a lethal strike on L6, and a raid that
-- kills is violence on L6 like a clash; an incident's rung is the
-- lethal_level when it kills anyone.  Each type also has its
-- Goldstein score and CAMEO code (section 3.2; Goldstein values of the
-- CAMEO codes as in GDELT's CAMEO.goldsteinscale.txt) and ACLED event type
-- and sub-type (section 3.1), so a simulated event log can be set beside
-- real event data.  ACLED does not code threats or complaints: their ACLED
-- fields are empty.  Casualties belong to scenarios: a scenario takes a type
-- with taxonomy.with(name, {fatalities_mil = ..., fatalities_civ = ...}).

local M = {}

local EXPL = "Explosions/Remote violence"
local STRAT = "Strategic developments"

M.types = {
  -- L0: de-escalation.
  ceasefire    = { level = 0, goldstein = 9.0, cameo = "0871",
                   acled_type = STRAT, acled_subtype = "Agreement",
                   description = "declared truce or ceasefire" },
  -- L1: official complaint, accusation, denial.
  complaint    = { level = 1, goldstein = -2.0, cameo = "114",
                   description = "official complaint, e.g. a letter to the UN Security Council" },
  -- L2: explicit threat or ultimatum.
  threat       = { level = 2, goldstein = -7.0, cameo = "138",
                   description = "threat to use military force" },
  -- L3: posture: alert, deployment, overflight, drone surveillance.
  overflight   = { level = 3, goldstein = -7.2, cameo = "150",
                   acled_type = STRAT, acled_subtype = "Change to group/activity",
                   description = "airspace violation, overflight or drone surveillance" },
  deployment   = { level = 3, goldstein = -7.2, cameo = "154",
                   acled_type = STRAT, acled_subtype = "Change to group/activity",
                   description = "deployment or mobilisation near the line" },
  -- L4: ground incursion without fire, arrests, outposts, land seizure.
  raid         = { level = 4, lethal_level = 6, goldstein = -5.0, cameo = "173",
                   acled_type = STRAT, acled_subtype = "Arrests",
                   description = "ground incursion or raid with arrests, no exchange of fire" },
  outpost      = { level = 4, goldstein = -9.5, cameo = "192",
                   acled_type = STRAT, acled_subtype = "Headquarters or base established",
                   description = "base or outpost established beyond the line" },
  -- L5: strikes on infrastructure or weapons, without deaths (L6 with them).
  strike       = { level = 5, lethal_level = 6, goldstein = -10.0, cameo = "195",
                   acled_type = EXPL, acled_subtype = "Air/drone strike",
                   description = "air or drone strike" },
  shelling     = { level = 5, lethal_level = 6, goldstein = -10.0, cameo = "194",
                   acled_type = EXPL, acled_subtype = "Shelling/artillery/missile attack",
                   description = "artillery or tank fire" },
  -- L6: lethal strike on state forces, armed clash, cross-border fire.
  lethal_strike = { level = 6, goldstein = -10.0, cameo = "195",
                   acled_type = EXPL, acled_subtype = "Air/drone strike",
                   description = "strike that kills state forces, or on the capital" },
  clash        = { level = 6, goldstein = -10.0, cameo = "190",
                   acled_type = "Battles", acled_subtype = "Armed clash",
                   description = "armed clash, e.g. a raid that meets resistance" },
  rocket       = { level = 6, goldstein = -10.0, cameo = "194",
                   acled_type = EXPL, acled_subtype = "Shelling/artillery/missile attack",
                   description = "cross-border rocket or mortar fire" },
  -- L7: a multi-day campaign against state forces.
  campaign     = { level = 7, goldstein = -10.0, cameo = "190",
                   acled_type = "Battles", acled_subtype = "Armed clash",
                   description = "declared, multi-day operation against state forces" },
}

-- A copy of type `name` with the given fields added or replaced.
function M.with(name, fields)
  local base = M.types[name]
  if base == nil then error("taxonomy: unknown incident type '" .. tostring(name) .. "'", 2) end
  local t = {}
  for k, v in sim.sorted_pairs(base) do t[k] = v end
  for k, v in sim.sorted_pairs(fields or {}) do t[k] = v end
  return t
end

return M
