#!/usr/bin/env python3
"""FMNIST-SNN baseline (DESIGN.md, "tutorial" config = snnTorch tutorial 5 on
Fashion-MNIST), measured with snnTorch and with plain PyTorch.

Protocol (exactly):
  784-1000-10, fc1 = Linear(784,1000), fc2 = Linear(1000,10) (PyTorch default
  init, with bias), both layers snn.Leaky(beta=0.95, threshold=1,
  reset_mechanism="subtract", reset_delay=True), i.e. per step
      reset_t = H(mem_{t-1} - 1)                 (detached: no gradient)
      mem_t   = beta*mem_{t-1} + I_t - reset_t*1
      spk_t   = H(mem_t - 1)                     (surrogate gradient)
  with mem_{-1} = 0, H(x) = (x > 0). Surrogate: atan with alpha 2
  (snnTorch's default surrogate.atan(): d spk/d mem = alpha/2 /
  (1 + (pi/2*alpha*x)^2)), or --surrogate fast_sigmoid (slope 25:
  1/(25|x|+1)^2). Direct input: the image (pixels/255) is the input current
  of fc1 at each of 25 steps. Batch 128, shuffled each epoch, last partial
  batch dropped. Adam lr 5e-4, betas (0.9, 0.999). Loss = sum over the 25
  steps of CrossEntropy(output membrane mem2_t, label) (batch mean).
  Test accuracy = argmax over classes of the output spike count (sum of spk2
  over steps; ties -> lowest index) on all 10,000 test images.

Implementations (--impl):
  snntorch  snn.Leaky layers, the tutorial's forward loop (snnTorch 0.9.4).
  torch     the same loop with the LIF step written in torch ops and a
            custom autograd spike function; it reuses the previous step's
            spike as the (detached) reset instead of re-thresholding. Given
            the same --seed it produces bit-identical losses and weights to
            snntorch (check with --verify-batches N).
  hoisted   the torch loop with fc1(x) computed once per batch (the input is
            the same at every step, so this is exact in the forward pass;
            the backward sums the 25 step gradients of fc1's output first,
            so weights agree with the others to rounding only).

Timing: only training is timed: the sum over batches of forward + backward +
optimizer step (perf_counter); gathering a batch from memory, data loading
and evaluation are excluded.

Threads: Debian's torch does its GEMMs in OpenBLAS, which has its own
thread pool (OPENBLAS_NUM_THREADS). This script sets OPENBLAS_NUM_THREADS=2
before importing torch if it is unset, and calls torch.set_num_threads(1)
(--threads). On a 2-core machine that is the fast setting; adding
torch.set_num_threads(2) makes torch's OpenMP workers and OpenBLAS's threads
fight over the two cores, and an epoch is about 3.3x slower.

Output: one JSON line per epoch on stdout (and appended to --out if given):
  epoch, train_seconds, samples_per_s, train_loss (mean over batches of the
  summed-over-steps loss), test_acc, peak_rss_mb (getrusage maxrss), impl,
  surrogate, torch_threads, plus openblas_threads, seed, batches, versions.

Usage:
  /usr/bin/python3 baselines/fmnist_snn.py --impl snntorch --epochs 1
  /usr/bin/python3 baselines/fmnist_snn.py --impl hoisted --surrogate fast_sigmoid
  /usr/bin/python3 baselines/fmnist_snn.py --verify-batches 20
snnTorch must be importable: PYTHONPATH=/opt/snntorch-src or --snntorch-src.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_common import (  # noqa: E402
    braingo_order,
    DEFAULT_DATA_DIR,
    load_fashion_mnist,
    machine_info,
    peak_rss_mb,
    setup_threads_env,
)

NUM_INPUTS, NUM_HIDDEN, NUM_OUTPUTS = 784, 1000, 10
NUM_STEPS = 25
BATCH = 128
BETA = 0.95
THRESHOLD = 1.0
LR = 5e-4
BETAS = (0.9, 0.999)
ATAN_ALPHA = 2.0
FAST_SIGMOID_SLOPE = 25.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--impl", choices=["snntorch", "torch", "hoisted"], default="snntorch")
    p.add_argument("--surrogate", choices=["atan", "fast_sigmoid"], default="atan")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0,
                   help="use only the first N training images (0: all 60,000)")
    p.add_argument("--test-limit", type=int, default=0,
                   help="evaluate on the first N test images (0: all 10,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--export-init", metavar="FILE", default="",
                   help="write the initial weights of --seed as JSON for braingo's model.init_file "
                        "(names fc1.weight ..., weights transposed to braingo's in x out) and exit")
    p.add_argument("--order", choices=["numpy", "braingo"], default="numpy",
                   help="sample order per epoch: NumPy's permutation keyed by (seed, epoch), or the "
                        "order braingo's trainer uses with the same seed (to compare on identical batches)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    p.add_argument("--snntorch-src", default=os.environ.get("SNNTORCH_SRC", ""),
                   help="folder holding snnTorch's source (the folder with snntorch/ in it)")
    p.add_argument("--out", default="", help="also append the JSON lines to this file")
    p.add_argument("--eval-batch", type=int, default=1000)
    p.add_argument("--verify-batches", type=int, default=0,
                   help="instead of timing: train N batches with each impl from the same "
                        "seed and compare losses and weights bit for bit")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    openblas_threads = setup_threads_env("2")  # before the first `import torch`
    if args.snntorch_src:
        sys.path.insert(0, args.snntorch_src)

    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)

    # ---- spike functions written by hand (same arithmetic as snnTorch's) ----
    class ATanSpike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, alpha):
            ctx.save_for_backward(x)
            ctx.alpha = alpha
            return (x > 0).float()

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            grad = ctx.alpha / 2 / (1 + (math.pi / 2 * ctx.alpha * x).pow_(2)) * grad_output
            return grad, None

    class FastSigmoidSpike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, slope):
            ctx.save_for_backward(x)
            ctx.slope = slope
            return (x > 0).float()

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output / (ctx.slope * torch.abs(x) + 1.0) ** 2, None

    def own_spike_fn(name):
        if name == "atan":
            return lambda x: ATanSpike.apply(x, ATAN_ALPHA)
        return lambda x: FastSigmoidSpike.apply(x, FAST_SIGMOID_SLOPE)

    # ---- models --------------------------------------------------------------
    class SnnTorchNet(nn.Module):
        """snnTorch tutorial 5's network."""

        def __init__(self, surrogate_name):
            super().__init__()
            import snntorch as snn
            from snntorch import surrogate

            if surrogate_name == "atan":
                sg = surrogate.atan(alpha=ATAN_ALPHA)
            else:
                sg = surrogate.fast_sigmoid(slope=FAST_SIGMOID_SLOPE)
            self.fc1 = nn.Linear(NUM_INPUTS, NUM_HIDDEN)
            self.lif1 = snn.Leaky(beta=BETA, threshold=THRESHOLD, spike_grad=sg)
            self.fc2 = nn.Linear(NUM_HIDDEN, NUM_OUTPUTS)
            self.lif2 = snn.Leaky(beta=BETA, threshold=THRESHOLD, spike_grad=sg)

        def forward(self, x):
            mem1 = self.lif1.init_leaky()
            mem2 = self.lif2.init_leaky()
            spk2_rec, mem2_rec = [], []
            for _ in range(NUM_STEPS):
                cur1 = self.fc1(x)
                spk1, mem1 = self.lif1(cur1, mem1)
                cur2 = self.fc2(spk1)
                spk2, mem2 = self.lif2(cur2, mem2)
                spk2_rec.append(spk2)
                mem2_rec.append(mem2)
            return torch.stack(spk2_rec, dim=0), torch.stack(mem2_rec, dim=0)

    class TorchNet(nn.Module):
        """The same network as a hand-written PyTorch loop."""

        def __init__(self, surrogate_name, hoist):
            super().__init__()
            self.fc1 = nn.Linear(NUM_INPUTS, NUM_HIDDEN)
            self.fc2 = nn.Linear(NUM_HIDDEN, NUM_OUTPUTS)
            self.register_buffer("beta", torch.as_tensor(BETA))
            self.register_buffer("thr", torch.as_tensor(THRESHOLD))
            self.spike = own_spike_fn(surrogate_name)
            self.hoist = hoist

        def forward(self, x):
            b = x.shape[0]
            beta, thr, spike = self.beta, self.thr, self.spike
            mem1 = torch.zeros(b, NUM_HIDDEN)
            mem2 = torch.zeros(b, NUM_OUTPUTS)
            rst1 = torch.zeros(b, NUM_HIDDEN)  # H(mem_{t-1} - thr), detached
            rst2 = torch.zeros(b, NUM_OUTPUTS)
            cur1_static = self.fc1(x) if self.hoist else None
            spk2_rec, mem2_rec = [], []
            for _ in range(NUM_STEPS):
                cur1 = cur1_static if self.hoist else self.fc1(x)
                mem1 = beta * mem1 + cur1 - rst1 * thr
                spk1 = spike(mem1 - thr)
                rst1 = spk1.detach()
                cur2 = self.fc2(spk1)
                mem2 = beta * mem2 + cur2 - rst2 * thr
                spk2 = spike(mem2 - thr)
                rst2 = spk2.detach()
                spk2_rec.append(spk2)
                mem2_rec.append(mem2)
            return torch.stack(spk2_rec, dim=0), torch.stack(mem2_rec, dim=0)

    def build(impl, seed):
        torch.manual_seed(seed)
        if impl == "snntorch":
            net = SnnTorchNet(args.surrogate)
        else:
            net = TorchNet(args.surrogate, hoist=(impl == "hoisted"))
        opt = torch.optim.Adam(net.parameters(), lr=LR, betas=BETAS)
        return net, opt

    loss_fn = nn.CrossEntropyLoss()

    def train_step(net, opt, data, targets):
        net.train()
        spk_rec, mem_rec = net(data)
        loss_val = torch.zeros((1), dtype=torch.float)
        for step in range(NUM_STEPS):
            loss_val += loss_fn(mem_rec[step], targets)
        opt.zero_grad()
        loss_val.backward()
        opt.step()
        return loss_val

    # ---- data ----------------------------------------------------------------
    x_train, y_train, x_test, y_test = load_fashion_mnist(args.data_dir)
    if args.train_limit:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    if args.test_limit:
        x_test, y_test = x_test[: args.test_limit], y_test[: args.test_limit]
    xtr, ytr = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xte, yte = torch.from_numpy(x_test), torch.from_numpy(y_test)
    n_batches = len(xtr) // BATCH
    if n_batches == 0:
        sys.exit("fewer training images than one batch")

    def epoch_order(seed, epoch):
        # the same shuffled order for every impl: numpy, keyed by (seed, epoch),
        # or braingo's (its epochs count from 1)
        if args.order == "braingo":
            return torch.tensor(braingo_order(len(xtr), seed, epoch + 1), dtype=torch.int64)
        return torch.from_numpy(
            np.random.default_rng([seed, epoch]).permutation(len(xtr)).astype(np.int64)
        )

    versions = {"torch_version": torch.__version__}
    if args.impl == "snntorch" or args.verify_batches:
        import snntorch

        versions["snntorch_version"] = snntorch.__version__

    # ---- verification mode ---------------------------------------------------
    if args.verify_batches:
        nb = min(args.verify_batches, n_batches)
        order = epoch_order(args.seed, 0)
        res = {}
        for impl in ("snntorch", "torch", "hoisted"):
            net, opt = build(impl, args.seed)
            losses = []
            for i in range(nb):
                idx = order[i * BATCH : (i + 1) * BATCH]
                losses.append(train_step(net, opt, xtr[idx], ytr[idx]).item())
            params = [p.detach().clone() for p in net.parameters()]
            res[impl] = (losses, params)
        ref_l, ref_p = res["snntorch"]
        report = {"verify_batches": nb, "surrogate": args.surrogate, "seed": args.seed,
                  "first_losses": [float(v) for v in ref_l[:3]]}
        for impl in ("torch", "hoisted"):
            l, p = res[impl]
            report[impl] = {
                "losses_bit_identical": all(
                    np.float32(a).tobytes() == np.float32(b).tobytes() for a, b in zip(l, ref_l)
                ),
                "first_loss_bit_identical": np.float32(l[0]).tobytes() == np.float32(ref_l[0]).tobytes(),
                "max_abs_loss_diff": max(abs(a - b) for a, b in zip(l, ref_l)),
                "weights_bit_identical": all(torch.equal(a, b) for a, b in zip(p, ref_p)),
                "max_abs_weight_diff": max((a - b).abs().max().item() for a, b in zip(p, ref_p)),
            }
        report.update(versions)
        print(json.dumps(report), flush=True)
        ok = report["torch"]["losses_bit_identical"] and report["torch"]["weights_bit_identical"]
        return 0 if ok else 1

    # ---- training ------------------------------------------------------------
    net, opt = build(args.impl, args.seed)
    if args.export_init:
        init = {}
        for name in ("fc1", "fc2"):
            layer = getattr(net, name)
            init[name + ".weight"] = layer.weight.detach().t().contiguous().flatten().tolist()
            init[name + ".bias"] = layer.bias.detach().tolist()
        with open(args.export_init, "w") as f:
            json.dump(init, f)
        return

    def evaluate():
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xte), args.eval_batch):
                spk_rec, _ = net(xte[i : i + args.eval_batch])
                pred = spk_rec.sum(dim=0).argmax(dim=1)
                correct += (pred == yte[i : i + args.eval_batch]).sum().item()
        return correct / len(xte)

    for epoch in range(args.epochs):
        order = epoch_order(args.seed, epoch)
        train_seconds = 0.0
        loss_sum = 0.0
        for i in range(n_batches):
            idx = order[i * BATCH : (i + 1) * BATCH]
            data, targets = xtr[idx], ytr[idx]
            t0 = time.perf_counter()
            loss_val = train_step(net, opt, data, targets)
            train_seconds += time.perf_counter() - t0
            loss_sum += loss_val.item()
        acc = evaluate()
        rec = {
            "benchmark": "fmnist-snn",
            "epoch": epoch + 1,
            "train_seconds": round(train_seconds, 3),
            "samples_per_s": round(n_batches * BATCH / train_seconds, 1),
            "train_loss": loss_sum / n_batches,
            "test_acc": acc,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "impl": args.impl,
            "surrogate": args.surrogate,
            "torch_threads": torch.get_num_threads(),
            "openblas_threads": openblas_threads,
            "seed": args.seed,
            "batches": n_batches,
            "train_samples": n_batches * BATCH,
            "test_samples": len(xte),
        }
        rec.update(versions)
        rec.update(machine_info())
        line = json.dumps(rec)
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
