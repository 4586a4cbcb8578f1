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
	"strings"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/fileio"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// ClassifyKind is the recipe kind of image classification with a
// feed-forward spiking network trained by BPTT.
const ClassifyKind = "snn-classify"

func init() { recipes.RegisterKind(ClassifyKind, func() any { return new(Classify) }) }

// Classify is the spec of an snn-classify recipe.
type Classify struct {
	Seed    int `yaml:"seed" default:"1" help:"seed of weight initialization, shuffling and random encodings" alias:"seed"`
	Threads int `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`

	Data  ClassifyData  `yaml:"data"`
	Model ClassifyModel `yaml:"model"`
	Train ClassifyTrain `yaml:"train"`
}

// ClassifyData says what to train on and how to encode it.
type ClassifyData struct {
	Dataset    string `yaml:"dataset" default:"fashion-mnist" enum:"fashion-mnist,mnist" help:"image dataset"`
	Dir        string `yaml:"dir" default:"" help:"folder with the four IDX files (empty: $BRAINGO_FASHION_MNIST / $BRAINGO_MNIST, then the Debian package's folder)" alias:"data_dir"`
	TrainLimit int    `yaml:"train_limit" range:"[0,)" default:"0" help:"use only the first N training images (0: all)" alias:"train_limit"`
	TestLimit  int    `yaml:"test_limit" range:"[0,)" default:"0" help:"evaluate on the first N test images (0: all)" alias:"test_limit"`
	Validation int    `yaml:"validation" range:"[0,)" default:"0" help:"hold out the last N training images (after train_limit) for validation: every epoch reports val_acc instead of test_acc, the best epoch's parameters are kept (best.bgc), and the test set is evaluated once, at the end, with them (test.json; braingo eval uses them too); 0: no validation, the test set after every epoch (Fashion-MNIST's usual split: 5000)" alias:"validation"`
	Encoding   string `yaml:"encoding" default:"direct" enum:"direct,rate,latency,ttfs,poisson" help:"input encoding: direct current (the first projection is computed once per batch), rate (Bernoulli spikes), latency (snnTorch spikegen.latency, normalized to the run) or ttfs (SpyTorch's current-to-firing-time, tau 20 steps, threshold 0.2); poisson (spikes at 100 Hz times the intensity, 1-ms steps)"`
	Steps      int    `yaml:"steps" range:"[1,)" default:"25" help:"time steps per sample" alias:"steps"`
}

// ClassifyModel describes the network.
type ClassifyModel struct {
	Hidden         []int   `yaml:"hidden" range:"[1,)" default:"1000" help:"sizes of the hidden layers"`
	Neuron         string  `yaml:"neuron" default:"lif" enum:"lif,synaptic,alif,izhikevich,adex,gif,hh" help:"hidden neuron model: LIF (snnTorch Leaky), current-based synaptic LIF (snnTorch Synaptic, NIR CubaLIF), adaptive LIF (Bellec 2020), Izhikevich (2003, regular spiking, Euler 0.5 ms, input in mV/ms: scale it with hidden_gain, e.g. 10), AdEx (Brette and Gerstner 2005, regular spiking, Euler 0.1 ms, input in pA: e.g. hidden_gain 500); the last two with the surrogate on (v − v_peak)/10 mV; or GIF (the BrainPy paper's generalized integrate-and-fire neuron with after-spike currents, 1-ms steps, τ from beta, threshold 1, input scaled by 1 − beta: e.g. hidden_gain 20; see gif_a1, gif_a2, gif_tau_i2), or HH (Traub-Miles Hodgkin-Huxley of the COBA-HH benchmark, exponential Euler at hh_dt ms, input in pA: scale it with hidden_gain, e.g. 4000; a spike is an upward crossing of −20 mV, the surrogate on (v + 20 mV)/hh_width; BPTT through the membrane with the gates held, hh_gradient; the fmnist-hh recipe is a setup that learns)"`
	Beta           float64 `yaml:"beta" range:"[0,1]" default:"0.95" help:"membrane decay per step of the hidden layers"`
	LearnBeta      bool    `yaml:"learn_beta" default:"false" help:"train the membrane decays of LIF and synaptic layers (one per neuron, initialized to beta / readout_beta; snnTorch's learn_beta)"`
	Alpha          float64 `yaml:"alpha" range:"[0,1]" default:"0.9" help:"synaptic current decay per step (neuron: synaptic)"`
	Rho            float64 `yaml:"rho" range:"[0,1]" default:"0.97" help:"threshold adaptation decay per step (neuron: alif)"`
	BetaA          float64 `yaml:"beta_a" default:"1.8" help:"threshold adaptation strength (neuron: alif)"`
	GIFA1          float64 `yaml:"gif_a1" default:"0" help:"GIF: after-spike current I₁ set to this value by a spike (τ₁ 10 ms)"`
	GIFA2          float64 `yaml:"gif_a2" default:"0" help:"GIF: after-spike current I₂ increment per spike (negative: adaptation; BrainPy's working-memory network uses −0.6)"`
	GIFTauI2       float64 `yaml:"gif_tau_i2" range:"(0,)" default:"50" help:"GIF: time constant of I₂ in ms"`
	HHDt           float64 `yaml:"hh_dt" range:"(0,1]" default:"0.1" help:"HH: time step in ms of the exponential-Euler integration (stable up to 1 ms; against 0.01-ms steps a neuron fires up to about a third less at 0.5 ms and half at 1 ms: snn's TestHHExpEulerLargeSteps)"`
	HHWidth        float64 `yaml:"hh_width" range:"(0,)" default:"10" help:"HH: width in mV of the spike's surrogate gradient: the surrogate sees (v − V_spike)/hh_width, V_spike = −20 mV"`
	HHGradient     string  `yaml:"hh_gradient" default:"membrane" enum:"membrane,full" help:"HH: the backward pass through the step: membrane (the gates m, h, n held, as snnTorch detaches the reset: a leaky integrator whose leak is the present conductance) or full (the whole Jacobian of the step in v, m, h, n and the input, by central differences: 20-34 times slower in fmnist-hh, see BENCHMARKS.md)"`
	Threshold      float64 `yaml:"threshold" default:"1" help:"firing threshold"`
	Reset          string  `yaml:"reset" default:"subtract" enum:"subtract,zero,none,zero_legacy" help:"reset after a spike, computed from the previous membrane and detached, as snnTorch: subtract θ; zero (U = β(1−r)U + I, snnTorch ≥ 0.8, NIR); none; zero_legacy (U = (βU + I)(1−r), snnTorch < 0.8 and braingo before 2026-12-06)"`
	Surrogate      string  `yaml:"surrogate" default:"atan" help:"surrogate gradient of the spike, by name (braingo surrogates lists them with their parameters)"`
	SurrogateScale float64 `yaml:"surrogate_scale" default:"0" help:"the surrogate's main parameter (atan alpha, sigmoid/fast_sigmoid slope, triangle alpha, gaussian sigma; 0: its default)"`
	Readout        string  `yaml:"readout" default:"lif" enum:"lif,li,cuba_li" help:"output layer: spiking LIF (predict by spike count), leaky integrator or leaky integrator fed by a synaptic current (both predict by max membrane over time)"`
	ReadoutBeta    float64 `yaml:"readout_beta" range:"[0,1]" default:"0.95" help:"decay per step of the output layer"`
	ReadoutAlpha   float64 `yaml:"readout_alpha" range:"[0,1]" default:"0.9" help:"synaptic current decay per step of a cuba_li readout"`
	Bias           bool    `yaml:"bias" default:"true" help:"projections have biases"`
	Init           string  `yaml:"init" default:"uniform" enum:"uniform,kaiming_normal" help:"weight initialization: uniform ±1/√fan_in with biases alike (PyTorch's nn.Linear) or normal with std √(init_scale/fan_in) and zero biases"`
	InitScale      float64 `yaml:"init_scale" default:"2" help:"kaiming_normal: the scale under the square root"`
	HiddenGain     float64 `yaml:"hidden_gain" default:"1" help:"fixed factor on the hidden layers' input currents (an input factor of the dynamics such as dt/tau; the weights keep their scale)"`
	ReadoutGain    float64 `yaml:"readout_gain" default:"1" help:"fixed factor on the output layer's input current"`
	Connectivity   float64 `yaml:"connectivity" range:"(0,1]" default:"1" help:"connection probability of the hidden layers' projections: below 1 they are sparse (CSR, the structure drawn from the seed, the values trained, event-driven with spike inputs); the readout stays dense"`
	ConnKind       string  `yaml:"connectivity_kind" default:"csr" enum:"csr,jit" help:"with connectivity below 1: csr stores the structure and trains every stored weight; jit regenerates the matrix from the seed at every product and trains only its weight rule's parameters (BrainPy's jitconn operators: memory independent of the layer's size)"`
	JITWeight      string  `yaml:"jit_weight" default:"normal" enum:"homogeneous,uniform,normal" help:"connectivity_kind jit: the weight rule whose parameters are trained: one weight for every synapse, uniform in [lo, hi), or normal (mu, sd); initialized to ±1/√(p·fan_in) (homogeneous: +), or mean 0 and std √(init_scale/(p·fan_in))"`
	Delay          []int   `yaml:"delay" range:"[0,)" default:"0" help:"axonal delay in steps of each hidden layer's input (one value for all layers, or one per layer): at step t a layer receives its input of step t − delay, nothing before; the input layer's delay shifts the whole stimulus"`
	Fused          bool    `yaml:"fused" default:"true" help:"snn-classify: train through the fused whole-sequence path when the network allows it (static input, one dense LIF hidden layer reset by subtraction with the atan surrogate, a readout of at most 10 outputs, no truncate, l1 or l2; docs/fused.md); false: the general step-by-step path (the same model; the numbers agree to float32 rounding)"`
	InitFile       string  `yaml:"init_file" default:"" help:"start from these weights instead of the seeded initialization: a JSON object mapping each parameter name (fc1.weight, fc1.bias, ...; weights stored in×out) to its flat values (baselines/fmnist_snn.py --export-init writes PyTorch's)"`
}

// ClassifyTrain configures the optimization.
type ClassifyTrain struct {
	Epochs        int     `yaml:"epochs" range:"[1,)" default:"1" help:"passes over the training set" alias:"epochs"`
	BatchSize     int     `yaml:"batch_size" range:"[1,)" default:"128" help:"samples per batch (a final partial batch is dropped)" alias:"batch_size"`
	Loss          string  `yaml:"loss" default:"ce_membrane" enum:"ce_membrane,ce_rate,ce_count,mse_count,nll_max_membrane" help:"loss on the output layer (see package losses)"`
	Optimizer     string  `yaml:"optimizer" default:"adam" enum:"adam,adamw,sgd" help:"optimizer"`
	LR            float64 `yaml:"lr" range:"(0,)" default:"5e-4" help:"learning rate" alias:"lr"`
	Beta1         float64 `yaml:"beta1" default:"0.9" help:"Adam beta1 (sgd: momentum)"`
	Beta2         float64 `yaml:"beta2" default:"0.999" help:"Adam beta2"`
	WeightDecay   float64 `yaml:"weight_decay" default:"0" help:"weight decay (decoupled for adamw)"`
	GradClip      float64 `yaml:"grad_clip" default:"0" help:"clip the global gradient norm to this value (0: off)"`
	Schedule      string  `yaml:"schedule" default:"none" enum:"none,cosine" help:"learning-rate schedule over the epochs: constant, or cosine annealing from lr to 0 at the last epoch (set per epoch)"`
	L1            float64 `yaml:"l1" default:"0" help:"weight of the L1 spike-count regularizer of hidden layers"`
	L2            float64 `yaml:"l2" default:"0" help:"weight of the L2 spike-count regularizer of hidden layers"`
	CorrectRate   float64 `yaml:"correct_rate" default:"0.8" help:"mse_count: target firing probability of the correct class"`
	IncorrectRate float64 `yaml:"incorrect_rate" default:"0.2" help:"mse_count: target firing probability of other classes"`
	Truncate      int     `yaml:"truncate" default:"0" help:"truncated BPTT window in steps (0: full BPTT)"`
	Patience      int     `yaml:"patience" default:"0" help:"stop after this many epochs without a better test accuracy, or validation accuracy with data.validation (0: never)"`
	Shuffle       bool    `yaml:"shuffle" default:"true" help:"shuffle the training set every epoch"`
	Shards        int     `yaml:"shards" range:"[1,)" default:"8" help:"shards of a batch, each run forward and backward on its own and added in order: the results depend on it, not on the threads or MPI ranks (at most one rank per shard)"`
}

// Validate checks cross-field constraints.
func (c *Classify) Validate() error {
	if err := checkSurrogate(c.Model.Surrogate); err != nil {
		return err
	}
	if err := c.Model.checkConnections(c.Data.Steps, c.Train.Truncate); err != nil {
		return err
	}
	if c.Model.Neuron == "gif" && !(c.Model.Beta > 0 && c.Model.Beta < 1) {
		return recipes.Invalid("model.beta", "a GIF layer's τ is −1 ms/ln(beta), which needs beta in (0, 1), got %v", c.Model.Beta)
	}
	if c.Model.Readout != "lif" && c.Train.Loss != "nll_max_membrane" && c.Train.Loss != "ce_membrane" {
		return recipes.Invalid("train.loss", "%s needs output spikes; a leaky-integrator readout (model.readout: %s) works with ce_membrane or nll_max_membrane", c.Train.Loss, c.Model.Readout)
	}
	return nil
}

// checkConnections checks the delays against the steps per sample and the
// truncation window, and the JIT connectivity against its probability.
func (m *ClassifyModel) checkConnections(steps, truncate int) error {
	if d := m.Delay; len(d) > 1 && len(d) != len(m.Hidden) {
		return recipes.Invalid("model.delay", "%d values for %d hidden layers: give one value for all layers or one per layer", len(d), len(m.Hidden))
	}
	for _, d := range m.Delay {
		if d >= steps {
			return recipes.Invalid("model.delay", "a delay of %d steps leaves no input within data.steps = %d", d, steps)
		}
		if d > 0 && truncate > 0 {
			return recipes.Invalid("model.delay", "delays need full BPTT (train.truncate 0): a truncated window would cut the delay line")
		}
	}
	if m.ConnKind == "jit" && !(m.Connectivity < 1) {
		return recipes.Invalid("model.connectivity_kind", "jit needs model.connectivity below 1 (a fully connected JIT matrix is a dense one with its weights redrawn at every product)")
	}
	return nil
}

func (c *Classify) source() datasets.Source {
	if c.Data.Dataset == "mnist" {
		return datasets.MNIST
	}
	return datasets.FashionMNIST
}

func (c *Classify) surrogate() (surrogate.Func, error) {
	return surrogateFor(c.Model.Surrogate, c.Model.SurrogateScale)
}

// surrogateFor is the surrogate a recipe names (model.surrogate) with its
// main parameter set to scale (model.surrogate_scale; 0: its default).
func surrogateFor(name string, scale float64) (surrogate.Func, error) {
	if err := checkSurrogate(name); err != nil {
		return nil, err
	}
	fn, err := surrogate.WithScale(name, scale)
	if err != nil {
		return nil, recipes.Invalid("model.surrogate_scale", "%v", err)
	}
	return fn, nil
}

// checkSurrogate refuses a surrogate name that is not registered, listing
// the names that are.
func checkSurrogate(name string) error {
	if _, ok := surrogate.Lookup(name); !ok {
		return recipes.Invalid("model.surrogate", "unknown surrogate %q; known: %s", name, strings.Join(surrogate.Names(), ", "))
	}
	return nil
}

// Build returns the network the recipe describes, initialized from its seed.
func (c *Classify) Build(features, classes int) (*networks.FeedForward, error) {
	sg, err := c.surrogate()
	if err != nil {
		return nil, err
	}
	reset, _ := snn.ParseReset(c.Model.Reset)
	r := rand.New(rand.NewPCG(uint64(c.Seed), 0x1f2e3d4c))
	lif := snn.LIF{Beta: float32(c.Model.Beta), Threshold: float32(c.Model.Threshold), Reset: reset, Surrogate: sg}
	net := &networks.FeedForward{}
	in := features
	for i, h := range c.Model.Hidden {
		var cell networks.Cell
		hl := lif
		if c.Model.LearnBeta {
			hl.LearnBeta = snn.NewLearnBeta(fmt.Sprintf("hidden%d.beta", i+1), h, lif.Beta)
		}
		switch c.Model.Neuron {
		case "lif":
			cell = networks.LIFCell{LIF: hl}
		case "synaptic":
			cell = networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: float32(c.Model.Alpha), LIF: hl}}
		case "alif":
			cell = networks.ALIFCell{ALIF: snn.ALIF{Beta: float32(c.Model.Beta), Rho: float32(c.Model.Rho), BetaA: float32(c.Model.BetaA), Threshold: float32(c.Model.Threshold), Surrogate: sg}}
		case "izhikevich":
			cell = networks.IzhikevichCell{Izhikevich: snn.Izhikevich{Surrogate: sg}}
		case "adex":
			cell = networks.AdExCell{AdEx: snn.AdEx{Surrogate: sg}}
		case "gif":
			cell = snn.GIFCell{GIF: c.gif(h, sg)}
		case "hh":
			cell = snn.HHCell{HH: snn.HH{Model: snn.TraubMiles(c.Model.HHDt), Scale: float32(c.Model.HHWidth), Surrogate: sg, DetachGates: c.Model.HHGradient == "membrane"}}
		}
		name := fmt.Sprintf("fc%d", i+1)
		b := networks.Block{Name: fmt.Sprintf("hidden%d", i+1), Cell: cell, Delay: c.delay(i)}
		if p := c.Model.Connectivity; p > 0 && p < 1 && c.Model.ConnKind == "jit" {
			b.Conn = c.jitProj(name, in, h, p, uint64(c.Seed)<<8+uint64(i))
		} else if p > 0 && p < 1 {
			var scale float64
			if c.Model.Init == "kaiming_normal" {
				scale = c.Model.InitScale
			}
			sp := networks.NewSparse(name, in, h, networks.SparseConfig{P: p, Seed: uint64(c.Seed)<<8 + uint64(i), Bias: c.Model.Bias, InitScale: scale}, r)
			sp.Gain = float32(c.Model.HiddenGain)
			b.Conn = sp
		} else {
			b.Proj = c.dense(name, in, h, c.Model.HiddenGain, r)
		}
		net.Blocks = append(net.Blocks, b)
		in = h
	}
	var out networks.Cell
	switch c.Model.Readout {
	case "li":
		out = networks.LICell{LI: snn.LI{Beta: float32(c.Model.ReadoutBeta)}}
	case "cuba_li":
		out = networks.CubaLICell{Alpha: float32(c.Model.ReadoutAlpha), LI: snn.LI{Beta: float32(c.Model.ReadoutBeta)}}
	default:
		ro := lif
		ro.Beta = float32(c.Model.ReadoutBeta)
		if c.Model.LearnBeta {
			ro.LearnBeta = snn.NewLearnBeta("output.beta", classes, ro.Beta)
		}
		out = networks.LIFCell{LIF: ro}
	}
	net.Blocks = append(net.Blocks, networks.Block{Name: "output", Proj: c.dense(fmt.Sprintf("fc%d", len(c.Model.Hidden)+1), in, classes, c.Model.ReadoutGain, r), Cell: out})
	return net, nil
}

func (c *Classify) dense(name string, in, out int, gain float64, r *rand.Rand) *networks.Dense {
	var d *networks.Dense
	if c.Model.Init == "kaiming_normal" {
		d = networks.NewDenseKaiming(name, in, out, c.Model.Bias, c.Model.InitScale, r)
	} else {
		d = networks.NewDense(name, in, out, c.Model.Bias, r)
	}
	d.Gain = float32(gain)
	return d
}

func (c *Classify) encoder() (datasets.Encoder, error) {
	return datasets.NewEncoder(c.Data.Encoding, c.Data.Steps, uint64(c.Seed))
}

// optimizer is what the runner needs of package optim's optimizers.
type optimizer interface {
	trainer.Optimizer
	optim.Checkpointer
}

func (c *Classify) optimizer(params []*tensor.Tensor) (optimizer, error) {
	t := c.Train
	switch t.Optimizer {
	case "adamw":
		return optim.New(params, optim.AdamWConfig{LR: t.LR, Beta1: t.Beta1, Beta2: t.Beta2, WeightDecay: t.WeightDecay, NoWeightDecay: t.WeightDecay == 0})
	case "sgd":
		return optim.New(params, optim.SGDConfig{LR: t.LR, Momentum: t.Beta1, WeightDecay: t.WeightDecay})
	}
	return optim.New(params, optim.AdamConfig{LR: t.LR, Beta1: t.Beta1, Beta2: t.Beta2, WeightDecay: t.WeightDecay})
}

// EpochLine is the JSON object printed per epoch with --json.
type EpochLine struct {
	Epoch        int      `json:"epoch"`
	TrainSeconds float64  `json:"train_seconds"`
	SamplesPerS  float64  `json:"samples_per_s"`
	TrainLoss    float64  `json:"train_loss"`
	TrainAcc     float64  `json:"train_acc"`
	TestAcc      *float64 `json:"test_acc,omitempty"`
	ValAcc       *float64 `json:"val_acc,omitempty"`
	HiddenRate   float64  `json:"hidden_rate"`
	OutputRate   float64  `json:"output_rate"`
	SynOps       float64  `json:"synops_per_sample"` // synaptic operations per test sample (opCount)
	PeakRSSMB    float64  `json:"peak_rss_mb"`
}

// Run trains the recipe's network into opts.Dir.
func (c *Classify) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	train, test, err := c.source().Load(c.Data.Dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	train, test = train.Limit(c.Data.TrainLimit), test.Limit(c.Data.TestLimit)
	var val *datasets.Images
	if v := c.Data.Validation; v > 0 {
		if v >= train.N {
			return recipes.Invalid("data.validation", "%d leaves none of the %d training images to train on", v, train.N)
		}
		train, val = splitTail(train, v)
	}
	if train.N < c.Train.BatchSize {
		return recipes.Invalid("train.batch_size", "%d is larger than the %d training images", c.Train.BatchSize, train.N)
	}
	if opts.Resume {
		keepLegacyZeroReset(r, filepath.Join(opts.Dir, CheckpointFile), opts.Stderr)
	}
	net, err := c.Build(train.Features(), train.Classes)
	if err != nil {
		return err
	}
	enc, err := c.encoder()
	if err != nil {
		return err
	}
	if c.Model.InitFile != "" {
		if err := loadInit(c.Model.InitFile, net.Params()); err != nil {
			return err
		}
	}
	opt, err := c.optimizer(net.Params())
	if err != nil {
		return err
	}
	start := 1
	var history []eval.EpochRecord
	ckpt := filepath.Join(opts.Dir, CheckpointFile)
	sched, err := epochSchedule(opt, c.Train.Schedule, c.Train.Epochs)
	if err != nil {
		return err
	}
	epoch, history, err := opts.resume(func(path string) (int, error) { return restore(path, net, opt) })
	if err != nil {
		return err
	}
	start = epoch + 1
	sched.advance(min(epoch, c.Train.Epochs))
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	task := &trainer.Classify{Net: net, Data: train, Encoder: enc, Steps: c.Data.Steps, BatchSize: c.Train.BatchSize,
		Shuffle: c.Train.Shuffle, DropLast: true, Seed: uint64(c.Seed), Loss: c.Train.Loss,
		CorrectRate: c.Train.CorrectRate, IncorrectRate: c.Train.IncorrectRate,
		L1: float32(c.Train.L1), L2: float32(c.Train.L2), Truncate: c.Train.Truncate, Exchange: opts.shards, NumShards: c.Train.Shards,
		NoFused: !c.Model.Fused}
	if err := task.Validate(); err != nil {
		return err
	}
	var optStep trainer.Optimizer = opt
	if c.Train.GradClip > 0 {
		optStep = clipped{opt, net.Params(), c.Train.GradClip}
	}
	var loopTask trainer.Task = task
	guard := net.Params()
	var dev *classifyGPU // training on the GPU (classify_gpu.go); nil: the CPU
	if opts.Device != nil {
		if opts.shards != nil {
			return fmt.Errorf("--set device=cuda trains in one process: run it without MPI")
		}
		if dev, err = newClassifyGPU(opts.Device, c, net, opt, train); err != nil {
			return err
		}
		defer dev.free()
		loopTask, optStep, guard = dev, dev, nil // the loss is checked every batch
	}
	var last *trainer.Evaluation
	// With a validation set, each epoch is scored on it, and the best
	// epoch's parameters are kept for the one test evaluation at the end.
	evalSet, measure := test, "test_acc"
	if val != nil {
		evalSet, measure = val, "val_acc"
	}
	// A resumed run's history seeds the selection and early stopping.
	sel := newSelection(measure, c.Train.Patience, history)
	evalHook := trainer.EpochFunc{Label: "evaluate", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		if dev != nil {
			// The trained parameters and Adam's state into net and opt
			// for the checkpoints, then the evaluation on the device.
			if err := dev.sync(); err != nil {
				return err
			}
			var err error
			if last, err = dev.evaluate(evalSet); err != nil {
				return err
			}
		} else {
			last = evaluate(opts, net, evalSet, enc, c.Data.Steps) // trainer.Evaluate, shared by MPI ranks
		}
		acc := last.Accuracy()
		e.Extra[measure] = acc
		rec := eval.NewRecord(e.Epoch)
		rec.TrainLoss, rec.TrainAcc = e.TrainLoss, e.TrainAcc
		if val == nil {
			rec.TestAcc = acc
		}
		rec.Seconds, rec.SamplesPerSec = e.TrainSeconds, e.SamplesPerS
		for _, lr := range last.Rates {
			rec.Rates = append(rec.Rates, eval.LayerRate{Layer: lr.Name, Neurons: lr.Neurons, Rate: lr.Rate, Silent: -1})
		}
		rec.Extra = map[string]float64{"peak_rss_mb": sysinfo.PeakRSSMB()}
		ops := feedForwardOps(net, last)
		ops.add(rec.Extra)
		if val != nil {
			rec.Extra["val_acc"] = acc
		}
		history = append(history, rec)
		if err := opts.AppendMetrics(rec); err != nil {
			return err
		}
		if val != nil && sel.improved(acc) {
			if err := save(opts.Path(BestFile), r, net, opt, e.Epoch); err != nil {
				return err
			}
		}
		if err := save(ckpt, r, net, opt, e.Epoch); err != nil {
			return err
		}
		sched.advance(1)
		if opts.JSON {
			line := EpochLine{Epoch: e.Epoch, TrainSeconds: e.TrainSeconds, SamplesPerS: e.SamplesPerS, TrainLoss: e.TrainLoss,
				TrainAcc: e.TrainAcc, PeakRSSMB: sysinfo.PeakRSSMB(), SynOps: ops.total()}
			if val != nil {
				line.ValAcc = &acc
			} else {
				line.TestAcc = &acc
			}
			if len(last.Rates) > 1 {
				line.HiddenRate = last.Rates[0].Rate
			}
			line.OutputRate = last.Rates[len(last.Rates)-1].Rate
			if err := json.NewEncoder(opts.Stdout).Encode(line); err != nil {
				return err
			}
		}
		return nil
	}}
	hooks := append([]trainer.Hook{&trainer.Progress{W: opts.Stderr, Force: opts.ForceProgress}, trainer.NaNGuard{Params: guard}, evalHook}, sel.hooks()...)
	loop := &trainer.Loop{Task: loopTask, Optimizer: optStep, Epochs: c.Train.Epochs, StartEpoch: start, Hooks: hooks}
	runErr := loop.Run(ctx)
	if val != nil && runErr == nil {
		// The one test evaluation: the best validation epoch's parameters.
		ep, err := restore(opts.Path(BestFile), net, nil)
		if err != nil {
			return err
		}
		if dev != nil {
			if err := dev.upload(); err != nil {
				return err
			}
			if last, err = dev.evaluate(test); err != nil {
				return err
			}
		} else {
			last = evaluate(opts, net, test, enc, c.Data.Steps)
		}
		res := TestResult{BestEpoch: ep, ValAcc: sel.best, TestAcc: last.Accuracy(), Samples: len(last.Pred)}
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		if err := fileio.WriteAtomic(opts.Path(TestFile), append(b, '\n'), 0o644); err != nil {
			return err
		}
		if opts.JSON {
			if err := json.NewEncoder(opts.Stdout).Encode(res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(opts.Stdout, "\ntest accuracy %.2f%% with the parameters of epoch %d (best validation accuracy %.2f%%)\n", 100*res.TestAcc, ep, 100*sel.best)
		}
	}
	if last != nil {
		if err := report(opts, c, test, last, history); err != nil && runErr == nil {
			runErr = err
		}
	}
	if errors.Is(runErr, trainer.ErrNotFinite) {
		return fmt.Errorf("%w; the run directory %s keeps the last good checkpoint", runErr, opts.Dir)
	}
	return runErr
}

type clipped struct {
	optimizer
	params []*tensor.Tensor
	max    float64
}

func (c clipped) Step() error {
	if _, err := optim.ClipGradNorm(c.params, c.max, 2); err != nil {
		return err
	}
	return c.optimizer.Step()
}

// report writes the plots into the run directory and, without JSON, the
// results tables to stdout.
func report(opts *RunDir, c *Classify, test *datasets.Images, ev *trainer.Evaluation, history []eval.EpochRecord) error {
	cm := eval.NewConfusionMatrix(test.Classes)
	cm.Add(ev.Pred, ev.Labels)
	var panels [][]eval.Raster
	for s, layers := range ev.Raster {
		var row []eval.Raster
		for l, spikes := range layers {
			if len(spikes) == 0 && l < len(ev.Rates) && ev.Rates[l].Rate == 0 {
				continue
			}
			r := eval.Raster{Title: fmt.Sprintf("test sample %d, %s", s, rateName(ev, l)), Steps: c.Data.Steps, Neurons: neurons(ev, l)}
			for _, sp := range spikes {
				r.Spikes = append(r.Spikes, eval.Spike{Step: sp[0], Neuron: sp[1]})
			}
			row = append(row, r)
		}
		panels = append(panels, row)
	}
	for _, err := range []error{
		eval.WriteCurves(opts.Dir, history),
		eval.WriteConfusion(opts.Dir, cm, test.ClassNames),
		eval.WriteRaster(opts.Dir, panels),
	} {
		if err != nil {
			return err
		}
	}
	if opts.JSON {
		return nil
	}
	w := opts.Stdout
	epochs := "epochs"
	if len(history) == 1 {
		epochs = "epoch"
	}
	fmt.Fprintf(w, "\n%s: %d %s, test accuracy %.2f%%\n", c.Data.Dataset, len(history), epochs, 100*ev.Accuracy())
	if err := eval.WriteEpochTable(w, history); err != nil {
		return err
	}
	var rates []eval.LayerRate
	for _, lr := range ev.Rates {
		rates = append(rates, eval.LayerRate{Layer: lr.Name, Neurons: lr.Neurons, Rate: lr.Rate, Silent: -1})
	}
	if err := eval.WriteRateTable(w, rates); err != nil {
		return err
	}
	if err := eval.WriteConfusionTable(w, cm, test.ClassNames); err != nil {
		return err
	}
	fmt.Fprintf(w, "run directory %s: %s, %s, %s, %s, %s, %s\n", opts.Dir, recipes.EchoFile, eval.MetricsFile, CheckpointFile, eval.CurvesFile, eval.RasterFile, eval.ConfusionFile)
	return nil
}

func rateName(ev *trainer.Evaluation, l int) string {
	if l < len(ev.Rates) {
		return ev.Rates[l].Name
	}
	return fmt.Sprintf("layer %d", l+1)
}

func neurons(ev *trainer.Evaluation, l int) int {
	if l < len(ev.Rates) {
		return ev.Rates[l].Neurons
	}
	return 1
}

// loadInit copies initial parameter values from a JSON object of flat
// arrays keyed by parameter name; every parameter must be present with its
// size.
func loadInit(path string, params []*tensor.Tensor) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return recipes.Invalid("model.init_file", "%v", err)
	}
	var vals map[string][]float32
	if err := json.Unmarshal(b, &vals); err != nil {
		return recipes.Invalid("model.init_file", "%s: not a JSON object of parameter arrays: %v", path, err)
	}
	for _, p := range params {
		v, ok := vals[p.Name]
		switch {
		case !ok:
			return recipes.Invalid("model.init_file", "%s has no values for parameter %s", path, p.Name)
		case len(v) != len(p.Data):
			return recipes.Invalid("model.init_file", "%s: parameter %s has %d values, the network needs %d (shape %v)", path, p.Name, len(v), len(p.Data), p.Shape)
		}
		copy(p.Data, v)
	}
	return nil
}

// ffFormat names the checkpoint content of an snn-classify run.
const ffFormat = "braingo-feedforward-snn/1"

// save writes the network and optimizer state atomically.
func save(path string, r *recipes.Recipe, net *networks.FeedForward, opt optimizer, epoch int) error {
	return saveTraining(path, ffFormat, r, net.Params(), opt, epoch)
}

// restore loads a checkpoint into net and opt (nil: parameters only) and
// returns its epoch.
func restore(path string, net *networks.FeedForward, opt optimizer) (int, error) {
	return restoreTraining(path, ffFormat, net.Params(), opt)
}

// RunKind returns the recipe kind of a run directory (from its recipe
// echo).
func RunKind(dir string) (string, error) {
	r, err := recipes.Load(filepath.Join(dir, recipes.EchoFile), nil)
	if err != nil {
		return "", err
	}
	return r.Kind, nil
}

// EvaluateRun loads an snn-classify run directory's recipe and checkpoint
// and evaluates the network on the test set; warnings (a checkpoint that
// keeps the legacy zero reset) go to warn.
func EvaluateRun(dir string, warn io.Writer) (*Classify, *datasets.Images, *trainer.Evaluation, error) {
	r, err := recipes.Load(filepath.Join(dir, recipes.EchoFile), nil)
	if err != nil {
		return nil, nil, nil, err
	}
	c, ok := r.Spec.(*Classify)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%s: recipe kind %s is not %s", dir, r.Kind, ClassifyKind)
	}
	ckpt := filepath.Join(dir, CheckpointFile)
	if _, err := os.Stat(filepath.Join(dir, BestFile)); err == nil {
		ckpt = filepath.Join(dir, BestFile) // a validated run: its best epoch
	}
	keepLegacyZeroReset(r, ckpt, warn)
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	_, test, err := c.source().Load(c.Data.Dir)
	if err != nil {
		return nil, nil, nil, err
	}
	test = test.Limit(c.Data.TestLimit)
	net, err := c.Build(test.Features(), test.Classes)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := restore(ckpt, net, nil); err != nil {
		return nil, nil, nil, err
	}
	enc, err := c.encoder()
	if err != nil {
		return nil, nil, nil, err
	}
	return c, test, trainer.Evaluate(net, test, enc, c.Data.Steps, 256, 3), nil
}

func (c *Classify) legacyZeroReset() []string {
	if c.Model.Reset == "zero" {
		c.Model.Reset = "zero_legacy"
		return []string{"model.reset"}
	}
	return nil
}

// delay is hidden layer i's input delay in steps.
func (c *Classify) delay(i int) int {
	switch d := c.Model.Delay; {
	case len(d) == 0:
		return 0
	case len(d) == 1:
		return d[0]
	default:
		return d[i]
	}
}

// jitProj is a hidden layer's JIT projection (model.connectivity_kind: jit)
// with its weight rule initialized for the expected fan-in p·in.
func (c *Classify) jitProj(name string, in, out int, p float64, seed uint64) *networks.JITProj {
	fanIn := p * float64(in)
	bound := float32(1 / math.Sqrt(fanIn))
	var kind kernels.WeightKind
	var init []float32
	switch c.Model.JITWeight {
	case "homogeneous":
		kind, init = kernels.Homogeneous, []float32{bound}
	case "uniform":
		kind, init = kernels.Uniform, []float32{-bound, bound}
	default:
		kind, init = kernels.Normal, []float32{0, float32(math.Sqrt(c.Model.InitScale / fanIn))}
	}
	j := networks.NewJITProj(name, in, out, p, seed, kind, init, c.Model.Bias)
	j.Gain = float32(c.Model.HiddenGain)
	return j
}

// BestFile and TestFile are a validated run's best-epoch checkpoint and its
// one test evaluation.
const (
	BestFile = "best.bgc"
	TestFile = "test.json"
)

// TestResult is test.json: the test accuracy of the best validation
// epoch's parameters.
type TestResult struct {
	BestEpoch int     `json:"best_epoch"`
	ValAcc    float64 `json:"val_acc"`
	TestAcc   float64 `json:"test_acc"`
	Samples   int     `json:"samples"`
}

// splitTail returns d without its last n images, and those n images.
func splitTail(d *datasets.Images, n int) (head, tail *datasets.Images) {
	f := d.Features()
	k := d.N - n
	h, t := *d, *d
	h.N, h.Pixels, h.Labels = k, d.Pixels[:k*f], d.Labels[:k]
	t.N, t.Pixels, t.Labels = n, d.Pixels[k*f:d.N*f], d.Labels[k:d.N]
	t.Name = d.Name + "/validation"
	return &h, &t
}

// gif returns the GIF of a hidden layer of n neurons: 1-ms steps, τ such
// that e^(−1/τ) is beta, the after-spike currents of the recipe.
func (c *Classify) gif(n int, sg surrogate.Func) snn.GIF {
	g := snn.GIF{Tau: float32(-1 / math.Log(c.Model.Beta)), DT: 1, Surrogate: sg,
		Tau2: make([]float32, n), A1: make([]float32, n), A2: make([]float32, n)}
	for i := range n {
		g.Tau2[i], g.A1[i], g.A2[i] = float32(c.Model.GIFTauI2), float32(c.Model.GIFA1), float32(c.Model.GIFA2)
	}
	return g
}
