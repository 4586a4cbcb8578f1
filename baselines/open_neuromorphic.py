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
      LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \\
      PYTHONPATH=/opt/snntorch-src /usr/bin/python3 baselines/open_neuromorphic.py --lib snntorch --n 4096
    # braingo and every library, alternating, each size (make bench-open-neuromorphic):
    /usr/bin/python3 baselines/open_neuromorphic.py --compare [--sizes 4096,8192,16384] [--rounds 3] \\
      [--settings 1x2:tcmalloc,2x1:tcmalloc,1x2:jemalloc,1x2:glibc-tuned]

--compare runs, for each n (in the order given: smallest first, so the
quick, informative measurements end first) and each round of --repeat,
braingo, each library at its settings, and braingo again (its figure is the
mean of the two, so that a change of the machine's load during the
libraries' long runs does not favour it), each in its own process with a
timeout (--timeout), all without the machine's OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE. It appends every JSON line to --out as it ends, prints the
benchmark's own CSV line (framework, neurons, forward, backward, memory in
bytes) as each measurement ends, and at the end checks that every setting of
a library computed the same spikes and weight gradient, then prints the CSV
of each library's fastest setting and a Markdown table with braingo's ratios
and the targets (>= 10x snnTorch, >= 3x the fastest peer, less memory).
--report FILE prints the same from a JSON lines file (e.g. an interrupted run).

Precision (--precision, comma-separated with --compare: float32, bf16):
bf16 runs each library's forward pass under torch.autocast("cpu",
dtype=torch.bfloat16), the way PyTorch users train in bf16 mixed precision:
nn.Linear runs in bf16 (its inputs and weight cast to bf16; on this CPU
PyTorch 1.13 sends bf16 matmuls to oneDNN when torch.backends.mkldnn is
available), elementwise ops in float32 or in the dtype of their inputs as
each library's code leaves them; the backward pass runs outside autocast
as usual; the loss is the spikes' sum in float32 (exact, where a bf16 sum
of a million spikes would round). Each JSON line records precision,
output_dtype, mkldnn_available and a probe of the bf16 and float32 matmul
rates in the process (bf16_mm_gflops, f32_mm_gflops: 1,024^3, best of 3),
which shows whether bf16 products reach the CPU's AVX512_BF16. braingo runs
with `bench models --precision bf16` (its products in bf16, float32 sums,
everything else float32). A library's "best" is its fastest of every
setting and precision; braingo's figures are given per precision.

Settings (--settings, comma-separated TORCHxBLAS[:ALLOCATOR]): torch threads
(torch.set_num_threads, OMP_NUM_THREADS) x OpenBLAS threads
(OPENBLAS_NUM_THREADS), and the allocator that serves malloc:

- glibc: as it comes. Its blocks over the mmap threshold (at most 32 MB)
  are mmap'ed fresh and munmap'ed on free, so every per-step tensor of that
  size (snnTorch's 64 MB weight gradient per step at n = 4,096; the
  (steps, batch, n) gradient buffers of Norse's and SpikingJelly's per-step
  indexing) is faulted in and zeroed by the kernel again: most of their
  backward pass was system time (snnTorch n = 4,096, 50 steps: 22.6 CPU s,
  12.6 of them system; Norse n = 1,024: 57.7 CPU s; SpikingJelly n = 512:
  21.4 CPU s, which is why it "hung" at 4,096).
- glibc-tuned: MALLOC_MMAP_MAX_=0, MALLOC_TRIM_THRESHOLD_=2^36,
  MALLOC_TOP_PAD_=2^28 (no mmap'ed blocks, no trimming: freed memory is
  reused).
- tcmalloc: LD_PRELOAD of Debian's libtcmalloc_minimal.so.4
  (libtcmalloc-minimal4), as PyTorch's CPU performance tuning guide advises.
- jemalloc: LD_PRELOAD of Debian's libjemalloc.so.2 (libjemalloc2) with
  MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 (with its default decay
  it returned the pages and was as slow as glibc).

The last three take the backward passes above to 1.2-2.8 CPU s, with the
same spikes and bit-identical gradients (the allocator does not change the
arithmetic). Each JSON line records the allocator mapped into the process
and its environment (allocator, allocator_env), torch_threads,
openblas_threads and openblas_core, flush_denormal, jit_profiling_executor,
and the check values spike_rate, grad_norm, grad_sum and bias_grad_sum
(every setting of a library must agree to rounding). --settings-at first
(the default) tries every setting at the first size only and runs each
library at its fastest there at the larger sizes. --flush-denormal 1 and
--jit-profiling 0 (TorchScript's legacy executor, for SpikingJelly's
scripted functions) are there to be tried; neither changed a time here
(2026-12-06, BENCHMARKS.md).

Sources (not packaged by Debian, PyPI out of reach): SNNTORCH_SRC
(/opt/snntorch-src: snntorch/ of v0.9.4), SPIKINGJELLY_SRC
(/opt/onbench/spikingjelly-3af1e2d4: spikingjelly/ of commit 3af1e2d4,
2024-03-08, setup.py version 0.0.0.0.15, plus colorednoise.py 2.2.0, which its
neuron module imports), NORSE_SRC (/opt/onbench/norse-v1.0.0: norse/ of tag
v1.0.0; v1.1.0 needs torch.utils._pytree.register_pytree_node, which 1.13
lacks). See baselines/README.md.
"""
import argparse
import contextlib
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
# In --compare's order at each size: the quickest first (2026-12-06, 1x2
# with tcmalloc, CPU s per forward + backward at 4,096: Norse 15, SpikingJelly
# 16, snnTorch 21; at 16,384 snnTorch takes about 5x as long as Norse), so
# that the fastest peer (the >= 3x target) is known before snnTorch's long
# runs end.
LIBS = ["norse", "spikingjelly", "snntorch"]
# torch threads x OpenBLAS threads : allocator (the module docstring).
DEFAULT_SETTINGS = "1x2:tcmalloc,2x1:tcmalloc,1x2:jemalloc,1x2:glibc-tuned"


def read_hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def build(lib, n, batch, steps, device="cpu", variant=""):
    """Returns (model, input, forward(model, x) -> output, version): the
    benchmark's network of lib on device. variant: "cupy" runs SpikingJelly's
    CuPy backend, "compile" Norse under torch.compile (the GPU peers of
    gpu_peers.py); "" the libraries' defaults."""
    import torch
    from torch import nn

    x = torch.randn(steps, batch, n, device=device)
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

        return Model().to(device), x, lambda m, x: m(x), snntorch.__version__
    if lib == "spikingjelly":
        from spikingjelly.activation_based import functional, layer, neuron, surrogate

        model = nn.Sequential(layer.Linear(n, n),
                              neuron.LIFNode(tau=5.0, surrogate_function=surrogate.ATan(), step_mode="m"))
        if variant == "cupy":
            functional.set_backend(model, backend="cupy")
        model = model.to(device)

        def fwd(m, x):
            functional.reset_net(m)
            return m(x)

        return model, x, fwd, "0.0.0.0.15 (3af1e2d4), backend " + model[1].backend
    if lib == "norse":
        import norse
        from norse.torch import SequentialState
        from norse.torch.module.lif import LIF

        model = SequentialState(nn.Linear(n, n), LIF()).to(device)
        if variant == "compile":
            model = torch.compile(model)
        return model, x, lambda m, x: m(x)[0], getattr(norse, "__version__", "unknown")
    raise ValueError(lib)


def allocator_info():
    """What serves malloc in this process: the allocator library mapped in
    (tcmalloc, jemalloc) or glibc, and the environment that tunes it."""
    name = "glibc"
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
        for lib in ("tcmalloc", "jemalloc"):
            if "lib%s" % lib in maps:
                name = lib
    except OSError:
        pass
    env = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k in ("LD_PRELOAD", "TCMALLOC_RELEASE_RATE")}
    return {"allocator": name, "allocator_env": env}


def measure(a):
    import torch

    import openblas_info

    torch.set_num_threads(a.threads)
    if a.flush_denormal:
        torch.set_flush_denormal(True)
    if not a.jit_profiling:
        torch._C._jit_set_profiling_executor(False)
    torch.manual_seed(a.seed)
    model, x, fwd, version = build(a.lib, a.n, a.batch, a.steps)
    probe = bf16_probe(torch)

    def autocast():
        if a.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def spike_sum(out):
        # The sum of 0/1 spikes in float32 is exact below 2^24; in bf16 it
        # would round (8 bits of significand). The gradient is 1 either way.
        return out.sum() if out.dtype == torch.float32 else out.sum(dtype=torch.float32)

    with torch.no_grad(), autocast():
        fwd(model, x)  # the benchmark's prepare_fn
    if a.warmup:
        with autocast():
            out = fwd(model, x)  # warm-up of forward and backward (timeit's warmup_calls=1)
        assert out.shape == x.shape, (out.shape, x.shape)
        spike_sum(out).backward()
        del out
    fw, bw, fc, bc, fs, bs = [], [], [], [], [], []
    spikes = 0.0
    for _ in range(a.rounds):
        for p in model.parameters():
            p.grad = None
        c0, t0 = os.times(), time.perf_counter()
        with autocast():
            out = fwd(model, x)
        loss = spike_sum(out)
        out_dtype = str(out.dtype).replace("torch.", "")
        fw.append(time.perf_counter() - t0)
        c1, t0 = os.times(), time.perf_counter()
        loss.backward()
        bw.append(time.perf_counter() - t0)
        c2 = os.times()
        fc.append(c1.user + c1.system - c0.user - c0.system)
        bc.append(c2.user + c2.system - c1.user - c1.system)
        fs.append(c1.system - c0.system)
        bs.append(c2.system - c1.system)
        spikes = float(loss)
        del out, loss
    params = list(model.parameters())  # the Linear's weight, then its bias
    w = params[0].grad.double()
    rec = {
        "model": "linear-lif", "framework": a.lib, "version": version, "n": a.n, "batch": a.batch,
        "steps": a.steps, "rounds": a.rounds, "warmup": a.warmup,
        "forward_seconds": sum(fw) / len(fw), "backward_seconds": sum(bw) / len(bw),
        "forward_best_seconds": min(fw), "backward_best_seconds": min(bw),
        "forward_cpu_seconds": sum(fc) / len(fc), "backward_cpu_seconds": sum(bc) / len(bc),
        "forward_sys_seconds": sum(fs) / len(fs), "backward_sys_seconds": sum(bs) / len(bs),
        "forward_gflops": 2.0 * a.steps * a.batch * a.n * a.n / (sum(fw) / len(fw)) / 1e9,
        "peak_rss_mb": read_hwm_mb(), "spike_rate": spikes / (a.steps * a.batch * a.n),
        # check values: the same for every setting of a library, to rounding
        "grad_norm": float(w.norm()), "grad_sum": float(w.sum()),
        "bias_grad_sum": float(params[1].grad.double().sum()) if len(params) > 1 else None,
        "torch_threads": torch.get_num_threads(), "torch_version": torch.__version__,
        "flush_denormal": bool(a.flush_denormal), "jit_profiling_executor": bool(a.jit_profiling),
        "loadavg_1m": os.getloadavg()[0],
        "precision": a.precision, "output_dtype": out_dtype,
    }
    rec.update(probe)
    rec.update(openblas_info.info())
    rec.update(allocator_info())
    print(json.dumps(rec), flush=True)


def bf16_probe(torch):
    """What bf16 products cost in this process: oneDNN's availability and
    the rates of a 1,024^3 matmul in bf16 and in float32 (best of 3)."""
    def rate(dtype):
        a = torch.randn(1024, 1024).to(dtype)
        b = torch.randn(1024, 1024).to(dtype)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - t0)
        return 2.0 * 1024**3 / best / 1e9
    return {"mkldnn_available": torch.backends.mkldnn.is_available(),
            "bf16_mm_gflops": rate(torch.bfloat16), "f32_mm_gflops": rate(torch.float32)}


def child(cmd, env, timeout):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        sys.stderr.write(p.stderr[-2000:])
        raise RuntimeError("failed (exit %d): %s" % (p.returncode, " ".join(cmd)))
    return json.loads(lines[-1])


# Allocators a setting may name (see ALLOCATORS in the module docstring).
ALLOC_LIBS = {
    "tcmalloc": "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",  # Debian libtcmalloc-minimal4
    "jemalloc": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",  # Debian libjemalloc2
}


def alloc_env(alloc):
    """The environment variables that select allocator alloc."""
    if alloc == "glibc":
        return {}
    if alloc == "glibc-tuned":
        # No mmap for big blocks, no trimming of the heap's top: freed blocks
        # are reused instead of unmapped and faulted in (and zeroed) again.
        return {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 36), "MALLOC_TOP_PAD_": str(1 << 28)}
    if alloc in ALLOC_LIBS:
        path = ALLOC_LIBS[alloc]
        if not os.path.exists(path):
            raise SystemExit("open_neuromorphic.py: %s not found (apt-get install %s; make bench-open-neuromorphic "
                             "installs it)" % (path, "libtcmalloc-minimal4" if alloc == "tcmalloc" else "libjemalloc2"))
        env = {"LD_PRELOAD": path}
        if alloc == "jemalloc":
            env["MALLOC_CONF"] = "dirty_decay_ms:-1,muzzy_decay_ms:-1"  # keep freed pages for reuse
        return env
    raise SystemExit("open_neuromorphic.py: unknown allocator %r (want glibc, glibc-tuned, tcmalloc, jemalloc)" % alloc)


def parse_settings(text):
    """"1x2:tcmalloc,2x1" -> [(1, 2, "tcmalloc"), (2, 1, "glibc")]."""
    out = []
    for item in text.split(","):
        th, _, alloc = item.strip().partition(":")
        try:
            t, b = (int(v) for v in th.split("x"))
        except ValueError:
            raise SystemExit("open_neuromorphic.py: --settings: %r is not TORCHxBLAS[:ALLOCATOR], e.g. 1x2:tcmalloc" % item)
        alloc = alloc or "glibc"
        alloc_env(alloc)  # checks the name and the library
        out.append((t, b, alloc))
    return out


def setting_name(s):
    return "torch %d x OpenBLAS %d, %s" % s


def total(r):
    return r["forward_seconds"] + r["backward_seconds"]


def prec(r):
    return r.get("precision", "float32")


def csv_line(r):
    if is_braingo(r["framework"]):
        label = "braingo" if r["framework"] == "braingo" else "braingo (%s)" % braingo_gemm(r["framework"])
    else:
        label = "%s v%s" % (NAMES.get(r["framework"], r["framework"]), str(r.get("version", "?")).split(" ")[0])
    if prec(r) != "float32":
        label += " (%s)" % prec(r)
    return "%s,%d,%s,%s,%d" % (label, r["n"], r["forward_seconds"], r["backward_seconds"], int(r["peak_rss_mb"] * 2**20))


def compare(a):
    import openblas_info

    sizes = [int(s) for s in a.sizes.split(",")]
    libs = a.libs.split(",")
    for lib in libs:
        if lib not in LIBS:
            raise SystemExit("open_neuromorphic.py: --libs: unknown library %r (want %s)" % (lib, ",".join(LIBS)))
    settings = parse_settings(a.settings)
    gemms = a.braingo_gemm.split(",")
    for g in gemms:
        if g not in GEMMS:
            raise SystemExit("open_neuromorphic.py: --braingo-gemm: unknown product %r (want %s)" % (g, ",".join(GEMMS)))
    precs = a.precision.split(",")
    for p in precs:
        if p not in PRECISIONS:
            raise SystemExit("open_neuromorphic.py: --precision: unknown precision %r (want %s)" % (p, ",".join(PRECISIONS)))
    if not os.access(a.braingo, os.X_OK):
        raise SystemExit("open_neuromorphic.py: %s is not an executable (make build)" % a.braingo)
    out = a.out or os.path.join(HERE, "results", "open_neuromorphic_%s.jsonl" % time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    base = openblas_info.clean_env()
    got = []  # every record
    chosen = {}  # (library, precision) -> its fastest setting at the first size (--settings-at first)
    print("framework,neurons,forward,backward,memory", flush=True)  # one line per measurement as it ends
    with open(out, "a") as f:
        for i, n in enumerate(sizes):
            for rep in range(a.repeat):
                # braingo before and after the libraries: the machine's load
                # changes over a long run, and the ratio uses both.
                mine = [(braingo_name(g), None, p) for p in precs for g in gemms]
                progs = list(mine)
                for lib in libs:
                    for p in precs:
                        c = (lib, p)
                        for s in (settings if i == 0 or a.settings_at == "every" or c not in chosen else [chosen[c]]):
                            progs.append((lib, s, p))
                progs += mine
                for name, s, p in progs:
                    env = dict(base)
                    if is_braingo(name):
                        cmd = [a.braingo, "bench", "models", "--json", "--sizes", str(n), "--batch", str(a.batch),
                               "--steps", str(a.steps), "--rounds", str(a.rounds), "--threads", str(a.braingo_threads),
                               "--warmup=%s" % ("true" if a.warmup else "false"), "--precision", p,
                               "--gemm", braingo_gemm(name)]
                    else:
                        env["OPENBLAS_NUM_THREADS"] = str(s[1])
                        env["OMP_NUM_THREADS"] = str(s[0])
                        env.update(alloc_env(s[2]))
                        env["PYTHONPATH"] = SRC[name] + (":" + base["PYTHONPATH"] if base.get("PYTHONPATH") else "")
                        cmd = [sys.executable, os.path.abspath(__file__), "--lib", name, "--n", str(n),
                               "--batch", str(a.batch), "--steps", str(a.steps), "--rounds", str(a.rounds),
                               "--threads", str(s[0]), "--warmup", str(a.warmup), "--seed", str(a.seed),
                               "--flush-denormal", str(a.flush_denormal), "--jit-profiling", str(a.jit_profiling),
                               "--precision", p]
                    sys.stderr.write("%s n=%d repeat %d: %s %s %s ...\n" % (
                        time.strftime("%H:%M:%S"), n, rep + 1, name, p, "" if s is None else setting_name(s)))
                    t0 = time.perf_counter()
                    try:
                        rec = child(cmd, env, a.timeout)
                    except (RuntimeError, subprocess.TimeoutExpired) as e:
                        sys.stderr.write("  %s\n" % e)
                        rec = {"framework": name, "n": n, "error": str(e)[:300]}
                    rec["framework"] = name
                    rec.setdefault("precision", p)
                    rec["setting"] = "braingo %d threads" % a.braingo_threads if s is None else setting_name(s)
                    rec["repeat"] = rep + 1
                    rec["process_seconds"] = time.perf_counter() - t0
                    f.write(json.dumps(rec) + "\n")
                    f.flush()
                    got.append(rec)
                    if "forward_seconds" in rec:
                        print(csv_line(rec), flush=True)
                        sys.stderr.write("  forward %.3f s, backward %.3f s, peak RSS %.0f MB, load %.1f, process %.0f s\n" % (
                            rec["forward_seconds"], rec["backward_seconds"], rec["peak_rss_mb"], rec.get("loadavg_1m", 0),
                            rec["process_seconds"]))
            if i == 0:
                for lib in libs:
                    for p in precs:
                        rs = [r for r in got if r["framework"] == lib and r["n"] == n and prec(r) == p and "forward_seconds" in r]
                        if rs:
                            b = min(rs, key=total)
                            chosen[(lib, p)] = next(s for s in settings if setting_name(s) == b["setting"])
                            if a.settings_at == "first" and len(settings) > 1 and len(sizes) > 1:
                                sys.stderr.write("  %s %s: fastest setting at n=%d: %s (used at the larger sizes)\n" % (
                                    lib, p, n, b["setting"]))
    print()
    report(got, sizes, libs, [braingo_name(g) for g in gemms])
    print("\nraw JSON lines: %s (again: %s --report %s)" % (out, os.path.relpath(__file__), out))


NAMES = {"snntorch": "snnTorch", "spikingjelly": "SpikingJelly", "norse": "Norse"}
PRECISIONS = ["float32", "bf16"]
# braingo's products (bench models --gemm): each runs as its own program,
# "braingo" (blocked, the default) or "braingo-strassen".
GEMMS = ["blocked", "strassen"]


def braingo_name(gemm):
    return "braingo" if gemm == "blocked" else "braingo-" + gemm


def is_braingo(name):
    return name == "braingo" or name.startswith("braingo-")


def braingo_gemm(name):
    return "blocked" if name == "braingo" else name[len("braingo-"):]


def report(got, sizes, libs, mine=None):
    if mine is None:
        mine = [m for m in [braingo_name(g) for g in GEMMS] if any(r["framework"] == m for r in got)] or ["braingo"]
    ok = [r for r in got if "forward_seconds" in r]

    def best(name, n, p=None):
        """braingo: the mean of its runs at precision p (around the
        libraries'); a library: its fastest run at p, or at any precision."""
        rs = [r for r in ok if r["framework"] == name and r["n"] == n and (p is None or prec(r) == p)]
        if is_braingo(name) and rs:
            avg = dict(rs[0])
            for k in ("forward_seconds", "backward_seconds", "peak_rss_mb"):
                avg[k] = sum(r[k] for r in rs) / len(rs)
            avg["setting"] = "%s, mean of %d runs" % (rs[0]["setting"], len(rs))
            return avg
        return min(rs, key=total) if rs else None

    def label(name, r):
        return "%s (%s%s)" % (name, r["setting"], "" if prec(r) == "float32" else ", " + prec(r))

    precs = [p for p in PRECISIONS if any(prec(r) == p for r in ok)]
    # Every setting of a library computes the same thing at one precision:
    # the same spikes and the same weight gradient, to the rounding of a
    # different summation order.
    for name in mine + libs:
        for n in sizes:
            for p in precs:
                rs = [r for r in ok if r["framework"] == name and r["n"] == n and prec(r) == p
                      and r.get("grad_norm") is not None]
                if len(rs) > 1:
                    g = [r["grad_norm"] for r in rs]
                    rate = {r["spike_rate"] for r in rs}
                    spread = (max(g) - min(g)) / max(abs(max(g)), 1e-30)
                    verdict = "agree" if spread < 1e-4 and len(rate) == 1 else "DISAGREE"
                    print("check %s %s n=%d: %d runs, spike rates %s, weight-gradient norms within %.1e: %s" % (
                        name, p, n, len(rs), sorted(rate), spread, verdict))
    # bf16 against float32: the same network, rounded products; the check
    # values should agree to about 1%.
    if len(precs) > 1:
        for name in mine + libs:
            for n in sizes:
                f, b = best(name, n, "float32"), best(name, n, "bf16")
                if f and b and f.get("grad_norm") and b.get("grad_norm"):
                    print("check %s n=%d bf16 against float32: spike rate %.5f / %.5f, weight-gradient norm %.6g / %.6g "
                          "(%.2f%% apart)" % (name, n, b["spike_rate"], f["spike_rate"], b["grad_norm"], f["grad_norm"],
                                             100 * abs(b["grad_norm"] / f["grad_norm"] - 1)))
    print("framework,neurons,forward,backward,memory")
    for name in mine + libs:
        for n in sizes:
            for p in precs:
                r = best(name, n, p)
                if r:
                    print(csv_line(r))
    print()
    print("| n | framework (fastest setting) | forward s | backward s | total s | peak RSS MB | spike rate | "
          "braingo speed-up | braingo memory ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        bs = [best(m, n, p) for m in mine for p in precs]
        bs = [b for b in bs if b]
        b = min(bs, key=total) if bs else None  # braingo's fastest precision and products
        peers = []
        for name in mine + libs:
            rows = [best(name, n, p) for p in precs]
            if not any(rows):
                print("| %d | %s | failed or not run | | | | | | |" % (n, name))
                continue
            if not is_braingo(name):
                peers.append((name, best(name, n)))
            for r in rows:
                if not r:
                    continue
                sp = mem = ""
                if b and not is_braingo(name):
                    sp = "%.2fx" % (total(r) / total(b))
                    mem = "%.2f" % (b["peak_rss_mb"] / r["peak_rss_mb"])
                print("| %d | %s | %.3f | %.3f | %.3f | %.0f | %.4f | %s | %s |" % (
                    n, label(name, r), r["forward_seconds"], r["backward_seconds"], total(r), r["peak_rss_mb"],
                    r.get("spike_rate", float("nan")), sp, mem))
        for b in bs:
            if not peers:
                break
            snn = [r for name, r in peers if name == "snntorch"]
            fastest_name, fastest = min(peers, key=lambda p: total(p[1]))
            less = all(b["peak_rss_mb"] < r["peak_rss_mb"] for _, r in peers)
            print("|  | targets at %d, %s %s against each library's best: %s; fastest peer %s %.2fx (want >= 3x); "
                  "less memory than each: %s | | | | | | | |" % (
                      n, b["framework"], prec(b), "snnTorch %.2fx (want >= 10x)" % (total(snn[0]) / total(b)) if snn else "snnTorch not run",
                      label(fastest_name, fastest), total(fastest) / total(b), "yes" if less else "no"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", choices=LIBS)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--sizes", default="4096,8192,16384")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--settings", default=DEFAULT_SETTINGS,
                    help="--compare: TORCHxBLAS[:ALLOCATOR] (glibc, glibc-tuned, tcmalloc, jemalloc), comma-separated")
    ap.add_argument("--settings-at", default="first", choices=["first", "every"],
                    help="--compare: try every setting at the first size only (then each library's fastest), or at every size")
    ap.add_argument("--flush-denormal", type=int, default=0, choices=[0, 1], help="torch.set_flush_denormal")
    ap.add_argument("--jit-profiling", type=int, default=1, choices=[0, 1],
                    help="0: torch._C._jit_set_profiling_executor(False) (SpikingJelly's TorchScript functions)")
    ap.add_argument("--report", default="", help="print the CSV and the table of a --compare JSON lines file")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, choices=[0, 1],
                    help="1: an untimed forward and backward before the timed rounds (0 saves time at large n)")
    ap.add_argument("--repeat", type=int, default=1, help="--compare: alternations of all programs per size")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--precision", default="float32",
                    help="float32 or bf16 (forward under torch.autocast to bfloat16); --compare: comma-separated, "
                         "each program at each")
    ap.add_argument("--braingo-threads", type=int, default=2)
    ap.add_argument("--braingo-gemm", default="blocked",
                    help="--compare: braingo's products, comma-separated: blocked (the default), strassen "
                         "(bench models --gemm strassen); each runs as its own program")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--braingo", default=os.path.join(ROOT, "bin", "braingo"))
    ap.add_argument("--timeout", type=float, default=7200, help="--compare: seconds per process")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.report:
        with open(a.report) as f:
            got = [json.loads(l) for l in f if l.strip()]
        report(got, sorted({r["n"] for r in got}), [l for l in LIBS if any(r["framework"] == l for r in got)])
    elif a.compare:
        compare(a)
    elif a.lib:
        if a.precision not in PRECISIONS:
            ap.error("--precision: want one of %s with --lib, got %r" % (", ".join(PRECISIONS), a.precision))
        measure(a)
    else:
        ap.error("want --lib or --compare")


if __name__ == "__main__":
    main()
