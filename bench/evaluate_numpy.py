"""Vectorised numpy baseline for `npm run bench -- evaluate`: IPW, SNIPW and DR with a bootstrap over rows.

Reads the synthetic log the bench writes (float64 arrays reward, pscore, target_prob, q_logged, q_target, each n long,
concatenated in that order, little endian) and prints one JSON line: {"seconds": wall time of the estimators and the
bootstrap, "ipw": ..., "snipw": ..., "dr": ..., "ci": {...}}. METHOD is `multinomial` (resample row indices and
gather, the usual vectorised bootstrap) or `poisson` (Poisson(1) counts per row, totals by a matrix-vector product).
Usage: python3 evaluate_numpy.py FILE N B SEED METHOD
"""
import json
import sys
import time

import numpy as np


def main() -> None:
    path, n, b, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    method = sys.argv[5] if len(sys.argv) > 5 else "multinomial"
    a = np.fromfile(path, dtype="<f8").reshape(5, n)
    reward, pscore, tprob, q_logged, q_target = a
    t0 = time.perf_counter()
    w = tprob / pscore
    # Columns whose sums give every estimator: count, w r, w, q_target + w (r - q_logged).
    cols = np.stack([np.ones(n), w * reward, w, q_target + w * (reward - q_logged)], axis=1)
    tot = cols.sum(axis=0)
    est = {"ipw": tot[1] / tot[0], "snipw": tot[1] / tot[2], "dr": tot[3] / tot[0]}
    rng = np.random.default_rng(seed)
    boot = np.empty((b, 3))
    for r in range(b):
        if method == "poisson":
            t = rng.poisson(1.0, size=n).astype(np.float64) @ cols
        else:
            idx = rng.integers(0, n, size=n)
            t = cols[idx].sum(axis=0)
        boot[r] = (t[1] / t[0], t[1] / t[2], t[3] / t[0])
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    seconds = time.perf_counter() - t0
    ci = {k: [lo[j], hi[j]] for j, k in enumerate(["ipw", "snipw", "dr"])}
    print(json.dumps({"seconds": seconds, "method": method, **est, "ci": ci}))


if __name__ == "__main__":
    main()
