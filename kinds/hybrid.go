package kinds

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/torchlayer"
	"github.com/braingo/braingo/trainer"
)

// Hybrid recipe kinds: models mixing libtorch layers (package torchlayer)
// with braingo's spiking layers. Their specs load, validate and echo in
// every build; running them needs a build with the torch tag (make torch),
// and other builds say so.
const (
	// CSNNKind is image classification with a convolutional spiking
	// network: libtorch conv (+ batch norm) + pool blocks, each followed by
	// braingo LIF neurons, and a braingo spiking linear readout.
	CSNNKind = "csnn-classify"
	// TaskHybridKind is a task-bptt recipe whose observations pass through
	// a libtorch MLP encoder before braingo's recurrent spiking network.
	TaskHybridKind = "task-hybrid"
)

func init() {
	recipes.RegisterKind(CSNNKind, func() any { return new(CSNN) })
	recipes.RegisterKind(TaskHybridKind, func() any { return new(TaskHybrid) })
}

// runCSNN and runTaskHybrid are set by the torch build.
var (
	runCSNN       func(c *CSNN, ctx context.Context, d *RunDir) error
	runTaskHybrid func(c *TaskHybrid, ctx context.Context, d *RunDir) error
)

// Run trains a csnn-classify recipe (torch build only).
func (c *CSNN) Run(ctx context.Context, d *RunDir) error {
	if err := hybridAvailable(d.Recipe, runCSNN != nil); err != nil {
		return err
	}
	return runCSNN(c, ctx, d)
}

// Run trains a task-hybrid recipe (torch build only).
func (c *TaskHybrid) Run(ctx context.Context, d *RunDir) error {
	if err := hybridAvailable(d.Recipe, runTaskHybrid != nil); err != nil {
		return err
	}
	return runTaskHybrid(c, ctx, d)
}

// loadCSNN, set by the torch build, returns the *torchlayer.CSNN of a
// csnn-classify recipe with the parameters of checkpoint ckpt, in inference
// mode (LoadNetwork).
var loadCSNN func(c *CSNN, ckpt string) (any, error)

// evalCSNN, set by the torch build, evaluates a csnn-classify recipe's
// network with the parameters of checkpoint ckpt on test (EvaluateCSNN).
var evalCSNN func(c *CSNN, ckpt string, test CSNNData) ([]int, []eval.LayerRate, error)

// source is the dataset of a csnn-classify recipe.
func (c *CSNN) source() datasets.Source {
	if c.Data.Dataset == "mnist" {
		return datasets.MNIST
	}
	return datasets.FashionMNIST
}

// EvaluateCSNNRun loads a csnn-classify run directory's recipe and
// checkpoint (best.bgc where the run was validated) and evaluates the
// network on the test set as training's evaluation does, so it reproduces
// the last epoch's test accuracy, or test.json's. It needs a build with
// the torch tag (make torch).
func EvaluateCSNNRun(dir string, warn io.Writer) (*CSNN, CSNNData, *trainer.Evaluation, error) {
	r, err := recipes.Load(filepath.Join(dir, recipes.EchoFile), nil)
	if err != nil {
		return nil, nil, nil, err
	}
	c, ok := r.Spec.(*CSNN)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%s: recipe kind %s is not %s", dir, r.Kind, CSNNKind)
	}
	ckpt := bestOrLast(&RunDir{RunOptions: RunOptions{Dir: dir}}) // a validated run: its best epoch
	keepLegacyZeroReset(r, ckpt, warn)
	if !torchlayer.Available || evalCSNN == nil {
		return nil, nil, nil, fmt.Errorf("%s: a %s run: %w", dir, CSNNKind, torchlayer.ErrNoTorch)
	}
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	_, test, err := c.LoadData()
	if err != nil {
		return nil, nil, nil, err
	}
	pred, rates, err := evalCSNN(c, ckpt, test)
	if err != nil {
		return nil, nil, nil, err
	}
	ev := &trainer.Evaluation{Pred: pred, Labels: make([]int, len(pred))}
	for i := range pred {
		ev.Labels[i] = test.Label(i)
	}
	for _, lr := range rates {
		ev.Rates = append(ev.Rates, trainer.LayerRate{Name: lr.Layer, Neurons: lr.Neurons, Rate: lr.Rate})
	}
	return c, test, ev, nil
}

func hybridAvailable(r *recipes.Recipe, built bool) error {
	if !torchlayer.Available || !built {
		return fmt.Errorf("recipe %s (kind %s) mixes libtorch and braingo layers: %w", r.Name, r.Kind, torchlayer.ErrNoTorch)
	}
	return nil
}

// CSNN is the spec of a csnn-classify recipe.
type CSNN struct {
	Seed    int `yaml:"seed" default:"1" help:"seed of weight initialization (braingo's and libtorch's) and shuffling" alias:"seed"`
	Threads int `yaml:"threads" range:"[0,)" default:"0" help:"goroutines braingo's kernels may use (0: all cores)" alias:"threads"`
	// TorchThreads is libtorch's intra-op threads. libtorch's reductions
	// (batch norm's statistics, a convolution's weight gradient) split
	// their sums by its thread count, so only a fixed count keeps the
	// seed's bits whatever threads says (DESIGN.md). The default, 2, is
	// fixed rather than the machine's cores for that reason; on this
	// project's 2-core reference machine one thread made fmnist-csnn's
	// libtorch convolutions 1.4-1.9x slower (BENCHMARKS.md).
	TorchThreads int `yaml:"torch_threads" range:"[0,)" default:"2" help:"libtorch's intra-op threads, fixed so that a seed's results do not depend on threads (they do depend on this count: libtorch splits its reductions by it); 0 uses threads' count (the bits then follow threads)" alias:"torch_threads"`

	Data struct {
		Dataset    string  `yaml:"dataset" default:"fashion-mnist" enum:"fashion-mnist,mnist,dvsgesture" help:"data set: 28×28 gray images (fashion-mnist, mnist), or DVS128 Gesture's event recordings binned into frames (dvsgesture, 11 classes)"`
		Dir        string  `yaml:"dir" default:"" help:"images: folder with the four IDX files (empty: $BRAINGO_FASHION_MNIST / $BRAINGO_MNIST, then the Debian package's folder); dvsgesture: IBM's DvsGesture folder (trials_to_train.txt, trials_to_test.txt, .aedat and _labels.csv files) or Tonic's (ibmGestureTrain/, ibmGestureTest/)" alias:"data_dir"`
		TrainLimit int     `yaml:"train_limit" range:"[0,)" default:"0" help:"use only the first N training samples (0: all)" alias:"train_limit"`
		TestLimit  int     `yaml:"test_limit" range:"[0,)" default:"0" help:"evaluate on the first N test samples (0: all)" alias:"test_limit"`
		Validation int     `yaml:"validation" range:"[0,)" default:"0" help:"hold out the last N training samples (after train_limit) for validation: every epoch reports val_acc instead of test_acc, the best epoch's parameters are kept (best.bgc), and the test set is evaluated once, at the end, with them (test.json; braingo eval uses them too); 0: no validation, the test set after every epoch (Fashion-MNIST's usual split: 5000)" alias:"validation"`
		Steps      int     `yaml:"steps" range:"[1,)" default:"8" help:"time steps per sample (images: direct input, the image is the input current at every step; dvsgesture: one frame of event counts per step)" alias:"steps"`
		Side       int     `yaml:"side" range:"[1,128]" default:"32" help:"dvsgesture: frames downsampled from 128×128 to side×side (Tonic's Downsample)"`
		DurationMS float64 `yaml:"duration_ms" range:"(0,)" default:"1500" help:"dvsgesture: time from each gesture's start covered by the steps, in ms (later events are dropped)"`
	} `yaml:"data"`
	Model struct {
		Channels       []int   `yaml:"channels" range:"[1,)" default:"12,32" help:"output channels of the conv blocks (each: conv, optional batch norm, 2×2 pool, LIF)"`
		Kernel         int     `yaml:"kernel" range:"[1,)" default:"5" help:"square kernel size of the convolutions (no padding)"`
		Pool           string  `yaml:"pool" default:"max" enum:"max,avg" help:"2×2 pooling after each convolution"`
		BatchNorm      bool    `yaml:"batch_norm" default:"false" help:"libtorch batch norm after each convolution (statistics over batch and time steps)"`
		Dropout        float64 `yaml:"dropout" range:"[0,1)" default:"0" help:"dropout probability on the last conv block's output (training only)"`
		Beta           float64 `yaml:"beta" range:"[0,1]" default:"0.5" help:"membrane decay per step of the conv blocks' LIF neurons"`
		Threshold      float64 `yaml:"threshold" range:"(0,)" default:"1" help:"firing threshold of every layer"`
		Reset          string  `yaml:"reset" default:"subtract" enum:"subtract,zero,none,zero_legacy" help:"reset of the conv blocks' LIF neurons after a spike (zero: U = β(1−r)U + I, what NIR expresses, for export without --lossy; zero_legacy: braingo's zero before 2026-12-06)"`
		Surrogate      string  `yaml:"surrogate" default:"fast_sigmoid" help:"surrogate gradient of the spike, by name (braingo surrogates lists them with their parameters)"`
		SurrogateScale float64 `yaml:"surrogate_scale" default:"25" help:"the surrogate's main parameter (fast_sigmoid slope; 0: its default)"`
		ReadoutBeta    float64 `yaml:"readout_beta" range:"[0,1]" default:"0.5" help:"membrane decay per step of the spiking readout"`
		ReadoutReset   string  `yaml:"readout_reset" default:"subtract" enum:"subtract,zero,none,zero_legacy" help:"reset of the readout neurons after a spike (none: the membrane keeps integrating, so its cross-entropy is not capped by the threshold)"`
	} `yaml:"model"`
	Train struct {
		Epochs    int     `yaml:"epochs" range:"[1,)" default:"1" help:"passes over the training set" alias:"epochs"`
		BatchSize int     `yaml:"batch_size" range:"[1,)" default:"128" help:"samples per batch (a final partial batch is dropped)" alias:"batch_size"`
		Loss      string  `yaml:"loss" default:"ce_rate" enum:"ce_rate,ce_membrane,ce_count" help:"loss on the readout: cross-entropy of its spikes at each step averaged over steps (snnTorch's ce_rate_loss), of its membranes summed over steps, or of its spike counts"`
		LR        float64 `yaml:"lr" range:"(0,)" default:"2e-3" help:"Adam learning rate" alias:"lr"`
		LRDecay   float64 `yaml:"lr_decay" range:"(0,1]" default:"1" help:"learning rate factor after each epoch"`
		Shuffle   bool    `yaml:"shuffle" default:"true" help:"shuffle the training set every epoch"`
		Patience  int     `yaml:"patience" default:"0" help:"stop after this many epochs without a better test accuracy, or validation accuracy with data.validation (0: never)"`
	} `yaml:"train"`
}

// Validate checks cross-field constraints, including that the conv blocks
// fit the input (28×28 images, data.side frames).
func (c *CSNN) Validate() error {
	m := c.Model
	if err := checkSurrogate(m.Surrogate); err != nil {
		return err
	}
	switch {
	case len(m.Channels) == 0:
		return recipes.Invalid("model.channels", "needs at least one conv block")
	}
	_, side, _ := c.inputShape()
	in := side
	for i := range m.Channels {
		side = (side - m.Kernel + 1) / 2
		if side < 1 {
			return recipes.Invalid("model.channels", "block %d: a %d×%d kernel and 2×2 pooling leave nothing of a %d×%d input after %d blocks", i+1, m.Kernel, m.Kernel, in, in, i+1)
		}
	}
	return nil
}

// Sides returns the input's side after each conv block.
func (c *CSNN) Sides() []int {
	_, side, _ := c.inputShape()
	out := []int{}
	for range c.Model.Channels {
		side = (side - c.Model.Kernel + 1) / 2
		out = append(out, side)
	}
	return out
}

// TaskHybrid is the spec of a task-hybrid recipe: a task-bptt recipe whose
// model must be an rsnn, with a libtorch encoder in front.
type TaskHybrid struct {
	TaskBPTT `yaml:",inline"`
	// TorchThreads is libtorch's intra-op threads, as CSNN's.
	TorchThreads int `yaml:"torch_threads" range:"[0,)" default:"2" help:"libtorch's intra-op threads, fixed so that a seed's results do not depend on threads (they do depend on this count: libtorch splits its reductions by it); 0 uses threads' count (the bits then follow threads)" alias:"torch_threads"`
	Encoder      struct {
		Hidden     []int  `yaml:"hidden" range:"[1,)" default:"32" help:"sizes of the libtorch MLP encoder's layers (Linear, then the activation, each); the last one feeds the recurrent network"`
		Activation string `yaml:"activation" default:"relu" enum:"relu,tanh,sigmoid" help:"activation after each encoder layer"`
	} `yaml:"encoder"`
}

// Validate checks the task-bptt part, that the recurrent network spikes and
// the encoder sizes.
func (c *TaskHybrid) Validate() error {
	if err := c.TaskBPTT.Validate(); err != nil {
		return err
	}
	if c.Model.Type != "rsnn" {
		return recipes.Invalid("model.type", "a task-hybrid feeds a recurrent spiking network: want rsnn, got %s", c.Model.Type)
	}
	if len(c.Encoder.Hidden) == 0 {
		return recipes.Invalid("encoder.hidden", "needs at least one layer")
	}
	if c.Train.Shards != 0 {
		return recipes.Invalid("train.shards", "a task-hybrid runs each batch at once (its libtorch encoder is not split into shards): leave it 0")
	}
	for _, h := range c.Encoder.Hidden {
		if h < 1 {
			return recipes.Invalid("encoder.hidden", "sizes must be positive, got %v", c.Encoder.Hidden)
		}
	}
	return nil
}

func (c *CSNN) legacyZeroReset() []string {
	var keys []string
	if c.Model.Reset == "zero" {
		c.Model.Reset, keys = "zero_legacy", append(keys, "model.reset")
	}
	if c.Model.ReadoutReset == "zero" {
		c.Model.ReadoutReset, keys = "zero_legacy", append(keys, "model.readout_reset")
	}
	return keys
}
