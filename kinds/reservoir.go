package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/trainer"
)

// ReservoirKind is the recipe kind of reservoir computing on an image
// dataset: a fixed random echo-state or spiking reservoir, driven by each
// image for a few steps, and a linear readout of its final state trained
// offline by ridge regression or online by RLS or LMS.
const ReservoirKind = "reservoir"

func init() {
	recipes.RegisterKind(ReservoirKind, func() any { return new(ReservoirSpec) })
}

// ReservoirSpec is the spec of a reservoir recipe.
type ReservoirSpec struct {
	Seed    int `yaml:"seed" default:"1" help:"seed of the reservoir's weights" alias:"seed"`
	Threads int `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`
	Data    struct {
		Dataset    string `yaml:"dataset" default:"fashion-mnist" enum:"fashion-mnist,mnist" help:"image dataset"`
		Dir        string `yaml:"dir" default:"" help:"folder with the four IDX files (empty: $BRAINGO_FASHION_MNIST / $BRAINGO_MNIST, then the Debian package's folder)" alias:"data_dir"`
		TrainLimit int    `yaml:"train_limit" range:"[0,)" default:"0" help:"use only the first N training images (0: all)" alias:"train_limit"`
		TestLimit  int    `yaml:"test_limit" range:"[0,)" default:"0" help:"evaluate on the first N test images (0: all)" alias:"test_limit"`
	} `yaml:"data"`
	Model struct {
		Units          int     `yaml:"units" range:"[1,)" default:"2000" help:"reservoir units N" alias:"units"`
		Neuron         string  `yaml:"neuron" default:"tanh" enum:"tanh,lif" help:"leaky tanh rate units (echo-state network) or LIF neurons (spiking reservoir; the readout reads spike counts)" alias:"neuron"`
		Degree         float64 `yaml:"degree" default:"10" help:"expected recurrent inputs per unit (probability degree/N)"`
		SpectralRadius float64 `yaml:"spectral_radius" default:"0.9" help:"spectral radius of the recurrent weights, set by power iteration" alias:"spectral_radius"`
		InputScale     float64 `yaml:"input_scale" default:"0.1" help:"input weights N(0, input_scale²) on pixels in [0, 1]"`
		BiasScale      float64 `yaml:"bias_scale" default:"0.5" help:"biases uniform in ±bias_scale"`
		Leak           float64 `yaml:"leak" default:"1" help:"leak rate a of tanh units (1: none); for lif, the decay of the spike trace (1: spikes of the last step only, small: counts)"`
		Beta           float64 `yaml:"beta" range:"[0,1]" default:"0.9" help:"lif: membrane decay per step"`
		Conn           string  `yaml:"conn" default:"auto" enum:"auto,dense,csr,jit" help:"storage of the recurrent weights; auto: dense up to dense_limit units, JIT beyond" alias:"conn"`
		DenseLimit     int     `yaml:"dense_limit" default:"2048" help:"auto: the largest reservoir stored densely"`
		Steps          int     `yaml:"steps" range:"[1,)" default:"3" help:"steps each image drives the reservoir; the final state is read" alias:"steps"`
		IncludeInput   bool    `yaml:"include_input" default:"true" help:"the readout also reads the pixels (as echo-state readouts usually read the input)"`
	} `yaml:"model"`
	Readout struct {
		Method    string  `yaml:"method" default:"ridge" enum:"ridge,rls,lms" help:"ridge: offline, closed form from the streamed XᵀX (Cholesky); rls: online recursive least squares, one sample at a time; lms: online normalized LMS" alias:"method"`
		Lambda    float64 `yaml:"lambda" default:"1" help:"ridge regularizer λ; rls: P(0) = I/λ" alias:"lambda"`
		LR        float64 `yaml:"lr" range:"(0,)" default:"0.05" help:"lms: normalized step size"`
		Epochs    int     `yaml:"epochs" range:"[1,)" default:"1" help:"rls, lms: passes over the training set"`
		BatchSize int     `yaml:"batch_size" range:"[1,)" default:"1000" help:"images run through the reservoir together" alias:"batch_size"`
		TrainEval int     `yaml:"train_eval" default:"10000" help:"training images scored for train_acc after fitting (0: none)"`
	} `yaml:"readout"`
	Plots bool `yaml:"plots" default:"true" help:"write confusion.png into the run directory" alias:"plots"`
}

// Validate checks the ranges.
func (c *ReservoirSpec) Validate() error {
	m := c.Model
	switch {
	case m.Units < 2:
		return recipes.Invalid("model.units", "must be at least 2, got %d", m.Units)
	case m.Steps < 1:
		return recipes.Invalid("model.steps", "must be at least 1, got %d", m.Steps)
	case m.Degree <= 0:
		return recipes.Invalid("model.degree", "must be positive, got %v", m.Degree)
	case !(m.Leak > 0 && m.Leak <= 1):
		return recipes.Invalid("model.leak", "must be in (0, 1], got %v", m.Leak)
	case c.Readout.BatchSize < 1:
		return recipes.Invalid("readout.batch_size", "must be at least 1, got %d", c.Readout.BatchSize)
	case c.Readout.Lambda < 0 || (c.Readout.Method == "rls" && c.Readout.Lambda == 0):
		return recipes.Invalid("readout.lambda", "must be positive, got %v", c.Readout.Lambda)
	case c.Readout.Epochs < 1:
		return recipes.Invalid("readout.epochs", "must be at least 1, got %d", c.Readout.Epochs)
	case c.Data.TrainLimit < 0 || c.Data.TestLimit < 0:
		return recipes.Invalid("data.train_limit", "limits must be >= 0")
	}
	return nil
}

// conn resolves the storage of the recurrent weights.
func (c *ReservoirSpec) conn() string {
	if c.Model.Conn != "auto" {
		return c.Model.Conn
	}
	if c.Model.Units <= c.Model.DenseLimit {
		return networks.ConnDense
	}
	return networks.ConnJIT
}

// ReservoirLine is the JSON object a reservoir run prints with --json.
type ReservoirLine struct {
	Units         int     `json:"units"`
	Neuron        string  `json:"neuron"`
	Conn          string  `json:"conn"`
	Readout       string  `json:"readout"`
	Features      int     `json:"features"`
	TrainSamples  int     `json:"train_samples"`
	TestSamples   int     `json:"test_samples"`
	BuildSeconds  float64 `json:"build_seconds"`
	StatesSeconds float64 `json:"states_seconds"` // reservoir runs and accumulation of the training set
	SolveSeconds  float64 `json:"solve_seconds"`
	TrainSeconds  float64 `json:"train_seconds"` // build + states + solve
	TestSeconds   float64 `json:"test_seconds"`
	TrainAcc      float64 `json:"train_acc"` // on the first train_eval training images; -1 when train_eval is 0
	TestAcc       float64 `json:"test_acc"`
	HiddenRate    float64 `json:"hidden_rate,omitempty"` // lif: spikes per neuron per step
	PeakRSSMB     float64 `json:"peak_rss_mb"`
}

// resRun holds what the phases of a reservoir run share.
type resRun struct {
	c     *ReservoirSpec
	res   *networks.Reservoir
	bt    *networks.Batch
	feat  []float32 // batch × features
	u     []float32 // batch × pixels
	nf    int
	spk   float64 // spikes counted (lif)
	spkN  float64
	start time.Time
}

// features runs the images [lo, hi) of d through the reservoir and fills
// r.feat with their feature rows: the final state, the pixels if asked,
// and a constant 1.
func (r *resRun) features(d *datasets.Images, lo, hi int) {
	rows, px, n := hi-lo, d.Features(), r.res.N
	for i, p := range d.Pixels[lo*px : hi*px] {
		r.u[i] = float32(p) / 255
	}
	r.res.RunStatic(r.bt, r.u, rows, r.c.Model.Steps)
	nf := r.nf
	for b := range rows {
		row := r.feat[b*nf : (b+1)*nf]
		copy(row, r.bt.X[b*n:(b+1)*n])
		k := n
		if r.c.Model.IncludeInput {
			copy(row[k:], r.u[b*px:(b+1)*px])
			k += px
		}
		row[k] = 1
	}
	if r.res.Spiking {
		// The trace is a spike count of the steps (leak 1: of the last
		// step only); the mean rate over the run reads the last spikes.
		for _, s := range r.bt.S[:rows*n] {
			r.spk += float64(s)
		}
		r.spkN += float64(rows * n)
	}
}

const reservoirCheckpointFormat = "braingo-reservoir/1"

// setup loads the recipe's data and builds its reservoir and the scratch of
// a run; it returns the readout to train (classes × features, zero).
func (c *ReservoirSpec) setup() (r *resRun, train, test *datasets.Images, src datasets.Source, w []float32, build float64, err error) {
	src = datasets.FashionMNIST
	if c.Data.Dataset == "mnist" {
		src = datasets.MNIST
	}
	train, test, err = src.Load(c.Data.Dir)
	if err != nil {
		return
	}
	train, test = train.Limit(c.Data.TrainLimit), test.Limit(c.Data.TestLimit)
	m := c.Model
	t0 := time.Now()
	res, err := networks.NewReservoir(networks.ReservoirConfig{Units: m.Units, Inputs: train.Features(), Outputs: train.Classes,
		Neuron: m.Neuron, Degree: m.Degree, SpectralRadius: m.SpectralRadius, InputScale: m.InputScale, BiasScale: m.BiasScale,
		Leak: m.Leak, Beta: m.Beta, Conn: c.conn(), Seed: uint64(c.Seed)})
	if err != nil {
		err = recipes.Invalid("model", "%v", err)
		return
	}
	build = time.Since(t0).Seconds()
	px := train.Features()
	nf := m.Units + 1
	if m.IncludeInput {
		nf += px
	}
	bs := min(c.Readout.BatchSize, max(train.N, test.N))
	r = &resRun{c: c, res: res, bt: res.NewBatch(bs), feat: make([]float32, bs*nf), u: make([]float32, bs*px), nf: nf}
	w = make([]float32, train.Classes*nf)
	return
}

// Run trains a reservoir recipe into opts.Dir: the readout's fit, a
// checkpoint of it (epoch 1), the test and its measures (metrics.jsonl);
// --resume skips what is done (see readoutckpt.go).
func (c *ReservoirSpec) Run(ctx context.Context, opts *RunDir) error {
	rc := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	r, train, test, src, w, build, err := c.setup()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	var tm trainedMeta
	ep, _, err := opts.resume(func(path string) (int, error) {
		meta, err := restoreState(path, reservoirCheckpointFormat, []stateArray{{"readout.w", w}})
		if err == nil {
			err = sameRecipe(path, meta.checkpointMeta, rc, func(f *ReservoirSpec) { f.Threads, f.Plots, f.Data.Dir = 0, false, "" })
		}
		tm = meta.Trained
		return meta.Epoch, err
	})
	if err != nil {
		return err
	}
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	m := c.Model
	conn := c.conn()
	nf := r.nf
	if ep >= 1 {
		if rec, ok := finishedRecord(opts); ok {
			fmt.Fprintf(opts.Stderr, "%s is already finished: nothing to run (its measures follow; start over with --force)\n", opts.Dir)
			return reportReservoir(opts, rc.Name, reservoirLineOf(c, rec), []string{recipes.EchoFile, CheckpointFile, eval.MetricsFile})
		}
	}
	classes := train.Classes
	bs := r.bt.B
	fmt.Fprintf(opts.Stderr, "%s: %d %s units (%s, %d steps per image), %d features, readout %s; %d training and %d test images\n",
		rc.Name, m.Units, m.Neuron, conn, m.Steps, nf, c.Readout.Method, train.N, test.N)

	if ep < 1 {
		bar := trainer.StepBar{W: opts.Stderr, Force: opts.ForceProgress}
		y := make([]float32, bs*classes)
		t1 := time.Now()
		var solve float64
		switch c.Readout.Method {
		case "ridge":
			ridge := trainer.NewRidge(nf, classes)
			bar.Start(train.N, "reservoir states")
			for lo := 0; lo < train.N; lo += bs {
				if err := ctx.Err(); err != nil {
					return err
				}
				hi := min(train.N, lo+bs)
				r.features(train, lo, hi)
				oneHot(y, train.Labels[lo:hi], classes)
				ridge.Add(r.feat, y, hi-lo)
				bar.Set(hi, "")
			}
			bar.Finish()
			t2 := time.Now()
			fmt.Fprintf(opts.Stderr, "solving for %d×%d readout weights (Cholesky of %d×%d)\n", classes, nf, nf, nf)
			fit, err := ridge.Solve(c.Readout.Lambda)
			if err != nil {
				return err
			}
			copy(w, fit)
			solve = time.Since(t2).Seconds()
		default:
			if err := r.online(ctx, &bar, train, w, y); err != nil {
				return err
			}
		}
		states := time.Since(t1).Seconds() - solve
		tm = trainedMeta{TrainSeconds: build + time.Since(t1).Seconds(),
			Extra: map[string]float64{"build_seconds": build, "states_seconds": states, "solve_seconds": solve}}
		if err := saveState(opts.CheckpointPath(), reservoirCheckpointFormat, rc, []stateArray{{"readout.w", w}}, 1, tm); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.Stderr, "the readout was trained: testing only\n")
	}

	t3 := time.Now()
	conf := eval.NewConfusionMatrix(classes)
	r.spk, r.spkN = 0, 0
	if err := r.score(ctx, test, test.N, w, conf); err != nil {
		return err
	}
	testSec := time.Since(t3).Seconds()
	line := ReservoirLine{Units: m.Units, Neuron: m.Neuron, Conn: conn, Readout: c.Readout.Method, Features: nf,
		TrainSamples: train.N, TestSamples: test.N, BuildSeconds: tm.Extra["build_seconds"], StatesSeconds: tm.Extra["states_seconds"],
		SolveSeconds: tm.Extra["solve_seconds"], TrainSeconds: tm.TrainSeconds, TestSeconds: testSec, TestAcc: conf.Accuracy(), TrainAcc: math.NaN()}
	if r.res.Spiking && r.spkN > 0 {
		line.HiddenRate = r.spk / r.spkN
	}
	if k := min(c.Readout.TrainEval, train.N); k > 0 {
		tc := eval.NewConfusionMatrix(classes)
		if err := r.score(ctx, train, k, w, tc); err != nil {
			return err
		}
		line.TrainAcc = tc.Accuracy()
	}
	line.PeakRSSMB = sysinfo.PeakRSSMB()
	if err := opts.AppendMetrics(reservoirRecord(line)); err != nil {
		return err
	}
	files := []string{recipes.EchoFile, CheckpointFile, eval.MetricsFile}
	if c.Plots {
		if err := eval.WriteConfusion(opts.Dir, conf, src.ClassNames); err != nil {
			return err
		}
		files = append(files, eval.ConfusionFile)
	}
	return reportReservoir(opts, rc.Name, line, files)
}

// reservoirRecord is the metrics.jsonl record of a reservoir run (epoch
// 1): accuracies in their fields, the other measures by their --json names
// in Extra (train_acc NaN: not measured).
func reservoirRecord(l ReservoirLine) eval.EpochRecord {
	rec := eval.NewRecord(1)
	rec.TrainAcc, rec.TestAcc, rec.Seconds = l.TrainAcc, l.TestAcc, l.TrainSeconds+l.TestSeconds
	if l.TrainSeconds > 0 {
		rec.SamplesPerSec = float64(l.TrainSamples) / l.TrainSeconds
	}
	rec.Extra = map[string]float64{"features": float64(l.Features), "train_samples": float64(l.TrainSamples),
		"test_samples": float64(l.TestSamples), "build_seconds": l.BuildSeconds, "states_seconds": l.StatesSeconds,
		"solve_seconds": l.SolveSeconds, "train_seconds": l.TrainSeconds, "test_seconds": l.TestSeconds,
		"hidden_rate": l.HiddenRate, "peak_rss_mb": l.PeakRSSMB}
	return rec
}

// reservoirLineOf is the line reservoirRecord recorded.
func reservoirLineOf(c *ReservoirSpec, rec eval.EpochRecord) ReservoirLine {
	return ReservoirLine{Units: c.Model.Units, Neuron: c.Model.Neuron, Conn: c.conn(), Readout: c.Readout.Method,
		Features: int(extra(rec, "features")), TrainSamples: int(extra(rec, "train_samples")), TestSamples: int(extra(rec, "test_samples")),
		BuildSeconds: extra(rec, "build_seconds"), StatesSeconds: extra(rec, "states_seconds"), SolveSeconds: extra(rec, "solve_seconds"),
		TrainSeconds: extra(rec, "train_seconds"), TestSeconds: extra(rec, "test_seconds"), TrainAcc: rec.TrainAcc, TestAcc: rec.TestAcc,
		HiddenRate: extra(rec, "hidden_rate"), PeakRSSMB: extra(rec, "peak_rss_mb")}
}

// reportReservoir prints a reservoir run's line (JSON) or table.
func reportReservoir(opts *RunDir, name string, line ReservoirLine, files []string) error {
	if opts.JSON {
		if math.IsNaN(line.TrainAcc) {
			line.TrainAcc = -1
		}
		return json.NewEncoder(opts.Stdout).Encode(line)
	}
	f := func(v float64, p int) string { return strconv.FormatFloat(v, 'f', p, 64) }
	rows := [][]string{
		{"units", strconv.Itoa(line.Units)}, {"neuron", line.Neuron}, {"connectivity", line.Conn},
		{"readout", line.Readout}, {"features", strconv.Itoa(line.Features)},
		{"build (s)", f(line.BuildSeconds, 2)}, {"states + accumulation (s)", f(line.StatesSeconds, 2)}, {"solve (s)", f(line.SolveSeconds, 2)},
		{"train total (s)", f(line.TrainSeconds, 2)}, {"test (s)", f(line.TestSeconds, 2)},
		{"train accuracy", fmtAcc(line.TrainAcc)}, {"test accuracy", fmtAcc(line.TestAcc)},
		{"peak RSS (MB)", f(line.PeakRSSMB, 0)},
	}
	fmt.Fprintf(opts.Stdout, "\n%s\n", name)
	if err := eval.WriteSummaryTable(opts.Stdout, []string{"", "value"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(opts.Stdout, "run directory %s: %s\n", opts.Dir, joinNames(files))
	return nil
}

// Evaluate scores the test set again with the checkpoint's readout: the
// run's test accuracy (and lif rate), bit for bit.
func (c *ReservoirSpec) Evaluate(d *RunDir) (Report, error) {
	if err := needCheckpoint(d); err != nil {
		return nil, err
	}
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	r, _, test, src, w, _, err := c.setup()
	if err != nil {
		return nil, err
	}
	if _, err := restoreState(d.CheckpointPath(), reservoirCheckpointFormat, []stateArray{{"readout.w", w}}); err != nil {
		return nil, err
	}
	conf := eval.NewConfusionMatrix(test.Classes)
	if err := r.score(context.Background(), test, test.N, w, conf); err != nil {
		return nil, err
	}
	rep := &reservoirReport{dataset: c.Data.Dataset, names: src.ClassNames, conf: conf, samples: test.N}
	if r.res.Spiking && r.spkN > 0 {
		rep.rate = r.spk / r.spkN
	}
	return rep, nil
}

// reservoirReport is the evaluation of a reservoir run.
type reservoirReport struct {
	dataset string
	names   []string
	conf    *eval.ConfusionMatrix
	samples int
	rate    float64
}

func (p *reservoirReport) JSON() any {
	return struct {
		TestAcc    float64 `json:"test_acc"`
		Samples    int     `json:"samples"`
		Dataset    string  `json:"dataset"`
		HiddenRate float64 `json:"hidden_rate,omitempty"`
		Confusion  [][]int `json:"confusion"`
	}{p.conf.Accuracy(), p.samples, p.dataset, p.rate, p.conf.Counts}
}

func (p *reservoirReport) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s test accuracy: %.2f%% of %d images\n", p.dataset, 100*p.conf.Accuracy(), p.samples)
	if p.rate > 0 {
		fmt.Fprintf(w, "reservoir rate: %.4f spikes per neuron per step\n", p.rate)
	}
	return eval.WriteConfusionTable(w, p.conf, p.names)
}

func fmtAcc(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
}

func oneHot(y []float32, labels []uint8, classes int) {
	clear(y[:len(labels)*classes])
	for i, l := range labels {
		y[i*classes+int(l)] = 1
	}
}

// score classifies the first n images of d with the readout w into conf.
func (r *resRun) score(ctx context.Context, d *datasets.Images, n int, w []float32, conf *eval.ConfusionMatrix) error {
	nf, classes := r.nf, d.Classes
	bs := r.bt.B
	logits := make([]float32, bs*classes)
	pred, labels := make([]int, bs), make([]int, bs)
	for lo := 0; lo < n; lo += bs {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(n, lo+bs)
		rows := hi - lo
		r.features(d, lo, hi)
		kernels.Gemm(false, true, rows, classes, nf, 1, r.feat, nf, w, nf, 0, logits, classes)
		kernels.RowArgMax(pred[:rows], logits[:rows*classes], rows, classes)
		for i, l := range d.Labels[lo:hi] {
			labels[i] = int(l)
		}
		conf.Add(pred[:rows], labels[:rows])
	}
	return nil
}

// online trains w one sample at a time by RLS or normalized LMS.
func (r *resRun) online(ctx context.Context, bar *trainer.StepBar, train *datasets.Images, w, y []float32) error {
	c := r.c
	nf, classes, bs := r.nf, train.Classes, r.bt.B
	rd := &featReadout{x: make([]float32, nf), w: w, z: make([]float32, classes)}
	var rule trainer.OnlineRule
	if c.Readout.Method == "rls" {
		rule = trainer.NewFORCE(rd, trainer.FORCEConfig{Alpha: c.Readout.Lambda})
	} else {
		rule = &trainer.LMS{Net: rd, LR: c.Readout.LR, Normalized: true}
	}
	bar.Start(c.Readout.Epochs*train.N, "online readout ("+c.Readout.Method+")")
	for ep := range c.Readout.Epochs {
		for lo := 0; lo < train.N; lo += bs {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(train.N, lo+bs)
			r.features(train, lo, hi)
			oneHot(y, train.Labels[lo:hi], classes)
			for b := range hi - lo {
				rd.x = r.feat[b*nf : (b+1)*nf]
				for o := range classes {
					rd.z[o] = kernels.Dot(w[o*nf:(o+1)*nf], rd.x)
				}
				if err := rule.Step(trainer.Signal{Target: y[b*classes : (b+1)*classes], Learn: true}); err != nil {
					return fmt.Errorf("image %d: %w", lo+b, err)
				}
			}
			bar.Set(ep*train.N+hi, "")
		}
	}
	bar.Finish()
	return nil
}

// featReadout presents one feature row and the readout to the online rules.
type featReadout struct {
	x, z, w []float32
}

func (f *featReadout) ReadoutInput() []float32   { return f.x }
func (f *featReadout) ReadoutOutput() []float32  { return f.z }
func (f *featReadout) ReadoutWeights() []float32 { return f.w }
