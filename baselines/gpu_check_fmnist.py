#!/usr/bin/env python3
"""snnTorch's FMNIST-SNN epoch on a GPU, beside braingo-cuda's (the device
check, baselines/gpu_check_run.sh; docs/gpu.md).

The network and training are baselines/fmnist_snn.py's --impl snntorch (the
DESIGN.md protocol: snnTorch tutorial 5 on Fashion-MNIST, 784-1000-10 Leaky
layers, beta 0.95, threshold 1, subtract reset, atan surrogate alpha 2,
direct input for 25 steps, batch 128 with the last partial batch dropped,
Adam 5e-4, the sum over steps of the output membrane's cross-entropy,
accuracy by output spike counts), moved to a device: the whole data set is
copied to the device once, the batches are taken in braingo's order for the
same seed (so both see the same batches), and only the training steps are
timed (forward, backward, Adam; each ends with the loss's .item(), which
waits for the device). Prints one JSON line.

Usage: python3 baselines/gpu_check_fmnist.py --data-dir DIR [--device cuda]
snnTorch must be importable (the check puts its sources on PYTHONPATH).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_common import DEFAULT_DATA_DIR, braingo_order, load_fashion_mnist  # noqa: E402

NUM_INPUTS, NUM_HIDDEN, NUM_OUTPUTS = 784, 1000, 10
NUM_STEPS, BATCH, BETA, LR = 25, 128, 0.95, 5e-4


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    p.add_argument("--device", default="cuda")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1, help="braingo's seed: the batch order (and torch's init seed)")
    p.add_argument("--train-limit", type=int, default=0, help="the first N training images (0: all)")
    p.add_argument("--test-limit", type=int, default=0, help="the first N test images (0: all)")
    args = p.parse_args(argv)

    import torch
    import torch.nn as nn
    import snntorch as snn
    from snntorch import surrogate

    dev = torch.device(args.device)
    torch.manual_seed(args.seed)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            sg = surrogate.atan(alpha=2.0)
            self.fc1 = nn.Linear(NUM_INPUTS, NUM_HIDDEN)
            self.lif1 = snn.Leaky(beta=BETA, threshold=1.0, spike_grad=sg)
            self.fc2 = nn.Linear(NUM_HIDDEN, NUM_OUTPUTS)
            self.lif2 = snn.Leaky(beta=BETA, threshold=1.0, spike_grad=sg)

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

    x_train, y_train, x_test, y_test = load_fashion_mnist(args.data_dir)
    if args.train_limit:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    if args.test_limit:
        x_test, y_test = x_test[: args.test_limit], y_test[: args.test_limit]
    xtr, ytr = torch.from_numpy(x_train).to(dev), torch.from_numpy(y_train).to(dev)
    xte, yte = torch.from_numpy(x_test).to(dev), torch.from_numpy(y_test).to(dev)
    n_batches = len(xtr) // BATCH
    if n_batches == 0:
        sys.exit("fewer training images than one batch")

    net = Net().to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=LR, betas=(0.9, 0.999))
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        order = torch.tensor(braingo_order(len(xtr), args.seed, epoch), dtype=torch.int64, device=dev)
        net.train()
        train_seconds, loss_sum = 0.0, 0.0
        for i in range(n_batches):
            idx = order[i * BATCH : (i + 1) * BATCH]
            data, targets = xtr[idx], ytr[idx]
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            _, mem_rec = net(data)
            loss = torch.zeros((1), dtype=torch.float, device=dev)
            for step in range(NUM_STEPS):
                loss += loss_fn(mem_rec[step], targets)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item()  # waits for the device
            train_seconds += time.perf_counter() - t0
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xte), 1000):
                spk_rec, _ = net(xte[i : i + 1000])
                correct += (spk_rec.sum(dim=0).argmax(dim=1) == yte[i : i + 1000]).sum().item()
        rec = {
            "check": "fmnist_snn_snntorch",
            "epoch": epoch,
            "train_seconds": round(train_seconds, 3),
            "samples_per_s": round(n_batches * BATCH / train_seconds, 1),
            "train_loss": loss_sum / n_batches,
            "test_acc": correct / len(xte),
            "train_samples": n_batches * BATCH,
            "test_samples": len(xte),
            "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else args.device,
            "torch_version": torch.__version__,
            "snntorch_version": snn.__version__,
        }
        print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
