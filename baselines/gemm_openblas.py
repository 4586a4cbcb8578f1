"""OpenBLAS SGEMM through NumPy: the baseline for braingo's kernels.Gemm.

Times float32 C = op(A)·op(B) for the m×k×n shapes and the three training
variants that braingo's benchmarks use (BenchmarkGemm in kernels/gemm_test.go
and "braingo bench kernels"):

  gemm_nn  A·B     A stored m×k, B stored k×n  (forward)
  gemm_tn  Aᵀ·B    A stored k×m, B stored k×n  (weight gradient)
  gemm_nt  A·Bᵀ    A stored m×k, B stored n×k  (forward x·Wᵀ / input gradient)

NumPy hands a transposed C-contiguous view to sgemm as a transpose flag, so no
copy is timed. The output is preallocated (np.matmul(..., out=c)).

Each entry is warmed up, then timed as the best of --repeats runs of as many
calls as fill --budget seconds. One JSON line per entry on stdout:
{"kernel", "shape" (m×k×n), "seconds" (per call, best run), "gflops"
(2·m·k·n / seconds / 1e9), "median_seconds" (per call, median run),
"threads", "openblas_core", "openblas_config", "openblas_overrides"}.

OPENBLAS_NUM_THREADS must be set before NumPy loads OpenBLAS; this script sets
it to 2 unless the environment already does. Run with Debian's interpreter,
whose NumPy uses the libblas.so.3 alternative (libopenblas0-pthread):

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 /usr/bin/python3 baselines/gemm_openblas.py

(unsetting the machine's overrides, as `make bench-openblas` does: see
openblas_info.py).
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402  (after the thread setting, on purpose)

import openblas_info  # noqa: E402

SHAPES = [(128, 784, 1000), (128, 1000, 10), (1024, 1024, 1024)]
VARIANTS = ["gemm_nn", "gemm_tn", "gemm_nt"]


def operands(variant, m, k, n, rng):
    """Returns op(A) (m×k) and op(B) (k×n) as views of stored matrices."""
    if variant[5] == "t":
        a = rng.standard_normal((k, m), dtype=np.float32).T
    else:
        a = rng.standard_normal((m, k), dtype=np.float32)
    if variant[6] == "t":
        b = rng.standard_normal((n, k), dtype=np.float32).T
    else:
        b = rng.standard_normal((k, n), dtype=np.float32)
    return a, b


def time_entry(variant, m, k, n, budget, repeats, rng):
    a, b = operands(variant, m, k, n, rng)
    c = np.empty((m, n), dtype=np.float32)
    # Warm up and size the inner loop to about budget seconds.
    iters, t0 = 0, time.perf_counter()
    while True:
        np.matmul(a, b, out=c)
        iters += 1
        if time.perf_counter() - t0 >= budget / 10 and iters >= 2:
            break
    per = (time.perf_counter() - t0) / iters
    iters = max(1, int(budget / per))
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            np.matmul(a, b, out=c)
        runs.append((time.perf_counter() - t0) / iters)
    runs.sort()
    return runs[0], runs[len(runs) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--budget", type=float, default=0.3, help="seconds per timed run")
    p.add_argument("--repeats", type=int, default=5, help="timed runs; the best is kept")
    p.add_argument("--run", default="", help="only variants whose name contains this")
    args = p.parse_args()
    rng = np.random.default_rng(1)
    blas = openblas_info.info()
    for m, k, n in SHAPES:
        for variant in VARIANTS:
            if args.run not in variant:
                continue
            s, med = time_entry(variant, m, k, n, args.budget, args.repeats, rng)
            print(json.dumps({
                "kernel": variant,
                "shape": f"{m}x{k}x{n}",
                "seconds": s,
                "gflops": 2.0 * m * k * n / s / 1e9,
                "median_seconds": med,
                "threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
                "openblas_core": blas["openblas_core"],
                "openblas_config": blas["openblas_config"],
                "openblas_overrides": blas["openblas_overrides"],
            }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
