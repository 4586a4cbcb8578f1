package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

// SimKind is the recipe kind of a spiking network simulation (no training).
const SimKind = "sim"

func init() {
	recipes.RegisterKind(SimKind, func() any { return new(Sim) })
}

// Sim is the spec of a sim recipe: one of the E/I benchmark networks (COBA
// and CUBA LIF, COBA Hodgkin-Huxley), simulated without a tape.
type Sim struct {
	Model      string  `yaml:"model" default:"coba" enum:"coba,cuba,coba-hh" help:"network: COBA LIF E/I (BrainPy paper 5.1), CUBA LIF E/I (Vogels-Abbott), COBA-HH (Traub-Miles Hodgkin-Huxley E/I)"`
	Scale      float64 `yaml:"scale" range:"(0,)" default:"1" alias:"scale" help:"network size as a multiple of 4,000 neurons"`
	Neurons    int     `yaml:"neurons" range:"[0,)" default:"0" alias:"neurons" help:"number of neurons; overrides scale when positive"`
	FixedK     float64 `yaml:"fixed_k" range:"(0,)" default:"80" alias:"fixed_k" help:"expected connections per neuron: the connection probability is fixed_k/N (0.02 at 4,000)"`
	Conn       string  `yaml:"conn" default:"csr" enum:"dense,csr,jit" alias:"conn" help:"connectivity storage: dense matrix, CSR, or JIT (regenerated from the seed, never stored)"`
	DurationMS float64 `yaml:"duration_ms" range:"(0,)" default:"1000" alias:"duration_ms" help:"biological time to simulate (ms)"`
	Dt         float64 `yaml:"dt" range:"(0,)" default:"0.1" alias:"dt" help:"time step (ms)"`
	Method     string  `yaml:"method" default:"euler" enum:"euler,exact,exp_euler,rk2,rk4" alias:"method" help:"integration method of neurons and synapses (euler as in the Brian2 benchmark script; coba-hh uses exp_euler for euler)"`
	Seed       int     `yaml:"seed" range:"[0,)" default:"1" alias:"seed" help:"seed of connectivity and initial state"`
	Threads    int     `yaml:"threads" range:"[0,)" default:"0" alias:"threads" help:"goroutines the kernels may use (0: all cores)"`
	Record     int     `yaml:"record" range:"[0,)" default:"100000" help:"record the spikes of the first N neurons for the raster and ISI statistics (rates count every neuron)"`
	Raster     int     `yaml:"raster" range:"[0,)" default:"500" help:"neurons shown in raster.png"`
	Plots      bool    `yaml:"plots" default:"true" alias:"plots" help:"write raster.png and rate.png into the run directory"`
	// CheckpointS is the simulated time between checkpoints; a run also
	// saves its state when interrupted and at the end.
	CheckpointS float64 `yaml:"checkpoint_s" range:"[0,)" default:"10" help:"simulated seconds between checkpoints of the simulation's state (0: only when interrupted and at the end); --resume continues from the last"`
}

// Limits of one simulation run: step counts stay far from int overflow, and
// neuron indices fit the int32 of the connectivity kernels.
const (
	maxSimSteps   = 1e12
	maxSimNeurons = 1<<31 - 1
)

// Validate checks the ranges.
func (s *Sim) Validate() error {
	switch {
	case s.DurationMS/s.Dt > maxSimSteps:
		return recipes.Invalid("duration_ms", "%g ms at dt %g ms is %.3g steps; braingo simulates at most %.0e in one run", s.DurationMS, s.Dt, s.DurationMS/s.Dt, float64(maxSimSteps))
	case float64(s.N()) > maxSimNeurons:
		return recipes.Invalid("scale", "%d neurons is more than one process simulates (%.0e)", s.N(), float64(maxSimNeurons))
	}
	return nil
}

// N returns the number of neurons.
func (s *Sim) N() int {
	if s.Neurons > 0 {
		return s.Neurons
	}
	return max(5, int(4000*s.Scale+0.5))
}

// SimResult is the JSON object printed by a sim run with --json.
type SimResult struct {
	Model        string  `json:"model"`
	Conn         string  `json:"conn"`
	Threads      int     `json:"threads"`
	Neurons      int     `json:"neurons"`
	Synapses     int64   `json:"synapses"`
	DurationMS   float64 `json:"duration_ms"`
	Steps        int     `json:"steps"`
	RunSeconds   float64 `json:"run_seconds"`
	SetupSeconds float64 `json:"setup_seconds"`
	RateHz       float64 `json:"rate_hz"`
	ExcRateHz    float64 `json:"exc_rate_hz"`
	InhRateHz    float64 `json:"inh_rate_hz"`
	ISICV        float64 `json:"isi_cv"`
	ISICVNeurons int     `json:"isi_cv_neurons"`
	PeakRSSMB    float64 `json:"peak_rss_mb"`
	// On several MPI ranks (sim_mpi.go): the ranks, the longest time a rank
	// spent in the spike exchange (waiting included) and the bytes each
	// rank receives a step.
	Ranks                int     `json:"ranks,omitempty"`
	ExchangeSeconds      float64 `json:"exchange_seconds,omitempty"`
	ExchangeBytesPerStep float64 `json:"exchange_bytes_per_step,omitempty"`
}

// Build returns the network of the recipe and its group.
func (s *Sim) Build() (*snn.Simulation, *snn.Group, error) {
	m, err := snn.ParseMethod(s.Method)
	if err != nil {
		return nil, nil, recipes.Invalid("method", "%v", err)
	}
	st, _ := snn.ParseStorage(s.Conn)
	cfg := snn.COBAConfig{N: s.N(), K: s.FixedK, Dt: s.Dt, Method: m, Store: st, Seed: uint64(s.Seed)}
	if s.FixedK > float64(cfg.N) {
		return nil, nil, recipes.Invalid("fixed_k", "%g connections per neuron exceed the %d neurons", s.FixedK, cfg.N)
	}
	if st == snn.StoreDense && float64(cfg.N)*float64(cfg.N)*4 > 8<<30 {
		return nil, nil, recipes.Invalid("conn", "a dense %d×%d matrix needs %.0f GB; use csr or jit", cfg.N, cfg.N, float64(cfg.N)*float64(cfg.N)*4/1e9)
	}
	switch s.Model {
	case "cuba":
		cfg.CUBA = true
		return snn.BuildCOBA(cfg)
	case "coba-hh":
		if m == snn.Euler {
			cfg.Method = snn.ExpEuler
		}
		return snn.BuildCOBAHH(cfg)
	}
	return snn.BuildCOBA(cfg)
}

// Run simulates a sim recipe into opts.Dir: recipe.yaml, checkpoint.bgc (the
// simulation's state, see simckpt.go; with opts.Resume the run continues
// from it), and with plots raster.png and rate.png; the result goes to
// opts.Stdout as a line of text or, with opts.JSON, as one SimResult object.
func (s *Sim) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(s.Threads)
	defer kernels.SetThreads(prev)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	net, g, err := s.Build()
	if err != nil {
		return err
	}
	setup := time.Since(t0).Seconds()
	n := g.Neurons.Len()
	mon := snn.NewSpikeMonitor(g, min(n, max(s.Record, s.Raster)), 0)
	rate := &snn.RateMonitor{G: g, Dt: s.Dt}
	net.Monitors = append(net.Monitors, mon, rate)
	steps := int(s.DurationMS/s.Dt + 0.5)
	fmt.Fprintf(opts.Stderr, "%s: %d neurons, %d synapses (%s), set up in %.2f s; simulating %g ms (%d steps)\n",
		r.Name, n, net.Synapses(), s.Conn, setup, s.DurationMS, steps)
	var before float64 // run seconds of the interrupted runs this one continues
	if opts.Resume && opts.HasCheckpoint() {
		if before, err = restoreSim(opts.CheckpointPath(), r, net, mon, rate); err != nil {
			return err
		}
		if int(net.T) > steps {
			return fmt.Errorf("%s holds %d steps, more than duration_ms %g gives (%d): resume it with its own duration, or start over with --force", opts.Dir, net.T, s.DurationMS, steps)
		}
		if int(net.T) == steps {
			fmt.Fprintf(opts.Stderr, "%s is already finished: nothing to simulate\n", opts.Dir)
		} else {
			fmt.Fprintf(opts.Stderr, "resuming %s at t = %g ms (step %d)\n", opts.Dir, float64(net.T)*s.Dt, net.T)
		}
	}
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	t1 := time.Now()
	const chunk = 1000
	every := int(s.CheckpointS*1000/s.Dt + 0.5) // steps between checkpoints (0: none)
	saved := int(net.T)
	for int(net.T) < steps {
		if err := ctx.Err(); err != nil {
			if serr := saveSim(opts.CheckpointPath(), r, net, mon, rate, before+time.Since(t1).Seconds()); serr != nil {
				return fmt.Errorf("%w; saving the simulation's state: %v", err, serr)
			}
			fmt.Fprintf(opts.Stderr, "interrupted at t = %g ms: %s holds the state; continue with --resume\n", float64(net.T)*s.Dt, opts.Dir)
			return err
		}
		k := min(chunk, steps-int(net.T))
		if every > 0 {
			k = min(k, saved+every-int(net.T))
		}
		net.Run(k)
		if every > 0 && int(net.T)-saved >= every && int(net.T) < steps {
			if err := saveSim(opts.CheckpointPath(), r, net, mon, rate, before+time.Since(t1).Seconds()); err != nil {
				return err
			}
			saved = int(net.T)
		}
	}
	run := before + time.Since(t1).Seconds()
	if err := saveSim(opts.CheckpointPath(), r, net, mon, rate, run); err != nil {
		return err
	}
	ne := n * 4 / 5
	cv, cvn := mon.ISICV(0, n)
	res := SimResult{Model: s.Model, Conn: s.Conn, Threads: kernels.Threads(), Neurons: n, Synapses: net.Synapses(),
		DurationMS: s.DurationMS, Steps: steps, RunSeconds: run, SetupSeconds: setup,
		RateHz: mon.MeanRate(0, n, s.Dt), ExcRateHz: mon.MeanRate(0, ne, s.Dt), InhRateHz: mon.MeanRate(ne, n, s.Dt),
		ISICV: cv, ISICVNeurons: cvn, PeakRSSMB: sysinfo.PeakRSSMB()}
	if s.Plots {
		if err := writeSimPlots(opts.Dir, r.Name, s, mon, rate, steps); err != nil {
			return err
		}
	}
	if opts.JSON {
		return json.NewEncoder(opts.Stdout).Encode(res)
	}
	fmt.Fprintf(opts.Stdout, "%s: %d neurons, %d synapses, %g ms in %.3f s (setup %.2f s); rate %.2f Hz (exc %.2f, inh %.2f), ISI CV %.3f; peak RSS %.0f MB\n",
		r.Name, n, res.Synapses, s.DurationMS, run, setup, res.RateHz, res.ExcRateHz, res.InhRateHz, cv, res.PeakRSSMB)
	if s.Plots {
		fmt.Fprintf(opts.Stdout, "run directory %s: %s, %s, %s, %s\n", opts.Dir, recipes.EchoFile, CheckpointFile, eval.RasterFile, SimRateFile)
	}
	return nil
}

// SimRateFile is the population-rate plot of a sim run.
const SimRateFile = "rate.png"

func writeSimPlots(dir, name string, s *Sim, mon *snn.SpikeMonitor, rate *snn.RateMonitor, steps int) error {
	show := min(s.Raster, s.N())
	ras := eval.Raster{Title: fmt.Sprintf("%s: first %d neurons", name, show), Steps: steps, Neurons: show, Dt: s.Dt}
	for st := 0; st < mon.Steps(); st++ {
		for _, i := range mon.Step(st) {
			if int(i) < show {
				ras.Spikes = append(ras.Spikes, eval.Spike{Step: st, Neuron: int(i)})
			}
		}
	}
	if err := eval.WriteRaster(dir, [][]eval.Raster{{ras}}); err != nil {
		return err
	}
	// Population rate in 1-ms bins.
	bin := max(1, int(1/s.Dt+0.5))
	var x, y []float64
	for b := 0; b*bin < len(rate.Rate); b++ {
		var sum float64
		k := 0
		for _, r := range rate.Rate[b*bin : min(len(rate.Rate), (b+1)*bin)] {
			sum += float64(r)
			k++
		}
		x = append(x, float64(b*bin)*s.Dt)
		y = append(y, sum/float64(k))
	}
	return eval.WriteLines(filepath.Join(dir, SimRateFile), eval.LinePlot{Title: name + ": population rate (1-ms bins)",
		XLabel: "time (ms)", YLabel: "rate (Hz)", X: x, Series: []eval.Series{{Name: "all", Y: y}}})
}
