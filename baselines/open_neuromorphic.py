#!/usr/bin/env python3
"""The Open Neuromorphic SNN benchmark on this CPU: snnTorch, SpikingJelly
and Norse beside `braingo bench models`.

The benchmark (github.com/open-neuromorphic/snn-library-benchmarks,
docker/run_benchmark.py and utils.py) times one network per library:
Linear(n→n) applied to every time step, then a LIF layer, on a standard
normal input of 500 steps × batch 16 × n, for n = 4,096, 8,192 and 16,384;
forward is the network on the whole input, backward is `output.sum()
.backward()`; it reports the mean forward and backward seconds and the peak
memory. The networks here are the benchmark's, written out again:

- snnTorch (0.9.4): nn.Linear and snn.Leaky(beta=0.95) in a Python loop
  over the steps (the Linear on each step's (batch, n) slice), the output
  the stacked spikes;
- SpikingJelly (PyTorch backend, 0.0.0.0.15): nn.Sequential(layer.Linear,
  neuron.LIFNode(tau=5, surrogate ATan, step_mode "m")) on (steps, batch,
  n), functional.reset_net before each forward;
- Norse (1.0.0, the last release that runs on Debian's PyTorch 1.13):
  SequentialState(nn.Linear, LIF()) on (steps, batch, n).

Timing, per (library, n) in its own process: the benchmark's untimed
forward without gradients, one untimed forward and backward (its timeit
warms each up once; --warmup 0 skips it), then --rounds rounds of a timed forward and a timed
backward (gradients cleared before each round); the means are reported with
the best beside them, and the process's CPU seconds (user + system, all
threads) of each pass. Peak memory is the process's peak RSS (VmHWM; the
benchmark, on a GPU, reports torch.cuda.max_memory_allocated), data and
libraries included, the same measure as braingo's peak_rss_mb.

    # one measurement (a JSON line on stdout):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 \\
      PYTHONPATH=/opt/snntorch-src /usr/bin/python3 baselines/open_neuromorphic.py --lib snntorch --n 4096
    # braingo and every library, alternating, each size (make bench-open-neuromorphic):
    /usr/bin/python3 baselines/open_neuromorphic.py --compare [--sizes 4096,8192,16384] [--rounds 3]

--compare runs, for each n and each round of --repeat, braingo, each
library (at each of its --settings, "torch threads x OpenBLAS threads") and
braingo again (its figure is the mean of the two, so that a change of the
machine's load during the libraries' long runs does not favour it), all
without the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, appends every
JSON line to --out, and prints the benchmark's own CSV (framework, neurons,
forward, backward, memory in bytes) and a Markdown table of the fastest
setting of each library with braingo's ratios.

Sources (not packaged by Debian, PyPI out of reach): SNNTORCH_SRC
(/opt/snntorch-src: snntorch/ of v0.9.4), SPIKINGJELLY_SRC
(/opt/onbench/spikingjelly-3af1e2d4: spikingjelly/ of commit 3af1e2d4,
2024-03-08, setup.py version 0.0.0.0.15, plus colorednoise.py 2.2.0, which its
neuron module imports), NORSE_SRC (/opt/onbench/norse-v1.0.0: norse/ of tag
v1.0.0; v1.1.0 needs torch.utils._pytree.register_pytree_node, which 1.13
lacks). See baselines/README.md.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SRC = {
    "snntorch": os.environ.get("SNNTORCH_SRC", "/opt/snntorch-src"),
    "spikingjelly": os.environ.get("SPIKINGJELLY_SRC", "/opt/onbench/spikingjelly-3af1e2d4"),
    "norse": os.environ.get("NORSE_SRC", "/opt/onbench/norse-v1.0.0"),
}
LIBS = ["snntorch", "spikingjelly", "norse"]


def read_hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def build(lib, n, batch, steps):
    """Returns (model, input, forward(model, x) -> output, version)."""
    import torch
    from torch import nn

    x = torch.randn(steps, batch, n)
    if lib == "snntorch":
        import snntorch

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(n, n)
                self.lif = snntorch.Leaky(beta=0.95)

            def forward(self, x):
                mem = self.lif.init_leaky()
                out = []
                for inp in x:
                    spk, mem = self.lif(self.fc(inp), mem)
                    out.append(spk)
                return torch.stack(out)

        return Model(), x, lambda m, x: m(x), snntorch.__version__
    if lib == "spikingjelly":
        from spikingjelly.activation_based import functional, layer, neuron, surrogate

        model = nn.Sequential(layer.Linear(n, n),
                              neuron.LIFNode(tau=5.0, surrogate_function=surrogate.ATan(), step_mode="m"))

        def fwd(m, x):
            functional.reset_net(m)
            return m(x)

        return model, x, fwd, "0.0.0.0.15 (3af1e2d4), backend " + model[1].backend
    if lib == "norse":
        import norse
        from norse.torch import SequentialState
        from norse.torch.module.lif import LIF

        return SequentialState(nn.Linear(n, n), LIF()), x, lambda m, x: m(x)[0], norse.__version__
    raise ValueError(lib)


def measure(a):
    import torch

    import openblas_info

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model, x, fwd, version = build(a.lib, a.n, a.batch, a.steps)
    with torch.no_grad():
        fwd(model, x)  # the benchmark's prepare_fn
    if a.warmup:
        out = fwd(model, x)  # warm-up of forward and backward (timeit's warmup_calls=1)
        assert out.shape == x.shape, (out.shape, x.shape)
        out.sum().backward()
        del out
    fw, bw, fc, bc = [], [], [], []
    spikes = 0.0
    for _ in range(a.rounds):
        for p in model.parameters():
            p.grad = None
        c0, t0 = time.process_time(), time.perf_counter()
        out = fwd(model, x)
        loss = out.sum()
        fw.append(time.perf_counter() - t0)
        c1, t0 = time.process_time(), time.perf_counter()
        loss.backward()
        bw.append(time.perf_counter() - t0)
        c2 = time.process_time()
        fc.append(c1 - c0)
        bc.append(c2 - c1)
        spikes = float(loss)
        del out, loss
    rec = {
        "model": "linear-lif", "framework": a.lib, "version": version, "n": a.n, "batch": a.batch,
        "steps": a.steps, "rounds": a.rounds, "warmup": a.warmup,
        "forward_seconds": sum(fw) / len(fw), "backward_seconds": sum(bw) / len(bw),
        "forward_best_seconds": min(fw), "backward_best_seconds": min(bw),
        "forward_cpu_seconds": sum(fc) / len(fc), "backward_cpu_seconds": sum(bc) / len(bc),
        "forward_gflops": 2.0 * a.steps * a.batch * a.n * a.n / (sum(fw) / len(fw)) / 1e9,
        "peak_rss_mb": read_hwm_mb(), "spike_rate": spikes / (a.steps * a.batch * a.n),
        "torch_threads": a.threads, "torch_version": torch.__version__,
        "loadavg_1m": os.getloadavg()[0],
    }
    rec.update(openblas_info.info())
    print(json.dumps(rec), flush=True)


def child(cmd, env, timeout):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        sys.stderr.write(p.stderr[-2000:])
        raise RuntimeError("failed (exit %d): %s" % (p.returncode, " ".join(cmd)))
    return json.loads(lines[-1])


def compare(a):
    import openblas_info

    sizes = [int(s) for s in a.sizes.split(",")]
    libs = a.libs.split(",")
    settings = [tuple(int(v) for v in s.split("x")) for s in a.settings.split(",")]
    out = a.out or os.path.join(HERE, "results", "open_neuromorphic_%s.jsonl" % time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    base = openblas_info.clean_env()
    got = []  # every record
    with open(out, "a") as f:
        for n in sizes:
            for rep in range(a.repeat):
                # braingo before and after the libraries: the machine's load
                # changes over a long run, and the ratio uses both.
                progs = [("braingo", None)] + [(lib, s) for lib in libs for s in settings] + [("braingo", None)]
                for name, s in progs:
                    env = dict(base)
                    if name == "braingo":
                        cmd = [a.braingo, "bench", "models", "--json", "--sizes", str(n), "--batch", str(a.batch),
                               "--steps", str(a.steps), "--rounds", str(a.rounds), "--threads", str(a.braingo_threads),
                               "--warmup=%s" % ("true" if a.warmup else "false")]
                    else:
                        env["OPENBLAS_NUM_THREADS"] = str(s[1])
                        env["OMP_NUM_THREADS"] = str(s[0])
                        env["PYTHONPATH"] = SRC[name] + (":" + base["PYTHONPATH"] if base.get("PYTHONPATH") else "")
                        cmd = [sys.executable, os.path.abspath(__file__), "--lib", name, "--n", str(n),
                               "--batch", str(a.batch), "--steps", str(a.steps), "--rounds", str(a.rounds),
                               "--threads", str(s[0]), "--warmup", str(a.warmup)]
                    sys.stderr.write("n=%d repeat %d: %s %s ...\n" % (n, rep + 1, name, "" if s is None else "%dx%d" % s))
                    try:
                        rec = child(cmd, env, a.timeout)
                    except (RuntimeError, subprocess.TimeoutExpired) as e:
                        sys.stderr.write("  %s\n" % e)
                        rec = {"framework": name, "n": n, "error": str(e)[:300]}
                    rec.setdefault("framework", name)
                    rec["setting"] = "braingo %d threads" % a.braingo_threads if s is None else \
                        "torch %d x OpenBLAS %d" % s
                    rec["repeat"] = rep + 1
                    f.write(json.dumps(rec) + "\n")
                    f.flush()
                    got.append(rec)
                    if "forward_seconds" in rec:
                        sys.stderr.write("  forward %.3f s, backward %.3f s, peak RSS %.0f MB, load %.1f\n" % (
                            rec["forward_seconds"], rec["backward_seconds"], rec["peak_rss_mb"], rec.get("loadavg_1m", 0)))
    report(got, sizes, libs)
    print("\nraw JSON lines: %s" % out)


def report(got, sizes, libs):
    ok = [r for r in got if "forward_seconds" in r]

    def best(name, n):
        rs = [r for r in ok if r["framework"] == name and r["n"] == n]
        if name == "braingo" and rs:  # the mean of its runs around the libraries'
            avg = dict(rs[0])
            for k in ("forward_seconds", "backward_seconds", "peak_rss_mb"):
                avg[k] = sum(r[k] for r in rs) / len(rs)
            avg["setting"] = "%s, mean of %d runs" % (rs[0]["setting"], len(rs))
            return avg
        return min(rs, key=lambda r: r["forward_seconds"] + r["backward_seconds"]) if rs else None

    print("framework,neurons,forward,backward,memory")
    for name in ["braingo"] + libs:
        for n in sizes:
            r = best(name, n)
            if r:
                label = name if name == "braingo" else "%s v%s" % (name, r.get("version", "?"))
                print("%s,%d,%s,%s,%d" % (label, n, r["forward_seconds"], r["backward_seconds"],
                                          int(r["peak_rss_mb"] * 2**20)))
    print()
    print("| n | framework (setting) | forward s | backward s | total s | peak RSS MB | braingo speed-up | braingo memory ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        b = best("braingo", n)
        for name in ["braingo"] + libs:
            r = best(name, n)
            if not r:
                print("| %d | %s | failed | | | | | |" % (n, name))
                continue
            tot = r["forward_seconds"] + r["backward_seconds"]
            sp = mem = ""
            if b and name != "braingo":
                sp = "%.2fx" % (tot / (b["forward_seconds"] + b["backward_seconds"]))
                mem = "%.2f" % (b["peak_rss_mb"] / r["peak_rss_mb"])
            print("| %d | %s (%s) | %.3f | %.3f | %.3f | %.0f | %s | %s |" % (
                n, name, r["setting"], r["forward_seconds"], r["backward_seconds"], tot, r["peak_rss_mb"], sp, mem))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", choices=LIBS)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--sizes", default="4096,8192,16384")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--settings", default="1x2,2x1", help="torch threads x OpenBLAS threads, comma-separated")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, choices=[0, 1],
                    help="1: an untimed forward and backward before the timed rounds (0 saves time at large n)")
    ap.add_argument("--repeat", type=int, default=1, help="--compare: alternations of all programs per size")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--braingo-threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--braingo", default=os.path.join(ROOT, "bin", "braingo"))
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.compare:
        compare(a)
    elif a.lib:
        measure(a)
    else:
        ap.error("want --lib or --compare")


if __name__ == "__main__":
    main()
