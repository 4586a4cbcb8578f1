"""fmnist-csnn in PyTorch + snnTorch: the same convolutional SNN as braingo's
fmnist-csnn recipe, for the epoch-time comparison of BENCHMARKS.md.

Network (recipes/builtin/fmnist-csnn.yaml): conv 1->16 5x5, batch norm, 2x2
max pool, snnTorch Leaky (beta 0.9, threshold 1, subtract reset from the
previous membrane, atan surrogate alpha 2); conv 16->64 5x5, batch norm, 2x2
max pool, Leaky; linear 1024->10, Leaky (beta 0.9) (--channels changes the
two channel counts). Direct input for 8 steps;
loss the cross-entropy of the output membrane summed over steps (as
fmnist_snn.py); Adam 5e-3 times 0.7 after every epoch; batch 128, last
partial batch dropped; prediction by output spike count, ties broken by the
summed output membrane (as braingo).

--impl batched (default) computes what braingo computes: the first block
once per batch (the input is the same at every step) and the second block
once on all steps batched as steps x batch images. --impl tutorial is
snnTorch tutorial 7's loop, both convolutions at every step.

Threads: Debian's PyTorch 1.13 runs these convolutions in oneDNN on torch's
OpenMP pool and the linear layers in OpenBLAS. --threads sets
torch.set_num_threads (default 1) and OPENBLAS_NUM_THREADS defaults to 2
(DESIGN.md's protocol); BENCHMARKS.md records the faster setting.

Prints one JSON object per epoch: train_seconds, test_acc, ...
"""

import argparse
import json
import os
import sys
import time

from fmnist_common import DEFAULT_DATA_DIR, load_fashion_mnist, machine_info, peak_rss_mb, setup_threads_env

STEPS = 8
BATCH = 128
LR = 5e-3
LR_DECAY = 0.7


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--impl", choices=["batched", "tutorial"], default="batched")
    p.add_argument("--channels", default="16,64", help="output channels of the two conv blocks")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--test-limit", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    p.add_argument("--snntorch-src", default=os.environ.get("SNNTORCH_SRC", "/opt/snntorch-src"))
    p.add_argument("--eval-batch", type=int, default=256)
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
    import snntorch as snn
    from snntorch import surrogate

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            sg = surrogate.atan(alpha=2.0)
            c1, c2 = (int(c) for c in args.channels.split(","))
            self.conv1, self.bn1 = nn.Conv2d(1, c1, 5), nn.BatchNorm2d(c1)
            self.conv2, self.bn2 = nn.Conv2d(c1, c2, 5), nn.BatchNorm2d(c2)
            self.fc = nn.Linear(c2 * 4 * 4, 10)
            self.lif1 = snn.Leaky(beta=0.9, spike_grad=sg)
            self.lif2 = snn.Leaky(beta=0.9, spike_grad=sg)
            self.lif3 = snn.Leaky(beta=0.9, spike_grad=sg)

        def block1(self, x):
            return F.max_pool2d(self.bn1(self.conv1(x)), 2)

        def block2(self, s):
            return F.max_pool2d(self.bn2(self.conv2(s)), 2)

        def forward(self, x):
            b = x.shape[0]
            mem1, mem2, mem3 = self.lif1.init_leaky(), self.lif2.init_leaky(), self.lif3.init_leaky()
            spk_rec, mem_rec = [], []
            if args.impl == "tutorial":
                for _ in range(STEPS):
                    spk1, mem1 = self.lif1(self.block1(x), mem1)
                    spk2, mem2 = self.lif2(self.block2(spk1), mem2)
                    spk3, mem3 = self.lif3(self.fc(spk2.flatten(1)), mem3)
                    spk_rec.append(spk3)
                    mem_rec.append(mem3)
                return torch.stack(spk_rec), torch.stack(mem_rec)
            cur1 = self.block1(x)
            s1 = []
            for _ in range(STEPS):
                spk1, mem1 = self.lif1(cur1, mem1)
                s1.append(spk1)
            cur2 = self.block2(torch.stack(s1).flatten(0, 1)).view(STEPS, b, -1)
            for t in range(STEPS):
                spk2, mem2 = self.lif2(cur2[t], mem2)
                spk3, mem3 = self.lif3(self.fc(spk2), mem3)
                spk_rec.append(spk3)
                mem_rec.append(mem3)
            return torch.stack(spk_rec), torch.stack(mem_rec)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=LR, betas=(0.9, 0.999))
    ce = nn.CrossEntropyLoss()

    def loss_fn(mem, targets):
        loss = torch.zeros((), dtype=torch.float)
        for t in range(STEPS):
            loss = loss + ce(mem[t], targets)
        return loss

    x_train, y_train, x_test, y_test = load_fashion_mnist(args.data_dir)
    if args.train_limit:
        x_train, y_train = x_train[: args.train_limit], y_train[: args.train_limit]
    if args.test_limit:
        x_test, y_test = x_test[: args.test_limit], y_test[: args.test_limit]
    xtr = torch.from_numpy(x_train).view(-1, 1, 28, 28)
    ytr = torch.from_numpy(y_train)
    xte = torch.from_numpy(x_test).view(-1, 1, 28, 28)
    yte = torch.from_numpy(y_test)
    n_batches = len(xtr) // BATCH

    def predict(spk, mem):
        score = spk.sum(0).double() * 1e4 + mem.sum(0).double()
        return score.argmax(1)

    def evaluate():
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xte), args.eval_batch):
                spk, mem = net(xte[i : i + args.eval_batch])
                correct += (predict(spk, mem) == yte[i : i + args.eval_batch]).sum().item()
        return correct / len(xte)

    for epoch in range(args.epochs):
        net.train()
        order = torch.from_numpy(np.random.default_rng([args.seed, epoch]).permutation(len(xtr)).astype(np.int64))
        train_seconds, loss_sum, correct = 0.0, 0.0, 0
        for i in range(n_batches):
            idx = order[i * BATCH : (i + 1) * BATCH]
            data, targets = xtr[idx], ytr[idx]
            t0 = time.perf_counter()
            spk, mem = net(data)
            loss = loss_fn(mem, targets)
            opt.zero_grad()
            loss.backward()
            opt.step()
            train_seconds += time.perf_counter() - t0
            loss_sum += loss.item()
            correct += (predict(spk.detach(), mem.detach()) == targets).sum().item()
        acc = evaluate()
        for g in opt.param_groups:
            g["lr"] *= LR_DECAY
        print(json.dumps({
            "benchmark": "fmnist-csnn", "impl": args.impl, "channels": args.channels, "epoch": epoch + 1,
            "train_seconds": round(train_seconds, 3),
            "samples_per_s": round(n_batches * BATCH / train_seconds, 1),
            "train_loss": round(loss_sum / n_batches, 4),
            "train_acc": round(correct / (n_batches * BATCH), 4),
            "test_acc": acc, "threads": args.threads, "openblas_threads": openblas_threads,
            "peak_rss_mb": round(peak_rss_mb(), 1), "torch_version": torch.__version__,
            "snntorch_version": snn.__version__, **machine_info(),
        }), flush=True)


if __name__ == "__main__":
    sys.exit(main())
