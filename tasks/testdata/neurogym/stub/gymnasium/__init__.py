# Minimal stand-in for gymnasium, enough to run NeuroGym's TrialEnv in tests.
import numpy as np
from . import spaces
class Env:
    metadata = {}
    def __init__(self): pass
    def reset(self, seed=None, options=None):
        pass
class Wrapper(Env):
    def __init__(self, env): self.env = env
def make(*a, **k): raise NotImplementedError
