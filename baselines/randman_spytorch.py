#!/usr/bin/env python3
"""randman-rsnn baseline: SpyTorch's recurrent spiking network (Zenke's
tutorials, github.com/fzenke/spytorch, notebooks/SpyTorchTutorial4.ipynb,
run_snn) trained on the randman data set braingo generates, in plain
PyTorch. Written for braingo from the tutorial's equations (no SpyTorch code
is copied).

Data: `braingo data export randman-rsnn --out DIR` writes x_train.npy,
x_test.npy ([N][100][20] uint8) and y_train.npy, y_test.npy (int64): the
very samples `braingo train randman-rsnn` trains and tests on.

Network (the tutorial's, per step t, inputs x_t, hidden spikes S, readout O):
  --order spytorch (default, the tutorial's update order):
      S_t     = H(U_t - 1)                          (surrogate 1/(100|x|+1)^2)
      syn_t+1 = alpha syn_t + x_t W1 + S_t-1 V
      U_t+1   = (beta U_t + syn_t)(1 - S_t)         (reset detached)
      readout: flt_t+1 = alpha flt_t + S_t W2 ; O_t+1 = beta O_t + flt_t
  --order braingo (snnTorch's order, braingo's RecurrentCell(SynapticCell)
  with reset zero_legacy and a cuba_li readout):
      syn_t = alpha syn_t-1 + x_t W1 + S_t-1 V
      U_t   = (beta U_t-1 + syn_t)(1 - H(U_t-1 - 1)) ; S_t = H(U_t - 1)
      flt_t = alpha flt_t-1 + S_t W2 ; O_t = beta O_t-1 + flt_t
  alpha = exp(-1/5), beta = exp(-1/10), weights normal with std
  0.2/sqrt(fan_in), no biases. Loss NLL(log_softmax(max_t O_t)); prediction
  argmax of max_t O_t. Adam lr 2e-3, betas (0.9, 0.999), batch 256 (last
  partial batch dropped), samples shuffled each epoch in braingo's order.

Subnormals: by default the script calls torch.set_flush_denormal(True)
(PyTorch's switch for x86), so that traces decaying toward zero cannot slow
the arithmetic; --denormals keeps them. (A first run without it had epochs
of 75, 75, 37 and 21 s on a loaded shared machine; the cause was not
settled.)

Timing: train_seconds is the sum over batches of forward + backward +
optimizer step (perf_counter), as braingo's train_seconds; evaluation is
excluded.

Usage (2 cores; unset the machine's old-OpenBLAS overrides):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
    /usr/bin/python3 baselines/randman_spytorch.py --data DIR --threads 2
Output: one JSON line per epoch.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_common import braingo_order, machine_info, peak_rss_mb, setup_threads_env  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder of braingo data export's .npy files")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--order", choices=["spytorch", "braingo"], default="spytorch")
    ap.add_argument("--denormals", action="store_true",
                    help="keep subnormal floats (default: torch.set_flush_denormal(True))")
    ap.add_argument("--limit-batches", type=int, default=0, help="train on at most this many batches per epoch (timing)")
    ap.add_argument("--notebook", default="",
                    help="SpyTorch's SpyTorchTutorial4.ipynb from a fetched checkout: run its own SurrGradSpike and "
                         "run_snn cells (executed from the notebook, not copied here) instead of this script's network")
    a = ap.parse_args()
    openblas = setup_threads_env("1")
    import numpy as np
    import torch

    torch.set_num_threads(a.threads)
    if not a.denormals:
        torch.set_flush_denormal(True)
    torch.manual_seed(a.seed)
    load = lambda n: np.load(os.path.join(a.data, n))  # noqa: E731
    xtr = torch.from_numpy(load("x_train.npy").astype(np.float32))
    ytr = torch.from_numpy(load("y_train.npy"))
    xte = torch.from_numpy(load("x_test.npy").astype(np.float32))
    yte = torch.from_numpy(load("y_test.npy"))
    n, steps, nin = xtr.shape
    nout = int(max(ytr.max(), yte.max())) + 1
    nh = a.hidden
    alpha, beta = math.exp(-1 / 5), math.exp(-1 / 10)

    def param(fan_in, fan_out):
        w = torch.empty(fan_in, fan_out)
        torch.nn.init.normal_(w, 0.0, 0.2 / math.sqrt(fan_in))
        return w.requires_grad_()

    w1, w2, v1 = param(nin, nh), param(nh, nout), param(nh, nh)

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x > 0).to(x.dtype)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g / (100.0 * x.abs() + 1.0) ** 2

    spike = Spike.apply

    def run(x):
        b = x.shape[0]
        h_in = torch.einsum("btc,ch->bth", x, w1)
        syn = torch.zeros(b, nh)
        mem = torch.zeros(b, nh)
        s_prev = torch.zeros(b, nh)
        spikes = []
        for t in range(steps):
            if a.order == "spytorch":
                s = spike(mem - 1.0)
                rst = s.detach()
                new_syn = alpha * syn + h_in[:, t] + s_prev @ v1
                mem = (beta * mem + syn) * (1.0 - rst)
                syn = new_syn
            else:
                rst = (mem > 1.0).to(mem.dtype)
                syn = alpha * syn + h_in[:, t] + s_prev @ v1
                mem = (beta * mem + syn) * (1.0 - rst)
                s = spike(mem - 1.0)
            spikes.append(s)
            s_prev = s
        spk = torch.stack(spikes, dim=1)
        h_out = torch.einsum("bth,ho->bto", spk, w2)
        flt = torch.zeros(b, nout)
        out = torch.zeros(b, nout)
        outs = [out] if a.order == "spytorch" else []
        for t in range(steps):
            if a.order == "spytorch":
                flt, out = alpha * flt + h_out[:, t], beta * out + flt
            else:
                flt = alpha * flt + h_out[:, t]
                out = beta * out + flt
            outs.append(out)
        return torch.stack(outs, dim=1), spk

    if a.notebook:
        run = notebook_run(a.notebook, torch, np, w1, w2, v1, nh, nout, steps, alpha, beta)
        a.order = "notebook"

    opt = torch.optim.Adam([w1, w2, v1], lr=a.lr, betas=(0.9, 0.999))
    nll = torch.nn.NLLLoss()

    def accuracy(x, y):
        correct = 0
        with torch.no_grad():
            for lo in range(0, len(y), 256):
                o, _ = run(x[lo:lo + 256])
                correct += int((o.max(1)[0].argmax(1) == y[lo:lo + 256]).sum())
        return correct / len(y)

    info = machine_info()
    for ep in range(1, a.epochs + 1):
        order = torch.tensor(braingo_order(n, a.seed, ep))
        secs, losses, correct, seen = 0.0, [], 0, 0
        nb = n // a.batch
        if a.limit_batches:
            nb = min(nb, a.limit_batches)
        for bi in range(nb):
            idx = order[bi * a.batch:(bi + 1) * a.batch]
            x, y = xtr[idx], ytr[idx]
            t0 = time.perf_counter()
            o, _ = run(x)
            m = o.max(1)[0]
            loss = nll(torch.log_softmax(m, 1), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            secs += time.perf_counter() - t0
            losses.append(loss.item())
            correct += int((m.argmax(1) == y).sum())
            seen += len(y)
        rec = {"epoch": ep, "train_seconds": secs, "samples_per_s": seen / secs, "train_loss": float(np.mean(losses)),
               "train_acc": correct / seen, "test_acc": accuracy(xte, yte), "peak_rss_mb": peak_rss_mb(),
               "batches": nb, "flush_denormal": not a.denormals, "order": a.order, "torch_threads": a.threads, "openblas_threads": openblas,
               "torch": torch.__version__, **info}
        print(json.dumps(rec), flush=True)


def notebook_run(path, torch, np, w1, w2, v1, nh, nout, steps, alpha, beta):
    """Returns run(x) -> (outputs, spikes) computed by the notebook's own
    SurrGradSpike and run_snn cells, executed in a namespace that holds
    this script's weights and sizes (the notebook reads them as globals;
    batch_size is set to each call's batch)."""
    cells = ["".join(c["source"]) for c in json.load(open(path))["cells"] if c["cell_type"] == "code"]
    pick = lambda key: next(c for c in cells if key in c)  # noqa: E731
    ns = {"torch": torch, "np": np, "nn": torch.nn, "device": torch.device("cpu"), "dtype": torch.float,
          "w1": w1, "w2": w2, "v1": v1, "nb_hidden": nh, "nb_outputs": nout, "nb_steps": steps,
          "alpha": alpha, "beta": beta}
    exec(pick("class SurrGradSpike"), ns)  # defines SurrGradSpike and spike_fn
    exec(pick("def run_snn"), ns)

    def run(x):
        ns["batch_size"] = x.shape[0]
        out, (_, spk) = ns["run_snn"](x)
        return out, spk

    return run


if __name__ == "__main__":
    main()
