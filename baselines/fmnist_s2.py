#!/usr/bin/env python3
"""FMNIST-S2 baseline (DESIGN.md; BrainPy paper, appendix Table S2, which
reproduces SpyTorch tutorials 2-3), measured with snnTorch and plain PyTorch.

Protocol (the choices this script fixes, which braingo implements the same way):

  Network 784-100-10: fc1 = Linear(784,100), fc2 = Linear(100,10) (PyTorch
  default init, with bias), 100 time steps, batch 256 (shuffled each epoch,
  last partial batch dropped), Adam lr 1e-3 betas (0.9, 0.999).

  Hidden layer: exponential-synapse LIF, snn.Synaptic(alpha=0.9, beta=0.85,
  threshold=1, reset_mechanism="subtract", reset_delay=True), atan surrogate
  (alpha 2, snnTorch's default). Per step t, with all states 0 at t = -1:
      reset_t = H(mem_{t-1} - 1)                      (detached)
      syn_t   = alpha*syn_{t-1} + fc1(x_t)
      mem_t   = beta*mem_{t-1} + syn_t - reset_t*1
      spk_t   = H(mem_t - 1),  H(x) = (x > 0)         (surrogate gradient)
  Output layer: leaky integrator, snn.Leaky(beta=0.85, reset_mechanism="none"):
      out_t   = beta_out*out_{t-1} + fc2(spk_t)        (its spikes are unused)
  alpha = 0.9 and beta = 0.85 are the values of the BrainPy paper's own
  snnTorch script (github.com/brainpy/brainpy-iclr24-reproducibility,
  example2_SNN_training/snnTorch_fashion_mnist.py): tau_syn = -1/ln(0.9) =
  9.49 steps, tau_mem = -1/ln(0.85) = 6.15 steps. beta_out = beta = 0.85.
  That script made alpha and beta learnable (learn_alpha/learn_beta) and used
  a Synaptic output with reset "none"; here they are fixed and the output is
  a one-state leaky integrator (--learn-decay makes all three decays
  learnable, clamped to [0, 1] each step as snnTorch does).

  Loss: NLL of log_softmax(max over t of out_t) (batch mean) plus two spike
  regularizers on the hidden spikes S[t, b, j] of the batch (the SpyTorch /
  BrainPy-paper definitions, not normalized by batch size):
      L1 = 1e-5 * sum_{t,b,j} S[t,b,j]                     (total spike count)
      L2 = 1e-5 * mean_j ( sum_{t,b} S[t,b,j] )^2     (per-neuron count, squared)
      loss = NLL + (L1 + L2)

  Input (--encoding latency, the default): time-to-first-spike,
  snnTorch's spikegen.latency(x, num_steps=100, threshold=0.01, tau=1,
  normalize=True, linear=False, clip=False) on pixels/255: each pixel fires
  exactly once, at step round_half_even(99 * ln(x'/(x'-0.01)) / ln(0.0100001/1e-7))
  with x' = max(x, 0.0100001) (float32 arithmetic); pixels below 0.01 (the
  background) fire at step 99 (clip=False, snnTorch's default). This is
  braingo's datasets.NewEncoder("latency"). --linear uses the linear code
  (step round(99*(1-x)), capped at 98.01 -> 98), --clip drops the spikes of
  pixels below 0.01. --encoding spytorch is the paper scripts' own encoder
  (SpyTorch's current2firing_time: t = floor(20*ln(x/(x-0.2))) in float64,
  no spike for x < 0.2 or t >= 100). --encoding-table prints the step for
  each of the 256 pixel values (-1: no spike) for parity tests.

  Test accuracy: argmax over classes of max over t of out_t (ties -> lowest
  index), all 10,000 test images.

Implementations (--impl): snntorch (snn.Synaptic + snn.Leaky, input from
spikegen.latency), torch (the same loop in torch ops with a custom autograd
atan spike; bit-identical losses and weights, check with --verify-batches N).

Timing: only training: the sum over batches of forward + backward + optimizer
step; building a batch's spike tensor and evaluation are excluded.

Threads: OPENBLAS_NUM_THREADS=2 is set before importing torch if unset;
torch.set_num_threads(1) by default (--threads). See README.md for the 3.3x
trap of torch.set_num_threads(2) on top of OpenBLAS's threads on 2 cores.

Output: one JSON line per epoch: epoch, train_seconds, samples_per_s,
train_loss, test_acc, peak_rss_mb, impl, surrogate, torch_threads, plus
encoding, hidden_spikes_per_sample (mean over the epoch's training batches).
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_common import (  # noqa: E402
    DEFAULT_DATA_DIR,
    load_fashion_mnist,
    machine_info,
    peak_rss_mb,
    setup_threads_env,
)

NUM_INPUTS, NUM_HIDDEN, NUM_OUTPUTS = 784, 100, 10
NUM_STEPS = 100
BATCH = 256
ALPHA = 0.9  # synaptic decay, hidden layer
BETA = 0.85  # membrane decay, hidden layer
BETA_OUT = 0.85  # output leaky integrator decay
THRESHOLD = 1.0
LR = 1e-3
BETAS = (0.9, 0.999)
REG_L1 = 1e-5
REG_L2 = 1e-5
ATAN_ALPHA = 2.0
LAT_THRESHOLD = 0.01
LAT_EPSILON = 1e-7


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--impl", choices=["snntorch", "torch"], default="snntorch")
    p.add_argument("--encoding", choices=["latency", "spytorch"], default="latency")
    p.add_argument("--linear", action="store_true", help="latency: linear code")
    p.add_argument("--clip", action="store_true", help="latency: no spike below threshold 0.01")
    p.add_argument("--learn-decay", action="store_true")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--test-limit", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    p.add_argument("--snntorch-src", default=os.environ.get("SNNTORCH_SRC", ""))
    p.add_argument("--out", default="")
    p.add_argument("--eval-batch", type=int, default=256)
    p.add_argument("--verify-batches", type=int, default=0)
    p.add_argument("--encoding-table", action="store_true",
                   help="print {pixel value k: spike step} for k = 0..255 and exit")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    openblas_threads = setup_threads_env("2")
    if args.snntorch_src:
        sys.path.insert(0, args.snntorch_src)

    import numpy as np
    import torch
    import torch.nn as nn

    torch.set_num_threads(args.threads)

    # ---- input encoding: spike step per pixel (-1: none) ---------------------
    def latency_steps(x):
        """snnTorch's spikegen.latency arithmetic (float32), as a step index
        per feature. x: float32 tensor in [0, 1] with at least one value below
        the threshold (true of every Fashion-MNIST batch), so the normalizing
        max equals the one snnTorch takes per batch."""
        thr, eps, T = LAT_THRESHOLD, LAT_EPSILON, NUM_STEPS
        if not args.linear:
            d = torch.clamp(x, thr + eps)
            st = 1 * torch.log(d / (d - thr))
            st = (st - 0) * (T - 0 - 1) / torch.max(st - 0) + 0
        else:
            tau = T - 1 - 0
            st = torch.clamp_max((-tau * (x - 1)), -tau * (thr - 1)) + 0
        steps = torch.round(torch.clamp_max(st, T - 1)).long()
        fire = ~(torch.round(st).long() > T - 1)
        if args.clip:
            fire &= ~(x < thr)
        return torch.where(fire, steps, torch.full_like(steps, -1))

    def spytorch_steps(x_np):
        x = np.clip(x_np.astype(np.float64), 0.2 + 1e-7, 1e9)
        t = 20.0 * np.log(x / (x - 0.2))
        t = np.where(x_np.astype(np.float64) < 0.2, NUM_STEPS, t).astype(np.int64)
        return torch.from_numpy(np.where(t < NUM_STEPS, t, -1))

    def encode_steps(x_np, chunk=5000):
        """Spike step per pixel as int8 (-1: none), computed in chunks (every
        chunk of Fashion-MNIST images has background pixels, so the latency
        normalization is the same in each)."""
        out = []
        for i in range(0, len(x_np), chunk):
            part = x_np[i : i + chunk]
            s = spytorch_steps(part) if args.encoding == "spytorch" else latency_steps(torch.from_numpy(part))
            out.append(s.to(torch.int8))
        return torch.cat(out)

    if args.encoding_table:
        k = np.arange(256, dtype=np.float32)
        vals = k / np.float32(255.0)
        # prepend a 0 so the latency normalization sees a sub-threshold value
        steps = encode_steps(np.concatenate([[np.float32(0)], vals]).astype(np.float32), chunk=257)[1:]
        print(json.dumps({"encoding": args.encoding, "linear": args.linear, "clip": args.clip,
                          "steps": [int(s) for s in steps]}))
        return 0

    def dense_input(steps):
        """[B,784] spike steps -> [T,B,784] float32 spikes."""
        t = torch.arange(NUM_STEPS).view(NUM_STEPS, 1, 1)
        return (steps.long().unsqueeze(0) == t).float()

    # ---- spike function (snnTorch's ATan arithmetic) -------------------------
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

    # ---- models --------------------------------------------------------------
    class SnnTorchNet(nn.Module):
        def __init__(self):
            super().__init__()
            import snntorch as snn
            from snntorch import surrogate

            sg = surrogate.atan(alpha=ATAN_ALPHA)
            ld = args.learn_decay
            self.fc1 = nn.Linear(NUM_INPUTS, NUM_HIDDEN)
            self.lif1 = snn.Synaptic(alpha=ALPHA, beta=BETA, threshold=THRESHOLD, spike_grad=sg,
                                     learn_alpha=ld, learn_beta=ld)
            self.fc2 = nn.Linear(NUM_HIDDEN, NUM_OUTPUTS)
            self.li2 = snn.Leaky(beta=BETA_OUT, threshold=THRESHOLD, spike_grad=sg,
                                 learn_beta=ld, reset_mechanism="none")

        def forward(self, x):  # x: [T, B, 784]
            syn1, mem1 = self.lif1.init_synaptic()
            mem2 = self.li2.init_leaky()
            spk1_rec, mem2_rec = [], []
            for step in range(NUM_STEPS):
                cur1 = self.fc1(x[step])
                spk1, syn1, mem1 = self.lif1(cur1, syn1, mem1)
                cur2 = self.fc2(spk1)
                _, mem2 = self.li2(cur2, mem2)
                spk1_rec.append(spk1)
                mem2_rec.append(mem2)
            return torch.stack(spk1_rec, dim=0), torch.stack(mem2_rec, dim=0)

    class TorchNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(NUM_INPUTS, NUM_HIDDEN)
            self.fc2 = nn.Linear(NUM_HIDDEN, NUM_OUTPUTS)
            for name, v in (("alpha", ALPHA), ("beta", BETA), ("beta_out", BETA_OUT)):
                t = torch.as_tensor(v)
                if args.learn_decay:
                    setattr(self, name, nn.Parameter(t))
                else:
                    self.register_buffer(name, t)
            self.register_buffer("thr", torch.as_tensor(THRESHOLD))

        def forward(self, x):
            b = x.shape[1]
            thr = self.thr
            syn1 = torch.zeros(b, NUM_HIDDEN)
            mem1 = torch.zeros(b, NUM_HIDDEN)
            rst1 = torch.zeros(b, NUM_HIDDEN)
            mem2 = torch.zeros(b, NUM_OUTPUTS)
            spk1_rec, mem2_rec = [], []
            for step in range(NUM_STEPS):
                cur1 = self.fc1(x[step])
                syn1 = self.alpha.clamp(0, 1) * syn1 + cur1
                mem1 = self.beta.clamp(0, 1) * mem1 + syn1
                mem1 = mem1 - rst1 * thr
                spk1 = ATanSpike.apply(mem1 - thr, ATAN_ALPHA)
                rst1 = spk1.detach()
                cur2 = self.fc2(spk1)
                mem2 = self.beta_out.clamp(0, 1) * mem2 + cur2
                spk1_rec.append(spk1)
                mem2_rec.append(mem2)
            return torch.stack(spk1_rec, dim=0), torch.stack(mem2_rec, dim=0)

    def build(impl, seed):
        torch.manual_seed(seed)
        net = SnnTorchNet() if impl == "snntorch" else TorchNet()
        opt = torch.optim.Adam(net.parameters(), lr=LR, betas=BETAS)
        return net, opt

    log_softmax_fn = nn.LogSoftmax(dim=1)
    nll = nn.NLLLoss()

    def train_step(net, opt, data, targets):
        net.train()
        spk_rec, mem_rec = net(data)
        m, _ = torch.max(mem_rec, 0)
        log_p_y = log_softmax_fn(m)
        reg_loss = REG_L1 * torch.sum(spk_rec)
        reg_loss += REG_L2 * torch.mean(torch.sum(torch.sum(spk_rec, dim=0), dim=0) ** 2)
        loss_val = nll(log_p_y, targets) + reg_loss
        opt.zero_grad()
        loss_val.backward()
        opt.step()
        return loss_val, spk_rec

    # ---- data ----------------------------------------------------------------
    x_train, y_train, x_test, y_test = load_fashion_mnist(args.data_dir)
    if args.train_limit:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    if args.test_limit:
        x_test, y_test = x_test[: args.test_limit], y_test[: args.test_limit]
    steps_train, steps_test = encode_steps(x_train), encode_steps(x_test)
    xtr, ytr = torch.from_numpy(x_train), torch.from_numpy(y_train)
    yte = torch.from_numpy(y_test)
    n_batches = len(xtr) // BATCH
    if n_batches == 0:
        sys.exit("fewer training images than one batch")

    use_spikegen = args.impl == "snntorch" and args.encoding == "latency"
    versions = {"torch_version": torch.__version__}
    if args.impl == "snntorch" or args.verify_batches:
        import snntorch
        from snntorch import spikegen

        versions["snntorch_version"] = snntorch.__version__

    def batch_input(idx, via_spikegen):
        if via_spikegen:
            return spikegen.latency(xtr[idx], num_steps=NUM_STEPS, threshold=LAT_THRESHOLD,
                                    tau=1, normalize=True, linear=args.linear, clip=args.clip)
        return dense_input(steps_train[idx])

    def epoch_order(seed, epoch):
        return torch.from_numpy(
            np.random.default_rng([seed, epoch]).permutation(len(xtr)).astype(np.int64)
        )

    # ---- verification mode ---------------------------------------------------
    if args.verify_batches:
        nb = min(args.verify_batches, n_batches)
        order = epoch_order(args.seed, 0)
        enc_equal = True
        res = {}
        for impl in ("snntorch", "torch"):
            net, opt = build(impl, args.seed)
            losses = []
            for i in range(nb):
                idx = order[i * BATCH : (i + 1) * BATCH]
                data = batch_input(idx, impl == "snntorch" and args.encoding == "latency")
                if impl == "snntorch" and args.encoding == "latency":
                    enc_equal &= torch.equal(data, dense_input(steps_train[idx]))
                losses.append(train_step(net, opt, data, ytr[idx])[0].item())
            rename = {"alpha": "lif1.alpha", "beta": "lif1.beta", "beta_out": "li2.beta"}
            res[impl] = (losses, {rename.get(n, n): p.detach().clone() for n, p in net.named_parameters()})
        (l0, p0), (l1, p1) = res["snntorch"], res["torch"]
        report = {
            "verify_batches": nb, "seed": args.seed, "encoding": args.encoding,
            "spikegen_equals_own_encoder": bool(enc_equal),
            "first_losses": l0[:3],
            "losses_bit_identical": all(np.float32(a).tobytes() == np.float32(b).tobytes()
                                        for a, b in zip(l0, l1)),
            "max_abs_loss_diff": max(abs(a - b) for a, b in zip(l0, l1)),
            "weights_bit_identical": sorted(p0) == sorted(p1) and all(torch.equal(p0[n], p1[n]) for n in p0),
        }
        report.update(versions)
        print(json.dumps(report), flush=True)
        ok = report["losses_bit_identical"] and report["weights_bit_identical"] and enc_equal
        return 0 if ok else 1

    # ---- training ------------------------------------------------------------
    net, opt = build(args.impl, args.seed)

    def evaluate():
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(yte), args.eval_batch):
                _, mem_rec = net(dense_input(steps_test[i : i + args.eval_batch]))
                pred = mem_rec.max(dim=0).values.argmax(dim=1)
                correct += (pred == yte[i : i + args.eval_batch]).sum().item()
        return correct / len(yte)

    for epoch in range(args.epochs):
        order = epoch_order(args.seed, epoch)
        train_seconds, loss_sum, spikes = 0.0, 0.0, 0.0
        for i in range(n_batches):
            idx = order[i * BATCH : (i + 1) * BATCH]
            data, targets = batch_input(idx, use_spikegen), ytr[idx]
            t0 = time.perf_counter()
            loss_val, spk_rec = train_step(net, opt, data, targets)
            train_seconds += time.perf_counter() - t0
            loss_sum += loss_val.item()
            spikes += spk_rec.detach().sum().item()
        acc = evaluate()
        rec = {
            "benchmark": "fmnist-s2",
            "epoch": epoch + 1,
            "train_seconds": round(train_seconds, 3),
            "samples_per_s": round(n_batches * BATCH / train_seconds, 1),
            "train_loss": loss_sum / n_batches,
            "test_acc": acc,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "impl": args.impl,
            "surrogate": "atan",
            "torch_threads": torch.get_num_threads(),
            "openblas_threads": openblas_threads,
            "encoding": args.encoding + ("-linear" if args.linear else "") + ("-clip" if args.clip else ""),
            "learn_decay": args.learn_decay,
            "hidden_spikes_per_sample": spikes / (n_batches * BATCH),
            "seed": args.seed,
            "batches": n_batches,
            "train_samples": n_batches * BATCH,
            "test_samples": len(yte),
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
