import numpy as np
class Space:
    def seed(self, s=None): self._rng = np.random.RandomState(s)
class Box(Space):
    def __init__(self, low, high, shape=None, dtype=np.float32, **k):
        self.shape = tuple(shape) if shape is not None else np.shape(low)
        self.dtype = dtype; self.low, self.high = low, high
        self._rng = np.random.RandomState(0)
    def sample(self): return np.zeros(self.shape, self.dtype)
class Discrete(Space):
    def __init__(self, n, *a, **k):
        self.n = n; self.shape = (); self.dtype = np.int64; self._rng = np.random.RandomState(0)
    def sample(self): return 0
Dict = MultiBinary = MultiDiscrete = Tuple = Space
