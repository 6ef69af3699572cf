-- baseline_2025.lua: southern Syria in 2025, before the communication cell.
--
-- The calibrated 2025 world of scenarios/lib/world_2025.lua as it was: no
-- cell, and an Israeli policy that strikes back without asking anyone
-- first.  Its comments list the calibration targets T1-T7 with their
-- sources (model-research.md section 4); tests/validation/
-- test_baseline_2025.c checks each lies within the 5-95 % spread of
-- simulated years.

local world = require "world_2025"

local s = world.new()
s.name = "baseline_2025"
s.description = "Southern Syria 2025 without a communication cell, calibrated to ACLED and SNHR figures"
return scenario(s)
