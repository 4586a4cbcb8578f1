#!/usr/bin/env python3
"""OpenBLAS as the baselines see it: which build and core kernel runs, and
whether its results agree with and without the machine's overrides.

This machine exports OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE for old
OpenBLAS builds. Debian's OpenBLAS 0.3.21 computes the same results without
them and picks its own (AVX-512) kernels, which are faster, so every
baseline command unsets both in that command only (the make targets with
`env -u`, the launchers with clean_env()); tests and CI keep them.

As a module (no NumPy or torch import of its own):

- OVERRIDES: the two variables.
- clean_env(env): a copy of env without them.
- info(): {"openblas_config", "openblas_core", "openblas_threads",
  "openblas_lib", "openblas_overrides"} of the OpenBLAS that this process has
  loaded (found in /proc/self/maps, read through ctypes:
  openblas_get_config, openblas_get_corename, openblas_get_num_threads);
  call it after NumPy or torch is imported. NumPy's np.show_config() and
  threadpoolctl are not available here, hence ctypes.

As a command, the agreement check (`make baselines-openblas-check`):

    /usr/bin/python3 baselines/openblas_info.py --check

runs the same float32 products (NumPy SGEMM 512x512x512 and, when torch
imports, torch.mm and a 128x784x1000 addmm, the FMNIST-SNN layer) in two
child processes, one with the environment as it is and one with the
overrides unset; prints each child's OpenBLAS core and version and its
largest relative error against a float64 product; and exits 1 if either
error exceeds 1e-5 (float32 rounding of a sum of 1,000 terms is about
1e-6) or the two runs differ by more than that. The two kernels may round
differently, so the check compares both with float64 rather than bit for
bit.
"""

import ctypes
import json
import os
import subprocess
import sys

OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def clean_env(env=None):
    """Returns a copy of env (default os.environ) without OVERRIDES."""
    out = dict(os.environ if env is None else env)
    for k in OVERRIDES:
        out.pop(k, None)
    return out


def _loaded_openblas():
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "openblas" in os.path.basename(path) and ".so" in path:
                    return path
    except OSError:
        pass
    return ""


def info():
    """The loaded OpenBLAS's version string, core and threads (empty
    strings when no OpenBLAS is loaded), and the overrides in force."""
    out = {"openblas_config": "", "openblas_core": "", "openblas_threads": None,
           "openblas_lib": _loaded_openblas(),
           "openblas_overrides": {k: os.environ[k] for k in OVERRIDES if k in os.environ}}
    if not out["openblas_lib"]:
        return out
    lib = ctypes.CDLL(out["openblas_lib"])
    for key, fn in (("openblas_config", "openblas_get_config"), ("openblas_core", "openblas_get_corename")):
        f = getattr(lib, fn, None)
        if f is not None:
            f.restype = ctypes.c_char_p
            out[key] = (f() or b"").decode().strip()
    f = getattr(lib, "openblas_get_num_threads", None)
    if f is not None:
        f.restype = ctypes.c_int
        out["openblas_threads"] = f()
    return out


def _child():
    """Computes the products and prints one JSON line (run by --check)."""
    import numpy as np

    rng = np.random.default_rng(7)
    res = {}
    a = rng.standard_normal((512, 512), dtype=np.float32)
    b = rng.standard_normal((512, 512), dtype=np.float32)
    c = a @ b
    ref = a.astype(np.float64) @ b.astype(np.float64)
    res["numpy_sgemm_512"] = {"rel_err": float(np.abs(c - ref).max() / np.abs(ref).max()),
                              "checksum": float(c.astype(np.float64).sum())}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
        ct = torch.mm(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        res["torch_mm_512"] = {"rel_err": float(np.abs(ct - ref).max() / np.abs(ref).max()),
                               "checksum": float(ct.astype(np.float64).sum())}
        x = rng.random((128, 784), dtype=np.float32)
        w = (rng.random((1000, 784), dtype=np.float32) - 0.5) / 14
        bias = (rng.random(1000, dtype=np.float32) - 0.5) / 14
        y = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(bias)).numpy()
        yr = x.astype(np.float64) @ w.astype(np.float64).T + bias
        res["torch_linear_128x784x1000"] = {"rel_err": float(np.abs(y - yr).max() / np.abs(yr).max()),
                                            "checksum": float(y.astype(np.float64).sum())}
    res.update(info())
    print(json.dumps(res))


def check(tol=1e-5):
    here = os.path.abspath(__file__)
    runs = {}
    for name, env in (("as set", dict(os.environ)), ("unset", clean_env())):
        p = subprocess.run([sys.executable, here, "--child"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr[-2000:])
            print("openblas-check: the child with the overrides %s failed" % name)
            return 1
        runs[name] = json.loads(p.stdout.strip().splitlines()[-1])
    ok = True
    for name, r in runs.items():
        print("openblas-check: overrides %-6s %s: core %s, %s (%s)" % (
            name, json.dumps(r["openblas_overrides"]), r["openblas_core"] or "?",
            r["openblas_config"] or "no OpenBLAS loaded", r["openblas_lib"]))
    a, b = runs["as set"], runs["unset"]
    for key in sorted(k for k in a if isinstance(a[k], dict) and "rel_err" in a[k]):
        ea, eb = a[key]["rel_err"], b[key]["rel_err"]
        diff = abs(a[key]["checksum"] - b[key]["checksum"]) / max(abs(a[key]["checksum"]), 1e-30)
        good = ea <= tol and eb <= tol
        ok = ok and good
        print("openblas-check: %-26s rel. error vs float64: as set %.2e, unset %.2e; checksums differ by %.1e  %s" % (
            key, ea, eb, diff, "ok" if good else "DISAGREE"))
    return 0 if ok else 1


def main():
    if "--child" in sys.argv:
        _child()
        return 0
    if "--check" in sys.argv:
        return check()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
