import numpy as np


def interp1d(x, y, kind="linear", fill_value=None):
    """Piecewise-linear interpolation through (x, y), extrapolated linearly
    from the end segments: scipy's interp1d with kind "linear" or "slinear"
    and fill_value="extrapolate"."""
    if kind not in ("linear", "slinear") or fill_value != "extrapolate":
        raise NotImplementedError(kind)
    x, y = np.asarray(x, float), np.asarray(y, float)

    def f(xn):
        xn = np.asarray(xn, float)
        i = np.clip(np.searchsorted(x, xn, side="right") - 1, 0, len(x) - 2)
        return y[i] + (xn - x[i]) * (y[i + 1] - y[i]) / (x[i + 1] - x[i])

    return f
