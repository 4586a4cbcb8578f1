#!/usr/bin/python3
"""COBA E/I benchmark in Brian2 (DESIGN.md protocol), the BrainPy paper's script semantics.

The model of the BrainPy paper's own Brian2 script (after Brette et al. 2007):
forward Euler, dt 0.1 ms, v0 ~ N(-55, 5) mV, p = 80/N. Prints one JSON line per
measured run on stdout:

  {"tool": "brian2", "version": ..., "mode": "cpp_standalone"|"cython", "model": "coba",
   "neurons": N, "synapses": S, "duration_ms": ..., "run_seconds": ...,
   "rate_hz": ..., "exc_rate_hz": ..., "inh_rate_hz": ..., "isi_cv": ...}

run_seconds excludes code generation and compilation: for cpp_standalone it is
Brian's own loop time (device._last_run_time), for cython the wall time of a
second run() of the same network (the first one compiles and caches).

Usage: /usr/bin/python3 baselines/brian2_coba.py --mode cython --n 4000 [--duration 1000] [--model coba|coba-hh]
Needs Debian's python3-brian (apt-get install -y python3-brian).
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import brian2 as b2
from brian2 import ms, mV, NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock


def stats(mon, n, ne, t0_ms, t1_ms):
    i = np.asarray(mon.i[:])
    t = np.asarray(mon.t[:] / ms)
    keep = (t >= t0_ms) & (t < t1_ms)
    i, t = i[keep], t[keep]
    dur = (t1_ms - t0_ms) / 1000.0
    counts = np.bincount(i, minlength=n)
    cvs = []
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    bounds = np.searchsorted(i, np.arange(n + 1))
    for k in range(n):
        tk = t[bounds[k]:bounds[k + 1]]
        if len(tk) >= 3:
            d = np.diff(tk)
            cvs.append(d.std() / d.mean())
    return {
        "rate_hz": counts.sum() / n / dur,
        "exc_rate_hz": counts[:ne].sum() / ne / dur,
        "inh_rate_hz": counts[ne:].sum() / (n - ne) / dur,
        "isi_cv": float(np.mean(cvs)) if cvs else 0.0,
    }


def build_coba(n):
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -60 * mV
    Erev_exc, Erev_inh = 0. * mV, -80. * mV
    I = 20. * mV
    eqs = '''
    dv/dt  = (ge*(Erev_exc-v)+gi*(Erev_inh-v)-(v-El) + I)*(1./taum) : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    '''
    P = NeuronGroup(n, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms, method='euler',
                    namespace=dict(taum=taum, taue=taue, taui=taui, Vt=Vt, Vr=Vr, El=El,
                                   Erev_exc=Erev_exc, Erev_inh=Erev_inh, I=I))
    ne = int(0.8 * n)
    we, wi = 0.6, 6.7
    Ce = Synapses(P[:ne], P, on_pre='ge += we', namespace=dict(we=we))
    Ci = Synapses(P[ne:], P, on_pre='gi += wi', namespace=dict(wi=wi))
    p = 80.0 / n
    Ce.connect(p=p)
    Ci.connect(p=p)
    P.v = (np.random.randn(n) * 5. - 55.) * mV
    P.ge = 0
    P.gi = 0
    return P, [Ce, Ci], ne


def build_coba_hh(n):
    # COBA-HH (Brette et al. 2007 benchmark 3, Traub-Miles HH), as in Brian2's example
    # and the BrainPy benchmarks.
    from brian2 import umetre, cm, msiemens, uF, nS, siemens
    area = 20000 * umetre ** 2
    Cm = (1 * uF * cm ** -2) * area
    gl = (5e-5 * siemens * cm ** -2) * area
    El = -60 * mV
    EK = -90 * mV
    ENa = 50 * mV
    g_na = (100 * msiemens * cm ** -2) * area
    g_kd = (30 * msiemens * cm ** -2) * area
    VT = -63 * mV
    taue, taui = 5 * ms, 10 * ms
    we, wi = 6 * nS, 67 * nS
    Ee, Ei = 0 * mV, -80 * mV
    eqs = '''
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    '''
    ns = dict(area=area, Cm=Cm, gl=gl, El=El, EK=EK, ENa=ENa, g_na=g_na, g_kd=g_kd, VT=VT,
              taue=taue, taui=taui, Ee=Ee, Ei=Ei)
    P = NeuronGroup(n, model=eqs, threshold='v>-20*mV', refractory=3 * ms, method='exponential_euler',
                    namespace=ns)
    ne = int(0.8 * n)
    Ce = Synapses(P[:ne], P, on_pre='ge+=we', namespace=dict(we=we))
    Ci = Synapses(P[ne:], P, on_pre='gi+=wi', namespace=dict(wi=wi))
    p = 80.0 / n
    Ce.connect(p=p)
    Ci.connect(p=p)
    P.v = 'El + (randn() * 5 - 5)*mV'
    P.ge = '(randn() * 1.5 + 4) * 10.*nS'
    P.gi = '(randn() * 12 + 20) * 10.*nS'
    return P, [Ce, Ci], ne


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mode', choices=['cpp_standalone', 'cython'], default='cython')
    ap.add_argument('--n', type=int, default=4000)
    ap.add_argument('--duration', type=float, default=1000.0, help='ms of biological time')
    ap.add_argument('--model', choices=['coba', 'coba-hh'], default='coba')
    ap.add_argument('--threads', type=int, default=0, help='OpenMP threads (cpp_standalone; 0 = none)')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()

    np.random.seed(a.seed)
    b2.seed(a.seed)
    b2.prefs.logging.console_log_level = 'ERROR'
    if a.mode == 'cpp_standalone':
        d = tempfile.mkdtemp(prefix='brian2_%s_%d_' % (a.model, a.n))
        b2.set_device('cpp_standalone', directory=d, build_on_run=False)
        if a.threads:
            b2.prefs.devices.cpp_standalone.openmp_threads = a.threads
    else:
        b2.prefs.codegen.target = 'cython'
    defaultclock.dt = 0.1 * ms
    build = build_coba if a.model == 'coba' else build_coba_hh
    P, syns, ne = build(a.n)
    mon = SpikeMonitor(P)
    # An explicit Network: run()'s magic collection would miss the synapses kept in a list.
    net = Network(P, mon, *syns)
    dur = a.duration * ms
    t0 = 0.0
    if a.mode == 'cpp_standalone':
        net.run(dur, report=None)
        st = time.time()
        b2.device.build(directory=d, compile=True, run=False, debug=False)
        comp = time.time() - st
        st = time.time()
        b2.device.run(directory=d, with_output=False, run_args=[])
        wall = time.time() - st
        secs = b2.device._last_run_time
        extra = {"compile_seconds": comp, "process_seconds": wall}
    else:
        st = time.time()
        net.run(dur, report=None)  # compiles and caches the Cython code
        first = time.time() - st
        t0 = a.duration
        st = time.time()
        net.run(dur, report=None)
        secs = time.time() - st
        extra = {"first_run_seconds": first}
    s = stats(mon, a.n, ne, t0, t0 + a.duration)
    out = {"tool": "brian2", "version": b2.__version__, "mode": a.mode, "model": a.model, "neurons": a.n,
           "synapses": int(sum(len(x) for x in syns)), "duration_ms": a.duration, "run_seconds": secs}
    out.update(s)
    out.update(extra)
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
