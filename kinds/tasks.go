package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tasks"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// TaskBPTTKind is the recipe kind of supervised training of a recurrent
// rate or spiking network on a cognitive task by BPTT; TaskRLKind trains
// one from reward alone (A2C or REINFORCE).
const (
	TaskBPTTKind = "task-bptt"
	TaskRLKind   = "task-rl"
)

func init() {
	recipes.RegisterKind(TaskBPTTKind, func() any { return new(TaskBPTT) })
	recipes.RegisterKind(TaskRLKind, func() any { return new(TaskRL) })
}

// TaskSpec names the task and its settings.
type TaskSpec struct {
	Name   string   `yaml:"name" default:"PerceptualDecisionMaking" help:"registered task (see braingo tasks)" alias:"task_name"`
	DT     float64  `yaml:"dt" range:"[0,)" default:"0" help:"time step in ms (0: the task's default)" alias:"dt"`
	Params []string `yaml:"params" default:"" help:"task parameters as name=value (e.g. sigma=1)"`
	Timing []string `yaml:"timing" default:"" help:"period durations as name=ms (constant), overriding the task's"`
}

func (t TaskSpec) options(seed uint64) (tasks.Task, tasks.Options, error) {
	p := tasks.Params{}
	for _, kv := range t.Params {
		k, v, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil {
			return nil, tasks.Options{}, recipes.Invalid("task.params", "want name=number, got %q", kv)
		}
		p[strings.TrimSpace(k)] = f
	}
	task, err := tasks.Lookup(t.Name, p)
	if err != nil {
		return nil, tasks.Options{}, recipes.Invalid("task.name", "%v", err)
	}
	o := tasks.Options{Seed: seed, DT: t.DT}
	for _, kv := range t.Timing {
		k, v, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil {
			return nil, tasks.Options{}, recipes.Invalid("task.timing", "want period=ms, got %q", kv)
		}
		if o.Timing == nil {
			o.Timing = map[string]tasks.Timing{}
		}
		o.Timing[strings.TrimSpace(k)] = tasks.Constant(f)
	}
	return task, o, nil
}

// TaskModel describes the recurrent network.
type TaskModel struct {
	Type       string  `yaml:"type" default:"rate" enum:"rate,rsnn" help:"rate RNN (Song, Yang and Wang 2016) or recurrent spiking network"`
	Units      int     `yaml:"units" range:"[1,)" default:"64" help:"recurrent units" alias:"units"`
	Tau        float64 `yaml:"tau" range:"(0,)" default:"100" help:"rate: unit time constant in ms (alpha = dt/tau); rsnn (lif, alif, gif): membrane time constant in ms"`
	Activation string  `yaml:"activation" default:"softplus" enum:"softplus,relu,tanh" help:"rate: nonlinearity"`
	SigmaRec   float64 `yaml:"sigma_rec" default:"0.05" help:"rate: recurrent noise sigma_rec"`
	Gain       float64 `yaml:"gain" default:"0" help:"rate: initial recurrent gain (0: 1 with Dale's law, 0.5 without)"`
	Dale       bool    `yaml:"dale" default:"false" help:"excitatory/inhibitory split with sign-constrained weights (Dale's law)"`
	Inhibitory float64 `yaml:"inhibitory" default:"0.2" help:"fraction of inhibitory units under Dale's law"`
	NoSelf     bool    `yaml:"no_self" default:"false" help:"no self-connections"`

	Neuron          string  `yaml:"neuron" default:"lif" enum:"lif,alif,gif,izhikevich,adex,hh" help:"rsnn: neuron model: lif, alif (Bellec 2020), gif (the BrainPy paper's, with after-spike currents), or one integrated at the task's step, which must then be at most 1 ms (task.dt): izhikevich (2003, regular spiking, forward Euler, current in mV/ms), adex (Brette and Gerstner 2005, regular spiking, forward Euler, current in pA) or hh (Traub-Miles Hodgkin-Huxley of the COBA-HH benchmark, exponential Euler, current in pA; a spike is an upward crossing of -20 mV); the last three are snn-classify's cells, trained by BPTT through their state, the surrogate on (v - v_peak)/10 mV (hh: hh_width), their current hidden_gain times the summed input"`
	HiddenGain      float64 `yaml:"hidden_gain" range:"(0,)" default:"1" help:"rsnn: fixed factor on the neurons' input current (the summed input and recurrent currents; the weights keep their scale): izhikevich reads mV/ms (e.g. 10), adex and hh pA (e.g. 500 and 4000)"`
	HHWidth         float64 `yaml:"hh_width" range:"(0,)" default:"10" help:"rsnn hh: width in mV of the spike's surrogate gradient: the surrogate sees (v - V_spike)/hh_width, V_spike = -20 mV"`
	HHGradient      string  `yaml:"hh_gradient" default:"membrane" enum:"membrane,full" help:"rsnn hh: the backward pass through the step: membrane (the gates m, h, n held: a leaky integrator whose leak is the present conductance) or full (the whole Jacobian of the step in v, m, h, n and the input)"`
	Threshold       float64 `yaml:"threshold" default:"1" help:"rsnn (lif, alif): firing threshold"`
	TauAdapt        float64 `yaml:"tau_adapt" default:"2000" help:"rsnn alif: threshold adaptation time constant in ms"`
	BetaA           float64 `yaml:"beta_a" default:"1.8" help:"rsnn alif: threshold adaptation strength"`
	TauI1           float64 `yaml:"tau_i1" default:"10" help:"rsnn gif: time constant of the after-spike current I1 in ms"`
	A1Inh           float64 `yaml:"a1_inh" default:"1" help:"rsnn gif: I1 amplitude of inhibitory neurons (excitatory: 0)"`
	A2              float64 `yaml:"a2" default:"-0.6" help:"rsnn gif: after-spike current I2 increment"`
	TauI2Min        float64 `yaml:"tau_i2_min" default:"100" help:"rsnn gif: I2 time constants drawn uniformly from [min, max] ms"`
	TauI2Max        float64 `yaml:"tau_i2_max" default:"3000" help:"rsnn gif: see tau_i2_min"`
	Surrogate       string  `yaml:"surrogate" default:"triangle" help:"rsnn: surrogate gradient, by name (braingo surrogates lists them)"`
	SGScale         float64 `yaml:"surrogate_scale" default:"0" help:"rsnn: the surrogate's main parameter (0: its default)"`
	TauIn           float64 `yaml:"tau_in" default:"0" help:"rsnn: time constant of the leaky input stage in ms (0: none)"`
	TauOut          float64 `yaml:"tau_out" default:"10" help:"rsnn: time constant of the leaky readout in ms"`
	InitScale       float64 `yaml:"init_scale" default:"1" help:"rsnn: scale of the Kaiming-normal initial weights"`
	RecConnectivity float64 `yaml:"rec_connectivity" range:"(0,1]" default:"1" help:"rsnn: connection probability of the recurrent weights (below 1: sparse CSR, the structure drawn from the seed, the values trained; BPTT only)"`
}

// TaskOptim configures the optimizer.
type TaskOptim struct {
	LR       float64 `yaml:"lr" range:"(0,)" default:"1e-3" help:"Adam learning rate" alias:"lr"`
	GradClip float64 `yaml:"grad_clip" default:"1" help:"clip the global gradient norm (0: off)"`
	Schedule string  `yaml:"schedule" default:"none" enum:"none,cosine" help:"learning-rate schedule over the epochs: constant, or cosine annealing from lr to 0 at the last epoch (set per epoch)"`
}

// TaskBPTT is the spec of a task-bptt recipe.
type TaskBPTT struct {
	Seed    int       `yaml:"seed" default:"1" help:"seed of initialization, trials and noise" alias:"seed"`
	Threads int       `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`
	Task    TaskSpec  `yaml:"task"`
	Model   TaskModel `yaml:"model"`
	Train   struct {
		TaskLoop       `yaml:",inline"`
		Stream         bool    `yaml:"stream" default:"false" help:"train on NeuroGym's concatenated stream instead of trial-aligned batches"`
		SeqLen         int     `yaml:"seq_len" range:"[1,)" default:"100" help:"stream: steps per batch"`
		ResponseWeight float64 `yaml:"response_weight" default:"1" help:"loss weight of steps whose ground truth is a response rather than fixation"`
		RateReg        float64 `yaml:"rate_reg" default:"0" help:"firing-rate regularizer weight"`
		RateTarget     float64 `yaml:"rate_target" default:"0" help:"target rate of the regularizer (spikes per step, or rate)"`
		MemReg         float64 `yaml:"mem_reg" default:"0" help:"membrane-range regularizer weight (rsnn)"`
		WeightL2       float64 `yaml:"weight_l2" default:"0" help:"L2 penalty on weight matrices"`
		Shards         int     `yaml:"shards" range:"[0,)" default:"0" help:"split each batch's trials into this many shards, run on their own and added in order (0: the whole batch at once); data-parallel training on MPI ranks needs one shard or more per rank, and a run gives the same bits on any number of ranks with the same shards"`
	} `yaml:"train"`
}

// TaskLoop is the training loop of the supervised task kinds (task-bptt,
// task-eprop): epochs of batches of trials, an optimizer, and an
// evaluation in the environment after each epoch.
type TaskLoop struct {
	Epochs        int       `yaml:"epochs" range:"[1,)" default:"10" help:"epochs (each: batches, then an evaluation)" alias:"epochs"`
	Batches       int       `yaml:"batches" range:"[1,)" default:"100" help:"batches per epoch" alias:"batches"`
	BatchSize     int       `yaml:"batch_size" range:"[1,)" default:"32" help:"trials per batch (columns run side by side)" alias:"batch_size"`
	Optim         TaskOptim `yaml:"optim"`
	EvalTrials    int       `yaml:"eval_trials" range:"[1,)" default:"400" help:"trials played after each epoch to measure performance" alias:"eval_trials"`
	Target        float64   `yaml:"target" default:"0" help:"stop once performance reaches this (0: never)"`
	TaskSelection `yaml:",inline"`
}

// TaskSelection is the validation protocol of the task kinds: held-out
// trials for model selection and early stopping, the test trials once.
type TaskSelection struct {
	Validation int `yaml:"validation" range:"[0,)" default:"0" help:"trials of held-out environments (seeds of their own, never trained or tested on) played after each epoch instead of the test trials: every epoch reports val_performance, the best epoch's parameters are kept (best.bgc) and the eval_trials test trials are played once, at the end, with them (test.json; braingo eval uses them too); 0: no validation, the test trials after every epoch" alias:"validation"`
	Patience   int `yaml:"patience" range:"[0,)" default:"0" help:"stop after this many epochs without a better performance (the validation performance with validation; 0: never)"`
}

// TaskRL is the spec of a task-rl recipe.
type TaskRL struct {
	Seed    int       `yaml:"seed" default:"1" help:"seed of initialization, environments and actions" alias:"seed"`
	Threads int       `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`
	Task    TaskSpec  `yaml:"task"`
	Model   TaskModel `yaml:"model"`
	Bandit  struct {
		Meta bool `yaml:"meta" default:"false" help:"two-armed bandit episodes with arm probabilities p and 1-p, p uniform in [0, 1), redrawn per episode (Wang et al. 2018)"`
	} `yaml:"bandit"`
	Train struct {
		Epochs        int       `yaml:"epochs" range:"[1,)" default:"10" help:"epochs" alias:"epochs"`
		Updates       int       `yaml:"updates" range:"[1,)" default:"100" help:"updates per epoch" alias:"updates"`
		Columns       int       `yaml:"columns" range:"[1,)" default:"32" help:"environments run side by side" alias:"batch_size"`
		Rollout       int       `yaml:"rollout" range:"[1,)" default:"50" help:"steps per update"`
		Method        string    `yaml:"method" default:"a2c" enum:"a2c,reinforce" help:"advantage actor-critic (bootstrapped) or REINFORCE with a learned baseline"`
		Gamma         float64   `yaml:"gamma" default:"0.99" help:"discount per step"`
		Entropy       float64   `yaml:"entropy" default:"0.01" help:"entropy bonus weight"`
		ValueCoef     float64   `yaml:"value_coef" default:"0.5" help:"critic loss weight"`
		EpisodeTrials int       `yaml:"episode_trials" default:"0" help:"trials per episode; the state is kept across them (0: reset every trial)"`
		PrevAction    bool      `yaml:"prev_action" default:"false" help:"feed the previous action and reward to the network"`
		Optim         TaskOptim `yaml:"optim"`
		EvalTrials    int       `yaml:"eval_trials" range:"[1,)" default:"1000" help:"trials played after each epoch" alias:"eval_trials"`
		EvalPolicy    string    `yaml:"eval_policy" default:"greedy" enum:"greedy,sample" help:"evaluate by the argmax of the policy (greedy) or by sampling it as in training (sample: for tasks whose policy must explore, as meta-RL bandits)"`
		Target        float64   `yaml:"target" default:"0" help:"stop once performance reaches this (0: never)"`
		TaskSelection `yaml:",inline"`
	} `yaml:"train"`
}

// Validate checks cross-field constraints.
func (c *TaskBPTT) Validate() error {
	if c.Model.cellNeuron() && c.Train.MemReg != 0 {
		return recipes.Invalid("train.mem_reg", "the membrane regularizer works in threshold units of lif, alif and gif neurons; %s neurons have none (want 0, got %v)", c.Model.Neuron, c.Train.MemReg)
	}
	if err := c.Model.validate(); err != nil {
		return err
	}
	return c.Model.validateStep(c.Task)
}

// Validate checks cross-field constraints.
func (c *TaskRL) Validate() error {
	switch {
	case c.Train.Gamma <= 0 || c.Train.Gamma > 1:
		return recipes.Invalid("train.gamma", "must be in (0, 1], got %v", c.Train.Gamma)
	}
	if err := c.Model.validate(); err != nil {
		return err
	}
	return c.Model.validateStep(c.Task)
}

// cellNeuron reports an rsnn of izhikevich, adex or hh neurons, integrated
// at the task's step.
func (m *TaskModel) cellNeuron() bool {
	switch m.Neuron {
	case "izhikevich", "adex", "hh":
		return m.Type == "rsnn"
	}
	return false
}

// validateStep refuses a task step too long for the model's neurons
// (task.dt, or the task's default step when it is 0).
func (m *TaskModel) validateStep(t TaskSpec) error {
	if !m.cellNeuron() {
		return nil
	}
	dt := t.DT
	if dt == 0 {
		task, _, err := t.options(0)
		if err != nil {
			return err
		}
		dt = task.Spec().DT
	}
	if dt > maxCellDT {
		return recipes.Invalid("task.dt", "%s neurons are integrated at the task's step, at most %v ms; %s steps %v ms (set task.dt, e.g. 1)", m.Neuron, maxCellDT, t.Name, dt)
	}
	return nil
}

func (m *TaskModel) validate() error {
	if err := checkSurrogate(m.Surrogate); err != nil {
		return err
	}
	switch {
	case m.Units < 2:
		return recipes.Invalid("model.units", "must be at least 2, got %d", m.Units)
	case m.Tau <= 0:
		return recipes.Invalid("model.tau", "must be positive, got %v", m.Tau)
	case m.Inhibitory <= 0 || m.Inhibitory >= 1:
		return recipes.Invalid("model.inhibitory", "must be in (0, 1), got %v", m.Inhibitory)
	}
	return nil
}

// maxCellDT is the largest step in ms at which the izhikevich, adex and
// hh neurons are integrated (one step of their cell per task step):
// Izhikevich's own simulations step 1 ms (0.5 ms for v), HH's exponential
// Euler is stable up to 1 ms (snn's TestHHExpEulerLargeSteps), forward
// Euler of AdEx's 9.4-ms membrane likewise.
const maxCellDT = 1

// build returns the network for a task with nin inputs and nout outputs at
// step dt ms.
func (m *TaskModel) build(nin, nout int, dt float64, seed int) (networks.Recurrent, error) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7a5c))
	if m.Type == "rate" {
		return networks.NewRateRNN("rnn", networks.RateConfig{Inputs: nin, Units: m.Units, Outputs: nout,
			Alpha: math.Min(1, dt/m.Tau), Activation: m.Activation, SigmaRec: m.SigmaRec, Dale: m.Dale,
			EFrac: 1 - m.Inhibitory, NoSelf: m.NoSelf, Gain: m.Gain}, r), nil
	}
	sg, err := surrogateFor(m.Surrogate, m.SGScale)
	if err != nil {
		return nil, err
	}
	inh := 0
	if m.Dale {
		inh = int(math.Round(m.Inhibitory * float64(m.Units)))
	}
	net := networks.NewRSNN("rsnn", networks.RSNNConfig{Inputs: nin, Units: m.Units, Outputs: nout, Neuron: m.Neuron,
		Inhibitory: inh, NoSelf: m.NoSelf, InitScale: m.InitScale, RecP: m.RecConnectivity, RecSeed: uint64(seed)<<8 + 0x5e}, r)
	decay := func(tau float64) float32 {
		if tau <= 0 {
			return 0
		}
		return float32(math.Exp(-dt / tau))
	}
	beta := decay(m.Tau)
	net.LIF = snn.LIF{Beta: beta, Threshold: float32(m.Threshold), Surrogate: sg}
	net.ALIF = snn.ALIF{Beta: beta, Rho: decay(m.TauAdapt), BetaA: float32(m.BetaA), Threshold: float32(m.Threshold), Surrogate: sg}
	n := m.Units
	g := snn.GIF{Tau: float32(m.Tau), Tau1: float32(m.TauI1), DT: float32(dt), Surrogate: sg,
		Tau2: make([]float32, n), A1: make([]float32, n), A2: make([]float32, n)}
	for i := range n {
		g.Tau2[i] = float32(m.TauI2Min + (m.TauI2Max-m.TauI2Min)*r.Float64())
		g.A2[i] = float32(m.A2)
		if net.Sign != nil && net.Sign[i] < 0 {
			g.A1[i] = float32(m.A1Inh)
		}
	}
	net.GIF = g
	switch m.Neuron {
	case "izhikevich":
		net.Cell = snn.IzhikevichCell{Izhikevich: snn.Izhikevich{Dt: float32(dt), Surrogate: sg}}
	case "adex":
		net.Cell = snn.AdExCell{AdEx: snn.AdEx{Dt: float32(dt), Surrogate: sg}}
	case "hh":
		net.Cell = snn.HHCell{HH: snn.HH{Model: snn.TraubMiles(dt), Scale: float32(m.HHWidth), Surrogate: sg, DetachGates: m.HHGradient == "membrane"}}
	}
	if net.Cell != nil && dt > maxCellDT {
		return nil, recipes.Invalid("task.dt", "%s neurons are integrated at the task's step, at most %v ms; the task steps %v ms (set task.dt, e.g. 1)", m.Neuron, maxCellDT, dt)
	}
	net.Gain = float32(m.HiddenGain)
	net.InBeta, net.OutBeta = decay(m.TauIn), decay(m.TauOut)
	net.BinaryInput = true
	return net, nil
}

// TaskLine is the JSON object printed per epoch with --json.
type TaskLine struct {
	Epoch        int     `json:"epoch"`
	TrainSeconds float64 `json:"train_seconds"`
	TotalSeconds float64 `json:"total_seconds"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_acc,omitempty"`
	// Performance and MeanReward are the test trials'; with validation,
	// ValPerformance and ValMeanReward the validation trials' instead.
	Performance    *float64 `json:"performance,omitempty"`
	MeanReward     *float64 `json:"mean_reward,omitempty"`
	ValPerformance *float64 `json:"val_performance,omitempty"`
	ValMeanReward  *float64 `json:"val_mean_reward,omitempty"`
	Regret         float64  `json:"regret,omitempty"`
	RegretFixed    float64  `json:"regret_fixed_arm,omitempty"` // always pulling arm 0 on the same episodes
	HiddenRate     float64  `json:"hidden_rate,omitempty"`
	SynOps         float64  `json:"synops_per_sample,omitempty"` // spiking networks: synaptic operations per evaluation trial (opCount)
	// Groups is the performance per group of trials (the Yang19
	// collection's rules), for a task with groups; with validation, on
	// the validation trials.
	Groups map[string]float64 `json:"performance_by_group,omitempty"`
	// PerfYang and GroupsYang score the same trials by Yang et al.'s
	// criterion (a response within 36° of the target, fixation held until
	// the decision), for the Yang19 collection's tasks.
	PerfYang   *float64           `json:"perf_yang,omitempty"`
	GroupsYang map[string]float64 `json:"perf_yang_by_group,omitempty"`
	PeakRSSMB  float64            `json:"peak_rss_mb"`
}

type taskRun struct {
	r       *recipes.Recipe
	opts    *RunDir
	spec    tasks.Spec
	net     networks.Recurrent
	extra   []*tensor.Tensor // trained tensors beyond the network's (the critic)
	opt     optimizer
	agent   *trainer.Agent // plays the test trials
	val     *trainer.Agent // plays the validation trials (nil: no validation)
	valN    int
	sel     TaskSelection
	seed    uint64
	target  float64
	evalN   int
	sample  bool // evaluate by sampling the policy instead of its argmax
	history []eval.EpochRecord
	start   time.Time
	last    *trainer.PlayResult
	regret  func(*trainer.PlayResult) float64
	groups  tasks.Grouped     // the task's groups of trials (Yang19's rules), or nil
	seq     *trainer.Sequence // task-bptt: its random state goes into checkpoints
	data    *tasks.Dataset    // task-eprop: its trial generators' state goes into checkpoints
	a2c     *trainer.A2C      // task-rl: its columns' state (mid-trial) goes into checkpoints
}

func (tr *taskRun) params() []*tensor.Tensor { return append(tr.net.Params(), tr.extra...) }

func newOptimizer(params []*tensor.Tensor, o TaskOptim) (optimizer, error) {
	return optim.New(params, optim.AdamConfig{LR: o.LR, Beta1: 0.9, Beta2: 0.999})
}

// Run trains a task-bptt recipe into opts.Dir.
func (c *TaskBPTT) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	tr, seq, err := c.prepare(r, opts)
	if err != nil {
		return err
	}
	return tr.run(ctx, seq, c.Train.Epochs, c.Train.Optim)
}

// taskData is a task recipe's task, its options and its batch dataset.
type taskData struct {
	task tasks.Task
	o    tasks.Options
	ds   *tasks.Dataset
	spec tasks.Spec
}

// data builds the recipe's task and its batch dataset.
func (c *TaskBPTT) data() (taskData, error) {
	task, o, err := c.Task.options(uint64(c.Seed))
	if err != nil {
		return taskData{}, err
	}
	ds, err := tasks.NewDataset(task, o, tasks.DatasetConfig{BatchSize: c.Train.BatchSize, SeqLen: c.Train.SeqLen})
	if err != nil {
		return taskData{}, recipes.Invalid("task", "%v", err)
	}
	return taskData{task, o, ds, ds.Spec()}, nil
}

// network builds the recipe's recurrent network for d's task.
func (c *TaskBPTT) network(d taskData) (networks.Recurrent, error) {
	return c.Model.build(len(d.spec.Obs), len(d.spec.Actions), d.spec.DT, c.Seed)
}

// prepare builds a task-bptt run: its network, evaluation agent and
// training sequence.
func (c *TaskBPTT) prepare(r *recipes.Recipe, opts *RunDir) (*taskRun, *trainer.Sequence, error) {
	d, err := c.data()
	if err != nil {
		return nil, nil, err
	}
	net, err := c.network(d)
	if err != nil {
		return nil, nil, err
	}
	tr, seq := c.taskRun(r, opts, d, net)
	return tr, seq, nil
}

// taskRun is the run of net on d's task as the recipe's train section
// says: the evaluation agent and the training sequence.
func (c *TaskBPTT) taskRun(r *recipes.Recipe, opts *RunDir, d taskData, net networks.Recurrent) (*taskRun, *trainer.Sequence) {
	spec := d.spec
	tr := &taskRun{r: r, opts: opts, spec: spec, net: net, seed: uint64(c.Seed), target: c.Train.Target, evalN: c.Train.EvalTrials}
	tr.groups, _ = d.task.(tasks.Grouped)
	tr.agent = &trainer.Agent{Net: net, Actions: len(spec.Actions), Columns: c.Train.BatchSize,
		Envs: evalEnvs(d.task, d.o, uint64(c.Seed)+testSeed)}
	tr.validation(c.Train.TaskSelection, evalEnvs(d.task, d.o, uint64(c.Seed)+valSeed))
	seq := &trainer.Sequence{Net: net, Data: d.ds, Steps: c.Train.Batches, Stream: c.Train.Stream, Seed: uint64(c.Seed),
		Continuous: len(spec.Targets) > 0 && len(spec.Actions) == 0,
		RateReg:    float32(c.Train.RateReg), RateTarget: float32(c.Train.RateTarget), MemReg: float32(c.Train.MemReg),
		WeightL2: float32(c.Train.WeightL2), ResponseWeight: float32(c.Train.ResponseWeight),
		Shards: c.Train.Shards, Exchange: opts.shards}
	tr.seq = seq
	return tr, seq
}

// testSeed and valSeed offset the recipe's seed for the test and the
// validation trials' environments: seeds of their own, which training's
// environments (the recipe's seed) never use.
const (
	testSeed = 0x5eed
	valSeed  = 0x7a1d
)

// evalEnvs gives evaluation environments on seed, the same at every
// evaluation.
func evalEnvs(task tasks.Task, o tasks.Options, seed uint64) trainer.EnvFactory {
	return func(col, ep int) (*tasks.Env, map[string]float64, error) {
		oo := o
		oo.Seed, oo.Stream = seed, uint64(col+1)
		e, err := tasks.NewEnv(task, oo)
		return e, nil, err
	}
}

// validation sets up the validation trials of s: the test agent's twin on
// envs.
func (tr *taskRun) validation(s TaskSelection, envs trainer.EnvFactory) {
	tr.sel, tr.valN = s, s.Validation
	if s.Validation > 0 {
		a := *tr.agent
		a.Envs = envs
		tr.val = &a
	}
}

// Run trains a task-rl recipe into opts.Dir.
func (c *TaskRL) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	tr, a2c, err := c.prepare(r, opts)
	if err != nil {
		return err
	}
	return tr.run(ctx, a2c, c.Train.Epochs, c.Train.Optim)
}

// prepare builds a task-rl run: its network and critic, evaluation agent
// and A2C learner.
func (c *TaskRL) prepare(r *recipes.Recipe, opts *RunDir) (*taskRun, *trainer.A2C, error) {
	task, o, err := c.Task.options(uint64(c.Seed))
	if err != nil {
		return nil, nil, err
	}
	probe, err := tasks.NewEnv(task, o)
	if err != nil {
		return nil, nil, recipes.Invalid("task", "%v", err)
	}
	spec := probe.Spec()
	na := len(spec.Actions)
	nin := len(spec.Obs)
	if c.Train.PrevAction {
		nin += na + 1
	}
	net, err := c.Model.build(nin, na, spec.DT, c.Seed)
	if err != nil {
		return nil, nil, err
	}
	units := c.Model.Units
	critic := networks.NewDense("critic", units, 1, true, rand.New(rand.NewPCG(uint64(c.Seed), 0xc71c)))
	tr := &taskRun{r: r, opts: opts, spec: spec, net: net, extra: critic.Params(), seed: uint64(c.Seed), target: c.Train.Target, evalN: c.Train.EvalTrials,
		sample: c.Train.EvalPolicy == "sample"}
	factory := func(base uint64) trainer.EnvFactory {
		return func(col, ep int) (*tasks.Env, map[string]float64, error) {
			oo := o
			oo.Seed, oo.Stream = base, uint64(col+1)+uint64(ep)<<20
			if !c.Bandit.Meta {
				e, err := tasks.NewEnv(task, oo)
				return e, nil, err
			}
			// Arm probabilities from a stream of their own per (column, episode).
			pr := rand.New(rand.NewPCG(base^0xba4d17, oo.Stream))
			p := pr.Float64()
			e, err := tasks.NewEnv(&tasks.Bandit{N: 2, P: []float64{p, 1 - p}}, oo)
			return e, map[string]float64{"p0": p, "p1": 1 - p}, err
		}
	}
	agent := trainer.Agent{Net: net, Actions: na, Columns: c.Train.Columns, EpisodeTrials: c.Train.EpisodeTrials,
		PrevAction: c.Train.PrevAction, Envs: factory(uint64(c.Seed))}
	eagent := agent
	eagent.Envs = factory(uint64(c.Seed) + testSeed)
	tr.agent = &eagent
	tr.validation(c.Train.TaskSelection, factory(uint64(c.Seed)+valSeed))
	if c.Bandit.Meta {
		tr.regret = banditRegret
	}
	a2c := &trainer.A2C{Agent: agent, Critic: critic, Method: c.Train.Method, Rollout: c.Train.Rollout, Updates: c.Train.Updates,
		Gamma: c.Train.Gamma, Entropy: float32(c.Train.Entropy), ValueCoef: float32(c.Train.ValueCoef), Seed: uint64(c.Seed)}
	tr.a2c = a2c
	return tr, a2c, nil
}

// banditRegret is the mean regret per trial: the best arm's probability
// minus the chosen arm's.
func banditRegret(p *trainer.PlayResult) float64 {
	var s float64
	for _, t := range p.Trials {
		best := math.Max(t.Vars["p0"], t.Vars["p1"])
		s += best - t.Vars[fmt.Sprint("p", t.Choice)]
	}
	return s / math.Max(1, float64(len(p.Trials)))
}

func (tr *taskRun) run(ctx context.Context, task trainer.Task, epochs int, o TaskOptim) error {
	opts := tr.opts
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	opt, err := newOptimizer(tr.params(), o)
	if err != nil {
		return err
	}
	tr.opt = opt
	sched, err := epochSchedule(opt, o.Schedule, epochs)
	if err != nil {
		return err
	}
	startEpoch := 1
	ckpt := filepath.Join(opts.Dir, CheckpointFile)
	ep, history, err := opts.resume(tr.restore)
	if err != nil {
		return err
	}
	tr.history = history
	startEpoch = ep + 1
	sched.advance(min(ep, epochs))
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	var step trainer.Optimizer = opt
	if o.GradClip > 0 {
		step = clipped{opt, tr.params(), o.GradClip}
	}
	tr.start = time.Now()
	var trainSeconds float64
	// With validation trials, each epoch is scored on them, and the best
	// epoch's parameters are kept for the one test evaluation at the end.
	measure := "performance"
	if tr.val != nil {
		measure = "val_performance"
	}
	sel := newSelection(measure, tr.sel.Patience, tr.history)
	hook := trainer.EpochFunc{Label: "evaluate", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		trainSeconds += e.TrainSeconds
		var res *trainer.PlayResult
		var err error
		if tr.val != nil {
			res, err = tr.validate()
		} else {
			res, err = tr.evaluate()
		}
		if err != nil {
			return err
		}
		tr.last = res
		perf, rew := res.Performance(), res.MeanReward()
		e.Extra[measure] = perf
		rec := eval.NewRecord(e.Epoch)
		rec.TrainLoss, rec.TrainAcc = e.TrainLoss, e.TrainAcc
		rec.Seconds, rec.SamplesPerSec = e.TrainSeconds, e.SamplesPerS
		rec.Extra = map[string]float64{"peak_rss_mb": sysinfo.PeakRSSMB()}
		line := TaskLine{Epoch: e.Epoch, TrainSeconds: trainSeconds, TotalSeconds: time.Since(tr.start).Seconds(),
			TrainLoss: e.TrainLoss, TrainAcc: e.TrainAcc, PeakRSSMB: sysinfo.PeakRSSMB()}
		if tr.val != nil {
			rec.Extra["val_performance"], rec.Extra["val_mean_reward"] = perf, rew
			line.ValPerformance, line.ValMeanReward = &perf, &rew
		} else {
			rec.TestAcc = perf
			rec.Extra["performance"], rec.Extra["mean_reward"] = perf, rew
			line.Performance, line.MeanReward = &perf, &rew
		}
		if py, ok := perfYang(res); ok {
			key := "perf_yang"
			if tr.val != nil {
				key = "val_perf_yang"
			}
			rec.Extra[key], line.PerfYang = py, &py
		}
		if tr.groups != nil {
			line.Groups, line.GroupsYang = groupMaps(tr.groups, res)
		}
		if tr.regret != nil {
			line.Regret, line.RegretFixed = tr.regrets(res)
			rec.Extra["regret"], rec.Extra["regret_fixed_arm"] = line.Regret, line.RegretFixed
		}
		if ops, rate, ok := rsnnOps(tr.net, res); ok {
			ops.add(rec.Extra)
			line.SynOps = ops.total()
			rec.Rates = []eval.LayerRate{{Layer: "hidden", Neurons: tr.net.(*networks.RSNN).In.Out(), Rate: rate, Silent: -1}}
		}
		if h := res.Example.Hidden; len(h) > 0 {
			var s float64
			for _, row := range h {
				for _, v := range row {
					s += float64(v)
				}
			}
			line.HiddenRate = s / float64(len(h)*len(h[0]))
		}
		tr.history = append(tr.history, rec)
		if err := opts.AppendMetrics(rec); err != nil {
			return err
		}
		if tr.val != nil && sel.improved(perf) {
			if err := tr.save(opts.Path(BestFile), e.Epoch); err != nil {
				return err
			}
		}
		if err := tr.save(ckpt, e.Epoch); err != nil {
			return err
		}
		sched.advance(1)
		if opts.JSON {
			if err := json.NewEncoder(opts.Stdout).Encode(line); err != nil {
				return err
			}
		} else {
			set := ""
			if tr.val != nil {
				set = "validation "
			}
			fmt.Fprintf(opts.Stderr, "epoch %d: loss %.4f %sperformance %.3f reward %.3f (%.0f s training)\n", e.Epoch, e.TrainLoss, set, perf, rew, trainSeconds)
		}
		if tr.target > 0 && perf >= tr.target {
			return trainer.ErrStop
		}
		return nil
	}}
	hooks := append([]trainer.Hook{&trainer.Progress{W: opts.Stderr, Force: opts.ForceProgress}, trainer.NaNGuard{Params: tr.params()}, hook}, sel.hooks()...)
	loop := &trainer.Loop{Task: task, Optimizer: step, Epochs: epochs, StartEpoch: startEpoch, Hooks: hooks}
	runErr := loop.Run(ctx)
	if tr.val != nil && runErr == nil {
		if err := tr.test(sel.best); err != nil {
			return err
		}
	}
	if tr.last != nil {
		if err := tr.report(); err != nil && runErr == nil {
			runErr = err
		}
	}
	if errors.Is(runErr, trainer.ErrNotFinite) {
		return fmt.Errorf("%w; the run directory %s keeps the last good checkpoint", runErr, opts.Dir)
	}
	return runErr
}

// schedule steps a recipe's learning-rate schedule once per finished
// epoch; a nil schedule (constant rate) does nothing.
type schedule struct{ s *optim.Scheduler }

// epochSchedule returns the schedule named by a recipe's schedule field
// ("none" or "cosine", annealing from the rate to 0 over epochs).
func epochSchedule(opt optimizer, name string, epochs int) (*schedule, error) {
	if name != "cosine" {
		return &schedule{}, nil
	}
	s, err := optim.NewScheduler(opt.(optim.Optimizer), optim.CosineAnnealingLR{TMax: epochs})
	return &schedule{s}, err
}

// advance steps the schedule over n finished epochs (a resumed run's
// epochs, then one per epoch: the rate is a function of the epoch).
func (sc *schedule) advance(n int) {
	for range n {
		if sc.s != nil {
			sc.s.Step()
		}
	}
}

// evaluate plays the test trials, the same ones at every epoch.
func (tr *taskRun) evaluate() (*trainer.PlayResult, error) {
	return trainer.Play(tr.agent, tr.evalN, tr.sample, rand.New(rand.NewPCG(tr.seed, 0xe7a1)))
}

// validate plays the validation trials, the same ones at every epoch.
func (tr *taskRun) validate() (*trainer.PlayResult, error) {
	return trainer.Play(tr.val, tr.valN, tr.sample, rand.New(rand.NewPCG(tr.seed, 0x7a1d)))
}

// TaskTestResult is a validated task run's test.json: the test trials
// played once, with the parameters of the best validation epoch.
type TaskTestResult struct {
	BestEpoch      int     `json:"best_epoch"`
	ValPerformance float64 `json:"val_performance"`
	Performance    float64 `json:"performance"`
	MeanReward     float64 `json:"mean_reward"`
	Trials         int     `json:"trials"`
}

// test plays the test trials once with the best validation epoch's
// parameters (best.bgc, of validation performance best) and writes
// test.json; the report's figures are then the test's.
func (tr *taskRun) test(best float64) error {
	ep, _, err := restoreMeta(tr.opts.Path(BestFile), taskCheckpointFormat, tr.params(), nil)
	if err != nil {
		return err
	}
	res, err := tr.evaluate()
	if err != nil {
		return err
	}
	tr.last = res
	out := TaskTestResult{BestEpoch: ep, ValPerformance: best, Performance: res.Performance(), MeanReward: res.MeanReward(), Trials: len(res.Trials)}
	if err := writeTestFile(tr.opts, out); err != nil {
		return err
	}
	if tr.opts.JSON {
		return json.NewEncoder(tr.opts.Stdout).Encode(out)
	}
	fmt.Fprintf(tr.opts.Stdout, "\ntest performance %.1f%% with the parameters of epoch %d (best validation performance %.1f%%)\n",
		100*out.Performance, ep, 100*best)
	return nil
}

// TaskEvaluation is braingo eval's result for a task run.
type TaskEvaluation struct {
	Task        string
	Trials      int
	Performance float64 // fraction of trials answered correctly
	MeanReward  float64 // per trial
	// Regret and RegretFixed (meta-learning bandits only, else NaN): the
	// mean regret per trial of the network and of always pulling arm 0.
	Regret, RegretFixed float64
	// PerfYang is Yang et al.'s criterion on the same trials (a response
	// within 36° of the target, fixation held until the decision): the
	// Yang19 collection's tasks only, else nil.
	PerfYang *float64
	// Groups are the figures per group of trials (the Yang19
	// collection's rules), for a task with groups.
	Groups groupScores
}

// EvaluateTaskRun loads a task-bptt or task-rl run directory's recipe and
// checkpoint and plays the evaluation trials of training's per-epoch
// evaluation, so a finished run reproduces its last epoch's performance.
func EvaluateTaskRun(dir string) (*TaskEvaluation, error) {
	r, err := recipes.Load(filepath.Join(dir, recipes.EchoFile), nil)
	if err != nil {
		return nil, err
	}
	var tr *taskRun
	var threads int
	switch c := r.Spec.(type) {
	case *TaskBPTT:
		threads = c.Threads
		tr, _, err = c.prepare(r, &RunDir{RunOptions: RunOptions{Dir: dir, Stdout: io.Discard, Stderr: io.Discard}, Recipe: r})
	case *TaskRL:
		threads = c.Threads
		tr, _, err = c.prepare(r, &RunDir{RunOptions: RunOptions{Dir: dir, Stdout: io.Discard, Stderr: io.Discard}, Recipe: r})
	default:
		return nil, fmt.Errorf("%s: recipe kind %s is not a task kind", dir, r.Kind)
	}
	if err != nil {
		return nil, err
	}
	prev := kernels.SetThreads(threads)
	defer kernels.SetThreads(prev)
	if _, err := tr.restore(bestOrLast(tr.opts)); err != nil {
		return nil, err
	}
	res, err := tr.evaluate()
	if err != nil {
		return nil, err
	}
	ev := &TaskEvaluation{Task: tr.spec.Name, Trials: len(res.Trials), Performance: res.Performance(), MeanReward: res.MeanReward(),
		Regret: math.NaN(), RegretFixed: math.NaN()}
	if tr.regret != nil {
		ev.Regret, ev.RegretFixed = tr.regrets(res)
	}
	if py, ok := perfYang(res); ok {
		ev.PerfYang = &py
	}
	if tr.groups != nil {
		ev.Groups = groupPerformance(tr.groups, res)
	}
	return ev, nil
}

// regrets is the mean regret per trial of the evaluation res and of always
// pulling arm 0 on the same episodes (tr.regret must be set).
func (tr *taskRun) regrets(res *trainer.PlayResult) (regret, fixedArm float64) {
	fixed := *res
	fixed.Trials = make([]trainer.TrialRecord, len(res.Trials))
	for i, t := range res.Trials {
		t.Choice = 0
		fixed.Trials[i] = t
	}
	return tr.regret(res), tr.regret(&fixed)
}

// report writes the plots and, without JSON, a summary.
func (tr *taskRun) report() error {
	dir := tr.opts.Dir
	files := []string{recipes.EchoFile, eval.MetricsFile, CheckpointFile, eval.CurvesFile, eval.TrialFile}
	if tr.val != nil {
		files = append(files, BestFile, TestFile)
	}
	if err := eval.WriteCurves(dir, tr.history); err != nil {
		return err
	}
	if err := eval.WriteTrial(filepath.Join(dir, eval.TrialFile), tr.last.Example, tr.spec.DT, tr.spec.Obs, tr.spec.Actions, 16); err != nil {
		return err
	}
	var psy *eval.Psychometric
	if len(tr.spec.Actions) == 3 && tr.spec.HasFixation() {
		p := eval.PsychometricFromTrials(tr.last.Trials, "coh", 2)
		if len(p.X) > 1 {
			psy = &p
			if err := eval.WritePsychometric(filepath.Join(dir, eval.PsychometricFile), p, "signed coherence (%)", tr.spec.Actions[2]); err != nil {
				return err
			}
			files = append(files, eval.PsychometricFile)
		}
	}
	if tr.opts.JSON {
		return nil
	}
	w := tr.opts.Stdout
	fmt.Fprintf(w, "\n%s: %d epochs, performance %.1f%%, mean reward per trial %.3f\n", tr.spec.Name, len(tr.history), 100*tr.last.Performance(), tr.last.MeanReward())
	if err := eval.WriteEpochTable(w, tr.history); err != nil {
		return err
	}
	if tr.groups != nil {
		writeGroupTable(w, tr.groups, tr.last)
	}
	if psy != nil {
		fmt.Fprintf(w, "psychometric: logistic bias %.3f slope %.3f per %% coherence\n", psy.Fit.Bias, psy.Fit.Slope)
	}
	fmt.Fprintf(w, "run directory %s: %s\n", dir, strings.Join(files, ", "))
	return nil
}

const taskCheckpointFormat = "braingo-task/1"

func (tr *taskRun) save(path string, epoch int) error {
	var rng json.RawMessage
	if tr.seq != nil && !tr.seq.Stream {
		st, err := tr.seq.State()
		if err != nil {
			return err
		}
		if rng, err = json.Marshal(st); err != nil {
			return err
		}
	}
	if tr.seq == nil && tr.data != nil {
		var err error
		if rng, err = dataState(tr.data); err != nil {
			return err
		}
	}
	if tr.a2c != nil {
		st, err := tr.a2c.State()
		if err != nil {
			return err
		}
		if rng, err = json.Marshal(st); err != nil {
			return err
		}
	}
	return saveTrainingRNG(path, taskCheckpointFormat, tr.r, tr.params(), tr.opt, epoch, rng)
}

func (tr *taskRun) restore(path string) (int, error) {
	ep, rng, err := restoreTrainingRNG(path, taskCheckpointFormat, tr.params(), tr.opt)
	if err == nil && tr.seq == nil && tr.data != nil && rng != nil {
		return ep, setDataState(tr.data, rng, path)
	}
	if err == nil && tr.a2c != nil && rng != nil {
		var st *trainer.A2CState
		if err := json.Unmarshal(rng, &st); err != nil {
			return 0, fmt.Errorf("checkpoint %s: agent state: %v", path, err)
		}
		if err := tr.a2c.SetState(st); err != nil {
			return 0, fmt.Errorf("checkpoint %s: %v", path, err)
		}
		return ep, nil
	}
	if err != nil || tr.seq == nil || rng == nil {
		return ep, err
	}
	var st trainer.SequenceState
	if err := json.Unmarshal(rng, &st); err != nil {
		return 0, fmt.Errorf("checkpoint %s: random state: %v", path, err)
	}
	if err := tr.seq.SetState(&st); err != nil {
		return 0, fmt.Errorf("checkpoint %s: %v", path, err)
	}
	return ep, nil
}
