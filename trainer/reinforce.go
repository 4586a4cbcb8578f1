package trainer

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
)

// EnvFactory builds the environment of column col for its episode-th
// episode, with optional figures to attach to every trial record of that
// episode (a bandit's arm probabilities).
type EnvFactory func(col, episode int) (*tasks.Env, map[string]float64, error)

// Agent configures how a recurrent network acts in environments, shared by
// Play and A2C.
type Agent struct {
	Net networks.Recurrent
	// Actions is the number of discrete actions: the network's first
	// Actions outputs are their logits.
	Actions int
	Envs    EnvFactory
	// Columns is the number of environments run side by side (default 16).
	Columns int
	// EpisodeTrials > 0 makes an episode of that many trials: the factory
	// builds a fresh environment for each one, the network's state is kept
	// across the episode's trials and reset between episodes (meta-
	// reinforcement learning). With 0 the environment is built once and
	// the state is reset at every trial.
	EpisodeTrials int
	// PrevAction appends the previous action (one-hot) and reward to the
	// observation, as in Wang et al. 2018; the network then has
	// obs + Actions + 1 inputs.
	PrevAction bool
}

// TrialRecord is one finished trial.
type TrialRecord struct {
	Column      int
	Vars        map[string]float64 // the trial's variables and the factory's figures
	Choice      int                // the action on the trial's last step; −1 for fixation
	Reward      float64            // summed over the trial's steps
	Performance float64
}

// Example is one trial of column 0, step by step, for plots.
type Example struct {
	Inputs  [][]float32 // observations
	Outputs [][]float32 // action probabilities (softmax of the logits)
	GT      []int       // ground-truth actions
	Actions []int
	Hidden  [][]float32 // hidden activity (rates or spikes)
}

// agentRun is the state of the columns while acting.
type agentRun struct {
	a       *Agent
	envs    []*tasks.Env
	info    []map[string]float64
	episode []int
	trials  []int // trials finished in the current episode
	obs     [][]float32
	prevA   []int
	prevR   []float64
	reward  []float64
	vars    []map[string]float64
	records []TrialRecord
}

func (a *Agent) columns() int {
	if a.Columns <= 0 {
		return 16
	}
	return a.Columns
}

func (a *Agent) start() (*agentRun, error) {
	n := a.columns()
	r := &agentRun{a: a, envs: make([]*tasks.Env, n), info: make([]map[string]float64, n), episode: make([]int, n),
		trials: make([]int, n), obs: make([][]float32, n), prevA: make([]int, n), prevR: make([]float64, n),
		reward: make([]float64, n), vars: make([]map[string]float64, n)}
	for c := range n {
		if err := r.newEnv(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *agentRun) newEnv(c int) error {
	e, info, err := r.a.Envs(c, r.episode[c])
	if err != nil {
		return err
	}
	if len(e.Spec().Actions) != r.a.Actions {
		return fmt.Errorf("the task has %d actions, the agent %d", len(e.Spec().Actions), r.a.Actions)
	}
	r.envs[c], r.info[c] = e, info
	r.obs[c] = append(r.obs[c][:0], e.Reset()...)
	r.prevA[c], r.prevR[c] = -1, 0
	r.snapVars(c)
	return nil
}

func (r *agentRun) snapVars(c int) {
	m := map[string]float64{}
	for k, v := range r.envs[c].Trial().Vars {
		m[k] = v
	}
	for k, v := range r.info[c] {
		m[k] = v
	}
	r.vars[c] = m
}

// withJudged returns the variables vars of a trial (drawn when it began)
// with the keys its judge added by its end (ended: the ended trial's
// variables), in a copy when there are any; the variables drawn at the
// start keep their values.
func withJudged(vars, ended map[string]float64) map[string]float64 {
	var out map[string]float64
	for k, v := range ended {
		if _, ok := vars[k]; ok {
			continue
		}
		if out == nil {
			out = maps.Clone(vars)
			if out == nil {
				out = map[string]float64{}
			}
		}
		out[k] = v
	}
	if out == nil {
		return vars
	}
	return out
}

// input builds the network's input for the current step.
func (r *agentRun) input() *tensor.Tensor {
	n := len(r.envs)
	no := len(r.obs[0])
	w := no
	if r.a.PrevAction {
		w += r.a.Actions + 1
	}
	x := make([]float32, n*w)
	for c := range n {
		row := x[c*w : (c+1)*w]
		copy(row, r.obs[c])
		if r.a.PrevAction {
			if r.prevA[c] >= 0 {
				row[no+r.prevA[c]] = 1
			}
			row[no+r.a.Actions] = float32(r.prevR[c])
		}
	}
	return tensor.New([]int{n, w}, x)
}

// act steps every column with its action and returns the rewards and, per
// column, whether the network's state must be reset (keep 0) or not (1)
// and whether an episode (or, without episodes, a trial) ended.
func (r *agentRun) act(actions []int) (rewards []float64, keep []float32, done []bool, err error) {
	n := len(r.envs)
	rewards, keep, done = make([]float64, n), make([]float32, n), make([]bool, n)
	for c, e := range r.envs {
		res := e.Step(actions[c])
		rewards[c] = res.Reward
		r.reward[c] += res.Reward
		r.prevA[c], r.prevR[c] = actions[c], res.Reward
		r.obs[c] = append(r.obs[c][:0], res.Obs...)
		keep[c] = 1
		if !res.NewTrial {
			continue
		}
		choice := actions[c]
		if choice == 0 && e.Spec().HasFixation() {
			choice = -1
		}
		r.records = append(r.records, TrialRecord{Column: c, Vars: withJudged(r.vars[c], res.Vars), Choice: choice, Reward: r.reward[c], Performance: res.Performance})
		r.reward[c] = 0
		r.trials[c]++
		switch {
		case r.a.EpisodeTrials <= 0:
			keep[c], done[c] = 0, true
			r.snapVars(c)
		case r.trials[c] >= r.a.EpisodeTrials:
			keep[c], done[c] = 0, true
			r.trials[c] = 0
			r.episode[c]++
			if err := r.newEnv(c); err != nil {
				return nil, nil, nil, err
			}
		default:
			r.snapVars(c)
		}
	}
	return rewards, keep, done, nil
}

// PlayResult is what Play reports.
type PlayResult struct {
	Trials  []TrialRecord
	Example *Example
	// Activity of the finished trials, summed over their columns and
	// steps: Steps the steps, Inputs the nonzero input values, Hidden the
	// hidden activity (spikes for a spiking network). Operation counts
	// derive from them. InputBinary reports that every nonzero input
	// value was 1 (spikes).
	Steps          int
	Inputs, Hidden float64
	InputBinary    bool
}

// Performance is the mean performance of the trials.
func (p *PlayResult) Performance() float64 {
	var s float64
	for _, t := range p.Trials {
		s += t.Performance
	}
	return s / math.Max(1, float64(len(p.Trials)))
}

// MeanReward is the mean reward per trial.
func (p *PlayResult) MeanReward() float64 {
	var s float64
	for _, t := range p.Trials {
		s += t.Reward
	}
	return s / math.Max(1, float64(len(p.Trials)))
}

// Play runs the agent without a tape until at least trials trials have
// finished, acting greedily (the argmax of the logits) or, with sample,
// by drawing from their softmax with rng. It records column 0's first trial
// as an Example. The network's noise, if any, is drawn from rng.
func Play(a *Agent, trials int, sample bool, rng *rand.Rand) (*PlayResult, error) {
	run, err := a.start()
	if err != nil {
		return nil, err
	}
	st := a.Net.Start(nil, a.columns(), nil, rng)
	ex := &Example{}
	recording := true
	actions := make([]int, a.columns())
	probs := make([]float32, a.Actions)
	res := &PlayResult{InputBinary: true}
	// Each column's activity in its current trial, added to res when the
	// trial ends.
	cols := a.columns()
	steps, inputs, hidden := make([]int, cols), make([]float64, cols), make([]float64, cols)
	for len(run.records) < trials {
		x := run.input()
		out, hid := st.Step(x)
		w := out.Shape[1]
		xw, hw := x.Shape[1], hid.Shape[1]
		for c := range cols {
			steps[c]++
			for _, v := range x.Data[c*xw : (c+1)*xw] {
				if v != 0 {
					inputs[c]++
					res.InputBinary = res.InputBinary && v == 1
				}
			}
			for _, v := range hid.Data[c*hw : (c+1)*hw] {
				hidden[c] += float64(v)
			}
		}
		for c := range actions {
			softmax(probs, out.Data[c*w:c*w+a.Actions])
			if sample {
				actions[c] = draw(probs, rng)
			} else {
				actions[c] = argmax(probs)
			}
		}
		if recording {
			ex.Inputs = append(ex.Inputs, append([]float32(nil), x.Data[:x.Shape[1]]...))
			ex.Outputs = append(ex.Outputs, softmax(make([]float32, a.Actions), out.Data[:a.Actions]))
			ex.GT = append(ex.GT, run.envs[0].GroundTruth())
			ex.Actions = append(ex.Actions, actions[0])
			ex.Hidden = append(ex.Hidden, append([]float32(nil), hid.Data[:hid.Shape[1]]...))
		}
		nrec := len(run.records)
		_, keep, done, err := run.act(actions)
		if err != nil {
			return nil, err
		}
		for _, r := range run.records[nrec:] {
			c := r.Column
			res.Steps, res.Inputs, res.Hidden = res.Steps+steps[c], res.Inputs+inputs[c], res.Hidden+hidden[c]
			steps[c], inputs[c], hidden[c] = 0, 0, 0
		}
		if done[0] || (a.EpisodeTrials > 0 && len(run.records) > 0 && run.records[0].Column == 0) {
			recording = false
		}
		st.Keep(keep)
	}
	res.Trials, res.Example = run.records, ex
	return res, nil
}

func softmax(dst, x []float32) []float32 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	var s float64
	for i, v := range x {
		e := math.Exp(float64(v - m))
		dst[i] = float32(e)
		s += e
	}
	for i := range dst {
		dst[i] = float32(float64(dst[i]) / s)
	}
	return dst
}

func argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

func draw(p []float32, rng *rand.Rand) int {
	u := rng.Float32()
	for i, v := range p {
		u -= v
		if u < 0 {
			return i
		}
	}
	return len(p) - 1
}

// A2C trains a recurrent policy from reward alone, acting step by step in
// the agent's environments: advantage actor-critic, or REINFORCE with a
// learned baseline (Song, Yang and Wang 2017, "Reward-based training of
// recurrent neural networks for cognitive and value-based tasks", eLife
// 6:e21492; Mnih et al. 2016). Each update runs Rollout steps in every
// column on a tape, then minimizes
//
//	L = −Σ A·log π(a) − Entropy·Σ H(π) + ValueCoef·Σ (V − R)²   (means over steps and columns)
//
// with discounted returns R[t] = r[t] + γ·R[t+1] cut at the end of each
// trial (or episode) and, for the last unfinished one, bootstrapped with
// the critic's value (method "a2c") or not ("reinforce", Monte-Carlo
// returns); the advantage A = R − V is a constant (no gradient). The critic
// V is a linear readout of the policy network's hidden activity (Song et
// al. use a second network; a shared one learns faster here). The state is
// carried across updates (truncated BPTT) and reset at trial or episode
// boundaries.
type A2C struct {
	Agent
	Critic *networks.Dense // (units, 1)
	// Method is "a2c" (default) or "reinforce".
	Method string
	// Rollout is the steps per update (default 50); Updates the updates per
	// epoch (default 100).
	Rollout, Updates int
	// Gamma is the discount per step (0 means 0.99; Wang et al. use 0.9
	// for bandits).
	Gamma float64
	// Entropy weighs the entropy bonus; ValueCoef the critic's loss
	// (default 0.5).
	Entropy, ValueCoef float32
	Seed               uint64
	// KeepRecent is how many of the trials finished in training TakeRecent
	// can return (the latest; 0: none kept, so a long run holds no history).
	KeepRecent int

	tp    *tensor.Tape
	src   *rand.PCG // rng's source, whose state State saves
	rng   *rand.Rand
	run   *agentRun
	state []*tensor.Tensor
	// recent holds the last KeepRecent trials finished since the last call
	// of TakeRecent.
	recent []TrialRecord
}

// Params lists the policy's and the critic's trainable tensors.
func (t *A2C) Params() []*tensor.Tensor { return append(t.Net.Params(), t.Critic.Params()...) }

func (t *A2C) Batches(epoch int) int {
	if t.Updates <= 0 {
		return 100
	}
	return t.Updates
}

// TakeRecent returns and clears the trials finished in training since the
// last call.
func (t *A2C) TakeRecent() []TrialRecord {
	r := t.recent
	t.recent = nil
	return r
}

func (t *A2C) TrainStep(epoch, b int) (StepResult, error) {
	if t.tp == nil {
		t.tp = tensor.NewTape()
		t.src = rand.NewPCG(t.Seed, 0xa2c)
		t.rng = rand.New(t.src)
		run, err := t.start()
		if err != nil {
			return StepResult{}, err
		}
		t.run = run
	}
	steps := t.Rollout
	if steps <= 0 {
		steps = 50
	}
	gamma := t.Gamma
	if gamma == 0 {
		gamma = 0.99
	}
	vc := t.ValueCoef
	if vc == 0 {
		vc = 0.5
	}
	tp, run, na := t.tp, t.run, t.Actions
	cols := t.columns()
	st := t.Net.Start(tp, cols, t.state, t.rng)
	logps := make([]*tensor.Tensor, steps)
	values := make([]*tensor.Tensor, steps)
	acts := make([][]int, steps)
	rews := make([][]float64, steps)
	dones := make([][]bool, steps)
	nrec := len(run.records)
	probs := make([]float32, na)
	for s := range steps {
		out, hid := st.Step(run.input())
		logits := out
		if out.Shape[1] != na {
			panic(fmt.Sprintf("trainer: A2C: network has %d outputs for %d actions", out.Shape[1], na))
		}
		logps[s] = tp.LogSoftmax(logits)
		values[s] = t.Critic.Forward(tp, hid)
		a := make([]int, cols)
		for c := range cols {
			softmax(probs, logits.Data[c*na:(c+1)*na])
			a[c] = draw(probs, t.rng)
		}
		r, keep, done, err := run.act(a)
		if err != nil {
			return StepResult{}, err
		}
		acts[s], rews[s], dones[s] = a, r, done
		st.Keep(keep)
	}
	// Returns and advantages.
	adv := make([]float32, steps*cols)
	ret := make([]float32, steps*cols)
	for c := range cols {
		var R float64
		if t.Method != "reinforce" && !dones[steps-1][c] {
			// Bootstrap with the last step's value estimate (the state
			// after it is not yet seen by the critic).
			R = float64(values[steps-1].Data[c])
		}
		for s := steps - 1; s >= 0; s-- {
			if dones[s][c] {
				R = 0
			}
			R = rews[s][c] + gamma*R
			ret[s*cols+c] = float32(R)
			adv[s*cols+c] = float32(R) - values[s].Data[c]
		}
	}
	n := float32(steps * cols)
	lp := tp.Stack(logps) // (T, B, A)
	w := make([]float32, lp.Len())
	for s := range steps {
		for c := range cols {
			w[(s*cols+c)*na+acts[s][c]] = -adv[s*cols+c] / n
		}
	}
	loss := tp.Sum(tp.Mul(lp, tensor.New(lp.Shape, w)))
	if t.Entropy != 0 {
		// −H = Σ p log p.
		negH := tp.Sum(tp.Mul(tp.Exp(lp), lp))
		loss = tp.Add(loss, tp.Scale(negH, t.Entropy/n))
	}
	v := tp.Stack(values) // (T, B, 1)
	d := tp.Sub(v, tensor.New(v.Shape, ret))
	loss = tp.Add(loss, tp.Scale(tp.Sum(tp.Square(d)), vc/n))
	lv := float64(loss.Item())
	tp.Backward(loss)
	t.state = t.state[:0]
	for _, x := range st.State() {
		t.state = append(t.state, x.Clone())
	}
	tp.Reset()
	fresh := run.records[nrec:]
	if t.KeepRecent > 0 {
		t.recent = append(t.recent, fresh...)
		if over := len(t.recent) - t.KeepRecent; over > 0 {
			t.recent = append(t.recent[:0], t.recent[over:]...)
		}
	}
	var perf float64
	for _, r := range fresh {
		perf += r.Performance
	}
	// Keep the records of the run short; the loop reads them per step.
	run.records = run.records[:0]
	return StepResult{Loss: lv, Correct: int(perf + 0.5), Samples: len(fresh)}, nil
}

// A2CState is what A2C carries from one update to the next: its action
// generator, the network's state, and every column's environment in the
// middle of its trial with the agent's bookkeeping. A training checkpoint
// saves it, so that resuming gives the same bits as never stopping.
type A2CState struct {
	RNG     []byte        `json:"rng"`
	Hidden  []SavedTensor `json:"hidden,omitempty"` // the network's state (none before the first update)
	Columns []ColumnState `json:"columns"`
}

// SavedTensor is a tensor's shape and values.
type SavedTensor struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

// ColumnState is one column of an acting agent.
type ColumnState struct {
	Env     tasks.TrialState   `json:"env"`
	Episode int                `json:"episode"`
	Trials  int                `json:"trials"` // finished in the episode
	PrevA   int                `json:"prev_action"`
	PrevR   float64            `json:"prev_reward"`
	Reward  float64            `json:"reward"` // of the current trial so far
	Vars    map[string]float64 `json:"vars"`   // the current trial's, as it began
}

// State returns the state to save between updates; nil before the first
// update (a fresh A2C starts from the seed).
func (t *A2C) State() (*A2CState, error) {
	if t.tp == nil {
		return nil, nil
	}
	b, err := t.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	st := &A2CState{RNG: b}
	for _, x := range t.state {
		st.Hidden = append(st.Hidden, SavedTensor{Shape: slices.Clone(x.Shape), Data: slices.Clone(x.Data)})
	}
	r := t.run
	for c, e := range r.envs {
		es, err := e.TrialState()
		if err != nil {
			return nil, err
		}
		st.Columns = append(st.Columns, ColumnState{Env: es, Episode: r.episode[c], Trials: r.trials[c], PrevA: r.prevA[c],
			PrevR: r.prevR[c], Reward: r.reward[c], Vars: maps.Clone(r.vars[c])})
	}
	return st, nil
}

// SetState restores a state State returned; nil starts afresh.
func (t *A2C) SetState(st *A2CState) error {
	if st == nil {
		t.tp, t.src, t.rng, t.run, t.state = nil, nil, nil, nil, nil
		return nil
	}
	if n := t.columns(); len(st.Columns) != n {
		return fmt.Errorf("trainer: A2C state of %d columns for %d", len(st.Columns), n)
	}
	src := rand.NewPCG(0, 0)
	if err := src.UnmarshalBinary(st.RNG); err != nil {
		return fmt.Errorf("trainer: A2C action generator state: %v", err)
	}
	run, err := t.start()
	if err != nil {
		return err
	}
	for c, cs := range st.Columns {
		run.episode[c] = cs.Episode
		if err := run.newEnv(c); err != nil {
			return err
		}
		obs, err := run.envs[c].SetTrialState(cs.Env)
		if err != nil {
			return fmt.Errorf("trainer: A2C column %d: %v", c, err)
		}
		run.obs[c] = append(run.obs[c][:0], obs...)
		run.trials[c], run.prevA[c], run.prevR[c], run.reward[c], run.vars[c] = cs.Trials, cs.PrevA, cs.PrevR, cs.Reward, maps.Clone(cs.Vars)
	}
	var hidden []*tensor.Tensor
	for i, h := range st.Hidden {
		n := 1
		for _, d := range h.Shape {
			n *= d
		}
		if n != len(h.Data) {
			return fmt.Errorf("trainer: A2C network state %d: %d values for shape %v", i, len(h.Data), h.Shape)
		}
		hidden = append(hidden, tensor.New(slices.Clone(h.Shape), slices.Clone(h.Data)))
	}
	t.tp, t.src, t.rng, t.run, t.state = tensor.NewTape(), src, rand.New(src), run, hidden
	return nil
}
