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
forced through new_trial(**kwargs) (or redrawn until they match, or with
rng.rand forced), sets performance to 0 as TrialEnv.step does after drawing
every trial but the first, and plays scripted action sequences through
TrialEnv.step until the trial ends. Where braingo cannot hit a trial's
continuous variables by redrawing, the case lists the draws ("draws") the
Go test forces on braingo's random source, in braingo's order of draws.
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
        "press2": lambda gt, t: min(2, nact - 1),
        "other": lambda gt, t: 0 if gt == 0 else gt % (nact - 1) + 1,
    }


def continuous_scripts():
    # (go, position) actions from the ground-truth row (go, position).
    return {
        "truth": lambda gt, t: [float(gt[0]), float(gt[1])],
        "fixate": lambda gt, t: [-1.0, 0.0],
        "press1": lambda gt, t: [1.0, 0.3],
        "other": lambda gt, t: [float(gt[0]), float(gt[1]) + 0.5],
    }


class ForcedRand:
    """Wraps a RandomState so that rand() first returns the given values."""

    def __init__(self, rng, values):
        self.rng, self.values = rng, list(values)

    def rand(self, *size):
        if self.values and not size:
            return self.values.pop(0)
        return self.rng.rand(*size)

    def __getattr__(self, name):
        return getattr(self.rng, name)


def case(cid, commit, module, cls, task, kwargs, trial, params=None, timing=None, dt=None, match=None, want=None,
         rand=None, draws=None, scripts_only=None, static=True, with_gt=True):
    """One trial of NeuroGym's cls with the variables trial forced through
    new_trial(**trial), redrawn until want(env, trial) holds where the
    variables cannot be forced. match is what braingo's Vars must equal
    (default: the forced scalar variables)."""
    Env = load(commit, module, cls)
    kw = dict(kwargs)
    if timing:
        kw["timing"] = timing
    if dt:
        kw["dt"] = dt
    out = {"id": cid, "task": task, "neurogym": f"{module}.py {cls} at {commit[:8]}",
           "params": params or {}, "timing": timing or {}, "dt": dt or 0, "trial": {}, "episodes": {}}
    out["continuous"], out["static"] = False, static
    for name in scripts_only or ("truth", "fixate", "press1", "other"):
        env = Env(**kw)
        env.seed(0)
        if rand:
            env.rng = ForcedRand(env.rng, rand)
        continuous = not hasattr(env.action_space, "n")
        out["continuous"] = continuous
        fn = continuous_scripts()[name] if continuous else scripts(env.action_space.n)[name]
        tr = env.new_trial(**trial)
        for _ in range(100000):
            if want is None or want(env, tr):
                break
            tr = env.new_trial(**trial)
        else:
            raise RuntimeError(cid + ": no trial satisfies want")
        if not hasattr(env, "ob"):
            # Null lays out no periods: its _step returns observation 0 and
            # the trial runs until TrialEnv's initial tmax.
            env.ob = np.zeros((int(env.tmax // env.dt), 1), np.float32)
            env.gt, env._gt_built = np.zeros(len(env.ob), int), True
        if not env._gt_built:
            # Detection's no-pulse trials set no ground truth (NeuroGym then
            # reads the previous trial's array); take it as all fixation.
            env._init_gt()
        env.performance = 0  # as TrialEnv.step after new_trial
        env.t = env.t_ind = 0
        if "obs" not in out:  # the layout, once
            out["obs"] = np.asarray(env.ob, dtype=np.float32).tolist()
            if not with_gt:
                pass
            elif continuous:
                out["target"] = np.asarray(env.gt, dtype=np.float32).reshape(len(env.gt), -1).tolist()
            else:
                out["gt"] = np.asarray(env.gt).astype(int).tolist()
            out["trial"] = match if match is not None else {
                k: float(v) for k, v in tr.items() if np.isscalar(v) and k in trial}
        gt = np.asarray(env.gt) if continuous else np.asarray(env.gt).astype(int)
        rewards, obs = [], []
        for t in range(len(gt) + 1):
            a = fn(gt[t], t) if continuous else fn(int(gt[t]), t)
            ob, r, _, _, info = env.step(a)
            rewards.append(float(r))
            if info["new_trial"]:
                break
            obs.append(np.asarray(ob, dtype=np.float32).reshape(-1).tolist())
        out["episodes"][name] = {"rewards": rewards, "performance": float(info["performance"])}
        if not static:
            out["episodes"][name]["obs"] = obs
    if draws:
        out["draws"] = draws
    return out


YANG19 = ["go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti", "dm1", "dm2", "ctxdm1", "ctxdm2", "multidm",
          "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm", "dms", "dnms", "dmc", "dnmc"]


def yang19_cases():
    """Trials of NeuroGym's Yang et al. 2019 collection (collections/yang19.py
    at HEAD) in the interleaved layout: the 20 rule envs under
    ScheduleEnvs(env_input=True), which appends the rule inputs, with ring
    size 4 and the noise off. Each case takes the first trial NeuroGym draws
    for a rule (and modality) and records its variables in braingo's terms;
    the Go test redraws yang19.<rule> trials until they match."""
    import types
    for m in [m for m in sys.modules if m == "neurogym" or m.startswith("neurogym.")]:
        del sys.modules[m]
    root = "/tmp/ngym_" + HEAD[:8]
    sys.path.insert(0, root)
    try:
        import neurogym  # noqa: F401
        # neurogym.wrappers' __init__ imports matplotlib; load block.py alone.
        w = types.ModuleType("neurogym.wrappers")
        w.__path__ = [root + "/neurogym/wrappers"]
        sys.modules["neurogym.wrappers"] = w
        y = importlib.import_module("neurogym.envs.collections.yang19")
        from neurogym.utils import scheduler
        from neurogym.wrappers.block import ScheduleEnvs
    finally:
        sys.path.remove(root)
    dm_timing = {"fixation": 300, "stimulus": 500, "decision": 200}
    dly_timing = {"fixation": 300, "stim1": 500, "delay": 1000, "stim2": 500, "decision": 200}
    out = []
    for k, rule in enumerate(YANG19):
        kw, timing = {"dim_ring": 4}, {}
        if "dm" in rule and rule not in ("dms", "dnms", "dmc", "dnmc"):
            timing = dict(dly_timing if "dly" in rule else dm_timing)
            if rule == "dm1":
                timing["stimulus"] = 400
            kw.update(sigma=0, timing=timing)
        elif rule in ("dms", "dnms", "dmc", "dnmc"):
            kw.update(sigma=0)
        conds = [(0, {}), (1, {})]
        for mod, forced in conds:
            if rule in ("go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti"):
                forced = {"ground_truth": 1 + 2 * mod}
            case = {"id": f"yang19 {rule} {mod}", "task": "yang19." + rule,
                    "neurogym": f"collections/yang19.py {rule} under ScheduleEnvs(env_input=True) at {HEAD[:8]}",
                    "params": {"dim_ring": 4, "sigma": -1}, "timing": timing, "dt": 0, "trial": {},
                    "episodes": {}, "continuous": False, "static": True}
            for name in ("truth", "fixate", "press1", "other"):
                envs = [getattr(y, r)(**(kw if r == rule else {"dim_ring": 4})) for r in YANG19]
                top = ScheduleEnvs(envs, scheduler.RandomSchedule(len(envs)), env_input=True)
                top.seed(7 + mod)
                top.reset()
                fn = scripts(top.action_space.n)[name]
                for _ in range(10000):
                    top.next_i_env = k
                    inner = top.envs[k]
                    if isinstance(inner, ScheduleEnvs):
                        inner.next_i_env = mod
                    tr = top.new_trial(**forced)
                    task = top.unwrapped
                    v = {"rule": k}
                    if "anti" in tr:  # reach
                        v.update(modality=mod, ground_truth=int(tr["ground_truth"]) + 1)
                    elif "theta1" in tr:  # decision making
                        th = task.theta
                        v.update(i_theta1=int(np.argmin(abs(th - tr["theta1"]))),
                                 i_theta2=int(np.argmin(abs(th - tr["theta2"]))),
                                 ground_truth=int(task.gt[-1]))
                        for key in ("coh1_mod1", "coh2_mod1", "coh1_mod2", "coh2_mod2"):
                            if key in tr:
                                v[key] = float(tr[key])
                    else:  # delay match
                        th = task.theta
                        i_s = int(np.argmin(abs(th - tr["sample_theta"])))
                        if rule in ("dmc", "dnmc") and i_s == len(th) // 2:
                            continue  # NeuroGym classes this sample with the first half (see Yang19's doc)
                        v.update(modality=mod, i_sample=i_s, i_test=int(np.argmin(abs(th - tr["test_theta"]))),
                                 ground_truth=int(task.gt[-1]))
                        if tr["ground_truth"] == "match":
                            v["match"] = 1
                    break
                else:
                    raise RuntimeError(case["id"] + ": no trial")
                task.performance = 0
                task.t = task.t_ind = 0
                if "obs" not in case:
                    case["obs"] = np.asarray(task.ob, dtype=np.float32).tolist()
                    case["gt"] = np.asarray(task.gt).astype(int).tolist()
                    case["trial"] = v
                gt = np.asarray(task.gt).astype(int)
                rewards = []
                for t in range(len(gt) + 1):
                    ob, r, _, _, info = top.step(fn(int(gt[t]), t))
                    rewards.append(float(r))
                    if info["new_trial"]:
                        break
                case["episodes"][name] = {"rewards": rewards, "performance": float(info["performance"])}
            out.append(case)
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
    # Tasks whose NeuroGym code did not change (the comparison covers them too).
    for gt, coh_i, prop in ((0, 2, 0.25), (1, 0, 0.875)):
        coh = (5, 15, 50)[coh_i]
        cases.append(case(f"multisensory gt{gt} coh{coh}", HEAD, "multisensory", "MultiSensoryIntegration",
                          "MultiSensoryIntegration", off, {"ground_truth": gt, "coh": coh, "coh_prop": prop},
                          {"sigma": -1}, match={"ground_truth": gt, "coh": coh},
                          draws=[{"intn": [gt, 2]}, {"intn": [coh_i, 3]}, {"float64": prop}]))
    for gt, sc, a, b in ((1, 0, 0.25, 0.5), (2, 1, 0.125, 0.75)):
        cases.append(case(f"delaymatchcategory gt{gt} category{sc}", HEAD, "delaymatchcategory", "DelayMatchCategory",
                          "DelayMatchCategory", off, {"ground_truth": ("match", "non-match")[gt - 1],
                                                      "sample_category": sc}, {"sigma": -1},
                          match={"ground_truth": gt, "sample_category": sc}, rand=[a, b],
                          draws=[{"intn": [gt - 1, 2]}, {"intn": [sc, 2]}, {"float64": a}, {"float64": b}]))
    for juice, offer in ((("a", "b"), (1, 3)), (("b", "a"), (6, 1))):
        n_b, n_a = offer
        n1, n2 = (n_a, n_b) if juice[0] == "a" else (n_b, n_a)
        cases.append(case(f"economicdecisionmaking {juice[0]} first {offer}", HEAD, "economicdecisionmaking",
                          "EconomicDecisionMaking", "EconomicDecisionMaking", {}, {"juice": juice, "offer": offer},
                          timing={"offer_on": 1500}, match={"n1": n1, "n2": n2, "a_first": int(juice[0] == "a")},
                          scripts_only=["fixate", "press1", "press2"], with_gt=False))
    for gt, coh in ((1, 0.0), (2, 51.2)):
        cases.append(case(f"pdmdelayresponse gt{gt} coh{coh}", HEAD, "perceptualdecisionmaking",
                          "PerceptualDecisionMakingDelayResponse", "PerceptualDecisionMakingDelayResponse",
                          {"sigma": 0}, {"ground_truth": gt, "coh": coh, "sigma": 0}, {"sigma": -1},
                          {"delay": 500}, match={"ground_truth": gt, "coh": coh}))
    for wager, gt, coh in ((1, 0, 12.8), (0, 1, 51.2)):
        cases.append(case(f"postdecisionwager wager{wager} gt{gt}", HEAD, "postdecisionwager", "PostDecisionWager",
                          "PostDecisionWager", off, {"wager": bool(wager), "ground_truth": gt, "coh": coh}, {"sigma": -1},
                          {"fixation": 100, "stimulus": 300, "delay": 1300, "pre_sure": 600, "decision": 100},
                          match={"wager": wager, "ground_truth": gt, "coh": coh}))
    for gt, th in ((1, 0.0), (2, np.pi)):
        cases.append(case(f"delaymatchsample gt{gt}", HEAD, "delaymatchsample", "DelayMatchSample", "DelayMatchSample",
                          off, {"ground_truth": gt, "sample_theta": th}, {"sigma": -1},
                          match={"ground_truth": gt, "sample_theta": th}))
    for gt, vp in ((1, (18, 10)), (2, (34, 26))):
        v1, v2 = vp if gt == 1 else vp[::-1]
        cases.append(case(f"delaycomparison gt{gt}", HEAD, "delaycomparison", "DelayComparison", "DelayComparison",
                          off, {"ground_truth": gt, "vpair": vp}, {"sigma": -1},
                          match={"ground_truth": gt, "v1": v1, "v2": v2}))
    for g1, g2, s1, s2, order in ((1, 2, 0, 0.5, 0), (2, 1, 0.5, 0.5, 1)):
        t = {"ground_truth1": g1, "ground_truth2": g2, "sample1": s1, "sample2": s2, "test_order": order}
        cases.append(case(f"dualdelaymatchsample {g1}{g2} order{order}", HEAD, "dualdelaymatchsample",
                          "DualDelayMatchSample", "DualDelayMatchSample", off, t, {"sigma": -1}))
    for d1, d2 in ((240.0, 480.0), (560.0, 320.0)):
        cases.append(case(f"intervaldiscrimination {d1} {d2}", HEAD, "intervaldiscrimination", "IntervalDiscrimination",
                          "IntervalDiscrimination", {}, {}, timing={"delay1": 800},
                          match={"duration1": d1, "duration2": d2, "ground_truth": 1 if d1 > d2 else 2},
                          want=lambda env, tr, a=d1, b=d2: tr["duration1"] == a and tr["duration2"] == b))
    for gt in (0, 17):
        cases.append(case(f"antireach gt{gt}", HEAD, "antireach", "AntiReach", "AntiReach", {}, {"ground_truth": gt},
                          match={"ground_truth": gt}))
    for m in (800.0, 1200.0):
        cases.append(case(f"readysetgo measure{m}", HEAD, "readysetgo", "ReadySetGo", "ReadySetGo", {}, {},
                          match={"measure": m}, want=lambda env, tr, v=m: tr["measure"] == v))
    for ind in (0, 1):
        cases.append(case(f"motortiming ind{ind}", HEAD, "readysetgo", "MotorTiming", "MotorTiming", {},
                          {"production_ind": ind}, timing={"cue": 1000}, match={"production_ind": ind}))

    # Tasks added to braingo from NeuroGym's native set.
    for gt, delay in ((1, 0), (1, 5), (0, 0)):
        cases.append(case(f"detection gt{gt} delay{delay}", HEAD, "detection", "Detection", "Detection", off,
                          {"ground_truth": gt}, {"sigma": -1}, {"fixation": 500, "stimulus": 1000},
                          match={"ground_truth": gt, "delay": delay},
                          want=lambda env, tr, d=delay: round(env.delay_trial / env.dt) == d))
    cases.append(case("detection stim_dur 300", HEAD, "detection", "Detection", "Detection",
                      {"sigma": 0, "stim_dur": 300}, {"ground_truth": 1}, {"sigma": -1, "stim_dur": 300},
                      {"fixation": 500, "stimulus": 800}, match={"ground_truth": 1, "delay": 2},
                      want=lambda env, tr: round(env.delay_trial / env.dt) == 2))
    for cond in (0, 1, 3):
        cases.append(case(f"tonedetection condition{cond}", HEAD, "tonedetection", "ToneDetection", "ToneDetection",
                          {"sigma": 0}, {"condition": cond}, {"sigma": -1}, match={"ground_truth": cond}))
    for pair in ((1, 3), (1, 4), (2, 3), (2, 4)):
        gt = int((pair[1] - pair[0]) % 2 == 0)
        cases.append(case(f"delaypairedassociation {pair}", HEAD, "delaypairedassociation", "DelayPairedAssociation",
                          "DelayPairedAssociation", {}, {"pair": pair, "ground_truth": gt},
                          match={"pair1": pair[0], "pair2": pair[1], "ground_truth": gt}))
    for p1, p2, gt in (((1, 0, 1), (0, 1, 1), 1), ((1, 1, 0), (0, 0, 1), 0), ((0, 1, 0), (1, 0, 0), 1)):
        m = {"ground_truth": gt}
        for i in range(3):
            m[f"pulse1_{i}"], m[f"pulse2_{i}"] = p1[i], p2[i]
        cases.append(case(f"pulsedecisionmaking {p1} {p2} gt{gt}", HEAD, "perceptualdecisionmaking",
                          "PulseDecisionMaking", "PulseDecisionMaking", {"n_bin": 3},
                          {}, {"n_bin": 3}, match=m,  # _new_trial reads its own draws, not the kwargs
                          want=lambda env, tr, g=gt, a=p1, b=p2: tr["ground_truth"] == g
                          and tuple(tr["pulse1"]) == a and tuple(tr["pulse2"]) == b))
    for locs, shapes, gt in (((1, 0), (9, 3), 1), ((0, 1), (0, 9), 0), ((0, 1), (4, 5), 1)):
        m = {"ground_truth": gt}
        for i in range(2):
            m[f"loc_{i}"], m[f"shape_{i}"] = locs[i], shapes[i]
        cases.append(case(f"probabilisticreasoning {locs} {shapes} gt{gt}", HEAD, "probabilisticreasoning",
                          "ProbabilisticReasoning", "ProbabilisticReasoning", {"n_loc": 2},
                          {"locs": np.array(locs), "shapes": np.array(shapes)}, {"n_loc": 2},
                          {"fixation": 500, "stimulus0": 500, "stimulus1": 500, "delay": 500, "decision": 500},
                          match=m, want=lambda env, tr, g=gt: tr["ground_truth"] == g))
    for iv in (560.0, 960.0):
        cases.append(case(f"onetwothreego interval{iv}", HEAD, "readysetgo", "OneTwoThreeGo", "OneTwoThreeGo", {}, {},
                          timing={"fixation": 400, "target": 1000}, match={"interval": iv},
                          want=lambda env, tr, v=iv: tr["interval"] == v))
    for target, delay in ((0.625, 1000), (0.15625, 0)):
        c = case(f"reachingdelayresponse {target} delay{delay}", HEAD, "reachingdelayresponse", "ReachingDelayResponse",
                 "ReachingDelayResponse", {}, {"ground_truth": target}, timing={"delay": delay},
                 match={"ground_truth": target})
        c["draws"] = [{"float64": target}]  # braingo's one uniform draw, forced by the test
        cases.append(c)
    cases.append(case("null", HEAD, "null", "Null", "Null", {}, {}))
    # HierarchicalReasoning judges an interval drawn apart from the delay it
    # shows (braingo's neurogym_delay=1); redraw until both are the ones wanted.
    for interval, delay, rule, stim in ((600, 900, 1, 0), (1000, 500, 0, 1), (700, 700, 1, 1)):
        cases.append(case(f"hierarchicalreasoning {interval} {delay} rule{rule} stim{stim}", HEAD,
                          "hierarchicalreasoning", "HierarchicalReasoning", "HierarchicalReasoning",
                          {}, {"rule": rule, "stimulus": stim}, {"neurogym_delay": 1},
                          {"fixation": 600, "fixation2": 600},
                          match={"interval": interval, "delay": delay, "rule": rule, "stimulus": stim},
                          want=lambda env, tr, i=interval, d=delay: tr["interval"] == i
                          and (env.end_t["delay"] - env.start_t["delay"]) == d))
    # AnnubesEnv draws from its own generator and ignores new_trial's
    # arguments: redraw until the trial is the one wanted.
    for catch, mod, value in ((False, "v", 0.9), (False, "a", 1.0), (True, None, None)):
        m = {"catch": 1} if catch else {"modality": ("v", "a").index(mod), "stim_value": value}
        cases.append(case(f"annubes catch{int(catch)} {mod} {value}", HEAD, "annubes", "AnnubesEnv", "AnnubesEnv",
                          {"noise_std": 0, "random_seed": 1}, {}, {"noise_std": -1}, match=m,
                          want=lambda env, tr, c=catch, md=mod, v=value: tr["catch"] == c and tr["stim_type"] == md
                          and (v is None or float(tr["stim_value"][0]) == v)))
    for direction, contrast in ((2, 0.05), (3, 0.99)):
        cases.append(case(f"spatialsuppressmotion direction{direction} contrast{contrast}", HEAD,
                          "spatialsuppressmotion", "SpatialSuppressMotion", "SpatialSuppressMotion", {},
                          {"direction": direction, "contrast": contrast},
                          match={"direction": direction, "contrast": contrast}))
    # The reaching tasks: the hand channels exist only in the observations
    # step() returns, so only those are compared. NeuroGym stores their
    # angle ground truth in an integer array (truncated), so it is left out.
    for cls, u in (("Reaching1D", 0.25), ("Reaching1D", 0.5625), ("Reaching1DWithSelfDistraction", 0.375)):
        cases.append(case(f"{cls.lower()} {u}", HEAD, "reaching", cls, cls, {}, {"ground_truth": 2 * np.pi * u},
                          match={"ground_truth": 2 * np.pi * u}, draws=[{"float64": u}],
                          scripts_only=["fixate", "press1"], static=False, with_gt=False))
    for gt, u in ((1, 0.25), (3, 0.8125)):
        c = case(f"delaymatchsampledistractor1d gt{gt}", HEAD, "delaymatchsample", "DelayMatchSampleDistractor1D",
                 "DelayMatchSampleDistractor1D", {}, {"ground_truth": gt, "sample": 2 * np.pi * u},
                 match={"ground_truth": gt})
        # braingo's draws, forced by the test: IntN(3) for the matching test,
        # then uniforms for the sample and the distractors (NeuroGym's own).
        env = load(HEAD, "delaymatchsample", "DelayMatchSampleDistractor1D")()
        env.seed(0)
        tr = env.new_trial(ground_truth=gt, sample=2 * np.pi * u)
        c["draws"] = [{"intn": [gt - 1, 3]}, {"float64": u}] + [
            {"float64": tr[f"test{i}"] / (2 * np.pi)} for i in (1, 2, 3) if i != gt]
        cases.append(c)
    cases.extend(yang19_cases())
    json.dump(cases, sys.stdout, indent=None, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
