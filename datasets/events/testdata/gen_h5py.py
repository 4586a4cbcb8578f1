"""Writes h5py_shd.h5 and h5py_ssc.h5: small files in the layout of the SHD
and SSC files (Cramer et al. 2020) written by h5py itself, to check braingo's
HDF5 reader against the real library. Run with Debian's python3-h5py:
/usr/bin/python3 gen_h5py.py. The values follow a formula that
h5py_test.go recomputes."""
import h5py
import numpy as np


def write(name, n, classes, tdtype, **kw):
    vt = h5py.vlen_dtype(np.dtype(tdtype))
    vu = h5py.vlen_dtype(np.dtype("uint16"))
    with h5py.File(name, "w") as f:
        sp = f.create_group("spikes")
        times = sp.create_dataset("times", (n,), dtype=vt, **kw)
        units = sp.create_dataset("units", (n,), dtype=vu, **kw)
        for i in range(n):
            k = np.arange(3 * i)
            times[i] = (k * 0.01 + i * 0.001).astype(tdtype)
            units[i] = ((k * 37 + i) % 700).astype("uint16")
        f.create_dataset("labels", data=(np.arange(n) * 7 % classes).astype("uint8"))
        ex = f.create_group("extra")
        ex.create_dataset("keys", data=["key-%d" % c for c in range(classes)], dtype=h5py.string_dtype())
        ex.create_dataset("speaker", data=(np.arange(n) % 5).astype("uint16"))
        mi = ex.create_group("meta_info")
        mi.create_dataset("gender", data=["female", "male", "female", "male", "male"], dtype=h5py.string_dtype())


write("h5py_shd.h5", 11, 20, "float16")
write("h5py_ssc.h5", 7, 35, "float32", chunks=(4,), compression="gzip")
