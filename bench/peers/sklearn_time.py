"""W2-time peer: scikit-learn NMF as cNMF and most users run it: solver 'cd' or 'mu', Frobenius, the
default stop (tol=1e-4) and init='random' with one random_state per restart, looped over ranks x restarts
on a float32 .npy (features x samples, the matrix our workload reads). max_iter is raised from 200 to
MAX_ITER so fits end by their stop rule, not the cap (the count of capped fits is reported).
Usage: python3 sklearn_time.py SOLVER MATRIX.npy KS(e.g. 2-5) RESTARTS MAX_ITER OUT.json
Writes OUT.json: fit time, and per fit its iterations, relative error ||X - WH||_F / ||X||_F and labels
(argmax over each sample's column of components_, 0-based), so the harness builds the consensus itself."""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning


def main():
    solver, path, ks, restarts, max_iter, out = sys.argv[1:7]
    a, b = (int(v) for v in ks.split("-"))
    X = np.load(path)
    norm = float(np.linalg.norm(X.astype(np.float64)))
    warnings.simplefilter("ignore", ConvergenceWarning)
    fits = []
    t0 = time.perf_counter()
    for k in range(a, b + 1):
        for r in range(int(restarts)):
            model = NMF(n_components=k, solver=solver, beta_loss="frobenius", init="random", tol=1e-4,
                        max_iter=int(max_iter), random_state=r)
            model.fit_transform(X)
            fits.append((k, r, model))
    fit_s = time.perf_counter() - t0
    rows = [{"k": k, "restart": r, "iterations": int(m.n_iter_), "rel_error": float(m.reconstruction_err_) / norm,
             "labels": np.argmax(m.components_, axis=0).tolist()} for k, r, m in fits]
    with open(out, "w") as f:
        json.dump({"fit_s": fit_s, "solver": solver, "max_iter": int(max_iter), "dtype": str(X.dtype),
                   "sklearn": __import__("sklearn").__version__, "fits": rows}, f)


main()
