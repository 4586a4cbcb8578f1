#!/usr/bin/python3
"""Yang et al. 2019's 20-task network, trained in plain PyTorch on the
paper's own trials, for a per-task reference beside `braingo train yang19`.

Yang, Joglekar, Song, Newsome & Wang (2019), "Task representations in neural
networks trained to perform many cognitive tasks", Nat. Neurosci. 22:297.
Their code (github.com/gyyang/multitask, TensorFlow 1) is not run and not
copied here: this script imports only its task generator, task.py (NumPy and
six only), from a checkout outside this repository (--multitask-src or
MULTITASK_SRC; only task.py is read), and re-implements the rest of the
setup of `experiment.train_all` in PyTorch from reading train.py and
network.py:

- hp: train.get_default_hp('all') with experiment.train_all's
  activation 'softplus' and w_rec_init 'diag': 256 leaky units, tau 100 ms,
  dt 20 ms (alpha 0.2), recurrent noise sigma_rec 0.05 (times sqrt(2/alpha)),
  input noise sigma_x 0.01 (in task.py), 32 units per ring, 1 + 2*32 + 20
  inputs, 1 + 32 sigmoid outputs, no regularisation.
- Training: each step draws one rule (contextdm1 and contextdm2 five times
  as often as the others, experiment.train_all's rule_prob_map) and one batch
  of 64 trials of it (task.generate_trials(rule, hp, 'random')); loss
  mean(((y - y_hat) * c_mask)^2) with task.py's cost mask; Adam 1e-3;
  gradients clipped elementwise to [-1, 1] (network.Model.set_optimizer).
- Weights: input part of the kernel randn/sqrt(n_input), recurrent part
  0.5 * identity, zero biases (LeakyRNNCell); output weights Glorot uniform,
  zero bias (TF's get_variable default).
- Evaluation (train.do_eval): per rule 16 batches of 32 fresh 'random'
  trials with the noise on, scored by network.get_perf: at the trial's last
  step, fixation output > 0.5 is fixating; otherwise the population vector
  of the 32 ring outputs must be within 0.2*pi (36 deg) of the target.

The paper trains up to 1e7 trials (train.train's max_steps, with target_perf
1.0 never reached); --trials sets this run's budget (default 512,000, the
trials of `braingo train yang19`). One JSON line per evaluation: trials,
train seconds, per-rule perf, mean and min, load average.

    MULTITASK_SRC=/path/to/multitask nice -n 19 /usr/bin/python3 \\
        baselines/yang19_multitask.py --trials 512000 --out y19ref.jsonl
"""

import argparse
import importlib.util
import json
import math
import os
import resource
import sys
import time
import warnings

import numpy as np
import torch

RULES = ['fdgo', 'reactgo', 'delaygo', 'fdanti', 'reactanti', 'delayanti',
         'dm1', 'dm2', 'contextdm1', 'contextdm2', 'multidm',
         'delaydm1', 'delaydm2', 'contextdelaydm1', 'contextdelaydm2',
         'multidelaydm', 'dmsgo', 'dmsnogo', 'dmcgo', 'dmcnogo']


def usage_error(msg):
    print('yang19_multitask: ' + msg, file=sys.stderr)
    sys.exit(2)


def load_task_module(src):
    path = os.path.join(src, 'task.py')
    if not os.path.isfile(path):
        usage_error('no task.py in %s (--multitask-src: a checkout of '
                    'github.com/gyyang/multitask)' % src)
    spec = importlib.util.spec_from_file_location('yang_task', path)
    mod = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        # task.py compares a string with `is` (a SyntaxWarning on Python 3.8+).
        warnings.simplefilter('ignore', SyntaxWarning)
        spec.loader.exec_module(mod)
    if list(mod.rules_dict['all']) != RULES:
        usage_error('%s: rules_dict["all"] is not the 20 rules of the paper' % path)
    return mod


def default_hp(seed):
    n_eachring, num_ring, n_rule = 32, 2, 20
    hp = {
        'batch_size_train': 64, 'batch_size_test': 512, 'loss_type': 'lsq',
        'activation': 'softplus', 'w_rec_init': 'diag',
        'tau': 100, 'dt': 20, 'sigma_rec': 0.05, 'sigma_x': 0.01,
        'n_eachring': n_eachring, 'num_ring': num_ring, 'n_rule': n_rule,
        'rule_start': 1 + num_ring * n_eachring,
        'n_input': 1 + num_ring * n_eachring + n_rule,
        'n_output': n_eachring + 1, 'n_rnn': 256, 'ruleset': 'all',
        'learning_rate': 0.001, 'seed': seed,
        'rng': np.random.RandomState(seed),
    }
    hp['alpha'] = hp['dt'] / hp['tau']
    prob = np.array([5.0 if r in ('contextdm1', 'contextdm2') else 1.0
                     for r in RULES])
    hp['rule_probs'] = prob / prob.sum()
    return hp


class LeakyRNN(torch.nn.Module):
    def __init__(self, hp, rng):
        super().__init__()
        n_in, n_rnn, n_out = hp['n_input'], hp['n_rnn'], hp['n_output']
        w_in = rng.randn(n_in, n_rnn) / np.sqrt(n_in) * 1.0
        w_rec = 0.5 * np.eye(n_rnn)
        self.w_in = torch.nn.Parameter(torch.tensor(w_in, dtype=torch.float32))
        self.w_rec = torch.nn.Parameter(torch.tensor(w_rec, dtype=torch.float32))
        self.b = torch.nn.Parameter(torch.zeros(n_rnn))
        lim = math.sqrt(6.0 / (n_rnn + n_out))
        self.w_out = torch.nn.Parameter(torch.empty(n_rnn, n_out).uniform_(-lim, lim))
        self.b_out = torch.nn.Parameter(torch.zeros(n_out))
        self.alpha = hp['alpha']
        self.sigma = math.sqrt(2.0 / self.alpha) * hp['sigma_rec']

    def forward(self, x):
        # x: (T, B, n_input) -> sigmoid outputs (T, B, n_output)
        T, B, _ = x.shape
        # The input part of every step at once; unbind, not drive[t], whose
        # backward would build a full-size zero tensor for every step.
        drive = (x @ self.w_in + self.b).unbind(0)
        noise = (torch.randn(T, B, self.w_rec.shape[0]) * self.sigma).unbind(0)
        h = torch.zeros(B, self.w_rec.shape[0])
        hs = []
        for t in range(T):
            g = drive[t] + h @ self.w_rec + noise[t]
            h = (1 - self.alpha) * h + self.alpha * torch.nn.functional.softplus(g)
            hs.append(h)
        hs = torch.stack(hs)
        return torch.sigmoid(hs @ self.w_out + self.b_out)


def popvec(y):
    pref = np.arange(0, 2 * np.pi, 2 * np.pi / y.shape[-1])
    s = y.sum(axis=-1)
    c = np.sum(y * np.cos(pref), axis=-1) / s
    n = np.sum(y * np.sin(pref), axis=-1) / s
    return np.mod(np.arctan2(n, c), 2 * np.pi)


def get_perf(y_hat, y_loc):
    """network.get_perf: the last time step only."""
    y_loc, y_hat = y_loc[-1], y_hat[-1]
    fixating = y_hat[..., 0] > 0.5
    d = np.abs(y_loc - popvec(y_hat[..., 1:]))
    corr_loc = np.minimum(d, 2 * np.pi - d) < 0.2 * np.pi
    should_fix = y_loc < 0
    return should_fix * fixating + (1 - should_fix) * corr_loc * (1 - fixating)


def evaluate(model, task, hp):
    perf = {}
    n_rep = 16
    with torch.no_grad():
        for rule in RULES:
            p = []
            for _ in range(n_rep):
                tr = task.generate_trials(rule, hp, 'random',
                                          batch_size=hp['batch_size_test'] // n_rep)
                y_hat = model(torch.from_numpy(tr.x)).numpy()
                p.append(np.mean(get_perf(y_hat, tr.y_loc)))
            perf[rule] = float(np.mean(p))
    return perf


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--multitask-src', default=os.environ.get('MULTITASK_SRC', ''))
    ap.add_argument('--trials', type=int, default=512000)
    ap.add_argument('--eval-every', type=int, default=64000,
                    help='trials between evaluations (and one at the end)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='')
    args = ap.parse_args()
    if not args.multitask_src:
        usage_error('--multitask-src (or MULTITASK_SRC) is required: a checkout '
                    'of github.com/gyyang/multitask')
    if args.trials <= 0 or args.eval_every <= 0:
        usage_error('--trials and --eval-every must be positive')
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    # task.py draws from hp['rng'], except multidm and multidelaydm, which
    # split a stimulus between the modalities with NumPy's global generator.
    np.random.seed(args.seed)
    task = load_task_module(args.multitask_src)
    hp = default_hp(args.seed)
    model = LeakyRNN(hp, np.random.RandomState(args.seed))
    opt = torch.optim.Adam(model.parameters(), lr=hp['learning_rate'])
    out = open(args.out, 'a') if args.out else None

    def report(trials, train_s):
        perf = evaluate(model, task, hp)
        rec = {'trials': trials, 'train_seconds': round(train_s, 1),
               'perf': perf, 'perf_avg': float(np.mean(list(perf.values()))),
               'perf_min': float(min(perf.values())),
               'loadavg_1m': os.getloadavg()[0],
               'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               'seed': args.seed, 'torch': torch.__version__,
               'torch_threads': torch.get_num_threads()}
        line = json.dumps(rec)
        print(line, flush=True)
        if out:
            out.write(line + '\n')
            out.flush()

    bs = hp['batch_size_train']
    steps = args.trials // bs
    every = max(1, args.eval_every // bs)
    train_s = 0.0
    report(0, 0.0)
    for step in range(1, steps + 1):
        rule = hp['rng'].choice(RULES, p=hp['rule_probs'])
        tr = task.generate_trials(rule, hp, 'random', batch_size=bs)
        t0 = time.perf_counter()
        x = torch.from_numpy(tr.x)
        y = torch.from_numpy(tr.y)
        c = torch.from_numpy(tr.c_mask).view(y.shape)
        y_hat = model(x)
        loss = torch.mean(((y - y_hat) * c) ** 2)
        opt.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.grad.clamp_(-1.0, 1.0)
        opt.step()
        train_s += time.perf_counter() - t0
        if step % every == 0 or step == steps:
            report(step * bs, train_s)
    if out:
        out.close()


if __name__ == '__main__':
    main()
