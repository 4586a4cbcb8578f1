#!/usr/bin/env python3
"""Cross-checks braingo's NIR files against the NIR reference implementation
and snnTorch's NIR importer and exporter (README, "Export to NIR").

  nir_check.py write-reference OUTDIR
      Files for braingo's tests (nir/testdata): a graph of every NIR node type
      written by the reference nir.write (ref_every_type.nir) and the same
      with gzip-compressed chunks as the NIR main branch's nir.write stores
      them (ref_every_type_gzip.nir); snnTorch's export_to_nir of
      Linear-Leaky-Linear-Leaky (snntorch_ff.nir) and of
      Linear-RSynaptic-Linear (snntorch_rsynaptic.nir), written by nir.write.

  nir_check.py check FILE [--data-dir D] [--steps 25] [--limit N]
      Loads a braingo-written feed-forward NIR file with nir.read (type
      checking on), runs it on the Fashion-MNIST test images (direct input,
      pixels/255 at every step) (a) with braingo's discrete semantics
      computed here in NumPy from the file alone (beta = 1 - dt/tau, input
      factor r*dt/tau, reset from the previous membrane, braingo_reset
      metadata honoured) and (b) through snnTorch's import_from_nir, and
      prints one JSON line: the accuracies and the agreement of (b) with (a);
      (c) likewise through Norse's from_nir when norse is on PYTHONPATH.

  nir_check.py check-conv FILE [--data-dir D] [--steps 8] [--limit N]
      Like check, for a braingo-written convolutional file (csnn-classify:
      Conv2d, AvgPool2d/SumPool2d, LIF, Flatten, Affine, LIF): nir.read with
      type checking, then braingo's semantics from the file alone, the
      convolutions and pools by torch.nn.functional on the file's PyTorch-
      layout weights, the neurons in NumPy, the image at every step; the
      class is the most readout spikes, ties broken by the larger membrane
      summed over steps (as braingo's csnn evaluation); and snnTorch's
      import_from_nir of the file, run the same steps.

  nir_check.py check-every FILE
      nir.read of braingo's graph of every NIR node type (written by
      NIR_DUMP=DIR go test ./nir -run DumpEveryType).

  nir_check.py check-graph FILE
      nir.read a braingo-written file (any graph, e.g. a recurrent one) and
      snnTorch's import_from_nir of it; runs the imported module for a few
      steps on random input; prints one JSON line.

Needs Debian's python3-numpy, python3-h5py and python3-torch, and on
PYTHONPATH the NIR reference implementation, nirtorch and snnTorch 0.9.4
sources (none of them is vendored here); see baselines/nir.mk.
"""

import argparse
import json
import os
import sys

import numpy as np


def die(msg):
    print("nir_check: " + msg, file=sys.stderr)
    sys.exit(1)


def every_node_graph(nir):
    w = np.array([[1, 2, 3], [4, 5, -6]], dtype=np.float32)
    f = lambda *v: np.array(v, dtype=np.float64)  # noqa: E731
    i = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    nodes = {
        "input": nir.Input(input_type={"input": i(3)}),
        "affine": nir.Affine(weight=w, bias=np.array([0.5, -1], dtype=np.float32)),
        "lif": nir.LIF(tau=f(2e-3, 1e-3), r=f(20, 10), v_leak=f(0, 0), v_threshold=f(1, 1), v_reset=f(0, 0)),
        "output": nir.Output(output_type={"output": i(2)}),
        "linear": nir.Linear(weight=w),
        "scale": nir.Scale(scale=f(2, 3)),
        "cubalif": nir.CubaLIF(tau_syn=f(1e-3, 1e-3), tau_mem=f(2e-3, 2e-3), r=f(20, 20), v_leak=f(0, 0),
                               v_threshold=f(1, 1), v_reset=f(0, 0), w_in=f(10, 10)),
        "li": nir.LI(tau=f(2e-3, 1e-3), r=f(20, 10), v_leak=f(0, 0)),
        "cubali": nir.CubaLI(tau_syn=f(1e-3, 1e-3), tau_mem=f(2e-3, 2e-3), r=f(20, 20), v_leak=f(0, 0), w_in=f(10, 10)),
        "if": nir.IF(r=f(1, 1), v_threshold=f(1, 1), v_reset=f(0, 0)),
        "i": nir.I(r=f(1, 1)),
        "threshold": nir.Threshold(threshold=f(0.5, 0.5)),
        "flatten": nir.Flatten(input_type={"input": i(1, 28, 28)}, start_dim=0, end_dim=-1),
        "conv1d": nir.Conv1d(input_shape=16, weight=np.zeros((2, 1, 3), np.float32), stride=1, padding=1, dilation=1,
                             groups=1, bias=np.array([1, 2], np.float32)),
        "conv2d": nir.Conv2d(input_shape=(8, 8), weight=np.zeros((2, 1, 3, 3), np.float32), stride=(1, 1),
                             padding=(1, 1), dilation=(1, 1), groups=1, bias=np.array([1, 2], np.float32)),
        "sumpool2d": nir.SumPool2d(kernel_size=i(2, 2), stride=i(2, 2), padding=i(0, 0)),
        "avgpool2d": nir.AvgPool2d(kernel_size=i(2, 2), stride=i(2, 2), padding=i(0, 0)),
        "delay": nir.Delay(delay=f(1e-3, 2e-3)),
    }
    edges = [("input", "affine"), ("affine", "lif"), ("lif", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def gzip_copy(src, dst):
    """Rewrites an HDF5 file with every non-scalar numeric dataset gzip-chunked,
    as the NIR main branch's nir.write stores numpy arrays."""
    import h5py

    with h5py.File(src, "r") as fi, h5py.File(dst, "w") as fo:
        def copy(gi, go):
            for k, v in gi.items():
                if isinstance(v, h5py.Group):
                    copy(v, go.create_group(k))
                elif v.dtype.kind in "fiu" and v.shape != () and v.size > 0:
                    go.create_dataset(k, data=v[()], dtype=v.dtype, compression="gzip")
                else:
                    go.create_dataset(k, data=v[()], dtype=v.dtype)
        copy(fi, fo)


def write_reference(outdir):
    import nir
    import torch
    import snntorch as snn
    from snntorch.export_nir import export_to_nir

    os.makedirs(outdir, exist_ok=True)
    p = os.path.join(outdir, "ref_every_type.nir")
    nir.write(p, every_node_graph(nir))
    gzip_copy(p, os.path.join(outdir, "ref_every_type_gzip.nir"))

    torch.manual_seed(1)
    ff = torch.nn.Sequential(torch.nn.Linear(5, 6), snn.Leaky(beta=0.9, init_hidden=True),
                             torch.nn.Linear(6, 3), snn.Leaky(beta=0.8, init_hidden=True, output=True))
    nir.write(os.path.join(outdir, "snntorch_ff.nir"), export_to_nir(ff, torch.randn(1, 5)))

    class RNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(5, 4)
            self.lif1 = snn.RSynaptic(alpha=0.9, beta=0.8, linear_features=4, init_hidden=True)
            self.fc2 = torch.nn.Linear(4, 3)

        def forward(self, x):
            return self.fc2(self.lif1(self.fc1(x)))

    nir.write(os.path.join(outdir, "snntorch_rsynaptic.nir"), export_to_nir(RNet(), torch.randn(1, 5)))
    print(json.dumps({"wrote": sorted(os.listdir(outdir)), "nir": nir.version, "snntorch": snn.__version__}))


# --- braingo's semantics, from the file alone -------------------------------

def chain(g):
    succ = {}
    for a, b in g.edges:
        succ.setdefault(a, []).append(b)
    cur = [k for k, n in g.nodes.items() if type(n).__name__ == "Input"][0]
    path = [cur]
    while type(g.nodes[cur]).__name__ != "Output":
        (cur,) = succ[cur]
        path.append(cur)
    return path


def braingo_reference(g, x, steps, dt):
    """Runs a chain graph with braingo's discrete semantics; returns the
    predicted class per row (most output spikes, or largest output
    membrane over time for a non-spiking readout)."""
    layers = []
    path = chain(g)
    for name in path[1:-1]:
        n = g.nodes[name]
        t = type(n).__name__
        meta = getattr(n, "metadata", {}) or {}
        if t in ("Affine", "Linear"):
            b = np.asarray(n.bias, np.float32) if t == "Affine" else 0
            layers.append(("proj", np.asarray(n.weight, np.float32), b))
        elif t == "Scale":
            layers.append(("scale", np.asarray(n.scale, np.float32)))
        elif t in ("LIF", "LI", "CubaLIF", "CubaLI"):
            tau = np.asarray(n.tau if t in ("LIF", "LI") else n.tau_mem, np.float64)
            beta = (1 - dt / tau).astype(np.float32)
            gain = np.asarray(n.r, np.float64) * dt / tau
            alpha = None
            if t.startswith("Cuba"):
                ts = np.asarray(n.tau_syn, np.float64)
                alpha = (1 - dt / ts).astype(np.float32)
                gain = gain * np.asarray(n.w_in, np.float64) * dt / ts
            gain = np.where(np.abs(gain - 1) < 1e-6, 1, gain).astype(np.float32)
            th = np.float32(np.asarray(n.v_threshold).flat[0]) if hasattr(n, "v_threshold") else None
            reset = str(meta.get("braingo_reset", "zero"))
            layers.append(("neuron", beta, alpha, gain, th, reset))
        else:
            raise ValueError("node %s: %s is not handled by the reference" % (name, t))
    state = [None] * len(layers)
    score = None
    spiking = False
    for _ in range(steps):
        h = x
        for li, L in enumerate(layers):
            if L[0] == "proj":
                h = h @ L[1].T + L[2]
            elif L[0] == "scale":
                h = h * L[1]
            else:
                _, beta, alpha, gain, th, reset = L
                h = h * gain if np.any(gain != 1) else h
                st = state[li]
                if st is None:
                    st = state[li] = {"u": np.zeros_like(h), "syn": np.zeros_like(h)}
                if alpha is not None:
                    st["syn"] = alpha * st["syn"] + h
                    h = st["syn"]
                base = beta * st["u"] + h
                if th is not None:
                    r = (st["u"] > th).astype(np.float32)
                    if reset == "subtract":
                        u = base - r * th
                    elif reset == "none":
                        u = base
                    elif reset == "zero_legacy":
                        u = base * (1 - r)
                    else:  # NIR's reset to v_reset = 0; the step's input is kept
                        u = beta * (1 - r) * st["u"] + h
                    st["u"] = u
                    h = (u > th).astype(np.float32)
                else:
                    st["u"] = base
                    h = base
                out_spiking = th is not None
        if out_spiking:
            score = h if score is None else score + h
            spiking = True
        else:
            score = h.copy() if score is None else np.maximum(score, h)
    return np.argmax(score, axis=1), spiking


def conv_reference(g, x, steps, dt):
    """Runs a convolutional chain graph on images x (N, 1, 28, 28) with
    braingo's discrete semantics; returns braingo's csnn prediction."""
    import torch
    import torch.nn.functional as F

    path = chain(g)
    state = {}
    spikes = memsum = None
    for _ in range(steps):
        h = torch.from_numpy(x)
        for name in path[1:-1]:
            n = g.nodes[name]
            t = type(n).__name__
            if t == "Conv2d":
                pad = n.padding if not isinstance(n.padding, str) else n.padding
                h = F.conv2d(h, torch.from_numpy(np.asarray(n.weight, np.float32)), torch.from_numpy(np.asarray(n.bias, np.float32)),
                             stride=tuple(int(v) for v in np.atleast_1d(n.stride)), padding=tuple(int(v) for v in np.atleast_1d(pad)),
                             dilation=tuple(int(v) for v in np.atleast_1d(n.dilation)), groups=int(n.groups))
            elif t in ("AvgPool2d", "SumPool2d"):
                k = tuple(int(v) for v in np.atleast_1d(n.kernel_size))
                h = F.avg_pool2d(h, k, stride=tuple(int(v) for v in np.atleast_1d(n.stride)),
                                 padding=tuple(int(v) for v in np.atleast_1d(n.padding)))
                if t == "SumPool2d":
                    h = h * (k[0] * k[1])
            elif t == "Flatten":
                h = h.reshape(h.shape[0], -1)
            elif t in ("Affine", "Linear"):
                h = h @ torch.from_numpy(np.asarray(n.weight, np.float32)).T
                if t == "Affine":
                    h = h + torch.from_numpy(np.asarray(n.bias, np.float32))
            elif t == "LIF":
                meta = getattr(n, "metadata", {}) or {}
                tau = np.asarray(n.tau, np.float64)
                beta = torch.from_numpy((1 - dt / tau).astype(np.float32))
                gain = np.asarray(n.r, np.float64) * dt / tau
                th = float(np.asarray(n.v_threshold).flat[0])
                if np.any(np.abs(gain - 1) > 1e-6):
                    h = h * torch.from_numpy(gain.astype(np.float32))
                u = state.get(name, torch.zeros_like(h))
                fired = (u > th).float()
                v = beta * u + h
                reset = str(meta.get("braingo_reset", "zero"))
                if reset == "subtract":
                    v = v - fired * th
                elif reset == "zero_legacy":
                    v = v * (1 - fired)
                elif reset != "none":  # NIR's reset to 0; the input is kept
                    v = beta * (1 - fired) * u + h
                state[name] = v
                h = (v > th).float()
                last_v = v
            else:
                raise ValueError("node %s: %s is not handled by the conv reference" % (name, t))
        spikes = h if spikes is None else spikes + h
        memsum = last_v if memsum is None else memsum + last_v
    # most spikes, ties by the larger membrane sum
    score = spikes.double() * 1e6 + memsum.double() / (memsum.abs().max().double() + 1)
    return score.argmax(dim=1).numpy()


def check_conv(path, data_dir, steps, limit):
    import nir
    import torch
    import snntorch as snn
    from snntorch.import_nir import import_from_nir

    g = nir.read(path)  # type_check=True
    out = {"file": path, "nir": nir.version, "snntorch": snn.__version__, "version_in_file": h5_version(path),
           "nodes": {k: type(v).__name__ for k, v in g.nodes.items()}, "nir_read": "ok"}
    dt = float((g.metadata or {}).get("braingo_dt", 1e-4))
    x, y = load_test(data_dir, limit)
    x = x.reshape(-1, 1, 28, 28)
    with torch.no_grad():
        ref = conv_reference(g, x, steps, dt)
    out["images"] = int(len(y))
    out["braingo_semantics_acc"] = float(np.mean(ref == y))
    try:
        net = import_from_nir(nir.read(path))
        xt = torch.from_numpy(x)
        with torch.no_grad():
            counts, state = None, None
            for _ in range(steps):
                o, state = net(xt) if state is None else net(xt, state)
                o = o[0] if isinstance(o, tuple) else o
                counts = o if counts is None else counts + o
        pred = counts.argmax(dim=1).numpy()
        out["snntorch_import"] = "ok"
        out["snntorch_acc"] = float(np.mean(pred == y))
        out["snntorch_agreement"] = float(np.mean(pred == ref))
    except Exception as e:  # report, do not hide
        out["snntorch_import"] = "failed: %s: %s" % (type(e).__name__, e)
    # snnTorch's importer builds torch.nn.Flatten(start_dim, end_dim) from
    # NIR's batch-free dims (its exporter subtracts 1, its importer does not
    # add it back): run it again with the batch axis kept.
    try:
        net = import_from_nir(nir.read(path))
        for m in net.modules():
            if isinstance(m, torch.nn.Flatten) and m.start_dim == 0:
                m.start_dim = 1
        xt = torch.from_numpy(x)
        with torch.no_grad():
            counts, state = None, None
            for _ in range(steps):
                o, state = net(xt) if state is None else net(xt, state)
                o = o[0] if isinstance(o, tuple) else o
                counts = o if counts is None else counts + o
        pred = counts.argmax(dim=1).numpy()
        out["snntorch_flatten_fixed_acc"] = float(np.mean(pred == y))
        out["snntorch_flatten_fixed_agreement"] = float(np.mean(pred == ref))
    except Exception as e:
        out["snntorch_flatten_fixed"] = "failed: %s: %s" % (type(e).__name__, e)
    print(json.dumps(out))


def load_test(data_dir, limit):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from fmnist_common import load_fashion_mnist

    _, _, xte, yte = load_fashion_mnist(data_dir)
    xte = np.asarray(xte, np.float32).reshape(len(yte), -1)
    if xte.max() > 1.5:
        xte = xte / np.float32(255)
    return xte[:limit], np.asarray(yte[:limit])


def h5_version(path):
    import h5py

    with h5py.File(path, "r") as f:
        v = f["version"][()]
    return v.decode() if isinstance(v, bytes) else str(v)


def check(path, data_dir, steps, limit):
    import nir
    import torch
    import snntorch as snn
    from snntorch.import_nir import import_from_nir

    g = nir.read(path)  # type_check=True
    out = {"file": path, "nir": nir.version, "snntorch": snn.__version__, "version_in_file": h5_version(path),
           "nodes": {k: type(v).__name__ for k, v in g.nodes.items()}, "nir_read": "ok"}
    meta = g.metadata or {}
    dt = float(meta.get("braingo_dt", 1e-4))
    x, y = load_test(data_dir, limit)
    ref, _ = braingo_reference(g, x, steps, dt)
    out["images"] = int(len(y))
    out["braingo_semantics_acc"] = float(np.mean(ref == y))
    try:
        net = import_from_nir(nir.read(path))
        xt = torch.from_numpy(x)
        with torch.no_grad():
            counts, state = None, None
            for _ in range(steps):
                o, state = net(xt) if state is None else net(xt, state)
                o = o[0] if isinstance(o, tuple) else o
                counts = o if counts is None else counts + o
        pred = counts.argmax(dim=1).numpy()
        out["snntorch_import"] = "ok"
        out["snntorch_acc"] = float(np.mean(pred == y))
        out["snntorch_agreement"] = float(np.mean(pred == ref))
    except Exception as e:  # report, do not hide
        out["snntorch_import"] = "failed: %s: %s" % (type(e).__name__, e)
    try:
        import norse.torch as norse
    except ImportError:
        out["norse_import"] = "not checked (norse not on PYTHONPATH)"
    else:
        try:
            net = norse.from_nir(nir.read(path), dt=dt, ignore_warnings=True)
            out["norse_import"] = "ok"
        except Exception as e:
            out["norse_import"] = "failed: %s: %s" % (type(e).__name__, e)
            net = None
        try:
            if net is None:
                raise RuntimeError("not imported")
            xt = torch.from_numpy(x)
            with torch.no_grad():
                counts, state = None, None
                for _ in range(steps):
                    o, state = net(xt, state)
                    counts = o if counts is None else counts + o
            pred = counts.argmax(dim=1).numpy()
            out["norse_acc"] = float(np.mean(pred == y))
            out["norse_agreement"] = float(np.mean(pred == ref))
        except Exception as e:
            out["norse_run"] = "failed: %s: %s" % (type(e).__name__, e)
    print(json.dumps(out))


def check_graph(path):
    import nir
    import torch
    import snntorch as snn
    from snntorch.import_nir import import_from_nir

    g = nir.read(path)
    out = {"file": path, "nir": nir.version, "snntorch": snn.__version__, "nir_read": "ok",
           "nodes": {k: type(v).__name__ for k, v in g.nodes.items()}, "edges": [list(e) for e in g.edges]}
    try:
        net = import_from_nir(nir.read(path))
        out["snntorch_import"] = "ok: " + ", ".join(type(m).__name__ for m in net.children())
    except Exception as e:
        out["snntorch_import"] = "failed: %s: %s" % (type(e).__name__, e)
        print(json.dumps(out))
        return
    inp = [n for n in g.nodes.values() if type(n).__name__ == "Input"][0]
    x = (torch.rand(2, int(np.prod(inp.input_type["input"]))) < 0.3).float()
    try:
        with torch.no_grad():
            state = None
            for _ in range(5):
                o, state = net(x) if state is None else net(x, state)
        out["snntorch_run"] = "ok, 5 steps, output shape %s" % (list((o[0] if isinstance(o, tuple) else o).shape),)
    except Exception as e:
        out["snntorch_run"] = "failed: %s: %s" % (type(e).__name__, e)
    print(json.dumps(out))


def check_every(path):
    """nir.read of braingo's graph of every node type (nodes off the chain
    are not type-checked: they are not connected)."""
    import nir

    g = nir.read(path, type_check=False)
    want = {"input": "Input", "output": "Output", "affine": "Affine", "linear": "Linear", "scale": "Scale",
            "lif": "LIF", "cubalif": "CubaLIF", "li": "LI", "cubali": "CubaLI", "if": "IF", "i": "I",
            "threshold": "Threshold", "flatten": "Flatten", "conv1d": "Conv1d", "conv2d": "Conv2d",
            "sumpool2d": "SumPool2d", "avgpool2d": "AvgPool2d", "delay": "Delay"}
    got = {k: type(v).__name__ for k, v in g.nodes.items()}
    missing = {k: v for k, v in want.items() if got.get(k) != v}
    lif = g.nodes["lif"]
    print(json.dumps({"file": path, "nir": nir.version, "nir_read": "ok", "types": len(got), "mismatch": missing,
                      "lif_v_reset": [float(v) for v in lif.v_reset], "edges": [list(e) for e in g.edges]}))
    if missing:
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write-reference")
    w.add_argument("outdir")
    c = sub.add_parser("check")
    c.add_argument("file")
    c.add_argument("--data-dir", default=os.environ.get("BRAINGO_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    c.add_argument("--steps", type=int, default=25)
    c.add_argument("--limit", type=int, default=10000)
    cg = sub.add_parser("check-graph")
    cg.add_argument("file")
    cc = sub.add_parser("check-conv")
    cc.add_argument("file")
    cc.add_argument("--data-dir", default=os.environ.get("BRAINGO_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    cc.add_argument("--steps", type=int, default=8)
    cc.add_argument("--limit", type=int, default=10000)
    ce = sub.add_parser("check-every")
    ce.add_argument("file")
    a = ap.parse_args()
    try:
        import h5py  # noqa: F401
        import nir  # noqa: F401
    except ImportError as e:
        die("%s: install python3-h5py and put the NIR reference implementation on PYTHONPATH (see baselines/nir.mk)" % e)
    if a.cmd == "write-reference":
        write_reference(a.outdir)
    elif a.cmd == "check":
        check(a.file, a.data_dir, a.steps, a.limit)
    elif a.cmd == "check-conv":
        check_conv(a.file, a.data_dir, a.steps, a.limit)
    elif a.cmd == "check-every":
        check_every(a.file)
    else:
        check_graph(a.file)


if __name__ == "__main__":
    main()
