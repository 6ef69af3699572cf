-- A file that forgets experiment{}.
return { scenario = "../../../scenarios/golan_2026.lua" }
