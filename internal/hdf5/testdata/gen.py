"""Writes the h5py test files of package hdf5 (run with Debian's python3-h5py:
/usr/bin/python3 gen.py). Each file exercises one feature of the reader."""
import h5py
import numpy as np

def basic(f, **kw):
    f.create_dataset("version", data="1.0.7", dtype=h5py.string_dtype())
    g = f.create_group("node")
    g.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
    g.create_dataset("edges", data=[("input", "lif"), ("lif", "output")])
    n = g.create_group("nodes")
    a = n.create_group("aff")
    a.create_dataset("weight", data=np.arange(12, dtype=np.float32).reshape(3, 4) / 7, **kw)
    a.create_dataset("bias", data=np.array([1.5, -2, 3], dtype=np.float32), **kw)
    a.create_dataset("type", data="Affine", dtype=h5py.string_dtype())
    l = n.create_group("lif")
    l.create_dataset("tau", data=np.array([1e-3, 2e-3, np.inf]), **kw)
    l.create_dataset("shape", data=np.array([3], dtype=np.int64), **kw)
    l.create_dataset("i32", data=np.array([-1, 2, -3], dtype=np.int32), **kw)
    l.create_dataset("u8", data=np.array([1, 200], dtype=np.uint8), **kw)
    l.create_dataset("start_dim", data=1)
    l.create_dataset("scale", data=0.25)
    l.create_dataset("empty", data=np.zeros((0,), dtype=np.float32))
    m = l.create_group("metadata")
    m.create_dataset("note", data="héllo")

with h5py.File("plain.h5", "w") as f:  # NIR 1.0.7's nir.write: contiguous
    basic(f)
with h5py.File("gzip.h5", "w") as f:  # NIR main's nir.write: gzip, chunked
    basic(f, compression="gzip")
with h5py.File("chunks.h5", "w") as f:  # several partial chunks, shuffle + gzip
    f.create_dataset("x", data=np.arange(7 * 5, dtype=np.float64).reshape(7, 5), chunks=(3, 2), shuffle=True, compression="gzip")
    f.create_dataset("y", data=np.arange(10, dtype=np.int64), chunks=(4,))
    f.create_dataset("fixed", data=np.array([b"ab", b"cde"], dtype="S3"))
    # a compact dataset (data inside the object header), through the low-level API
    space = h5py.h5s.create_simple((3,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dset = h5py.h5d.create(f.id, b"compact", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
    dset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([1.5, 2.5, -3], dtype=np.float32))
with h5py.File("many.h5", "w") as f:  # groups of many members: B-tree with several nodes
    g = f.create_group("g")
    for i in range(300):
        g.create_dataset("d%03d" % i, data=np.array([i], dtype=np.int64))
with h5py.File("latest.h5", "w", libver="latest") as f:  # superblock 3: unsupported
    f.create_dataset("x", data=np.arange(3.0))
with h5py.File("float16.h5", "w") as f:  # half floats: unsupported
    f.create_dataset("x", data=np.arange(3, dtype=np.float16))
