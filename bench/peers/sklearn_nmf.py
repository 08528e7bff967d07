"""W2 peer: scikit-learn NMF(solver='mu', beta_loss='frobenius', init='random', tol=0, max_iter=M)
looped over ranks x restarts on a float32 .npy matrix (features x samples, the matrix our w2 workload
factorizes). Usage: python3 sklearn_nmf.py MATRIX.npy KS(e.g. 2-5) RESTARTS MAX_ITER OUT.json
Writes OUT.json: {"fit_s": seconds of all fits, "iterations": sum of n_iter_, "blas": threadpool info}."""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning


def main():
    path, ks, restarts, max_iter, out = sys.argv[1:6]
    a, b = (int(v) for v in ks.split("-"))
    X = np.load(path)
    blas = []
    try:
        from threadpoolctl import threadpool_info
        blas = [{k: i.get(k) for k in ("internal_api", "num_threads", "architecture", "version")} for i in threadpool_info()]
    except Exception:  # threadpoolctl missing: not essential
        pass
    warnings.simplefilter("ignore", ConvergenceWarning)
    t0 = time.perf_counter()
    iterations = 0
    errors = {}
    for k in range(a, b + 1):
        best = None
        for r in range(int(restarts)):
            model = NMF(n_components=k, solver="mu", beta_loss="frobenius", init="random", tol=0,
                        max_iter=int(max_iter), random_state=r)
            model.fit_transform(X)
            iterations += model.n_iter_
            best = model.reconstruction_err_ if best is None else min(best, model.reconstruction_err_)
        errors[str(k)] = float(best)
    fit_s = time.perf_counter() - t0
    with open(out, "w") as f:
        json.dump({"fit_s": fit_s, "iterations": int(iterations), "dtype": str(X.dtype), "shape": list(X.shape),
                   "best_reconstruction_err": errors, "blas": blas, "sklearn": __import__("sklearn").__version__}, f)


main()
