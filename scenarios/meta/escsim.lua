---@meta escsim
-- escsim.lua: definitions of the escsim script API for editors (LuaLS).
--
-- Not a module: escsim never runs this file.  Lua Language Server reads it
-- to complete and type-check scenarios and policies.  Put the folder that
-- holds it in `workspace.library` of a .luarc.json beside your scenarios
-- (docs/scripting.md, "Editor setup"):
--
--   { "runtime.version": "Lua 5.4",
--     "workspace.library": ["/usr/local/share/escsim/meta"],
--     "diagnostics.globals": ["sim", "scenario", "experiment"] }
--
-- Every time is in hours, every rate per hour.
error("escsim/meta/escsim.lua is a definition file for editors: do not require it")

-- ===========================================================================
-- Units
-- ===========================================================================

---@alias escsim.Hours number   a duration in hours (the time unit)
---@alias escsim.Rate number    a rate per hour

---@param x number
---@return escsim.Hours
function minutes(x) end
---@param x number
---@return escsim.Hours
function hours(x) end
---@param x number
---@return escsim.Hours
function days(x) end
---@param x number
---@return escsim.Hours
function weeks(x) end
---@param x number events per hour
---@return escsim.Rate
function per_hour(x) end
---@param x number events per day
---@return escsim.Rate
function per_day(x) end
---@param x number events per year of 365 days
---@return escsim.Rate
function per_year(x) end

-- ===========================================================================
-- Distributions
-- ===========================================================================

---@alias escsim.DistributionKind "constant"|"exponential"|"lognormal"|"gamma"|"weibull"|"poisson"|"negbin"|"zinb"|"discrete"

---A distribution (GSL underneath).  Where a distribution is expected a
---number x means constant(x).
---@class escsim.Distribution
local Distribution = {}

---A draw from the running hook's own random stream (only while a
---replication runs): reproducible.  Counts are integers; a discrete
---distribution over labels returns a label.
---@return number|string
function Distribution:sample() end

---The distribution's mean (not for labels).
---@return number
function Distribution:mean() end

---@return escsim.DistributionKind
function Distribution:kind() end

---@param x number
---@return escsim.Distribution
function constant(x) end

---@param p {mean: number}  mean, not rate
---@return escsim.Distribution
function exponential(p) end

---@param p {median: number, sigma: number}  sigma: standard deviation of the log
---@return escsim.Distribution
function lognormal(p) end

---@param p {shape: number, scale: number}  mean shape*scale
---@return escsim.Distribution
function gamma(p) end

---@param p {scale: number, shape: number}
---@return escsim.Distribution
function weibull(p) end

---@param p {mean: number}
---@return escsim.Distribution
function poisson(p) end

---@param p {mean: number, dispersion: number}  variance mean + mean^2/dispersion
---@return escsim.Distribution
function negbin(p) end

---@param p {zero: number, mean: number, dispersion: number}  0 with probability zero, else negbin
---@return escsim.Distribution
function zinb(p) end

---A label with probability proportional to its weight: discrete{a = 1, b = 3}.
---@param weights table<string|integer, number>
---@return escsim.Distribution
function discrete(weights) end

-- ===========================================================================
-- The scenario
-- ===========================================================================

---@alias escsim.PartyKind "state"|"nonstate"|"supervisor"
---@alias escsim.Cause "background"|"triggered"|"policy"
---@alias escsim.EventKind "incident"|"protest"
---@alias escsim.Action "ignore"|"protest"|"query"|"retaliate"
---@alias escsim.Priority "flash"|"immediate"|"routine"
---@alias escsim.Reply "answer"|"deny"|"share_intel"|"commit_enforce"|"refuse"
---@alias escsim.MessageKind "query"|"notify"|"protest"|"restraint"|"intel"
---@alias escsim.DistOrHours escsim.Distribution|number

---@class escsim.Party
---@field name string
---@field kind? escsim.PartyKind  default "state"
---@field deniable? boolean  its acts cannot be pinned on it through a channel
---@field description? string

---@class escsim.IncidentType
---@field level integer  ladder level 0..7
---@field lethal_level? integer  the rung when it kills anyone (level..7; default level)
---@field goldstein? number  -10..10
---@field fatalities_mil? escsim.DistOrHours  a count distribution
---@field fatalities_civ? escsim.DistOrHours  a count distribution
---@field escalate? {to: string, p: number}  turns into type `to` with probability p
---@field acled_type? string
---@field acled_subtype? string
---@field cameo? string
---@field description? string

---@class escsim.Generator
---@field actor string
---@field target string
---@field type string
---@field zone string
---@field rate escsim.Rate
---@field regime? table<string, number>  this generator's multiplier per regime state

---@class escsim.HawkesRule
---@field from? {actor?: string, target?: string, type?: string}
---@field to? {actor?: string, target?: string, type?: string, zone?: string}
---@field n number  branching ratio
---@field per_fatality? number
---@field fast_share? number
---@field fast_mean? escsim.Hours
---@field slow_mean? escsim.Hours

---@class escsim.Regime
---@field states string[]
---@field initial? string
---@field rates? table<string, table<string, escsim.Rate>>
---@field multiplier? table<string, number>
---@field shocks? {at: escsim.Hours, state: string}[]

---@class escsim.Attribution
---@field delay? escsim.DistOrHours
---@field confusion? table<string, table<string, table<string, number>>>  OBSERVER -> TRUE -> PERCEIVED -> p

---@class escsim.Ladder
---@field step? number  rungs a retaliation adds
---@field hold? escsim.Hours  a lifted level holds this long before it decays
---@field half_life? escsim.Hours
---@field window? escsim.Hours  a response within this of the move it answers continues the exchange
---@field spiral_moves? integer  moves of an exchange that make a spiral
---@field crisis_moves? integer  moves of an exchange between two states that make a crisis

---@class escsim.Cell
---@field enabled? boolean  the switch `escsim compare` flips
---@field parties? string[]  the two parties it connects
---@field supervisor? string|false
---@field operators? integer
---@field handling? escsim.DistOrHours
---@field relay? escsim.DistOrHours
---@field latency? escsim.DistOrHours
---@field accuracy? number  an answer names the culprit; else another candidate
---@field crowd_out? boolean  a query the cell takes goes to no channel
---@field effects? {answers?: boolean, notices?: boolean, enforcement?: boolean}  the cell's mechanisms
---@field staffed? {from: number, to: number}
---@field outages? {mtbf: escsim.Hours, mttr: escsim.Hours}
---@field suspend? {level: integer, p: number, duration: escsim.DistOrHours}
---@field refuse? {base: number, per_level: number}
---@field enforce? {p: number, type?: string}
---@field notify? {party: string, type?: string, lead?: escsim.Hours, need?: escsim.DistOrHours, harm_reduction?: number}

---@class escsim.Channel
---@field name string
---@field latency escsim.DistOrHours
---@field availability? number
---@field accuracy? number

---@class escsim.Limits
---@field events? integer  incidents, retaliations and protests per replication
---@field steps? integer  simulation steps (events of every kind) per replication
---@field steps_per_instant? integer  simulation steps at one simulated time
---@field log? integer  sim.log rows per replication
---@field memory? integer  bytes for the Lua state and the timers scripts set
---@field cpu? number  seconds of CPU time per script call

---What a trigger matches; omitted fields match anything.
---@class escsim.EventMatch
---@field type? string
---@field actor? string
---@field target? string
---@field zone? string
---@field cause? escsim.Cause
---@field kind? escsim.EventKind

---A trigger in the style of Command: Modern Operations: after every event
---that matches, if condition(ev) holds, with `probability` (drawn from the
---party's stream), action(ev) runs as `party`.
---@class escsim.Trigger
---@field name? string
---@field party string  whose stream and actions
---@field event? escsim.EventMatch
---@field condition? fun(ev: escsim.Event, trigger: escsim.Trigger): boolean
---@field action fun(ev: escsim.Event, trigger: escsim.Trigger)
---@field probability? number  default 1
---@field repeatable? boolean  default true; false: at most once per replication

---@class escsim.Scenario
---@field name string
---@field description? string
---@field horizon? escsim.Hours
---@field parties escsim.Party[]
---@field zones string[]
---@field types? table<string, escsim.IncidentType>
---@field incidents? escsim.Generator[]
---@field hawkes? escsim.HawkesRule[]
---@field regime? escsim.Regime
---@field attribution? escsim.Attribution
---@field ladder? escsim.Ladder
---@field cell? escsim.Cell
---@field channels? escsim.Channel[]
---@field policies? table<string, escsim.Policy>
---@field triggers? escsim.Trigger[]
---@field limits? escsim.Limits

---The file returns scenario{...}.
---@param t escsim.Scenario
---@return escsim.Scenario
function scenario(t) end

-- ===========================================================================
-- What hooks see
-- ===========================================================================

---An incident as its target observed it (attribute and on_incident_observed):
---a strict read-only record (a userdata: fields as in a table, pairs in key
---order, no assignment; a field it may lack reads nil, any other key is an
---error naming the nearest field).
---@class escsim.Incident
---@field id integer
---@field t escsim.Hours  when it happened
---@field now escsim.Hours  when it is observed
---@field observer string
---@field perpetrator string  the perceived one (not in attribute: that is being decided)
---@field type string
---@field zone string
---@field level integer
---@field fatalities_mil integer
---@field fatalities_civ integer
---@field cause escsim.Cause
---@field ladder number  the observer's level towards the perceived perpetrator (not in attribute)
---@field cell_available boolean  the cell would take a query now (queries go to the fallback channels either way; not in attribute)

---A row of the events log (on_event, triggers, sim.recent): the umpire's
---view, truth included.  A read-only record, like escsim.Incident.
---@class escsim.Event
---@field id integer
---@field parent? integer  the event that caused it
---@field root integer  first event of its cluster
---@field t escsim.Hours
---@field actor string
---@field target string
---@field zone string
---@field type? string  nil for a protest
---@field level integer
---@field fatalities_mil integer
---@field fatalities_civ integer
---@field perpetrator? string  who did it (incidents)
---@field perceived? string  whom the target blames (incidents)
---@field cause escsim.Cause
---@field kind escsim.EventKind

---A request through the cell, as its receiver sees it (on_cell_request).
---A strict read-only record, like escsim.Incident.
---@class escsim.Request
---@field message_id integer
---@field event_id? integer
---@field sender string
---@field receiver string
---@field kind escsim.MessageKind
---@field suspected? string  whom the sender blames
---@field culprit? string  who did it: the receiver knows whether it did
---@field deadline? escsim.Hours  when the sender acts anyway
---@field now escsim.Hours

---An answer, as its sender sees it (on_cell_reply).  A strict read-only record.
---@class escsim.Answer
---@field message_id integer
---@field event_id? integer
---@field channel string  "cell" or a fallback channel's name
---@field reply escsim.Reply
---@field named? string  the party the answer names
---@field pending_target? string  the target of the strike waiting for it
---@field strike_time? escsim.Hours
---@field cancel boolean  what the engine would do: call the strike off
---@field now escsim.Hours

---A background operation its actor is about to plan (pre_operation).  A
---strict read-only record.
---@class escsim.Operation
---@field actor string
---@field target string
---@field type string
---@field zone string
---@field notify boolean  the scenario's cell.notify says notify
---@field lead escsim.Hours  and this far ahead
---@field now escsim.Hours

---What on_incident_observed returns, and sim.act takes.
---@class escsim.Decision
---@field action escsim.Action
---@field type? string  retaliate: the incident type (required)
---@field target? string  retaliate (sim.act: and protest); default the perceived perpetrator
---@field zone? string  default the incident's zone
---@field delay? escsim.Hours  retaliate: until the strike, and the cell's deadline
---@field query? boolean  retaliate: ask first (the channels, and the cell where there is one); call the strike off if an answer in time clears the target
---@field priority? escsim.Priority  query and retaliate

---@class escsim.ActArgs: escsim.Decision
---@field about? integer  the event it is about (default: the hook's event); -1 none

---@class escsim.ReplyAnswer
---@field reply? escsim.Reply  default "answer"
---@field delay? escsim.Hours  added before the answer

---@class escsim.Notice
---@field notify? boolean
---@field lead? escsim.Hours  carry the operation out this much later

-- ===========================================================================
-- Policies: a table of hooks (called as methods) and parameters
-- ===========================================================================

---A party's policy.  Every hook is optional.  Other functions are helpers
---(self:helper()), but not named within two letters of a hook, nor on_...
---Fields that are not functions are parameters the hooks read through self
---(--set policies.ISR.x=...): declared by a module (M.parameters, built with
---policy.new: see escsim.ParameterDeclaration and meta/policies.lua), or the
---keys of a table written inline.  State the hooks create (self.x = ...)
---lives for the replication: each starts from a fresh copy of the table.
---@class escsim.Policy
---@field tick? escsim.Hours  hours between on_tick calls; 0 or absent: never
local Policy = {}

---@alias escsim.ParameterType "number"|"integer"|"boolean"|"string"|"table"|"party"|"type"|"zone"|"any"

---One parameter of a policy module (M.parameters = {...}): escsim checks
---every value against it, wherever it was set (the scenario, --set, --arm,
-----vary), lists it in escsim check, and writes LuaLS definitions from it.
---@class escsim.ParameterDeclaration
---@field name string
---@field type escsim.ParameterType  party, type, zone: a name the scenario defines
---@field default any  what the table holds unless the scenario says otherwise
---@field doc string  one line
---@field unit? string  "h" for hours
---@field range? number[]  {LO, HI}, closed; math.huge for none
---@field optional? boolean  false is also accepted ("none")
---@field keys? escsim.ParameterType  a table's keys
---@field values? escsim.ParameterType  a table's values

---Override the confusion matrix for an incident this party suffered.
---Return nil (keep it) or {PARTY = probability} over other parties, summing to 1.
---@param inc escsim.Incident
---@param prior table<string, number>  the matrix's probabilities
---@return table<string, number>|nil
function Policy:attribute(inc, prior) end

---Decide the response to an incident this party suffered: nil is ignore.
---@param inc escsim.Incident
---@return escsim.Decision|nil
function Policy:on_incident_observed(inc) end

---Answer a request through the cell (as its receiver): nil answers as the cell does.
---@param req escsim.Request
---@return escsim.ReplyAnswer|nil
function Policy:on_cell_request(req) end

---Read an answer (as its sender): nil keeps the engine's rule.
---@param ans escsim.Answer
---@return "cancel"|"proceed"|{cancel: boolean}|nil
function Policy:on_cell_reply(ans) end

---Before a background operation of this party: notify it, and how far ahead.
---@param op escsim.Operation
---@return escsim.Notice|nil
function Policy:pre_operation(op) end

---Every `tick` hours.  Returns nothing; acts through sim.act.
---@param dt escsim.Hours
function Policy:on_tick(dt) end

---After every event (incident or protest).  Returns nothing; acts through sim.act.
---@param ev escsim.Event
function Policy:on_event(ev) end

-- ===========================================================================
-- The sim table
-- ===========================================================================

---The engine, for hooks, triggers, timers and processes.  Everything but
---sorted_pairs works only while a replication runs.
---@class escsim.Sim
sim = {}

---Simulated time.
---@return escsim.Hours
function sim.now() end

---The replication's index.
---@return integer
function sim.rep() end

---The party whose hook, trigger, timer or process runs.
---@return string|nil
function sim.party() end

---A party's kind.
---@param party string
---@return escsim.PartyKind
function sim.kind(party) end

---Like math.random, from the party's own stream: () -> [0, 1), (m) -> 1..m, (m, n) -> m..n.
---@param m? integer
---@param n? integer
---@return number
function sim.random(m, n) end

---pairs in a fixed order (numbers ascending, then strings); plain pairs is
---sorted too in escsim.
---@generic K, V
---@param t table<K, V>
---@return fun(): K, V
function sim.sorted_pairs(t) end

---Ladder level of the directed pair now.
---@param from string
---@param to string
---@return number
function sim.ladder(from, to) end

---The higher of the two directions' ladder levels.
---@param a string
---@param b string
---@return number
function sim.tension(a, b) end

---The regime's state, or nil without a regime chain.
---@return string|nil
function sim.regime() end

---Would the cell take a request from party (default: the hook's party) now?
---@param party? string
---@return boolean
function sim.cell_up(party) end

---Incidents that started in the last window hours, oldest first.
---@param window escsim.Hours  math.huge: all
---@return escsim.Event[]
function sim.recent(window) end

---Call fn dt hours from now, as the same party; returns a token for sim.cancel.
---@param dt escsim.Hours
---@param fn fun()
---@return integer
function sim.schedule(dt, fn) end

---Cancel a timer set with sim.schedule: true if it was pending.
---@param token integer
---@return boolean
function sim.cancel(token) end

---Start a process now: fn(...) runs as a coroutine until it waits or ends.
---@param fn fun(...)
---@param ... any
function sim.spawn(fn, ...) end

---Inside a process: wait dt hours of simulated time.
---@param dt escsim.Hours
function sim.wait(dt) end

---Act now as the hook's party, about its event by default.
---@param d escsim.ActArgs
function sim.act(d) end

---Record value under key at the current time (a row of the user log).
---@param key string  1-31 letters, digits, _
---@param value number|boolean
function sim.log(key, value) end

-- ===========================================================================
-- Experiment files (escsim sweep/compare --experiment FILE.lua)
-- ===========================================================================

---@alias escsim.Design "grid"|"sobol"|"lhs"|"saltelli"|"morris"

---A varied key: { "cell.accuracy", from = 0.5, to = 1 }, a log range
---{ "cell.latency", from = "15m", to = "12h", scale = "log" }, or a list
---{ "cell.operators", values = { 1, 2, 3 } }.  A duration string ("30m",
---"2h", "3d", "1w") is in hours and gives the column units "h".
---@class escsim.Vary
---@field [1] string  the key, a dotted path (cell.latency, incidents.2.rate)
---@field from? number|string  range: the lowest value
---@field to? number|string    range: the highest value
---@field scale? "lin"|"log"   range: default "lin"
---@field n? integer           range, grid design: the number of values
---@field values? (number|string)[]  a list instead of a range

---An arm: { "fast", set = { cell = { latency = hours(1) } } }.  A table in
---`set` is a path (cell = { enabled = true } is cell.enabled=true); dotted
---keys work too (["cell.enabled"] = true).
---@class escsim.Arm
---@field [1] string  the arm's name; no_cell is the baseline, else the first
---@field set? table<string, any>

---@class escsim.Outputs
---@field file? string     the result file (beside the working folder), as -o
---@field events? boolean  also the event and message logs, as --events

---@class escsim.Experiment
---@field name? string
---@field description? string
---@field scenario? string  the scenario file, beside this file
---@field replications? integer  as -n (the command line's -n wins)
---@field seed? integer          as -s
---@field horizon? escsim.Hours  as --horizon
---@field design? escsim.Design  sweep only; default "grid"
---@field points? integer        the base sample: N points (sobol, lhs), N (k + 2) (saltelli), N (k + 1) (morris)
---@field levels? integer        morris: the grid's levels, even (default 4)
---@field vary? escsim.Vary[]    sweep only: the varied keys, in order
---@field arms? escsim.Arm[]     default: cell and no_cell
---@field set? table<string, any>  overrides of every arm, as --set
---@field outputs? escsim.Outputs

---The file returns experiment{...}.
---@param t escsim.Experiment
---@return escsim.Experiment
function experiment(t) end
