#!/usr/bin/env python3
"""Run braingo and the snnTorch / PyTorch baselines of a Fashion-MNIST
protocol taking turns, and print their figures and braingo's ratios.

    baselines/compare_fmnist.py [--protocol snn|s2] [--rounds N] [--epochs E]
                                [--train-limit N] [--braingo bin/braingo]

Each round runs braingo, then each baseline implementation, one after the
other, so every program sees the same machine conditions; with several
rounds the best (highest samples/s) run of each program is reported, and
the ratios come from runs of the same round. Every baseline runs at each
thread setting of --settings (torch threads x OpenBLAS threads) in every
round; a round reports each baseline at its fastest setting. Output: a Markdown table on
stdout and every raw JSON line in --out (default baselines/results/).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import openblas_info

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PROTOCOLS = {
    "snn": ("fmnist-snn", "fmnist_snn.py", ["snntorch", "torch", "hoisted"]),
    "s2": ("fmnist-s2", "fmnist_s2.py", ["snntorch", "torch"]),
}


def last_json(out):
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError("no JSON line in output:\n" + out[-2000:])
    return json.loads(lines[-1])


def run(cmd, env):
    t0 = time.time()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-3000:])
        raise RuntimeError("failed: " + " ".join(cmd))
    rec = last_json(p.stdout)
    rec["wall_seconds"] = time.time() - t0
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--protocol", choices=sorted(PROTOCOLS), default="snn")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--braingo", default=os.path.join(ROOT, "bin", "braingo"))
    ap.add_argument("--snntorch-src", default=os.environ.get("SNNTORCH_SRC", "/opt/snntorch-src"))
    ap.add_argument("--impls", default="", help="comma-separated baseline impls (default: all of the protocol)")
    ap.add_argument("--out", default="")
    ap.add_argument("--settings", default="1x2",
                    help="comma-separated thread settings TxB tried for every baseline, T torch threads "
                         "and B OpenBLAS threads (e.g. 1x1,1x2,2x1,2x2); each round reports each "
                         "baseline at its fastest setting")
    ap.add_argument("--same-order", action="store_true",
                    help="baselines train on braingo's batch order (and its seed, 1) instead of NumPy's")
    ap.add_argument("--same-init", action="store_true",
                    help="braingo starts from PyTorch's initial weights for seed 1 (implies --same-order): "
                         "every program then trains the same network on the same batches")
    a = ap.parse_args()

    recipe, script, impls = PROTOCOLS[a.protocol]
    if a.impls:
        impls = a.impls.split(",")
    # Every program runs without the machine's OpenBLAS overrides
    # (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE: see openblas_info.py); each
    # baseline's JSON line records the core that ran.
    env = openblas_info.clean_env()
    env.setdefault("OPENBLAS_NUM_THREADS", "2")
    env["PYTHONPATH"] = a.snntorch_src + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    out = a.out or os.path.join(HERE, "results", "compare_%s_%s.jsonl" % (a.protocol, time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(os.path.dirname(out), exist_ok=True)

    # A fresh run directory per round: braingo train refuses to overwrite a
    # run, and a fixed /tmp path may hold someone else's.
    rundir = tempfile.mkdtemp(prefix="braingo-compare-%s-" % recipe)
    bg = [a.braingo, "train", recipe, "--json", "--set", "epochs=%d" % a.epochs, "--out",
          os.path.join(rundir, "run")]
    settings = []
    for st in a.settings.split(","):
        try:
            t, b = (int(v) for v in st.strip().lower().split("x"))
        except ValueError:
            ap.error("--settings: %r is not TxB (torch threads x OpenBLAS threads, e.g. 1x2)" % st)
        if t < 1 or b < 1:
            ap.error("--settings: %r: thread counts must be positive" % st)
        settings.append((t, b))
    py = [sys.executable, os.path.join(HERE, script), "--epochs", str(a.epochs)]
    if a.same_init:
        a.same_order = True
        init = os.path.join("/tmp", "braingo-compare-init.json")
        subprocess.run([sys.executable, os.path.join(HERE, script), "--impl", "torch", "--seed", "1",
                        "--export-init", init], env=env, check=True)
        bg += ["--set", "model.init_file=" + init]
    if a.same_order:
        py += ["--order", "braingo", "--seed", "1"]
    if a.train_limit:
        bg += ["--set", "train_limit=%d" % a.train_limit]
        py += ["--train-limit", str(a.train_limit)]

    rounds = []
    with open(out, "a") as f:
        for r in range(a.rounds):
            got = {}
            for name in ["braingo"] + impls:
                for t, b in ([(None, None)] if name == "braingo" else settings):
                    envr = dict(env)
                    if name == "braingo":
                        cmd = bg[:bg.index("--out") + 1] + [os.path.join(rundir, "run%d" % (r + 1))] + bg[bg.index("--out") + 2:]
                        label = name
                    else:
                        cmd = py + ["--impl", name, "--threads", str(t)]
                        envr["OPENBLAS_NUM_THREADS"] = str(b)
                        label = "%s (torch %d x OpenBLAS %d)" % (name, t, b)
                    sys.stderr.write("round %d: %s ...\n" % (r + 1, label))
                    rec = run(cmd, envr)
                    rec["program"], rec["round"] = name, r + 1
                    if t is not None:
                        rec["torch_threads"], rec["openblas_threads"] = t, b
                    f.write(json.dumps(rec) + "\n")
                    f.flush()
                    if name not in got or rec["samples_per_s"] > got[name]["samples_per_s"]:
                        got[name] = rec
            rounds.append(got)

    best = max(rounds, key=lambda g: g["braingo"]["samples_per_s"])
    print("| program | train s/epoch | samples/s | test acc | peak RSS MB | braingo speed-up |")
    print("|---|---|---|---|---|---|")
    bs = best["braingo"]["samples_per_s"]
    for name in ["braingo"] + impls:
        rec = best[name]
        label = name if name == "braingo" else "%s (torch %d x OpenBLAS %d)" % (
            name, rec["torch_threads"], rec["openblas_threads"])
        print("| %s | %.1f | %.0f | %.2f%% | %.0f | %.2fx |" % (
            label, rec["train_seconds"], rec["samples_per_s"], 100 * rec["test_acc"],
            rec.get("peak_rss_mb", float("nan")), bs / rec["samples_per_s"]))
    cores = sorted({"%s (%s)" % (best[n].get("openblas_core", "?"), best[n].get("openblas_config", "?").split(" ")[1] if best[n].get("openblas_config") else "?")
                    for n in impls})
    print("\nraw JSON lines: %s; machine load (1 min) at the end: %.1f; baselines' OpenBLAS: %s" % (
        out, os.getloadavg()[0], ", ".join(cores)))


if __name__ == "__main__":
    main()
