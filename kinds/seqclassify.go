package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tensor"
	"github.com/braingo/braingo/trainer"
)

// SeqClassifyKind is the recipe kind of classifying temporal (event) data,
// [T][channels] per sample, with recurrent or feed-forward spiking layers
// trained by BPTT.
const SeqClassifyKind = "seq-classify"

func init() { recipes.RegisterKind(SeqClassifyKind, func() any { return new(SeqClassify) }) }

// SeqClassify is the spec of a seq-classify recipe.
type SeqClassify struct {
	Seed    int `yaml:"seed" default:"1" help:"seed of weight initialization and shuffling" alias:"seed"`
	Threads int `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`

	Data  SeqData  `yaml:"data"`
	Model SeqModel `yaml:"model"`
	Train SeqTrain `yaml:"train"`
}

// SeqData says where the event data comes from and how it is binned.
type SeqData struct {
	Source     string  `yaml:"source" default:"randman" enum:"randman,shd,ssc,nmnist" help:"data set: randman (generated from data.randman), shd or ssc (HDF5 files in data.dir), nmnist (data.dir/Train and data.dir/Test)"`
	Dir        string  `yaml:"dir" default:"" help:"folder of the data set's files (shd: shd_train.h5, shd_test.h5; ssc: ssc_train.h5, ssc_valid.h5, ssc_test.h5; each may be .h5.gz; nmnist: Train/ and Test/)" alias:"data_dir"`
	Steps      int     `yaml:"steps" range:"[1,)" default:"100" help:"time bins per sample" alias:"steps"`
	DurationMS float64 `yaml:"duration_ms" range:"(0,)" default:"1000" help:"time covered by the bins in ms, from 0 (later events are dropped; randman: ignored, one step is 1 ms)"`
	Binary     bool    `yaml:"binary" default:"false" help:"1 for a bin with any event instead of the count (and an event-driven first projection)"`
	Encoding   string  `yaml:"encoding" default:"bins" enum:"bins,delta" help:"input: the bins themselves, or their delta modulation (snnTorch spikegen.delta over time: 1 where a channel's bin value rises by data.delta_threshold or more from the previous step)"`
	DeltaThr   float64 `yaml:"delta_threshold" range:"(0,)" default:"1" help:"delta: the rise (in events per bin; 1 with data.binary) that fires a spike"`
	DeltaOff   bool    `yaml:"delta_off" default:"false" help:"delta: also −1 where the value falls by the threshold or more (snnTorch off_spike)"`
	TestSplit  string  `yaml:"test_split" default:"test" enum:"test,valid" help:"ssc: evaluate on the test or the validation file"`
	TrainLimit int     `yaml:"train_limit" range:"[0,)" default:"0" help:"use only the first N training samples (0: all)" alias:"train_limit"`
	TestLimit  int     `yaml:"test_limit" range:"[0,)" default:"0" help:"evaluate on the first N test samples (0: all)" alias:"test_limit"`
	Validation int     `yaml:"validation" range:"[0,)" default:"0" help:"hold out the last N training samples (after train_limit) for validation: every epoch reports val_acc instead of test_acc, the best epoch's parameters are kept (best.bgc), and the test set is evaluated once, at the end, with them (test.json; braingo eval uses them too); 0: no validation, the test set after every epoch" alias:"validation"`
	CacheDir   string  `yaml:"cache_dir" default:"" help:"folder for binned copies of shd/ssc files (events.LoadOrBin; empty: bin in memory every run)"`
	Randman    struct {
		Classes         int     `yaml:"classes" range:"[2,)" default:"10" help:"classes (nb_classes)"`
		Units           int     `yaml:"units" range:"[1,)" default:"100" help:"input units (nb_units)"`
		StepFrac        float64 `yaml:"step_frac" range:"(0,1]" default:"1" help:"fraction of the steps holding spikes"`
		DimManifold     int     `yaml:"dim_manifold" range:"[1,)" default:"2" help:"manifold dimension"`
		Spikes          int     `yaml:"spikes" range:"[1,)" default:"1" help:"spikes per unit and sample"`
		SamplesPerClass int     `yaml:"samples_per_class" range:"[1,)" default:"1000" help:"samples per class (nb_samples)"`
		Alpha           float64 `yaml:"alpha" default:"2" help:"smoothness of the manifolds"`
		Seed            int     `yaml:"seed" default:"42" help:"seed of the generated data set"`
		TestFrac        float64 `yaml:"test_frac" range:"(0,1)" default:"0.2" help:"fraction of the (shuffled) samples held out for testing, taken from the end"`
	} `yaml:"randman"`
}

// SeqModel describes the network: ClassifyModel's layers and neurons, the
// hidden layers recurrent or not, and how the class is read out.
type SeqModel struct {
	ClassifyModel `yaml:",inline"`
	Recurrent     bool    `yaml:"recurrent" default:"true" help:"hidden layers have all-to-all recurrent weights (snnTorch RLeaky/RSynaptic; SpyTorch's v1), initialized as the feed-forward ones"`
	Decode        string  `yaml:"decode" default:"max" enum:"max,last,mean,count" help:"loss and prediction from the output layer: max over time of the membrane (SpyTorch, Cramer et al. 2020), last membrane, mean membrane, or spike count (needs readout: lif)"`
	DelayTaps     int     `yaml:"delay_taps" range:"[0,1000]" default:"0" help:"learn a delay of 0 … delay_taps−1 steps for every synapse of the hidden layers' input projections, with its weight (Hammouamri et al., ICLR 2024: a Gaussian over the taps whose width shrinks over the epochs; the delays start uniform); 0: off"`
	DelaySigma    float64 `yaml:"delay_sigma" range:"[0,)" default:"0" help:"the Gaussian's width in steps in the first epoch (0: delay_taps/2, as Hammouamri et al.)"`
	DelaySigmaEnd float64 `yaml:"delay_sigma_end" range:"(0,)" default:"0.5" help:"its width from epoch delay_anneal_epochs on (linear in between); evaluation uses the last trained epoch's"`
	DelayAnneal   int     `yaml:"delay_anneal_epochs" range:"[0,)" default:"0" help:"epochs over which the width shrinks from delay_sigma to delay_sigma_end (0: train.epochs; set it to keep the schedule when a resumed run raises train.epochs)"`
}

// SeqTrain configures the optimization.
type SeqTrain struct {
	Epochs      int     `yaml:"epochs" range:"[1,)" default:"10" help:"passes over the training set" alias:"epochs"`
	BatchSize   int     `yaml:"batch_size" range:"[1,)" default:"256" help:"samples per batch (a final partial batch is dropped)" alias:"batch_size"`
	Optimizer   string  `yaml:"optimizer" default:"adam" enum:"adam,adamw,adamax,sgd" help:"optimizer (adamax: PyTorch's Adamax, SpyTorch's SHD tutorial)"`
	LR          float64 `yaml:"lr" range:"(0,)" default:"1e-3" help:"learning rate" alias:"lr"`
	Beta1       float64 `yaml:"beta1" default:"0.9" help:"Adam beta1 (sgd: momentum)"`
	Beta2       float64 `yaml:"beta2" default:"0.999" help:"Adam beta2"`
	WeightDecay float64 `yaml:"weight_decay" default:"0" help:"weight decay (decoupled for adamw)"`
	GradClip    float64 `yaml:"grad_clip" default:"0" help:"clip the global gradient norm to this value (0: off)"`
	Schedule    string  `yaml:"schedule" default:"none" enum:"none,cosine" help:"learning-rate schedule over the epochs"`
	L1          float64 `yaml:"l1" default:"0" help:"weight of the L1 spike-count regularizer of hidden layers (SpyTorch: total spikes)"`
	L2          float64 `yaml:"l2" default:"0" help:"weight of the L2 spike-count regularizer of hidden layers (SpyTorch: mean over neurons of the squared count; forces one worker)"`
	Patience    int     `yaml:"patience" range:"[0,)" default:"0" help:"stop after this many epochs without a better test accuracy, or validation accuracy with data.validation (0: never)"`
	Shuffle     bool    `yaml:"shuffle" default:"true" help:"shuffle the training set every epoch"`
}

// Validate checks cross-field constraints.
func (c *SeqClassify) Validate() error {
	if err := checkSurrogate(c.Model.Surrogate); err != nil {
		return err
	}
	if err := c.Model.checkConnections(c.Data.Steps, 0); err != nil {
		return err
	}
	switch {
	case len(c.Model.Hidden) == 0:
		return recipes.Invalid("model.hidden", "needs at least one hidden layer")
	case c.Model.Decode == "count" && c.Model.Readout != "lif":
		return recipes.Invalid("model.decode", "count needs a spiking output layer (model.readout: lif), got readout %s", c.Model.Readout)
	case c.Model.InitFile != "":
		return recipes.Invalid("model.init_file", "is not supported by %s", SeqClassifyKind)
	case c.Model.DelayTaps > 0 && c.Model.Connectivity < 1:
		return recipes.Invalid("model.delay_taps", "learned delays need dense projections (model.connectivity 1, got %v)", c.Model.Connectivity)
	case c.Model.DelayTaps > c.Data.Steps:
		return recipes.Invalid("model.delay_taps", "%d taps are longer than the %d steps of a sample", c.Model.DelayTaps, c.Data.Steps)
	case c.Data.Encoding == "delta" && c.Data.DeltaOff && c.Data.Binary:
		return recipes.Invalid("data.delta_off", "off spikes (−1) need the dense first projection, data.binary: false")
	}
	return nil
}

// delaySigma is the learned delays' Gaussian width in epoch e (0-based):
// linear from delay_sigma (0: taps/2) to delay_sigma_end over
// delay_anneal_epochs (0: the recipe's epochs), then constant.
func (c *SeqClassify) delaySigma(e int) float32 {
	s0, s1 := c.Model.DelaySigma, c.Model.DelaySigmaEnd
	if s0 == 0 {
		s0 = float64(c.Model.DelayTaps) / 2
	}
	n := c.Model.DelayAnneal
	if n == 0 {
		n = c.Train.Epochs
	}
	if n <= 1 {
		return float32(s1)
	}
	e = min(max(e, 0), n-1)
	return float32(s0 + (s1-s0)*float64(e)/float64(n-1))
}

// setDelaySigma sets the learned delays' width for epoch e (0-based).
func (c *SeqClassify) setDelaySigma(net *networks.FeedForward, e int) {
	for _, b := range net.Blocks {
		if ld, ok := b.Conn.(*networks.LearnedDelay); ok {
			*ld.Sigma = c.delaySigma(e)
		}
	}
}

// classify is the snn-classify spec that shares this recipe's model and
// optimizer, whose Build and optimizer the kind reuses.
func (c *SeqClassify) classify() *Classify {
	t := c.Train
	return &Classify{Seed: c.Seed, Model: c.Model.ClassifyModel, Train: ClassifyTrain{Optimizer: t.Optimizer, LR: t.LR,
		Beta1: t.Beta1, Beta2: t.Beta2, WeightDecay: t.WeightDecay}}
}

// Build returns the network for inputs channels and classes outputs: the
// snn-classify network of the same model, its hidden cells wrapped in
// networks.RecurrentCell with weights rec1.weight, rec2.weight, ... drawn
// after the feed-forward ones as they are (PyTorch's uniform ±1/√units, or
// Kaiming normal).
func (c *SeqClassify) Build(inputs, classes int) (*networks.FeedForward, error) {
	cl := c.classify()
	net, err := cl.Build(inputs, classes)
	if err != nil {
		return nil, err
	}
	if taps := c.Model.DelayTaps; taps > 0 {
		// Drawn from a stream of their own: the weights stay those of the
		// same recipe without learned delays.
		rd := rand.New(rand.NewPCG(uint64(c.Seed), 0x64656c61))
		for i := range net.Blocks[:len(net.Blocks)-1] {
			b := &net.Blocks[i]
			b.Conn = networks.NewLearnedDelay(fmt.Sprintf("fc%d", i+1), b.Proj, taps, c.delaySigma(0), rd)
			b.Proj = nil
		}
	}
	if !c.Model.Recurrent {
		return net, nil
	}
	r := rand.New(rand.NewPCG(uint64(c.Seed), 0x7265632e))
	for i := range net.Blocks[:len(net.Blocks)-1] {
		h := net.Blocks[i].Projection().Out()
		w := cl.dense(fmt.Sprintf("rec%d", i+1), h, h, 1, r).W
		net.Blocks[i].Cell = networks.RecurrentCell{Cell: net.Blocks[i].Cell, W: w}
	}
	return net, nil
}

func (c *SeqClassify) optimizer(params []*tensor.Tensor) (optimizer, error) {
	if t := c.Train; t.Optimizer == "adamax" {
		return optim.New(params, optim.AdamaxConfig{LR: t.LR, Beta1: t.Beta1, Beta2: t.Beta2, WeightDecay: t.WeightDecay})
	}
	return c.classify().optimizer(params)
}

// eventFiles are the file names of the HDF5 data sets, by source and split.
var eventFiles = map[string]map[string]string{
	"shd": {"train": "shd_train.h5", "test": "shd_test.h5"},
	"ssc": {"train": "ssc_train.h5", "valid": "ssc_valid.h5", "test": "ssc_test.h5"},
}

// howToGet is where each data set is published.
var howToGet = map[string]string{
	"shd":    "https://zenkelab.org/datasets/ (Cramer et al. 2020)",
	"ssc":    "https://zenkelab.org/datasets/ (Cramer et al. 2020)",
	"nmnist": "https://www.garrickorchard.com/datasets/n-mnist (Orchard et al. 2015), unzipped",
}

// expected describes the files a source needs in its folder.
func expected(source string) string {
	switch source {
	case "shd":
		return "shd_train.h5 and shd_test.h5 (or .h5.gz)"
	case "ssc":
		return "ssc_train.h5, ssc_valid.h5 and ssc_test.h5 (or .h5.gz)"
	}
	return "Train/ and Test/, each with folders 0 to 9 of .bin files"
}

// missingData is the one-line error for a data folder or file that is not
// there.
func missingData(source, dir, what string) error {
	if dir == "" {
		return fmt.Errorf("%s: no data folder: run with --set data_dir=DIR, a folder holding %s, from %s", source, expected(source), howToGet[source])
	}
	return fmt.Errorf("%s: %s not found in %s: expected %s, from %s", source, what, dir, expected(source), howToGet[source])
}

// findFile returns dir/base.gz or dir/base, whichever exists.
func findFile(source, dir, base string) (string, error) {
	for _, p := range []string{base, base + ".gz"} {
		path := filepath.Join(dir, p)
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			return path, nil
		}
	}
	return "", missingData(source, dir, base+"[.gz]")
}

func checkDir(source, dir string) error {
	if dir == "" {
		return missingData(source, dir, "")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: folder %s not found: expected %s, from %s", source, dir, expected(source), howToGet[source])
		}
		return fmt.Errorf("%s: %v", source, err)
	}
	return nil
}

func (c *SeqClassify) spec() events.BinSpec {
	if c.Data.Source == "randman" {
		return events.BinSpec{Steps: c.Data.Steps, Duration: int64(c.Data.Steps) * events.StepMicros, Binary: c.Data.Binary}
	}
	return events.BinSpec{Steps: c.Data.Steps, Duration: int64(c.Data.DurationMS * 1000), Binary: c.Data.Binary}
}

// SeqSplits are a seq-classify recipe's binned data: the training and test
// sets (for randman the same Binned) and the sample indices of each.
type SeqSplits struct {
	Train, Test           *events.Binned
	TrainIndex, TestIndex []int
}

func firstN(n, limit int) []int {
	if limit > 0 && limit < n {
		n = limit
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Load reads (or generates) and bins the recipe's data set, limits applied.
func (c *SeqClassify) Load() (*SeqSplits, error) {
	spec := c.spec()
	d := c.Data
	var s SeqSplits
	switch d.Source {
	case "randman":
		rm := d.Randman
		gen := events.NewRandman(events.RandmanConfig{Classes: rm.Classes, Units: rm.Units, Steps: d.Steps, StepFrac: rm.StepFrac,
			DimManifold: rm.DimManifold, Spikes: rm.Spikes, SamplesPerClass: rm.SamplesPerClass, Alpha: rm.Alpha, Seed: uint64(rm.Seed)})
		b, err := events.Bin(gen, gen.Sensor(), spec, nil)
		if err != nil {
			return nil, err
		}
		n := b.Len()
		nTest := max(1, min(n-1, int(float64(n)*rm.TestFrac+0.5)))
		s.Train, s.Test = b, b
		s.TrainIndex = firstN(n-nTest, d.TrainLimit)
		for _, i := range firstN(nTest, d.TestLimit) {
			s.TestIndex = append(s.TestIndex, n-nTest+i)
		}
		c.encode(&s)
		return &s, nil
	case "shd", "ssc":
		if err := checkDir(d.Source, d.Dir); err != nil {
			return nil, err
		}
		test := "test"
		if d.Source == "ssc" && d.TestSplit == "valid" {
			test = "valid"
		}
		var err error
		if s.Train, err = c.binHDF5(spec, "train"); err != nil {
			return nil, err
		}
		if s.Test, err = c.binHDF5(spec, test); err != nil {
			return nil, err
		}
	case "nmnist":
		if err := checkDir(d.Source, d.Dir); err != nil {
			return nil, err
		}
		for _, sp := range []struct {
			sub string
			dst **events.Binned
		}{{"Train", &s.Train}, {"Test", &s.Test}} {
			dir := filepath.Join(d.Dir, sp.sub)
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return nil, missingData(d.Source, d.Dir, sp.sub+"/")
			}
			ds, err := events.OpenNMNIST(dir)
			if err != nil {
				return nil, err
			}
			if *sp.dst, err = events.Bin(ds, ds.Sensor(), spec, nil); err != nil {
				return nil, err
			}
		}
	default:
		return nil, recipes.Invalid("data.source", "unknown source %q", d.Source)
	}
	s.TrainIndex = firstN(s.Train.Len(), d.TrainLimit)
	s.TestIndex = firstN(s.Test.Len(), d.TestLimit)
	c.encode(&s)
	return &s, nil
}

// encode sets the recipe's input encoding on the binned splits.
func (c *SeqClassify) encode(s *SeqSplits) {
	if c.Data.Encoding != "delta" {
		return
	}
	d := datasets.Delta{Threshold: float32(c.Data.DeltaThr), OffSpike: c.Data.DeltaOff}
	s.Train.Encode, s.Test.Encode = d.EncodeSeries, d.EncodeSeries
}

func (c *SeqClassify) binHDF5(spec events.BinSpec, split string) (*events.Binned, error) {
	d := c.Data
	path, err := findFile(d.Source, d.Dir, eventFiles[d.Source][split])
	if err != nil {
		return nil, err
	}
	open := events.OpenSHD
	if d.Source == "ssc" {
		open = events.OpenSSC
	}
	ds, err := open(path)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	if d.CacheDir == "" {
		return events.Bin(ds, ds.Sensor(), spec, nil)
	}
	key, err := events.FileKey(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d.CacheDir, 0o755); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s_%s_%d_%d_%t.bins", d.Source, split, spec.Steps, spec.Duration, spec.Binary)
	return events.LoadOrBin(filepath.Join(d.CacheDir, name), key, ds, ds.Sensor(), spec, nil)
}

// seqFormat names the checkpoint content of a seq-classify run.
const seqFormat = "braingo-seq-snn/1"

// Run trains the recipe's network into opts.Dir.
func (c *SeqClassify) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	data, err := c.Load()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	var valIndex []int
	if v := c.Data.Validation; v > 0 {
		n := len(data.TrainIndex)
		if v >= n {
			return recipes.Invalid("data.validation", "%d leaves none of the %d training samples to train on", v, n)
		}
		data.TrainIndex, valIndex = data.TrainIndex[:n-v], data.TrainIndex[n-v:]
	}
	if len(data.TrainIndex) < c.Train.BatchSize {
		return recipes.Invalid("train.batch_size", "%d is larger than the %d training samples", c.Train.BatchSize, len(data.TrainIndex))
	}
	classes := len(data.Train.Classes())
	net, err := c.Build(data.Train.Channels, classes)
	if err != nil {
		return err
	}
	opt, err := c.optimizer(net.Params())
	if err != nil {
		return err
	}
	ckpt := filepath.Join(opts.Dir, CheckpointFile)
	sched, err := epochSchedule(opt, c.Train.Schedule, c.Train.Epochs)
	if err != nil {
		return err
	}
	epoch, history, err := opts.resume(func(path string) (int, error) {
		return restoreTraining(path, seqFormat, net.Params(), opt)
	})
	if err != nil {
		return err
	}
	sched.advance(min(epoch, c.Train.Epochs))
	c.setDelaySigma(net, epoch)
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	task := &trainer.SeqClassify{Net: net, Data: data.Train, Samples: data.TrainIndex, BatchSize: c.Train.BatchSize,
		Shuffle: c.Train.Shuffle, DropLast: true, Seed: uint64(c.Seed), Decode: c.Model.Decode, Binary: c.Data.Binary,
		L1: float32(c.Train.L1), L2: float32(c.Train.L2), Exchange: opts.shards}
	if err := task.Validate(); err != nil {
		return err
	}
	var optStep trainer.Optimizer = opt
	if c.Train.GradClip > 0 {
		optStep = clipped{opt, net.Params(), c.Train.GradClip}
	}
	var last *trainer.Evaluation
	// With a validation set, each epoch is scored on it, and the best
	// epoch's parameters are kept for the one test evaluation at the end.
	evalData, evalIndex, measure := data.Test, data.TestIndex, "test_acc"
	if valIndex != nil {
		evalData, evalIndex, measure = data.Train, valIndex, "val_acc"
	}
	sel := newSelection(measure, c.Train.Patience, history)
	evalHook := trainer.EpochFunc{Label: "evaluate", Fn: func(l *trainer.Loop, e *trainer.Epoch) error {
		last = seqEvaluate(opts, net, evalData, evalIndex, c.Model.Decode, c.Data.Binary)
		acc := last.Accuracy()
		e.Extra[measure] = acc
		rec := eval.NewRecord(e.Epoch)
		rec.TrainLoss, rec.TrainAcc = e.TrainLoss, e.TrainAcc
		rec.Seconds, rec.SamplesPerSec = e.TrainSeconds, e.SamplesPerS
		for _, lr := range last.Rates {
			rec.Rates = append(rec.Rates, eval.LayerRate{Layer: lr.Name, Neurons: lr.Neurons, Rate: lr.Rate, Silent: -1})
		}
		rec.Extra = map[string]float64{"peak_rss_mb": sysinfo.PeakRSSMB()}
		ops := feedForwardOps(net, last)
		ops.add(rec.Extra)
		if valIndex != nil {
			rec.Extra["val_acc"] = acc
		} else {
			rec.TestAcc = acc
		}
		history = append(history, rec)
		if err := opts.AppendMetrics(rec); err != nil {
			return err
		}
		if valIndex != nil && sel.improved(acc) {
			if err := saveTraining(opts.Path(BestFile), seqFormat, r, net.Params(), opt, e.Epoch); err != nil {
				return err
			}
		}
		if err := saveTraining(ckpt, seqFormat, r, net.Params(), opt, e.Epoch); err != nil {
			return err
		}
		sched.advance(1)
		c.setDelaySigma(net, e.Epoch) // the next epoch's (0-based e.Epoch)
		if opts.JSON {
			line := EpochLine{Epoch: e.Epoch, TrainSeconds: e.TrainSeconds, SamplesPerS: e.SamplesPerS, TrainLoss: e.TrainLoss,
				TrainAcc: e.TrainAcc, PeakRSSMB: sysinfo.PeakRSSMB(), SynOps: ops.total()}
			if valIndex != nil {
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
	hooks := append([]trainer.Hook{&trainer.Progress{W: opts.Stderr, Force: opts.ForceProgress}, trainer.NaNGuard{Params: net.Params()}, evalHook}, sel.hooks()...)
	loop := &trainer.Loop{Task: task, Optimizer: optStep, Epochs: c.Train.Epochs, StartEpoch: epoch + 1, Hooks: hooks}
	runErr := loop.Run(ctx)
	if valIndex != nil && runErr == nil {
		// The one test evaluation: the best validation epoch's parameters.
		ep, err := restoreTraining(opts.Path(BestFile), seqFormat, net.Params(), nil)
		if err != nil {
			return err
		}
		last = seqEvaluate(opts, net, data.Test, data.TestIndex, c.Model.Decode, c.Data.Binary)
		res := TestResult{BestEpoch: ep, ValAcc: sel.best, TestAcc: last.Accuracy(), Samples: len(last.Pred)}
		if err := writeTestFile(opts, res); err != nil {
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
		rep := newSeqReport(c.Data.Source, data.Test.Classes(), last)
		if err := rep.write(opts, c.Data.Steps, history); err != nil && runErr == nil {
			runErr = err
		}
	}
	if errors.Is(runErr, trainer.ErrNotFinite) {
		return fmt.Errorf("%w; the run directory %s keeps the last good checkpoint", runErr, opts.Dir)
	}
	return runErr
}

// seqReport is a seq-classify run's evaluation: accuracy, per-layer firing
// rates and the confusion matrix (classReport's, over samples).
type seqReport struct{ classReport }

func newSeqReport(source string, names []string, ev *trainer.Evaluation) *seqReport {
	return &seqReport{classReport{dataset: source, names: names, unit: "samples", ev: ev}}
}

// write puts the plots into the run directory and, without JSON, the
// results tables on stdout.
func (s *seqReport) write(opts *RunDir, steps int, history []eval.EpochRecord) error {
	ev := s.ev
	var panels [][]eval.Raster
	for k, layers := range ev.Raster {
		var row []eval.Raster
		for l, spikes := range layers {
			if len(spikes) == 0 && l < len(ev.Rates) && ev.Rates[l].Rate == 0 {
				continue
			}
			r := eval.Raster{Title: fmt.Sprintf("test sample %d, %s", k, rateName(ev, l)), Steps: steps, Neurons: neurons(ev, l)}
			for _, sp := range spikes {
				r.Spikes = append(r.Spikes, eval.Spike{Step: sp[0], Neuron: sp[1]})
			}
			row = append(row, r)
		}
		if len(row) > 0 {
			panels = append(panels, row)
		}
	}
	errs := []error{eval.WriteCurves(opts.Dir, history), eval.WriteConfusion(opts.Dir, s.confusion(), s.names)}
	if len(panels) > 0 { // a silent network has no raster
		errs = append(errs, eval.WriteRaster(opts.Dir, panels))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if opts.JSON {
		return nil
	}
	w := opts.Stdout
	fmt.Fprintf(w, "\n%s: %d epochs, test accuracy %.2f%%\n", s.dataset, len(history), 100*ev.Accuracy())
	if err := eval.WriteEpochTable(w, history); err != nil {
		return err
	}
	if err := eval.WriteRateTable(w, s.rates()); err != nil {
		return err
	}
	if err := eval.WriteConfusionTable(w, s.confusion(), s.names); err != nil {
		return err
	}
	files := []string{recipes.EchoFile, eval.MetricsFile, CheckpointFile, eval.CurvesFile, eval.ConfusionFile}
	if len(panels) > 0 {
		files = append(files, eval.RasterFile)
	}
	fmt.Fprintf(w, "run directory %s: %s\n", opts.Dir, strings.Join(files, ", "))
	return nil
}

// Evaluate loads the run's checkpoint and evaluates it on the test set.
func (c *SeqClassify) Evaluate(d *RunDir) (Report, error) {
	r, err := recipes.Load(filepath.Join(d.Dir, recipes.EchoFile), nil)
	if err != nil {
		return nil, err
	}
	spec, ok := r.Spec.(*SeqClassify)
	if !ok {
		return nil, fmt.Errorf("%s: recipe kind %s is not %s", d.Dir, r.Kind, SeqClassifyKind)
	}
	prev := kernels.SetThreads(spec.Threads)
	defer kernels.SetThreads(prev)
	data, err := spec.Load()
	if err != nil {
		return nil, err
	}
	net, err := spec.Build(data.Test.Channels, len(data.Test.Classes()))
	if err != nil {
		return nil, err
	}
	epoch, err := restoreTraining(bestOrLast(d), seqFormat, net.Params(), nil)
	if err != nil {
		return nil, err
	}
	spec.setDelaySigma(net, epoch-1) // the last trained epoch's width
	ev := trainer.SeqEvaluate(net, data.Test, data.TestIndex, spec.Model.Decode, spec.Data.Binary, 256, 0)
	return newSeqReport(spec.Data.Source, data.Test.Classes(), ev), nil
}

// SeqDataFiles lists the files and folders a seq-classify source reads
// from its folder ("shd", "ssc", "nmnist"), for braingo data info.
func SeqDataFiles(source string) []string {
	if source == "nmnist" {
		return []string{"Train", "Test"}
	}
	var out []string
	for _, split := range []string{"train", "valid", "test"} {
		if f, ok := eventFiles[source][split]; ok {
			out = append(out, f)
		}
	}
	return out
}
