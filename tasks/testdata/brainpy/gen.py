"""Writes cases.json: trials of BrainPy's SingleContextDecisionMaking
(brainpy_datasets, _src/cognitive/decision_making.py) with the noise off and
a constant delay, for braingo's tasks/brainpy_test.go to compare against.

brainpy_datasets is not vendored, and neither brainpy nor JAX is needed:
put a checkout of github.com/brainpy/datasets (or its decision_making.py in
brainpy_datasets/_src/cognitive/ of an otherwise empty package) on
BRAINPY_DATASETS and run

    BRAINPY_DATASETS=/path/to/checkout python3 gen.py > cases.json

The stubs below stand in for what sample_trial touches: brainpy.check's
argument checks, the task base class (dt and a seeded RandomState) and
initialize (a constant delay). Each case forces the trial's draws (choice
0, choice 1, coherence 0, coherence 1) through a scripted rng.choice.
"""

import json
import os
import sys
import types

import numpy as np

root = os.environ["BRAINPY_DATASETS"]
sys.path.insert(0, root)


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


check = types.SimpleNamespace(is_float=lambda v, **k: float(v), is_integer=lambda v, **k: int(v))
stub("brainpy", check=check)


class VariedLenCogTask:
    def __init__(self, input_transform=None, target_transform=None, dt=100., max_seq_len=None,
                 num_trial=1024, seed=None):
        self.input_transform, self.target_transform = input_transform, target_transform
        self.dt, self.rng = dt, np.random.RandomState(seed)


stub("brainpy_datasets._src.cognitive.base", VariedLenCogTask=VariedLenCogTask, FixedLenCogTask=VariedLenCogTask)
stub("brainpy_datasets._src.cognitive.utils", interval_of=None)
stub("brainpy_datasets._src.utils.random", TruncExp=None)
stub("brainpy_datasets._src.utils.others", initialize=lambda v: v() if callable(v) else v)

from brainpy_datasets._src.cognitive.decision_making import SingleContextDecisionMaking  # noqa: E402


class Scripted:
    """A RandomState whose choice() returns the given values first."""

    def __init__(self, rng, values):
        self.rng, self.values = rng, list(values)

    def choice(self, a, *args, **kwargs):
        if self.values:
            return self.values.pop(0)
        return self.rng.choice(a, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.rng, name)


def main():
    cases = []
    for ctx, n, c0, c1, h0, h1, delay in ((0, 2, 0, 1, 5., 50., 600), (1, 2, 1, 1, 15., 5., 300),
                                          (1, 4, 2, 3, 50., 15., 900), (0, 3, 2, 0, 50., 50., 1200)):
        task = SingleContextDecisionMaking(max_seq_len=100, t_delay=delay, context=ctx, num_choice=n,
                                           noise_sigma=0, seed=0)
        task.rng = Scripted(task.rng, [c0, c1, h0, h1])
        (x, _), (y, _) = task.sample_trial(0)
        cases.append({"id": f"context{ctx} n{n} choices{c0}{c1} cohs{h0:g},{h1:g} delay{delay}",
                      "params": {"context": ctx, "dim_ring": n, "sigma": -1}, "timing": {"delay": delay},
                      "trial": {"ground_truth": c0, "other_choice": c1, "coh_0": h0, "coh_1": h1},
                      "obs": np.asarray(x, np.float32).tolist(), "gt": np.asarray(y).astype(int).tolist()})
    json.dump(cases, sys.stdout, indent=None, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
