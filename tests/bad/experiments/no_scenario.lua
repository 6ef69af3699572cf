-- No scenario here, and none on the command line.
return experiment { replications = 2 }
