"""Same-run numpy baseline for `npm run bench -- rank`: one LinUCB decision over K arms the way MABWiser's `_LinUCB`
scores them (MABWiser 2.x, mabwiser/linear.py): each arm has its own ridge regression with A^-1 and beta = A^-1 X'y
kept from its last fit, and a decision computes, arm by arm, x . beta + alpha * sqrt((x @ A^-1) . x), then takes the
arm of the highest score.

Only the arithmetic of the decision is timed: MABWiser's per-call overhead (argument checks, the deep copy of every
arm's model in `_predict_contexts`, a seeded generator per row) is left out, so this is a lower bound of its cost.
The arms' states come from ridge fits on random unit-norm contexts (N(0, 1) entries, normalised), n rows per arm.

Prints one JSON line: {"min_us": minimum over batches of the mean time of one decision, "median_us": median over
batches, "batches": ..., "per_batch": ..., "numpy": version, "checksum": sum of the chosen arms}.
Usage: python3 rank_numpy.py D K BATCHES PER_BATCH SEED
"""
import json
import sys
import time

import numpy as np


def main() -> None:
    d, k, batches, per_batch, seed = (int(a) for a in sys.argv[1:6])
    rng = np.random.default_rng(seed)
    alpha = 1.0
    models = []
    for _ in range(k):
        x = rng.standard_normal((80, d))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        y = rng.uniform(size=80)
        a = np.identity(d) + x.T @ x
        a_inv = np.linalg.inv(a)
        models.append((a_inv, a_inv @ (x.T @ y)))
    contexts = rng.standard_normal((256, d))
    contexts /= np.linalg.norm(contexts, axis=1, keepdims=True)

    def decide(x: np.ndarray) -> int:
        best, best_score = 0, -np.inf
        for arm, (a_inv, beta) in enumerate(models):
            score = np.dot(x, beta) + alpha * np.sqrt(np.dot(np.dot(x, a_inv), x))
            if score > best_score:
                best, best_score = arm, score
        return best

    checksum = 0
    for t in range(200):  # warm-up
        checksum += decide(contexts[t & 255])
    times = []
    t = 0
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            checksum += decide(contexts[t & 255])
            t += 1
        times.append((time.perf_counter() - t0) / per_batch)
    times.sort()
    print(
        json.dumps(
            {
                "min_us": times[0] * 1e6,
                "median_us": times[len(times) // 2] * 1e6,
                "batches": batches,
                "per_batch": per_batch,
                "numpy": np.__version__,
                "checksum": checksum,
            }
        )
    )


if __name__ == "__main__":
    main()
