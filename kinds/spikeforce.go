package kinds

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/trainer"
)

// SpikingForceKind is the recipe kind of spiking FORCE (Nicola and Clopath
// 2017): a LIF network's decoder trained by RLS to reproduce a signal.
const SpikingForceKind = "spiking-force"

func init() {
	recipes.RegisterKind(SpikingForceKind, func() any { return new(SpikingForceSpec) })
}

// SpikingForceSpec is the spec of a spiking-force recipe. Defaults are the
// LIF sinusoid example of Nicola and Clopath's code.
type SpikingForceSpec struct {
	Seed    int `yaml:"seed" default:"1" help:"seed of the weights and initial state" alias:"seed"`
	Threads int `yaml:"threads" range:"[0,)" default:"0" help:"goroutines the kernels may use (0: all cores)" alias:"threads"`
	Model   struct {
		Units  int     `yaml:"units" range:"[1,)" default:"2000" help:"LIF neurons N" alias:"units"`
		P      float64 `yaml:"p" default:"0.1" help:"connection probability of the static weights"`
		G      float64 `yaml:"g" default:"0.04" help:"static weight gain G (weights G·N(0,1)/(√N·p), zero mean per neuron)" alias:"g"`
		Q      float64 `yaml:"q" default:"10" help:"learned-feedback gain Q (encoders uniform in ±Q)" alias:"q"`
		TauM   float64 `yaml:"tau_m_ms" default:"10" help:"membrane time constant (ms)"`
		TauRef float64 `yaml:"tau_ref_ms" default:"2" help:"refractory period (ms)"`
		TauR   float64 `yaml:"tau_r_ms" default:"2" help:"synaptic rise time (ms)"`
		TauD   float64 `yaml:"tau_d_ms" default:"20" help:"synaptic decay time (ms)"`
		Conn   string  `yaml:"conn" default:"csr" enum:"dense,csr" help:"storage of the static weights" alias:"conn"`
	} `yaml:"model"`
	Target ForceTarget `yaml:"target"`
	Train  struct {
		DtMS    float64 `yaml:"dt_ms" range:"(0,)" default:"0.05" help:"time step (ms)" alias:"dt"`
		WarmupS float64 `yaml:"warmup_s" range:"[0,)" default:"1" help:"simulated seconds before learning starts"`
		TrainS  float64 `yaml:"train_s" range:"[0,)" default:"5" help:"simulated seconds of training" alias:"train_s"`
		TestS   float64 `yaml:"test_s" range:"[0,)" default:"5" help:"simulated seconds with learning off, for test_nmse" alias:"test_s"`
		// P(0) = I·0.1·dt in the paper's code, for rates in Hz.
		Alpha float64 `yaml:"alpha" range:"[0,)" default:"0" help:"RLS: P(0) = I/alpha (0: 1/(0.1·dt in s), the paper's)" alias:"alpha"`
		Every int     `yaml:"every" default:"50" help:"steps between RLS updates" alias:"every"`
	} `yaml:"train"`
	Plots bool `yaml:"plots" default:"true" help:"write force.png (target and output) into the run directory" alias:"plots"`
}

// Validate checks the ranges.
func (c *SpikingForceSpec) Validate() error {
	switch {
	case c.Model.Units < 2:
		return recipes.Invalid("model.units", "must be at least 2, got %d", c.Model.Units)
	case c.Train.DtMS <= 0:
		return recipes.Invalid("train.dt_ms", "must be positive, got %v", c.Train.DtMS)
	case c.Train.TrainS < 0 || c.Train.TestS <= 0 || c.Train.WarmupS < 0:
		return recipes.Invalid("train.test_s", "warmup_s and train_s must not be negative and test_s must be positive")
	case c.Train.Alpha < 0:
		return recipes.Invalid("train.alpha", "must not be negative, got %v", c.Train.Alpha)
	case c.Train.Every < 1:
		return recipes.Invalid("train.every", "must be at least 1, got %d", c.Train.Every)
	case c.Target.PeriodMS <= 0:
		return recipes.Invalid("target.period_ms", "must be positive, got %v", c.Target.PeriodMS)
	}
	return nil
}

// sforceRun is a built spiking-force network and its rule.
type sforceRun struct {
	c      *SpikingForceSpec
	net    *networks.SpikingForce
	rule   *trainer.FORCE
	target []float32
	outs   int
}

const spikingForceCheckpointFormat = "braingo-spiking-force/1"

func (c *SpikingForceSpec) build() (*sforceRun, error) {
	m := c.Model
	outs := c.Target.outputs()
	net, err := networks.NewSpikingForce(networks.SpikingForceConfig{Units: m.Units, Outputs: outs, P: m.P, G: m.G, Q: m.Q,
		DtMS: c.Train.DtMS, TauMMS: m.TauM, TauRef: m.TauRef, TauRMS: m.TauR, TauDMS: m.TauD, Conn: m.Conn, Seed: uint64(c.Seed)})
	if err != nil {
		return nil, recipes.Invalid("model", "%v", err)
	}
	alpha := c.Train.Alpha
	if alpha == 0 {
		alpha = 1 / (0.1 * c.Train.DtMS / 1000)
	}
	rule := trainer.NewFORCE(net, trainer.FORCEConfig{Alpha: alpha, Every: c.Train.Every})
	return &sforceRun{c: c, net: net, rule: rule, target: make([]float32, outs), outs: outs}, nil
}

// steps returns the warm-up, training and test steps.
func (c *SpikingForceSpec) steps() (warm, train, test int) {
	dt := c.Train.DtMS
	return int(c.Train.WarmupS*1000/dt + 0.5), int(c.Train.TrainS*1000/dt + 0.5), int(c.Train.TestS*1000/dt + 0.5)
}

func (sr *sforceRun) step(s int, learn bool) error {
	tms := float64(s+1) * sr.c.Train.DtMS
	sr.c.Target.values(tms, sr.target)
	sr.net.Step()
	if err := sr.rule.Step(trainer.Signal{Target: sr.target, Learn: learn}); err != nil {
		return fmt.Errorf("step %d (t = %.1f ms): %w", s, tms, err)
	}
	if z := float64(sr.net.Z[0]); math.IsNaN(z) || math.IsInf(z, 0) {
		return fmt.Errorf("step %d (t = %.1f ms): the output is %v: the network diverged", s, tms, z)
	}
	return nil
}

// arrays are the checkpoint's: decoder, RLS P and the network's state;
// after a restore, call back to set the refractory counters.
func (sr *sforceRun) arrays() (a []stateArray, back func()) {
	n := sr.net
	ref, back := int32Array("sforce.ref", n.Refractory())
	return []stateArray{{"sforce.phi", n.Phi}, {"sforce.v", n.V}, {"sforce.s", n.S}, {"sforce.h", n.H}, {"sforce.r", n.R},
		{"sforce.hr", n.HR}, {"sforce.z", n.Z}, ref, {"sforce.rls_p", sr.rule.RLS.Matrix()}}, back
}

func (sr *sforceRun) restore(path string) (stateMeta, error) {
	a, back := sr.arrays()
	meta, err := restoreState(path, spikingForceCheckpointFormat, a)
	if err == nil {
		back()
	}
	return meta, err
}

// test runs the test steps [from, from+n) with learning off; the rate
// counts the test only.
func (sr *sforceRun) test(ctx context.Context, bar *trainer.StepBar, from, n int) (*eval.SignalTrace, error) {
	dt := sr.c.Train.DtMS
	tr := eval.NewSignalTrace(max(1, int(1/dt+0.5)), sr.outs)
	sr.net.ResetRate()
	for s := from; s < from+n; s++ {
		if (s-from)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			bar.Set(s, "testing")
		}
		if err := sr.step(s, false); err != nil {
			return nil, err
		}
		tr.Add(s, float64(s+1)*dt, sr.target, sr.net.Z, true)
	}
	return tr, nil
}

// Run trains a spiking-force recipe into opts.Dir: warm-up and training, a
// checkpoint (epoch 1), the test and its measures (metrics.jsonl);
// --resume skips what is done (see readoutckpt.go).
func (c *SpikingForceSpec) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	sr, err := c.build()
	if err != nil {
		return err
	}
	var tm trainedMeta
	ep, _, err := opts.resume(func(path string) (int, error) {
		meta, err := sr.restore(path)
		if err == nil {
			err = sameRecipe(path, meta.checkpointMeta, r, func(f *SpikingForceSpec) { f.Threads, f.Plots = 0, false })
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
			return reportForce(opts, r.Name, forceLineOf("spiking-force", m.Units, rec), []string{recipes.EchoFile, CheckpointFile, eval.MetricsFile})
		}
	}
	dt := c.Train.DtMS
	warm, train, test := c.steps()
	total := warm + train + test
	fmt.Fprintf(opts.Stderr, "%s: %d LIF neurons, warm-up %g s, training %g s, testing %g s (%d steps of %g ms)\n",
		r.Name, m.Units, c.Train.WarmupS, c.Train.TrainS, c.Train.TestS, total, dt)
	every := max(1, int(1/dt+0.5))
	trainTr := eval.NewSignalTrace(every, sr.outs)
	bar := trainer.StepBar{W: opts.Stderr, Force: opts.ForceProgress}
	bar.Start(total, "warm-up")
	if ep < 1 {
		var start time.Time
		showFrom := warm + max(0, train-int(1000/dt)) // the last second of training
		for s := 0; s < warm+train; s++ {
			if s%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				note := "warm-up"
				if s >= warm {
					note = "training"
				}
				bar.Set(s, note)
			}
			if s == warm {
				start = time.Now()
			}
			learn := s >= warm
			if err := sr.step(s, learn); err != nil {
				return err
			}
			if s >= showFrom && learn {
				trainTr.Add(s, float64(s+1)*dt, sr.target, sr.net.Z, false)
			}
		}
		if train == 0 {
			start = time.Now()
		}
		tm = trainedMeta{TrainSeconds: time.Since(start).Seconds(), TrainMSE: sr.rule.TrainMSE(), Updates: sr.rule.RLS.Updates(), Steps: warm + train}
		if train == 0 {
			tm.TrainMSE = 0
		}
		a, _ := sr.arrays()
		if err := saveState(opts.CheckpointPath(), spikingForceCheckpointFormat, r, a, 1, tm); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.Stderr, "training was finished: testing only\n")
	}
	testTr, err := sr.test(ctx, &bar, warm+train, test)
	if err != nil {
		return err
	}
	bar.Finish()
	line := ForceLine{Method: "spiking-force", Units: m.Units, Steps: total, Updates: tm.Updates, TrainSimS: c.Train.TrainS,
		TrainSeconds: tm.TrainSeconds, TrainMSE: tm.TrainMSE, TestNMSE: testTr.NMSE(), TestCorr: testTr.Corr(), RateHz: sr.net.RateHz(),
		PeakRSSMB: sysinfo.PeakRSSMB()}
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

// Evaluate replays the test of a spiking-force run from its checkpoint
// (learning off): the run's test NMSE, correlation and rate, bit for bit.
func (c *SpikingForceSpec) Evaluate(d *RunDir) (Report, error) {
	if err := needCheckpoint(d); err != nil {
		return nil, err
	}
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	sr, err := c.build()
	if err != nil {
		return nil, err
	}
	if _, err := sr.restore(d.CheckpointPath()); err != nil {
		return nil, err
	}
	warm, train, test := c.steps()
	tr, err := sr.test(context.Background(), &trainer.StepBar{}, warm+train, test)
	if err != nil {
		return nil, err
	}
	return &forceReport{Dir: d.Dir, Method: "spiking-force", TestS: c.Train.TestS, Steps: test, NMSE: tr.NMSE(), Corr: tr.Corr(), RateHz: sr.net.RateHz()}, nil
}
