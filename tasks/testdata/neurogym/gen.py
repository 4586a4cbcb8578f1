"""Writes cases.json: trials of NeuroGym's own task code with the noise off,
for braingo's tasks/neurogym_test.go to compare against.

NeuroGym is not vendored. Unpack the commits named below and make the
package importable without its optional dependencies:

    for c in 8136bc7d 4f682fc9 20510cdd; do
        mkdir -p /tmp/ngym_$c
        git -C neurogym archive $c neurogym | tar -x -C /tmp/ngym_$c
        for f in neurogym/utils/__init__.py neurogym/envs/__init__.py \
                 neurogym/envs/native/__init__.py; do
            : > /tmp/ngym_$c/$f
        done
        printf 'from .utils import spaces\nfrom .core import TrialEnv, BaseEnv\n' \
            > /tmp/ngym_$c/neurogym/__init__.py
    done
    python3 gen.py > cases.json

stub/ stands in for gymnasium (only TrialEnv's base classes and the Box and
Discrete spaces are needed). Each case draws one trial with its variables
forced through new_trial(**kwargs), sets performance to 0 as TrialEnv.step
does after drawing every trial but the first, and plays scripted action
sequences through TrialEnv.step until the trial ends.
"""

import importlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "stub"))

HEAD = "8136bc7d922a601ef118e6665ad710f93d930704"
PDM_OLD = "4f682fc946bb4d54be0cb4fb38bfba0aaa9882c0"  # parent of f27b510a
CDM_OLD = "20510cdd91f3f6e9f53d5a2bc2034a83c8f0782b"  # parent of cf210742


def load(commit, module, cls):
    root = "/tmp/ngym_" + commit[:8]
    for m in [m for m in sys.modules if m == "neurogym" or m.startswith("neurogym.")]:
        del sys.modules[m]
    sys.path.insert(0, root)
    try:
        return getattr(importlib.import_module("neurogym.envs.native." + module), cls)
    finally:
        sys.path.remove(root)


def scripts(nact):
    return {
        "truth": lambda gt, t: gt,
        "fixate": lambda gt, t: 0,
        "press1": lambda gt, t: 1,
        "other": lambda gt, t: 0 if gt == 0 else gt % (nact - 1) + 1,
    }


def case(cid, commit, module, cls, task, kwargs, trial, params=None, timing=None, dt=None):
    Env = load(commit, module, cls)
    kw = dict(kwargs)
    if timing:
        kw["timing"] = timing
    if dt:
        kw["dt"] = dt
    out = {"id": cid, "task": task, "neurogym": f"{module}.py {cls} at {commit[:8]}",
           "params": params or {}, "timing": timing or {}, "dt": dt or 0, "trial": {}, "episodes": {}}
    nact = None
    for name, script in scripts(0).items():
        env = Env(**kw)
        env.seed(0)
        nact = env.action_space.n
        fn = scripts(nact)[name]
        tr = env.new_trial(**trial)
        env.performance = 0  # as TrialEnv.step after new_trial
        env.t = env.t_ind = 0
        if name == "truth":
            out["obs"] = np.asarray(env.ob, dtype=np.float32).tolist()
            out["gt"] = np.asarray(env.gt).astype(int).tolist()
            out["trial"] = {k: float(v) for k, v in tr.items() if np.isscalar(v) and k in trial}
        gt = np.asarray(env.gt).astype(int)
        rewards = []
        for t in range(len(gt) + 1):
            a = fn(int(gt[t]), t)
            _, r, _, _, info = env.step(a)
            rewards.append(float(r))
            if info["new_trial"]:
                break
        out["episodes"][name] = {"rewards": rewards, "performance": float(info["performance"])}
    return out


def main():
    off = {"sigma": 0}
    cases = []
    for gt in (0, 1):
        for coh in (0.0, 25.6):
            t = {"ground_truth": gt, "coh": coh}
            cases.append(case(f"pdm gt{gt} coh{coh}", HEAD, "perceptualdecisionmaking", "PerceptualDecisionMaking",
                              "PerceptualDecisionMaking", off, t, {"sigma": -1}))
            cases.append(case(f"pdm old gt{gt} coh{coh}", PDM_OLD, "perceptualdecisionmaking", "PerceptualDecisionMaking",
                              "PerceptualDecisionMaking", off, t, {"sigma": -1, "fixation_until_decision": 1}))
    cases.append(case("pdm delay", HEAD, "perceptualdecisionmaking", "PerceptualDecisionMaking",
                      "PerceptualDecisionMaking", off, {"ground_truth": 1, "coh": 51.2}, {"sigma": -1},
                      timing={"fixation": 300, "stimulus": 500, "delay": 300, "decision": 200}))
    cases.append(case("pdm old delay", PDM_OLD, "perceptualdecisionmaking", "PerceptualDecisionMaking",
                      "PerceptualDecisionMaking", off, {"ground_truth": 1, "coh": 51.2},
                      {"sigma": -1, "fixation_until_decision": 1},
                      timing={"fixation": 300, "stimulus": 500, "delay": 300, "decision": 200}))
    timing = {"fixation": 300, "stimulus": 750, "delay": 600, "decision": 100}
    for expl in (0, 1):
        for ctx in ((0, 1) if expl else (0,)):
            for gt, other, c1, c2 in ((1, 2, 5, 50), (2, 2, 15, 5)):
                t = {"ground_truth": gt, "other_choice": other, "context": ctx, "coh_1": c1, "coh_2": c2}
                kw = {"sigma": 0, "use_expl_context": bool(expl)}
                p = {"sigma": -1, "use_expl_context": expl}
                cases.append(case(f"cdm expl{expl} ctx{ctx} gt{gt}", HEAD, "contextdecisionmaking", "ContextDecisionMaking",
                                  "ContextDecisionMaking", kw, t, p, timing))
                cases.append(case(f"cdm old expl{expl} ctx{ctx} gt{gt}", CDM_OLD, "contextdecisionmaking",
                                  "ContextDecisionMaking", "ContextDecisionMaking", kw, t,
                                  dict(p, fixation_until_decision=1), timing))
    for gt in (0, 1):
        cases.append(case(f"gonogo gt{gt}", HEAD, "gonogo", "GoNogo", "GoNogo", {}, {"ground_truth": gt}))
    json.dump(cases, sys.stdout, indent=None, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
