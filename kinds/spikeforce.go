package kinds

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

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

// Run trains a spiking-force recipe into opts.Dir.
func (c *SpikingForceSpec) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(c.Threads)
	defer kernels.SetThreads(prev)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	m := c.Model
	outs := c.Target.outputs()
	net, err := networks.NewSpikingForce(networks.SpikingForceConfig{Units: m.Units, Outputs: outs, P: m.P, G: m.G, Q: m.Q,
		DtMS: c.Train.DtMS, TauMMS: m.TauM, TauRef: m.TauRef, TauRMS: m.TauR, TauDMS: m.TauD, Conn: m.Conn, Seed: uint64(c.Seed)})
	if err != nil {
		return recipes.Invalid("model", "%v", err)
	}
	alpha := c.Train.Alpha
	if alpha == 0 {
		alpha = 1 / (0.1 * c.Train.DtMS / 1000)
	}
	rule := trainer.NewFORCE(net, trainer.FORCEConfig{Alpha: alpha, Every: c.Train.Every})
	dt := c.Train.DtMS
	warm := int(c.Train.WarmupS*1000/dt + 0.5)
	train := int(c.Train.TrainS*1000/dt + 0.5)
	test := int(c.Train.TestS*1000/dt + 0.5)
	total := warm + train + test
	fmt.Fprintf(opts.Stderr, "%s: %d LIF neurons, warm-up %g s, training %g s, testing %g s (%d steps of %g ms)\n",
		r.Name, m.Units, c.Train.WarmupS, c.Train.TrainS, c.Train.TestS, total, dt)
	every := max(1, int(1/dt+0.5))
	trainTr, testTr := newTrace(every, outs), newTrace(every, outs)
	target := make([]float32, outs)
	bar := trainer.StepBar{W: opts.Stderr, Force: opts.ForceProgress}
	bar.Start(total, "warm-up")
	var start time.Time
	var trainSec, trainMSE float64
	showFrom := warm + max(0, train-int(1000/dt)) // the last second of training
	for s := 0; s < total; s++ {
		if s%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			note := "warm-up"
			if s >= warm+train {
				note = "testing"
			} else if s >= warm {
				note = "training"
			}
			bar.Set(s, note)
		}
		if s == warm {
			start = time.Now()
		}
		if s == warm+train {
			trainSec = time.Since(start).Seconds()
			trainMSE = rule.TrainMSE()
			net.ResetRate()
		}
		learn := s >= warm && s < warm+train
		tms := float64(s+1) * dt
		c.Target.values(tms, target)
		net.Step()
		if err := rule.Step(trainer.Signal{Target: target, Learn: learn}); err != nil {
			return fmt.Errorf("step %d (t = %.1f ms): %w", s, tms, err)
		}
		if z := float64(net.Z[0]); math.IsNaN(z) || math.IsInf(z, 0) {
			return fmt.Errorf("step %d (t = %.1f ms): the output is %v: the network diverged", s, tms, z)
		}
		switch {
		case s >= warm+train:
			testTr.add(s, tms, target, net.Z, true)
		case s >= showFrom && learn:
			trainTr.add(s, tms, target, net.Z, false)
		}
	}
	bar.Finish()
	if train == 0 {
		trainMSE = 0
	}
	line := ForceLine{Method: "spiking-force", Units: m.Units, Steps: total, Updates: rule.RLS.Updates(), TrainSimS: c.Train.TrainS,
		TrainSeconds: trainSec, TrainMSE: trainMSE, TestNMSE: testTr.nmse(), TestCorr: testTr.corr(), RateHz: net.RateHz(),
		PeakRSSMB: sysinfo.PeakRSSMB()}
	if c.Train.TrainS > 0 {
		line.SecondsPerSimS = trainSec / c.Train.TrainS
	}
	files := []string{recipes.EchoFile}
	if c.Plots {
		if err := writeForcePlot(filepath.Join(opts.Dir, ForceFile), r.Name, trainTr, testTr, line.TestNMSE); err != nil {
			return err
		}
		files = append(files, ForceFile)
	}
	return reportForce(opts, r.Name, line, files)
}
