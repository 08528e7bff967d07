# W1 peer: R NMF on a GCT file, as its users run it: nmf(x, ranks, 'brunet', nrun = R, seed = S) with the
# package's default parallel backend ('par': doParallel over all cores). Usage:
#   Rscript rnmf.R INPUT.gct RANKS(e.g. 2:5) NRUN SEED OUT.json
# Writes OUT.json: {"nmf_s": seconds inside nmf(), "read_s": ..., "cophenetic": [...], "workers": N}.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 5) stop("usage: Rscript rnmf.R INPUT.gct RANKS NRUN SEED OUT.json")
t0 <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(NMF))

# A small GCT 1.2 reader: two header lines, then Name, Description and one column per sample.
read_gct <- function(path) {
  d <- read.delim(path, skip = 2, check.names = FALSE, stringsAsFactors = FALSE)
  x <- as.matrix(d[, -(1:2), drop = FALSE])
  rownames(x) <- d[[1]]
  storage.mode(x) <- "double"
  x
}
x <- read_gct(args[[1]])
rng <- as.integer(strsplit(args[[2]], ":")[[1]])
ranks <- rng[[1]]:rng[[length(rng)]]
t1 <- proc.time()[["elapsed"]]
res <- nmf(x, ranks, "brunet", nrun = as.integer(args[[3]]), seed = as.integer(args[[4]]))
t2 <- proc.time()[["elapsed"]]
coph <- sapply(res$fit, cophcor)
# Cores the default backend (.pbackend = "par", doParallel) uses for nrun > 1.
workers <- tryCatch(NMF:::getMaxCores(), error = function(e) NA)
json <- sprintf('{"read_s": %.3f, "nmf_s": %.3f, "ranks": [%s], "cophenetic": [%s], "cores": %s, "nmf_version": "%s"}',
  t1 - t0, t2 - t1, paste(ranks, collapse = ", "), paste(sprintf("%.6f", coph), collapse = ", "),
  ifelse(is.na(workers), "null", workers), as.character(packageVersion("NMF")))
writeLines(json, args[[5]])
