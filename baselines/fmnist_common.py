"""Shared helpers for the Fashion-MNIST baselines (fmnist_snn.py, fmnist_s2.py).

Nothing here imports torch: the thread environment must be settled before the
first `import torch`, which is what setup_threads_env() is for.

- read_idx / load_fashion_mnist: Debian's gzip IDX files
  (/usr/share/datasets/fashion-mnist, package dataset-fashion-mnist), pixels
  as float32 / 255 (what torchvision's ToTensor gives), labels as int64.
- setup_threads_env: OPENBLAS_NUM_THREADS=2 unless already set.
- peak_rss_mb: resource.getrusage(RUSAGE_SELF).ru_maxrss (KiB on Linux) / 1024.
"""

import gzip
import os
import resource
import struct
import time

import numpy as np

import openblas_info

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"

_IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path):
    """Reads an IDX file (optionally gzip-compressed) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (magic {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    dtype = np.dtype(_IDX_DTYPES[dtype_code])
    count = int(np.prod(dims)) if dims else 1
    offset = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    if offset + count * dtype.itemsize != len(data):
        raise ValueError(f"{path}: size mismatch for dims {dims}")
    return arr.reshape(dims).astype(dtype.newbyteorder("="), copy=True)


def _find(data_dir, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(
        f"{stem}[.gz] not found in {data_dir} "
        "(apt-get install dataset-fashion-mnist, or pass --data-dir)"
    )


def load_fashion_mnist(data_dir=DEFAULT_DATA_DIR):
    """Returns (x_train [60000,784] float32 in [0,1], y_train int64,
    x_test [10000,784], y_test)."""
    out = []
    for split in ("train", "t10k"):
        x = read_idx(_find(data_dir, f"{split}-images-idx3-ubyte"))
        y = read_idx(_find(data_dir, f"{split}-labels-idx1-ubyte"))
        x = x.reshape(x.shape[0], -1).astype(np.float32) / np.float32(255.0)
        out += [x, y.astype(np.int64)]
    return tuple(out)


def setup_threads_env(default_openblas="2"):
    """Sets OPENBLAS_NUM_THREADS (if unset) before torch is imported.

    Debian's PyTorch 1.13 does its GEMMs in OpenBLAS (BLAS_INFO=generic ->
    libblas.so.3 -> openblas-pthread). OpenBLAS has its own pthread pool,
    sized by OPENBLAS_NUM_THREADS; torch's intra-op pool (OpenMP) is sized by
    torch.set_num_threads. On 2 cores the fast setting is OpenBLAS 2 threads
    and torch 1 thread. torch.set_num_threads(2) on top of 2 OpenBLAS threads
    oversubscribes the cores (torch's OpenMP workers and OpenBLAS's pthreads
    spin against each other) and an FMNIST-SNN epoch runs about 3.3x slower.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", default_openblas)
    return os.environ["OPENBLAS_NUM_THREADS"]


def machine_info():
    """nproc, CPU model, load average and the loaded OpenBLAS (version,
    core, the OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides in force),
    recorded with each result."""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    rec = {"nproc": os.cpu_count(), "cpu": cpu, "loadavg_1m": load,
           "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    rec.update(openblas_info.info())  # the OpenBLAS core and version that ran
    return rec


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---- braingo's epoch order --------------------------------------------------

_M64 = (1 << 64) - 1


class _GoPCG:
    """Go's math/rand/v2 PCG (128-bit LCG with the DXSM output function)."""

    def __init__(self, seed1, seed2):
        self.hi, self.lo = seed1 & _M64, seed2 & _M64

    def uint64(self):
        mul = (2549297995355413924 << 64) | 4865540595714422341
        inc = (6364136223846793005 << 64) | 1442695040888963407
        state = (((self.hi << 64) | self.lo) * mul + inc) & ((1 << 128) - 1)
        self.hi, self.lo = state >> 64, state & _M64
        hi = self.hi
        hi ^= hi >> 32
        hi = (hi * 0xDA942042E4DD58B5) & _M64
        hi ^= hi >> 48
        return (hi * (self.lo | 1)) & _M64

    def uint64n(self, n):
        if n & (n - 1) == 0:
            return self.uint64() & (n - 1)
        prod = self.uint64() * n
        hi, lo = prod >> 64, prod & _M64
        if lo < n:
            thresh = ((1 << 64) - n) % n
            while lo < thresh:
                prod = self.uint64() * n
                hi, lo = prod >> 64, prod & _M64
        return hi


def braingo_order(n, seed, epoch):
    """The sample order braingo's trainer uses for a 1-based epoch
    (datasets.Order: math/rand/v2's Shuffle with PCG(seed, epoch +
    0x5851f42d4c957f2d)), so a baseline can train on the same batches."""
    r = _GoPCG(seed, epoch + 0x5851F42D4C957F2D)
    idx = list(range(n))
    for i in range(n - 1, 0, -1):
        j = r.uint64n(i + 1)
        idx[i], idx[j] = idx[j], idx[i]
    return idx
