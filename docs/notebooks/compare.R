# compare.R: the reading of docs/notebooks/compare.ipynb and sweep.ipynb in
# R, with hdf5r (Debian's r-cran-hdf5r) and base R only.
#
#   Rscript docs/notebooks/compare.R COMPARE.h5 [SWEEP.h5] [OUTDIR]
#
# COMPARE.h5: escsim compare ... --events; SWEEP.h5: escsim sweep with
# --vary cell.latency=log:...; OUTDIR (default .) gets distributions.png
# and sweep.png.  Coded columns are decoded with the labels escsim stores
# beside each column (FIELD_<i>_LABELS, "0=ISR,1=SYR").
suppressMessages(library(hdf5r))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript compare.R COMPARE.h5 [SWEEP.h5] [OUTDIR]")
outdir <- if (length(args) >= 3) args[3] else "."

# A table with its coded columns as factors named by the file's labels.
read_table <- function(h, path) {
  ds <- h[[path]]
  df <- ds$read()
  for (i in seq_along(names(df)) - 1) {
    key <- sprintf("FIELD_%d_LABELS", i)
    if (!ds$attr_exists(key)) next
    pairs <- strsplit(strsplit(ds$attr_open(key)$read(), ",")[[1]], "=")
    codes <- sapply(pairs, `[`, 1)
    labels <- sapply(pairs, function(p) paste(p[-1], collapse = "="))
    col <- names(df)[i + 1]
    if (setequal(labels[codes != "-1"], c("no", "yes"))) next   # a 0/1 flag stays a number
    df[[col]] <- factor(labels[match(as.character(as.integer(df[[col]])), codes)], levels = labels)
  }
  df
}

h <- H5File$new(args[1], mode = "r")
cell <- read_table(h, "arms/cell/runs")
no_cell <- read_table(h, "arms/no_cell/runs")

# 1. The paired difference, joined on rep: the report's numbers.
both <- merge(cell, no_cell, by = "rep", suffixes = c(".cell", ".no"))
d <- both$misattributed_retaliations.cell - both$misattributed_retaliations.no
tt <- t.test(d)
cat(sprintf("difference %.3f [%.3f, %.3f]\n", mean(d), tt$conf.int[1], tt$conf.int[2]))

# 2. McNemar on spirals (the same continuity correction as the report).
tab <- table(factor(both$spiral.cell, 0:1), factor(both$spiral.no, 0:1))
cat(sprintf("discordant %d %d\n", tab[2, 1], tab[1, 2]))
if (tab[2, 1] + tab[1, 2] > 0) print(mcnemar.test(tab))

# 3. The stored report, decoded.
m <- read_table(h, "summary/differences")
stored <- m[m$metric == "misattributed_retaliations", ]
cat(sprintf("the report stored %.3f [%.3f, %.3f]\n", stored$mean, stored$lo, stored$hi))

# 4. Tails (type 7, R's default, as in the report) and the distributions.
for (a in list(list("cell", cell), list("no_cell", no_cell))) {
  tot <- a[[2]]$fatalities_mil + a[[2]]$fatalities_civ
  q <- quantile(tot, c(0.9, 0.99))
  cat(sprintf("%s P90 %.1f  P99 %.1f\n", a[[1]], q[1], q[2]))
}
png(file.path(outdir, "distributions.png"), width = 900, height = 400)
par(mfrow = c(1, 2))
boxplot(list(cell = cell$retaliations, no_cell = no_cell$retaliations),
        main = "retaliations", ylab = "count per replication")
boxplot(list(cell = cell$misattributed_retaliations, no_cell = no_cell$misattributed_retaliations),
        main = "misattributed_retaliations", ylab = "count per replication")
invisible(dev.off())

# 5. The cell's answers to queries against the deadline (with --events).
if (h$exists("arms/cell/messages")) {
  msg <- read_table(h, "arms/cell/messages")
  q <- msg[msg$channel == "cell" & msg$kind == "query", ]
  print(table(q$outcome))
  cat(sprintf("share answered in time: %.3f\n", mean(!is.na(q$slack_h) & q$slack_h > 0)))
}
h$close_all()

# 6. A sweep: the stored difference along the latency, on a log axis.
if (length(args) >= 2) {
  s <- H5File$new(args[2], mode = "r")
  sw <- read_table(s, "summary/sweep")
  mis <- sw[sw$metric == "misattributed_retaliations" & sw$arm == "cell", ]
  # The units attribute is JSON; whatever the spacing between its tokens.
  unit <- sub('.*"cell.latency" *: *"([^"]*)".*', "\\1",
                s[["sweep/points"]]$attr_open("units")$read())
  png(file.path(outdir, "sweep.png"), width = 700, height = 450)
  plot(mis[["cell.latency"]], mis$mean, log = "x", pch = 19,
       ylim = range(c(mis$lo, mis$hi), na.rm = TRUE),
       xlab = sprintf("cell.latency (%s)", unit),
       ylab = "misattributed retaliations: cell - no_cell")
  arrows(mis[["cell.latency"]], mis$lo, mis[["cell.latency"]], mis$hi,
         angle = 90, code = 3, length = 0.03)
  abline(h = 0, col = "grey")
  invisible(dev.off())
  cat(sprintf("sweep: %d points, latency %s\n", nrow(s[["sweep/points"]]$read()), unit))
  s$close_all()
}
