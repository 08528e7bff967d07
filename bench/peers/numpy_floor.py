"""W2 floor: the same Lee (Frobenius) multiplicative-update fits as scikit-learn's, written as one
batched float32 GEMM per step in numpy (OpenBLAS): the R restarts of a k are stacked side by side
(W is m x R*k, H is R*k x n), so W^T A and A H^T are each one sgemm over all restarts; the small
k x k products are batched matmuls. No stop rule: exactly MAX_ITER iterations per restart.
Usage: python3 numpy_floor.py MATRIX.npy KS(e.g. 2-5) RESTARTS MAX_ITER OUT.json
Writes OUT.json: {"fit_s": seconds of all fits, "iterations": restart-iterations, "blas": threadpool info}."""
import json
import sys
import time

import numpy as np

EPS = np.float32(1e-9)


def fit(A, k, R, iters, rng):
    m, n = A.shape
    scale = np.float32(np.sqrt(A.mean() / k))
    W = (rng.random((m, R * k), dtype=np.float32) * scale).astype(np.float32)
    H = (rng.random((R * k, n), dtype=np.float32) * scale).astype(np.float32)
    for _ in range(iters):
        Wr = W.reshape(m, R, k).transpose(1, 0, 2)            # R x m x k (view)
        WtW = np.matmul(Wr.transpose(0, 2, 1), Wr)             # R x k x k
        Hr = H.reshape(R, k, n)
        H *= (W.T @ A) / (np.matmul(WtW, Hr).reshape(R * k, n) + EPS)  # one sgemm: W^T A
        Hr = H.reshape(R, k, n)
        HHt = np.matmul(Hr, Hr.transpose(0, 2, 1))             # R x k x k
        WHHt = np.matmul(Wr, HHt).transpose(1, 0, 2).reshape(m, R * k)
        W *= (A @ H.T) / (WHHt + EPS)                          # one sgemm: A H^T
    # Relative error of the first restart: a check that the stacked updates fit (tested).
    return float(np.linalg.norm(A - W[:, :k] @ H[:k]) / np.linalg.norm(A))


def main():
    path, ks, restarts, max_iter, out = sys.argv[1:6]
    a, b = (int(v) for v in ks.split("-"))
    A = np.ascontiguousarray(np.load(path), dtype=np.float32)
    R, iters = int(restarts), int(max_iter)
    blas = []
    try:
        from threadpoolctl import threadpool_info
        blas = [{k: i.get(k) for k in ("internal_api", "num_threads", "architecture", "version")} for i in threadpool_info()]
    except Exception:  # threadpoolctl missing: not essential
        pass
    rng = np.random.default_rng(123456)
    t0 = time.perf_counter()
    err = {str(k): fit(A, k, R, iters, rng) for k in range(a, b + 1)}
    fit_s = time.perf_counter() - t0
    with open(out, "w") as f:
        json.dump({"fit_s": fit_s, "iterations": R * iters * (b - a + 1), "dtype": str(A.dtype), "shape": list(A.shape),
                   "first_restart_rel_err": err, "blas": blas, "numpy": np.__version__}, f)


main()
