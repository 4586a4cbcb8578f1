package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/trainer"
)

// ForceKind is the recipe kind of FORCE learning on a chaotic rate network
// (Sussillo and Abbott 2009), or of full-FORCE (DePasquale et al. 2018).
const ForceKind = "force"

func init() {
	recipes.RegisterKind(ForceKind, func() any { return new(Force) })
}

// ForceTarget is the periodic signal a FORCE network learns to generate.
type ForceTarget struct {
	Kind string `yaml:"kind" default:"sines" enum:"sines,sine,triangle,song" help:"sines: Sussillo and Abbott's sum of four sines (harmonics 1-4 of 1/period with amplitudes 1, 1/2, 1/6, 1/3 times amplitude/1.5); sine: one sine; triangle: a triangle wave; song: the first phrase of Ode to Joy as in Nicola and Clopath (2017), five outputs (notes C-G), each note a half-sine pulse of period_ms on its output (not learnt without a clock input yet: test NMSE 2.3 after 8 s of rate FORCE)"`
	// PeriodMS is the period of the fundamental.
	PeriodMS  float64 `yaml:"period_ms" default:"1200" help:"period of the target in ms (sines: of the lowest harmonic)" alias:"period_ms"`
	Amplitude float64 `yaml:"amplitude" default:"1.3" help:"amplitude (sines: scale of the four components, as in the paper's code)"`
}

// odeToJoy is the first phrase of Beethoven's Ode to Joy, notes C=0 … G=4,
// -1 a rest.
var odeToJoy = []int{2, 2, 3, 4, 4, 3, 2, 1, 0, 0, 1, 2, 2, 1, 1, -1}

// outputs is the number of target channels.
func (f ForceTarget) outputs() int {
	if f.Kind == "song" {
		return 5
	}
	return 1
}

// values sets dst (outputs() values) to the target at time t ms.
func (f ForceTarget) values(t float64, dst []float32) {
	if f.Kind != "song" {
		dst[0] = float32(f.value(t))
		return
	}
	clear(dst)
	k := int(t / f.PeriodMS)
	note := odeToJoy[k%len(odeToJoy)]
	if note >= 0 {
		dst[note] = float32(f.Amplitude * math.Sin(math.Pi*(t/f.PeriodMS-float64(k))))
	}
}

// value returns the target at time t ms (one output).
func (f ForceTarget) value(t float64) float64 {
	ph := 2 * math.Pi * t / f.PeriodMS
	switch f.Kind {
	case "sine":
		return f.Amplitude * math.Sin(ph)
	case "triangle":
		x := math.Mod(t/f.PeriodMS, 1)
		return f.Amplitude * (4*math.Abs(x-0.5) - 1)
	}
	a := f.Amplitude
	return (a*math.Sin(ph) + a/2*math.Sin(2*ph) + a/6*math.Sin(3*ph) + a/3*math.Sin(4*ph)) / 1.5
}

// Force is the spec of a force recipe.
type Force struct {
	Seed    int    `yaml:"seed" default:"1" help:"seed of the network's weights and initial state" alias:"seed"`
	Threads int    `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`
	Method  string `yaml:"method" default:"force" enum:"force,full-force" help:"force: train the readout of a network with output feedback (Sussillo and Abbott 2009); full-force: train the recurrent weights through a target-driven teacher network (DePasquale et al. 2018)" alias:"method"`
	Model   struct {
		Units         int     `yaml:"units" range:"[1,)" default:"1000" help:"recurrent units N" alias:"units"`
		G             float64 `yaml:"g" default:"1.5" help:"recurrent gain g (above 1: chaotic)" alias:"g"`
		P             float64 `yaml:"p" default:"0.1" help:"recurrent connection probability; weights N(0, 1/(pN))"`
		TauMS         float64 `yaml:"tau_ms" range:"(0,)" default:"10" help:"unit time constant (ms)"`
		Conn          string  `yaml:"conn" default:"csr" enum:"dense,csr,jit" help:"storage of the recurrent weights (full-force trains them and needs dense)" alias:"conn"`
		FeedbackScale float64 `yaml:"feedback_scale" default:"1" help:"feedback weights uniform in ±this (full-force: the teacher's u_f)"`
		TaskG         float64 `yaml:"task_g" default:"1" help:"full-force: initial gain of the task network's recurrent weights"`
	} `yaml:"model"`
	Target ForceTarget `yaml:"target"`
	Train  struct {
		DtMS   float64 `yaml:"dt_ms" range:"(0,)" default:"0.1" help:"time step (ms)" alias:"dt"`
		TrainS float64 `yaml:"train_s" range:"[0,)" default:"10" help:"simulated seconds of training" alias:"train_s"`
		TestS  float64 `yaml:"test_s" range:"[0,)" default:"5" help:"simulated seconds with learning off, after training, for test_nmse" alias:"test_s"`
		Alpha  float64 `yaml:"alpha" range:"(0,)" default:"1" help:"RLS regularizer: P(0) = I/alpha" alias:"alpha"`
		Every  int     `yaml:"every" default:"2" help:"steps between RLS updates" alias:"every"`
	} `yaml:"train"`
	Plots bool `yaml:"plots" default:"true" help:"write force.png (target and output) into the run directory" alias:"plots"`
}

// Validate checks the ranges.
func (c *Force) Validate() error {
	switch {
	case c.Model.Units < 2:
		return recipes.Invalid("model.units", "must be at least 2, got %d", c.Model.Units)
	case !(c.Model.P > 0 && c.Model.P <= 1):
		return recipes.Invalid("model.p", "must be in (0, 1], got %v", c.Model.P)
	case c.Model.TauMS <= 0 || c.Train.DtMS <= 0 || c.Train.DtMS > c.Model.TauMS:
		return recipes.Invalid("train.dt_ms", "dt (%v ms) must be positive and at most tau (%v ms)", c.Train.DtMS, c.Model.TauMS)
	case c.Train.TrainS < 0 || c.Train.TestS <= 0:
		return recipes.Invalid("train.test_s", "train_s must not be negative and test_s must be positive")
	case !(c.Train.Alpha > 0):
		return recipes.Invalid("train.alpha", "must be positive, got %v", c.Train.Alpha)
	case c.Train.Every < 1:
		return recipes.Invalid("train.every", "must be at least 1, got %d", c.Train.Every)
	case c.Target.PeriodMS <= 0:
		return recipes.Invalid("target.period_ms", "must be positive, got %v", c.Target.PeriodMS)
	case c.Method == "full-force" && c.Model.Conn != networks.ConnDense:
		return recipes.Invalid("model.conn", "full-force trains the recurrent weights, which must be dense, not %s", c.Model.Conn)
	}
	return nil
}

// ForceLine is the JSON object a force or spiking-force run prints with
// --json (one, at the end).
type ForceLine struct {
	Method         string  `json:"method"`
	Units          int     `json:"units"`
	Steps          int     `json:"steps"`
	Updates        int     `json:"updates"`
	TrainSimS      float64 `json:"train_sim_s"`
	TrainSeconds   float64 `json:"train_seconds"`
	SecondsPerSimS float64 `json:"seconds_per_sim_s"`
	TrainMSE       float64 `json:"train_mse"`
	TestNMSE       float64 `json:"test_nmse"`
	TestCorr       float64 `json:"test_corr"`
	RateHz         float64 `json:"rate_hz,omitempty"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
}

// ForceFile is the plot of a FORCE run: target and output at the end of
// training and over the test.
const ForceFile = "force.png"

// forceRun is a built force network and its learning rule.
type forceRun struct {
	c       *Force
	net     *networks.ForceRNN
	teacher *networks.ForceRNN // full-force
	rls     *trainer.RLS
	rule    interface {
		trainer.OnlineRule
		TrainMSE() float64
	}
	target []float32
	outs   int
}

const forceCheckpointFormat = "braingo-force/1"

// build builds the recipe's network and rule, as they are before training.
func (c *Force) build() (*forceRun, error) {
	m := c.Model
	outs := c.Target.outputs()
	cfg := networks.ForceConfig{Units: m.Units, Outputs: outs, G: m.G, P: m.P, Alpha: c.Train.DtMS / m.TauMS,
		FeedbackScale: m.FeedbackScale, Conn: m.Conn, Seed: uint64(c.Seed)}
	fr := &forceRun{c: c, target: make([]float32, outs), outs: outs}
	if c.Method == "full-force" {
		tcfg := cfg
		tcfg.Seed = uint64(c.Seed) + 0x7eac4e7
		teacher, err := networks.NewForceRNN(tcfg)
		if err != nil {
			return nil, err
		}
		cfg.NoFeedback, cfg.G = true, m.TaskG
		net, err := networks.NewForceRNN(cfg)
		if err != nil {
			return nil, err
		}
		ff, err := trainer.NewFullFORCE(net, teacher, trainer.FORCEConfig{Alpha: c.Train.Alpha, Every: c.Train.Every})
		if err != nil {
			return nil, err
		}
		fr.net, fr.teacher, fr.rule, fr.rls = net, teacher, ff, ff.RLS
		return fr, nil
	}
	net, err := networks.NewForceRNN(cfg)
	if err != nil {
		return nil, err
	}
	f := trainer.NewFORCE(net, trainer.FORCEConfig{Alpha: c.Train.Alpha, Every: c.Train.Every})
	fr.net, fr.rule, fr.rls = net, f, f.RLS
	return fr, nil
}

// steps returns the training and test steps.
func (c *Force) steps() (train, test int) {
	dt := c.Train.DtMS
	return int(c.Train.TrainS*1000/dt + 0.5), int(c.Train.TestS*1000/dt + 0.5)
}

// step advances the network and the rule by step s (0-based).
func (fr *forceRun) step(s int, learn bool) error {
	tms := float64(s+1) * fr.c.Train.DtMS
	fr.c.Target.values(tms, fr.target)
	fr.net.Step(nil)
	if err := fr.rule.Step(trainer.Signal{Target: fr.target, Learn: learn}); err != nil {
		return fmt.Errorf("step %d (t = %.1f ms): %w", s, tms, err)
	}
	if z := float64(fr.net.Z[0]); math.IsNaN(z) || math.IsInf(z, 0) {
		return fmt.Errorf("step %d (t = %.1f ms): the output is %v: the network diverged (lower g or raise alpha)", s, tms, z)
	}
	return nil
}

// arrays are what the checkpoint holds: the readout, the RLS P matrix, the
// network's state (and full-force's trained recurrent weights and teacher
// state). RLS's pending rank-one term is applied first (exact).
func (fr *forceRun) arrays() []stateArray {
	n := fr.net
	a := []stateArray{{"force.out", n.Out}, {"force.x", n.X}, {"force.r", n.R}, {"force.z", n.Z}, {"force.rls_p", fr.rls.Matrix()}}
	if fr.teacher != nil {
		t := fr.teacher
		a = append(a, stateArray{"force.rec", n.Rec.Dense}, stateArray{"teacher.x", t.X}, stateArray{"teacher.r", t.R}, stateArray{"teacher.z", t.Z})
	}
	return a
}

// Run trains a force recipe into opts.Dir: training, a checkpoint of the
// trained network (checkpoint.bgc, epoch 1), the test, and its measures
// (metrics.jsonl). --resume skips what is done (see readoutckpt.go).
func (c *Force) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	fr, err := c.build()
	if err != nil {
		return err
	}
	var tm trainedMeta
	ep, _, err := opts.resume(func(path string) (int, error) {
		meta, err := restoreState(path, forceCheckpointFormat, fr.arrays())
		if err == nil {
			err = sameRecipe(path, meta.checkpointMeta, r, func(f *Force) { f.Threads, f.Plots = 0, false })
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
	if ep >= 1 {
		if rec, ok := finishedRecord(opts); ok {
			fmt.Fprintf(opts.Stderr, "%s is already finished: nothing to run (its measures follow; start over with --force)\n", opts.Dir)
			return reportForce(opts, r.Name, forceLineOf(c.Method, m.Units, rec), []string{recipes.EchoFile, CheckpointFile, eval.MetricsFile})
		}
	}
	dt := c.Train.DtMS
	trainSteps, testSteps := c.steps()
	fmt.Fprintf(opts.Stderr, "%s: %s, %d units, training %g s (%d steps), testing %g s\n", r.Name, c.Method, m.Units, c.Train.TrainS, trainSteps, c.Train.TestS)

	every := max(1, int(1/dt+0.5)) // plot at 1 ms
	trainTr := eval.NewSignalTrace(every, fr.outs)
	bar := trainer.StepBar{W: opts.Stderr, Force: opts.ForceProgress}
	bar.Start(trainSteps+testSteps, "training")
	if ep < 1 {
		start := time.Now()
		showFrom := max(0, trainSteps-int(2000/dt)) // the last 2 s of training
		for s := 0; s < trainSteps; s++ {
			if s%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				bar.Set(s, "training")
			}
			if err := fr.step(s, true); err != nil {
				return err
			}
			if s >= showFrom {
				trainTr.Add(s, float64(s+1)*dt, fr.target, fr.net.Z, false)
			}
		}
		tm = trainedMeta{TrainSeconds: time.Since(start).Seconds(), TrainMSE: fr.rule.TrainMSE(), Updates: fr.rls.Updates(), Steps: trainSteps}
		if trainSteps == 0 {
			tm.TrainMSE = 0 // nothing trained
		}
		if err := saveState(opts.CheckpointPath(), forceCheckpointFormat, r, fr.arrays(), 1, tm); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.Stderr, "training was finished: testing only\n")
	}
	testTr, err := fr.test(ctx, &bar, trainSteps, testSteps)
	if err != nil {
		return err
	}
	bar.Finish()
	line := ForceLine{Method: c.Method, Units: m.Units, Steps: trainSteps + testSteps, Updates: tm.Updates, TrainSimS: c.Train.TrainS,
		TrainSeconds: tm.TrainSeconds, TrainMSE: tm.TrainMSE, TestNMSE: testTr.NMSE(), TestCorr: testTr.Corr(), PeakRSSMB: sysinfo.PeakRSSMB()}
	if c.Train.TrainS > 0 {
		line.SecondsPerSimS = tm.TrainSeconds / c.Train.TrainS
	}
	if err := opts.AppendMetrics(forceRecord(line)); err != nil {
		return err
	}
	files := []string{recipes.EchoFile, CheckpointFile, eval.MetricsFile}
	if c.Plots {
		if err := writeForcePlot(filepath.Join(opts.Dir, ForceFile), r.Name, trainTr, testTr, line.TestNMSE); err != nil {
			return err
		}
		files = append(files, ForceFile)
	}
	return reportForce(opts, r.Name, line, files)
}

// test runs the test steps [from, from+n) with learning off.
func (fr *forceRun) test(ctx context.Context, bar *trainer.StepBar, from, n int) (*eval.SignalTrace, error) {
	dt := fr.c.Train.DtMS
	tr := eval.NewSignalTrace(max(1, int(1/dt+0.5)), fr.outs)
	for s := from; s < from+n; s++ {
		if (s-from)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			bar.Set(s, "testing")
		}
		if err := fr.step(s, false); err != nil {
			return nil, err
		}
		tr.Add(s, float64(s+1)*dt, fr.target, fr.net.Z, true)
	}
	return tr, nil
}

// forceRecord is the metrics.jsonl record of a force or spiking-force run
// (epoch 1): its measures, by their --json names, in Extra.
func forceRecord(l ForceLine) eval.EpochRecord {
	rec := eval.NewRecord(1)
	rec.TrainLoss, rec.Seconds = l.TrainMSE, l.TrainSeconds
	rec.Extra = map[string]float64{"steps": float64(l.Steps), "updates": float64(l.Updates), "train_sim_s": l.TrainSimS,
		"train_seconds": l.TrainSeconds, "seconds_per_sim_s": l.SecondsPerSimS, "train_mse": l.TrainMSE,
		"test_nmse": l.TestNMSE, "test_corr": l.TestCorr, "rate_hz": l.RateHz, "peak_rss_mb": l.PeakRSSMB}
	return rec
}

// forceLineOf is the line forceRecord recorded.
func forceLineOf(method string, units int, rec eval.EpochRecord) ForceLine {
	return ForceLine{Method: method, Units: units, Steps: int(extra(rec, "steps")), Updates: int(extra(rec, "updates")),
		TrainSimS: extra(rec, "train_sim_s"), TrainSeconds: extra(rec, "train_seconds"), SecondsPerSimS: extra(rec, "seconds_per_sim_s"),
		TrainMSE: extra(rec, "train_mse"), TestNMSE: extra(rec, "test_nmse"), TestCorr: extra(rec, "test_corr"),
		RateHz: extra(rec, "rate_hz"), PeakRSSMB: extra(rec, "peak_rss_mb")}
}

func writeForcePlot(path, name string, train, test *eval.SignalTrace, nmse float64) error {
	panel := func(title string, tr *eval.SignalTrace) eval.LinePlot {
		lp := eval.LinePlot{Title: title, XLabel: "time (s)", YLabel: "signal", X: tr.T}
		k := len(tr.F)
		for c := range k {
			off := 2.5 * float64(k-1-c) // several channels stacked
			f, z := make([]float64, len(tr.T)), make([]float64, len(tr.T))
			for i := range tr.T {
				f[i], z[i] = tr.F[c][i]+off, tr.Z[c][i]+off
			}
			tn, zn := "target", "output"
			if k > 1 {
				tn, zn = fmt.Sprint("target ", c), fmt.Sprint("output ", c)
				lp.YLabel = "signal (outputs stacked)"
			}
			lp.Series = append(lp.Series, eval.Series{Name: tn, Y: f}, eval.Series{Name: zn, Y: z})
		}
		return lp
	}
	var panels []eval.LinePlot
	if len(train.T) > 1 {
		panels = append(panels, panel(name+": end of training", train))
	}
	panels = append(panels, panel(fmt.Sprintf("%s: test, learning off (NMSE %.4f)", name, nmse), test))
	return eval.WriteLines(path, panels...)
}

func reportForce(opts *RunDir, name string, line ForceLine, files []string) error {
	if opts.JSON {
		return json.NewEncoder(opts.Stdout).Encode(line)
	}
	w := opts.Stdout
	rows := [][]string{
		{"method", line.Method},
		{"units", strconv.Itoa(line.Units)},
		{"steps (train + test)", strconv.Itoa(line.Steps)},
		{"RLS updates", strconv.Itoa(line.Updates)},
		{"training time (s)", strconv.FormatFloat(line.TrainSeconds, 'f', 2, 64)},
		{"time per simulated s", strconv.FormatFloat(line.SecondsPerSimS, 'f', 3, 64)},
		{"train MSE (before updates)", strconv.FormatFloat(line.TrainMSE, 'g', 4, 64)},
		{"test NMSE", strconv.FormatFloat(line.TestNMSE, 'g', 4, 64)},
		{"test correlation", strconv.FormatFloat(line.TestCorr, 'f', 4, 64)},
	}
	if line.RateHz > 0 {
		rows = append(rows, []string{"mean rate (Hz)", strconv.FormatFloat(line.RateHz, 'f', 2, 64)})
	}
	rows = append(rows, []string{"peak RSS (MB)", strconv.FormatFloat(line.PeakRSSMB, 'f', 0, 64)})
	fmt.Fprintf(w, "\n%s\n", name)
	if err := eval.WriteSummaryTable(w, []string{"", "value"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "run directory %s: %s\n", opts.Dir, joinNames(files))
	return nil
}

func joinNames(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// Evaluate replays the test of a force run from its checkpoint: the
// network as training left it, learning off, the same steps as the run's
// test, so the figures equal the run's bit for bit.
func (c *Force) Evaluate(d *RunDir) (Report, error) {
	if err := needCheckpoint(d); err != nil {
		return nil, err
	}
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	fr, err := c.build()
	if err != nil {
		return nil, err
	}
	if _, err := restoreState(d.CheckpointPath(), forceCheckpointFormat, fr.arrays()); err != nil {
		return nil, err
	}
	trainSteps, testSteps := c.steps()
	tr, err := fr.test(context.Background(), &trainer.StepBar{}, trainSteps, testSteps)
	if err != nil {
		return nil, err
	}
	return &forceReport{Dir: d.Dir, Method: c.Method, TestS: c.Train.TestS, Steps: testSteps, NMSE: tr.NMSE(), Corr: tr.Corr()}, nil
}

// forceReport is the evaluation of a force or spiking-force run.
type forceReport struct {
	Dir, Method string
	TestS       float64
	Steps       int
	NMSE, Corr  float64
	RateHz      float64
}

func (f *forceReport) JSON() any {
	return struct {
		Method   string  `json:"method"`
		TestSimS float64 `json:"test_sim_s"`
		Steps    int     `json:"test_steps"`
		TestNMSE float64 `json:"test_nmse"`
		TestCorr float64 `json:"test_corr"`
		RateHz   float64 `json:"rate_hz,omitempty"`
	}{f.Method, f.TestS, f.Steps, f.NMSE, f.Corr, f.RateHz}
}

func (f *forceReport) WriteTable(w io.Writer) error {
	rows := [][]string{
		{"test (simulated s)", strconv.FormatFloat(f.TestS, 'g', -1, 64)},
		{"test steps", strconv.Itoa(f.Steps)},
		{"test NMSE", strconv.FormatFloat(f.NMSE, 'g', 4, 64)},
		{"test correlation", strconv.FormatFloat(f.Corr, 'f', 4, 64)},
	}
	if f.RateHz > 0 {
		rows = append(rows, []string{"mean rate (Hz)", strconv.FormatFloat(f.RateHz, 'f', 2, 64)})
	}
	fmt.Fprintf(w, "%s, test of %s (learning off, from the checkpoint):\n", f.Method, f.Dir)
	return eval.WriteSummaryTable(w, []string{"measure", "value"}, rows)
}
