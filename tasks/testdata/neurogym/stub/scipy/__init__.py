# Minimal stand-in for scipy: only interpolate.interp1d(kind="slinear",
# fill_value="extrapolate"), which SpatialSuppressMotion uses.
