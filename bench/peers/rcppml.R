# W2-time peer: RcppML::nmf (alternating NNLS by coordinate descent, OpenMP over all threads) as its users
# run it: defaults (tol 1e-4, maxit 100, diag = TRUE) and one seed per restart. Usage:
#   Rscript rcppml.R MATRIX.npy KS(e.g. 2-5) RESTARTS OUT.json
# MATRIX.npy: float32, C order, features x samples (the matrix our workload reads). Writes OUT.json with
# the fit time, every fit's iterations, relative error ||A - W diag(d) H||_F / ||A||_F and labels
# (argmax over each sample's column of diag(d) H, 0-based), so the harness builds the consensus itself.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 4) stop("usage: Rscript rcppml.R MATRIX.npy KS RESTARTS OUT.json")
suppressPackageStartupMessages(library(RcppML))

# .npy 1.0: 6-byte magic, 2 version bytes, little-endian uint16 header length, the header, then data.
read_npy_f32 <- function(path) {
  con <- file(path, "rb")
  on.exit(close(con))
  magic <- readBin(con, "raw", 8)
  hlen <- readBin(con, "integer", 1, size = 2, signed = FALSE, endian = "little")
  header <- rawToChar(readBin(con, "raw", hlen))
  if (!grepl("'<f4'", header, fixed = TRUE) || grepl("True", header, fixed = TRUE)) stop("expected little-endian float32 in C order: ", header)
  dims <- as.integer(strsplit(sub(".*\\((\\d+), (\\d+)\\).*", "\\1 \\2", header), " ")[[1]])
  v <- readBin(con, "numeric", dims[[1]] * dims[[2]], size = 4, endian = "little")
  matrix(v, nrow = dims[[1]], ncol = dims[[2]], byrow = TRUE)
}
A <- read_npy_f32(args[[1]])
rng <- as.integer(strsplit(args[[2]], "-")[[1]])
ks <- rng[[1]]:rng[[length(rng)]]
restarts <- as.integer(args[[3]])
normA <- sqrt(sum(A * A))
fits <- list()
t0 <- proc.time()[["elapsed"]]
for (k in ks) {
  for (r in seq_len(restarts) - 1L) {
    f <- RcppML::nmf(A, k, seed = r, verbose = FALSE)
    fits[[length(fits) + 1]] <- list(k = k, restart = r, f = f)
  }
}
fit_s <- proc.time()[["elapsed"]] - t0
# Outside the timed loop: errors and labels are the harness's measurements, not part of the fit.
rows <- vapply(fits, function(x) {
  f <- x$f
  Hd <- f$d * f$h
  err <- sqrt(sum((A - f$w %*% Hd)^2)) / normA
  labels <- apply(Hd, 2, which.max) - 1L
  sprintf('{"k": %d, "restart": %d, "iterations": %d, "rel_error": %.8g, "labels": [%s]}',
    x$k, x$restart, as.integer(f$iter), err, paste(labels, collapse = ","))
}, "")
threads <- getOption("RcppML.threads", 0)
writeLines(sprintf('{"fit_s": %.4f, "rcppml": "%s", "threads_option": %d, "fits": [%s]}',
  fit_s, as.character(packageVersion("RcppML")), as.integer(threads), paste(rows, collapse = ",\n")), args[[4]])
