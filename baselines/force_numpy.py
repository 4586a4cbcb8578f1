"""FORCE learning (Sussillo and Abbott 2009) in NumPy: the baseline of
braingo's force-sines recipe (recipes/builtin/force-sines.yaml).

The same algorithm and setup as braingo (DESIGN.md's FORCE protocol): N 1000
tanh rate units, recurrent weights J with connection probability 0.1 and
N(0, 1/(pN)) weights times g 1.5, tau 10 ms, dt 0.1 ms (Euler, the output
fed back through uniform(-1, 1) weights), readout trained by recursive least
squares with P(0) = I/alpha, alpha 1, an update every 2 steps; target the sum
of four sines of the paper's code (period 1200 ms); 10 s of training, then 5 s
with learning off scored by the normalised MSE. Written for this project (not
the paper's MATLAB); the random weights are NumPy's, not braingo's Philox
streams, so the figures agree statistically, not bit for bit.

NumPy calls OpenBLAS for J·r (dense gemv: NumPy has no sparse product) and
P·r; the rank-one update P -= c·k·kᵀ goes through a preallocated buffer
(np.outer(..., out=)) so that no 1000x1000 temporary is allocated per step.

Prints one JSON line: {"impl", "dtype", "units", "train_seconds",
"seconds_per_sim_s", "test_nmse", "threads"}.

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 /usr/bin/python3 baselines/force_numpy.py

The JSON line records the OpenBLAS core and version that ran
(openblas_info.py); make bench-force unsets the machine's overrides.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402

import openblas_info  # noqa: E402


def target(t_ms, period=1200.0, amp=1.3):
    ph = 2 * np.pi * t_ms / period
    return (amp * np.sin(ph) + amp / 2 * np.sin(2 * ph) + amp / 6 * np.sin(3 * ph) + amp / 3 * np.sin(4 * ph)) / 1.5


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--g", type=float, default=1.5)
    ap.add_argument("--p", type=float, default=0.1)
    ap.add_argument("--tau", type=float, default=10.0, help="ms")
    ap.add_argument("--dt", type=float, default=0.1, help="ms")
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--every", type=int, default=2)
    ap.add_argument("--train-s", type=float, default=10.0)
    ap.add_argument("--test-s", type=float, default=5.0)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="float32 matches braingo; float64 is NumPy's default")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    dt = np.dtype(a.dtype)
    rng = np.random.default_rng(a.seed)
    n = a.units
    mask = rng.random((n, n)) < a.p
    J = (a.g * rng.standard_normal((n, n)) / np.sqrt(a.p * n) * mask).astype(dt)
    wf = rng.uniform(-1, 1, n).astype(dt)
    w = np.zeros(n, dt)
    x = (0.5 * rng.standard_normal(n)).astype(dt)
    r = np.tanh(x)
    z = dt.type(w @ r)
    P = (np.eye(n) / a.alpha).astype(dt)
    buf = np.empty((n, n), dt)
    al = dt.type(a.dt / a.tau)

    train = int(round(a.train_s * 1000 / a.dt))
    test = int(round(a.test_s * 1000 / a.dt))
    f_all = target((np.arange(train + test) + 1) * a.dt).astype(dt)

    t0 = time.perf_counter()
    for s in range(train):
        x += al * (-x + J @ r + wf * z)
        r = np.tanh(x)
        z = w @ r
        if (s + 1) % a.every == 0:
            k = P @ r
            c = 1.0 / (1.0 + r @ k)
            e = z - f_all[s]
            w -= (c * e) * k
            np.outer(k, c * k, out=buf)
            P -= buf
    train_seconds = time.perf_counter() - t0

    sq = 0.0
    ft = f_all[train:]
    for s in range(test):
        x += al * (-x + J @ r + wf * z)
        r = np.tanh(x)
        z = w @ r
        sq += float(z - ft[s]) ** 2
    nmse = sq / test / float(np.var(ft.astype(np.float64)))
    print(json.dumps({"impl": "numpy", "dtype": a.dtype, "units": n, "train_sim_s": a.train_s,
                      "train_seconds": train_seconds, "seconds_per_sim_s": train_seconds / a.train_s,
                      "test_nmse": nmse, "threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                      **openblas_info.info()}))


if __name__ == "__main__":
    sys.exit(main())
