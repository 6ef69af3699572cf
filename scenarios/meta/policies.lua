---@meta escsim.policies
-- policies.lua: LuaLS definitions of the policy modules' parameters.
--
-- Written by `escsim check --luals FILE SCENARIO` from the declarations
-- (M.parameters) of the modules the scenario loads; for the shipped
-- modules, `make meta`.  Do not edit: change the declarations.  A
-- module's new(params) is annotated with its class:
--   ---@param params? escsim.params.query_before_retaliate
error("escsim/meta/policies.lua is a definition file for editors: do not require it")

---Parameters of policies.generous_tit_for_tat: retaliate, but forgive some attacks, less so for repeat offenders; grudges decay
---@class escsim.params.generous_tit_for_tat
---@field min_level? integer incidents below this ladder level are ignored (an integer in [0, 7]; default 3)
---@field generosity? number probability of forgiving an attack (a protest instead) (a number in [0, 1]; default 0.3)
---@field grudge? number generosity lost per recent attack by the same party (the sucker's limit) (a number in [0, 1]; default 0.1)
---@field forget? number hours for a grudge to halve (0: never forget) (a number of hours >= 0; default 168)
---@field response? string|false incident type of the retaliation (false: in kind) (an incident type, or false for none; default false)
---@field delay? number hours from observation to the retaliation (a number of hours >= 0; default 12)
---@field query? boolean ask first (the channels, and the cell where there is one) (true or false; default true)
---@field tick? number hours between grudge updates (on_tick; 0: never) (a number of hours >= 0; default 24)

---@class escsim.module.generous_tit_for_tat
local generous_tit_for_tat = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.generous_tit_for_tat
---@return escsim.Policy
function generous_tit_for_tat.new(params) end

---Parameters of policies.host_state_responsibility: an attribute hook: a share of the blame for non-state acts goes to the host state
---@class escsim.params.host_state_responsibility
---@field host? string the host state blamed (a party name; default "SYR")
---@field p_blame? number share of the non-state blame moved to the host (a number in [0, 1]; default 0.6)
---@field nonstate? string[]|false party names treated as non-state (false: every party of kind nonstate) (a table {any = party}, or false for none; default false)

---@class escsim.module.host_state_responsibility
local host_state_responsibility = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.host_state_responsibility
---@return escsim.Policy
function host_state_responsibility.new(params) end

---Parameters of policies.local_reprisal: a non-state group firing back after harm to its community
---@class escsim.params.local_reprisal
---@field p_lethal? number probability of a reprisal after an incident with deaths (a number in [0, 1]; default 0.2)
---@field p_other? number probability of a reprisal after one without deaths (a number in [0, 1]; default 0.005)
---@field delay? number hours before the reprisal (a number of hours >= 0; default 48)
---@field response? string incident type of the reprisal (an incident type; default "rocket")
---@field zone? string|false where the reprisal lands (false: the incident's zone) (a zone, or false for none; default false)

---@class escsim.module.local_reprisal
local local_reprisal = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.local_reprisal
---@return escsim.Policy
function local_reprisal.new(params) end

---Parameters of policies.proportional_retaliation: answer on the incident's rung: in kind, or through by_type / by_level maps
---@class escsim.params.proportional_retaliation
---@field min_level? integer incidents below this ladder level are ignored (an integer in [0, 7]; default 1)
---@field p_respond? number probability of responding, else a protest (a number in [0, 1]; default 1)
---@field delay? number hours from observation to the response (a number of hours >= 0; default 12)
---@field query? boolean ask first (the channels, and the cell where there is one) (true or false; default false)
---@field by_type? table<string, string>|false {incident type = response type} (false: none) (a table {type = type}, or false for none; default false)
---@field by_level? table<integer, string>|false {level = response type}, e.g. {[5] = "strike"} (false: none) (a table {integer = type}, or false for none; default false)

---@class escsim.module.proportional_retaliation
local proportional_retaliation = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.proportional_retaliation
---@return escsim.Policy
function proportional_retaliation.new(params) end

---Parameters of policies.protest_mostly: protest; retaliate rarely and only after lethal incidents
---@class escsim.params.protest_mostly
---@field p_protest? number probability of a protest after an incident (a number in [0, 1]; default 0.05)
---@field p_retaliate? number probability of retaliating after a lethal incident (a number in [0, 1]; default 0.02)
---@field deadline? number hours before a retaliation (a number of hours >= 0; default 24)
---@field response? string incident type of a retaliation (an incident type; default "rocket")

---@class escsim.module.protest_mostly
local protest_mostly = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.protest_mostly
---@return escsim.Policy
function protest_mostly.new(params) end

---Parameters of policies.query_before_retaliate: retaliate against serious incidents, asking first (channels, and the cell where there is one)
---@class escsim.params.query_before_retaliate
---@field min_level? integer incidents below this ladder level are ignored (an integer in [0, 7]; default 6)
---@field p_retaliate? number probability of retaliating, else a protest (a number in [0, 1]; default 0.9)
---@field deadline? number hours from observation to the strike (the cell's deadline) (a number of hours >= 0; default 6)
---@field query_first? boolean ask before striking (the channels, and the cell where there is one) (true or false; default true)
---@field response? string incident type of the retaliation (an incident type; default "strike")

---@class escsim.module.query_before_retaliate
local query_before_retaliate = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.query_before_retaliate
---@return escsim.Policy
function query_before_retaliate.new(params) end

---Parameters of policies.restraint: query (or protest when it does not ask); strike only at a red line on the ladder
---@class escsim.params.restraint
---@field min_level? integer incidents below this ladder level are ignored (an integer in [0, 7]; default 1)
---@field threshold? number ladder level towards the perceived attacker at or above which the policy strikes (a number in [0, 8]; default 5)
---@field response? string incident type of a strike (an incident type; default "strike")
---@field delay? number hours from observation to a strike (a number of hours >= 0; default 24)
---@field query? boolean ask (queries, and before striking): the channels, and the cell where there is one (true or false; default true)

---@class escsim.module.restraint
local restraint = {}
---A party's policy: these parameters over their defaults, and the hooks.
---@param params? escsim.params.restraint
---@return escsim.Policy
function restraint.new(params) end
