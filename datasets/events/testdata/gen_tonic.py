"""Writes tonic_golden.json: Tonic's own ToFrame slicing, Denoise, N-MNIST
reader and DVS Gesture AEDAT reader (read_dvs_ibm) run on small inputs, for tonic_test.go to compare braingo against.

Usage: /usr/bin/python3 gen_tonic.py TONIC_CHECKOUT
(a checkout of github.com/neuromorphs/tonic; recorded with commit
d0cb6df3ebfba018b9aac6d55f63576b46489609). Only the pure-NumPy modules
tonic/slicers.py, tonic/io.py and tonic/functional/{to_frame,denoise}.py are
imported, from a temporary copy with empty package files, so Tonic's heavy
dependencies need not be installed."""
import json
import os
import shutil
import sys
import tempfile

import numpy as np

src = sys.argv[1]
tmp = tempfile.mkdtemp()
for rel in ["tonic/slicers.py", "tonic/io.py", "tonic/functional/to_frame.py", "tonic/functional/denoise.py"]:
    os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
    shutil.copy(os.path.join(src, rel), os.path.join(tmp, rel))
for pkg in ["tonic", "tonic/functional"]:
    open(os.path.join(tmp, pkg, "__init__.py"), "w").close()
sys.path.insert(0, tmp)
from tonic.functional.to_frame import to_frame_numpy  # noqa: E402
from tonic.functional.denoise import denoise_numpy  # noqa: E402
from tonic.io import get_aer_events_from_file, read_aedat_header_from_file, read_mnist_file  # noqa: E402

rng = np.random.default_rng(20)
cam = np.dtype([("x", int), ("y", int), ("t", int), ("p", int)])
aud = np.dtype([("t", int), ("x", int), ("p", int)])


def camera(n, w, h, tmax):
    ev = np.zeros(n, dtype=cam)
    ev["x"] = rng.integers(0, w, n)
    ev["y"] = rng.integers(0, h, n)
    ev["t"] = np.sort(rng.integers(0, tmax, n))
    ev["p"] = rng.integers(0, 2, n)
    return ev


def rows(ev):
    return [[int(e["t"]), int(e["x"]), int(e["y"]) if "y" in ev.dtype.names else 0, int(e["p"])] for e in ev]


out = {"frames": [], "denoise": [], "nmnist": {}}
specs = [
    dict(n_time_bins=4), dict(n_time_bins=3, overlap=0.5), dict(time_window=150.0),
    dict(time_window=150.0, overlap=50.0, include_incomplete=True), dict(event_count=7),
    dict(event_count=7, overlap=2, include_incomplete=True), dict(n_event_bins=3),
    dict(n_event_bins=3, overlap=0.25),
]
for k, spec in enumerate(specs):
    ev = camera(40 + 5 * k, 5, 4, 1000)
    frames = to_frame_numpy(ev.copy(), (5, 4, 2), **spec)
    out["frames"].append({"spec": spec, "sensor": [5, 4, 2], "events": rows(ev),
                          "frames": frames.reshape(len(frames), -1).tolist()})
a = np.zeros(30, dtype=aud)
a["t"] = np.sort(rng.integers(0, 5000, 30))
a["x"] = rng.integers(0, 7, 30)
a["p"] = 1  # as Tonic's SHD gives them; ToFrame zeroes one-polarity sensors
frames = to_frame_numpy(a.copy(), (7, 1, 1), n_time_bins=5)
out["frames"].append({"spec": {"n_time_bins": 5}, "sensor": [7, 1, 1], "events": rows(a),
                      "frames": frames.reshape(len(frames), -1).tolist()})
for ft in [30, 200]:
    ev = camera(80, 6, 6, 3000)
    kept = denoise_numpy(ev.copy(), filter_time=ft)
    out["denoise"].append({"filter_time": ft, "events": rows(ev), "kept": rows(kept)})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nmnist", "Test", "0", "00000.bin")
ev = read_mnist_file(path, dtype=cam)
out["nmnist"] = {"file": "nmnist/Test/0/00000.bin", "events": rows(ev)}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gesture", "user01_fluorescent.aedat")
# read_dvs_ibm at this commit unpacks two values from the three that
# read_aedat_header_from_file returns, so it fails: call the two functions it
# calls and apply its bit fields (x = addr >> 17, y = addr >> 2, p = addr >> 1).
version, start, _ = read_aedat_header_from_file(path)
ev = get_aer_events_from_file(path, version, start)
addr, ts = ev["address"].astype(np.int64), ev["timeStamp"].astype(np.int64)
out["aedat"] = {"file": "gesture/user01_fluorescent.aedat", "version": version,
                "events": [[int(t), int(a >> 17 & 0x1FFF), int(a >> 2 & 0x1FFF), int(a >> 1 & 1)] for a, t in zip(addr, ts)]}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tonic_golden.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
shutil.rmtree(tmp)
