#!/usr/bin/env python3
"""The Open Neuromorphic SNN benchmark's peers on a GPU, beside braingo-cuda's
"gpu on" (make gpu-check; docs/gpu.md).

The models are those of github.com/open-neuromorphic/snn-library-benchmarks
(docker/run_benchmark.py): Linear(n, n) then a LIF layer, input torch.randn
(steps, batch, n), forward over all steps, then loss = output.sum() and
backward. Peers:

  snntorch            snnTorch's Leaky (beta 0.95) in a Python loop over steps
  spikingjelly-cupy   SpikingJelly's multi-step LIFNode (tau 5, ATan) with the
                      CuPy backend
  spikingjelly-torch  the same with the PyTorch backend
  norse-compile       Norse's SequentialState(Linear, LIF()) under torch.compile
  norse               the same without torch.compile

Each peer and size prints one JSON line (bench "on", peer, n, forward_s,
backward_s, total_s: the median round by total, mem_bytes: the peak of
torch.cuda.max_memory_allocated) or, when it cannot run, a line with error.
Sources come from PYTHONPATH (the check carries them: snnTorch 0.9.4, Norse
1.1.0, SpikingJelly 3af1e2d4). TF32 stays PyTorch's default (off for
matmuls), so every GEMM is float32 as braingo's.
"""
import argparse
import json
import statistics
import sys
import time
import traceback


# The GPU peers: (library, variant) of open_neuromorphic.build, which builds
# the benchmark's networks for the CPU run as well.
PEERS = {
    "snntorch": ("snntorch", ""),
    "spikingjelly-cupy": ("spikingjelly", "cupy"),
    "spikingjelly-torch": ("spikingjelly", ""),
    "norse-compile": ("norse", "compile"),
    "norse": ("norse", ""),
}


def build(peer, n, steps, batch, device):
    import open_neuromorphic

    if peer not in PEERS:
        raise ValueError("unknown peer " + peer)
    lib, variant = PEERS[peer]
    model, x, fwd, version = open_neuromorphic.build(lib, n, batch, steps, device=device, variant=variant)
    return (lambda: fwd(model, x)), version


def run(peer, n, args):
    import torch

    dev = torch.device(args.device)
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    torch.manual_seed(0)
    fwd, version = build(peer, n, args.steps, args.batch, dev)
    rounds = []
    for r in range(args.warmup + args.rounds):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        out = fwd()
        torch.cuda.synchronize()
        t1 = time.perf_counter()
        out.sum().backward()
        torch.cuda.synchronize()
        t2 = time.perf_counter()
        rate = float(out.detach().float().mean())
        del out
        if r >= args.warmup:
            rounds.append((t2 - t0, t1 - t0, t2 - t1, rate))
    total, f, b, rate = sorted(rounds)[len(rounds) // 2]
    return {"bench": "on", "peer": peer, "version": version, "n": n, "batch": args.batch, "steps": args.steps,
            "forward_s": f, "backward_s": b, "total_s": total, "mem_bytes": torch.cuda.max_memory_allocated(),
            "spike_rate": rate, "gpu": torch.cuda.get_device_name(dev), "torch": torch.__version__,
            "tf32": bool(torch.backends.cuda.matmul.allow_tf32)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--peer", required=True)
    p.add_argument("--n", default="4096,8192,16384")
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--device", default="cuda")
    args = p.parse_args()
    failed = False
    for n in [int(v) for v in args.n.split(",")]:
        try:
            import torch

            if args.device.startswith("cuda") and not torch.cuda.is_available():
                raise RuntimeError(f"torch {torch.__version__} sees no CUDA device")
            line = run(args.peer, n, args)
        except Exception as e:  # the check goes on with the next size
            line = {"bench": "on", "peer": args.peer, "n": n, "error": f"{type(e).__name__}: {e}"[:500]}
            traceback.print_exc(file=sys.stderr)
            failed = True
        print(json.dumps(line), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
