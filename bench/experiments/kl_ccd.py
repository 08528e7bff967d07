"""Issue 16, part 4: would a cyclic coordinate-descent solver for KL (Hsieh & Dhillon 2011) give the
same consensus as Brunet's multiplicative updates on ALL/AML in less time? A numpy prototype of both,
float64, the same initial factors (uniform, scaled by sqrt(mean(A)/k)) and the same objective stop rule
(scikit-learn's, tol 1e-4, a check every 10 iterations), k = 2..5 x 10 restarts, consensus by average
linkage on 1 - C. CCD labels are argmax of H with W's columns scaled to sum 1. Not part of the tool;
run with Debian's python3 (numpy, scipy, scikit-learn): /usr/bin/python3 bench/experiments/kl_ccd.py
The result (BENCHMARKS.md, W2-time section) is why no KL coordinate-descent solver was added."""
import numpy as np, time, sys
from pathlib import Path
EXAMPLES = Path(__file__).resolve().parents[2] / 'examples'
# ALL/AML GCT -> float64 matrix (5000 x 38), and the annotation
rows = open(EXAMPLES / 'ALL_AML_data.gct').read().split('\n')[3:]
A = np.array([[float(x) for x in r.split('\t')[2:]] for r in rows if r.strip()])
A = np.maximum(A, 0)
ann = {}
for line in open(EXAMPLES / 'ALL_AML_samples.tsv').read().split('\n')[1:]:
    if line.strip(): a = line.split('\t'); ann[a[0]] = a[1]
samples = open(EXAMPLES / 'ALL_AML_data.gct').read().split('\n')[2].split('\t')[2:]
truth = np.array([ann[s] for s in samples])
m, n = A.shape
eps = 1e-9
def kl(W, H):
    WH = W @ H
    return np.sum(np.where(A > 0, A * np.log(np.maximum(A, 1e-300) / WH), 0) - A + WH)
def init(k, seed):
    rng = np.random.default_rng(seed); s = np.sqrt(A.mean() / k)
    return rng.random((m, k)) * s, rng.random((k, n)) * s
def mu(k, seed, tol=1e-4, every=10, maxit=2000):
    W, H = init(k, seed); f0 = np.sqrt(2 * kl(W, H)); fp = None
    for it in range(1, maxit + 1):
        H = H * (W.T @ (A / (W @ H + eps))) / (W.sum(0)[:, None] + eps)
        W = W * ((A / (W @ H + eps)) @ H.T) / (H.sum(1)[None, :] + eps)
        if it % every == 0:
            f = np.sqrt(2 * kl(W, H))
            if fp is not None and (fp - f) / f0 < tol: break
            fp = f
    return W, H, it
def ccd(k, seed, tol=1e-4, every=10, maxit=2000, newton=2):
    # Hsieh & Dhillon 2011 cyclic coordinate descent for KL: per component, a few Newton steps on each
    # row of W (all rows at once: independent given H), then on each column of H.
    W, H = init(k, seed); WH = W @ H; f0 = np.sqrt(2 * kl(W, H)); fp = None
    for it in range(1, maxit + 1):
        for c in range(k):  # H row c
            for _ in range(newton):
                Q = A / (WH + eps)
                g = W[:, c] @ (1 - Q); h = (W[:, c] ** 2) @ (Q / (WH + eps))
                s = np.where(h > 0, np.maximum(-H[c], -g / np.maximum(h, 1e-300)), 0)
                H[c] += s; WH += np.outer(W[:, c], s)
        for c in range(k):  # W column c
            for _ in range(newton):
                Q = A / (WH + eps)
                g = (1 - Q) @ H[c]; h = (Q / (WH + eps)) @ (H[c] ** 2)
                s = np.where(h > 0, np.maximum(-W[:, c], -g / np.maximum(h, 1e-300)), 0)
                W[:, c] += s; WH += np.outer(s, H[c])
        if it % every == 0:
            f = np.sqrt(2 * kl(W, H))
            if fp is not None and (fp - f) / f0 < tol: break
            fp = f
    return W, H, it
def labels(W, H):
    cs = W.sum(0); return np.argmax(H * cs[:, None], 0)
def consensus_k(labs, k):
    from scipy.cluster.hierarchy import average, fcluster
    from scipy.spatial.distance import squareform
    R = len(labs); C = sum((l[:, None] == l[None, :]).astype(float) for l in labs) / R
    D = 1 - C; np.fill_diagonal(D, 0)
    return fcluster(average(squareform(D, checks=False)), k, 'maxclust')
def ari(a, b):
    from sklearn.metrics import adjusted_rand_score
    return adjusted_rand_score(a, b)
R = 10
for name, fn in [('mu', mu), ('ccd', ccd)]:
    t = time.time(); its = 0; out = {}
    for k in (2, 3, 4, 5):
        labs = []
        for r in range(R):
            W, H, it = fn(k, r); its += it; labs.append(labels(W, H))
        out[k] = consensus_k(labs, k)
    print(f"{name}: {time.time()-t:.1f}s, {its} iterations, k=3 ARI vs ALL-B/ALL-T/AML {ari(out[3], truth):.3f}", flush=True)
    globals()['res_' + name] = out
for k in (2, 3, 4, 5): print(f"k={k}: consensus ARI mu vs ccd {ari(res_mu[k], res_ccd[k]):.3f}")
