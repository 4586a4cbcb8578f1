package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/trainer"
)

// SimKind is the recipe kind of a spiking network simulation (no training).
const SimKind = "sim"

func init() {
	recipes.RegisterKind(SimKind, func() any { return new(Sim) })
}

// Sim is the spec of a sim recipe: a spiking network written as data
// (groups, projections, monitors; see sim_net.go and docs/sim-recipes.md),
// simulated without a tape. The E/I benchmarks coba, cuba and coba-hh are
// such recipes; the top-level keys size and wire the whole network.
type Sim struct {
	Scale      float64 `yaml:"scale" range:"(0,)" default:"1" alias:"scale" help:"network size as a multiple of the groups' sizes"`
	Neurons    int     `yaml:"neurons" range:"[0,)" default:"0" alias:"neurons" help:"number of neurons of the network, shared among the groups in proportion to their sizes; overrides scale when positive"`
	FixedK     float64 `yaml:"fixed_k" range:"(0,)" default:"80" alias:"fixed_k" help:"expected connections per neuron of fixed_prob projections without prob: their probability is fixed_k divided by the network's neurons (0.02 at 4,000)"`
	Conn       string  `yaml:"conn" default:"csr" enum:"dense,csr,jit" alias:"conn" help:"connectivity storage of projections that name none: dense matrix, CSR, or JIT (regenerated from the seed, never stored)"`
	DurationMS float64 `yaml:"duration_ms" range:"(0,)" default:"1000" alias:"duration_ms" help:"biological time to simulate (ms)"`
	Dt         float64 `yaml:"dt" range:"(0,)" default:"0.1" alias:"dt" help:"time step (ms)"`
	Method     string  `yaml:"method" default:"euler" enum:"euler,exact,exp_euler,rk2,rk4" alias:"method" help:"integration method of the groups and projections that name none"`
	Seed       int     `yaml:"seed" range:"[0,)" default:"1" alias:"seed" help:"seed of connectivity and initial state"`
	Threads    int     `yaml:"threads" range:"[0,)" default:"0" alias:"threads" help:"goroutines the kernels may use (0: all cores)"`
	Record     int     `yaml:"record" range:"[0,)" default:"100000" help:"record the spikes of the network's first N neurons (groups in order) for the raster and ISI statistics (rates count every neuron)"`
	Raster     int     `yaml:"raster" range:"[0,)" default:"500" help:"neurons shown in raster.png"`
	Plots      bool    `yaml:"plots" default:"true" alias:"plots" help:"write raster.png, rate.png and the monitors' plots into the run directory"`
	// CheckpointS is the simulated time between checkpoints; a run also
	// saves its state when interrupted and at the end.
	CheckpointS float64      `yaml:"checkpoint_s" range:"[0,)" default:"10" help:"simulated seconds between checkpoints of the simulation's state (0: only when interrupted and at the end); --resume continues from the last"`
	Groups      []SimGroup   `yaml:"groups" help:"the groups of neurons, in the order of the network's numbering"`
	Projections []SimProj    `yaml:"projections" help:"the projections between groups"`
	Monitors    []SimMonitor `yaml:"monitors" help:"state variables to record and plot (state_GROUP_VAR.png)"`
}

// Limits of one simulation run: step counts stay far from int overflow, and
// neuron indices fit the int32 of the connectivity kernels.
const (
	maxSimSteps   = 1e12
	maxSimNeurons = 1<<31 - 1
)

// Validate checks the ranges and the network.
func (s *Sim) Validate() error {
	switch {
	case s.DurationMS/s.Dt > maxSimSteps:
		return recipes.Invalid("duration_ms", "%g ms at dt %g ms is %.3g steps; braingo simulates at most %.0e in one run", s.DurationMS, s.Dt, s.DurationMS/s.Dt, float64(maxSimSteps))
	case s.Neurons == 0 && len(s.Groups) > 0 && float64(s.base())*s.Scale > maxSimNeurons:
		return recipes.Invalid("scale", "%.3g neurons is more than one process simulates (%.0e)", float64(s.base())*s.Scale, float64(maxSimNeurons))
	}
	_, err := s.NetSpec()
	return err
}

// SimResult is the JSON object printed by a sim run with --json.
type SimResult struct {
	Model        string  `json:"model"` // the recipe's name
	Conn         string  `json:"conn"`
	Threads      int     `json:"threads"`
	Neurons      int     `json:"neurons"`
	Synapses     int64   `json:"synapses"`
	DurationMS   float64 `json:"duration_ms"`
	Steps        int     `json:"steps"`
	RunSeconds   float64 `json:"run_seconds"`
	SetupSeconds float64 `json:"setup_seconds"`
	RateHz       float64 `json:"rate_hz"`
	// ExcRateHz and InhRateHz are the mean rates of the groups of role exc
	// and inh (absent without such groups).
	ExcRateHz    *float64 `json:"exc_rate_hz,omitempty"`
	InhRateHz    *float64 `json:"inh_rate_hz,omitempty"`
	ISICV        float64  `json:"isi_cv"`
	ISICVNeurons int      `json:"isi_cv_neurons"`
	PeakRSSMB    float64  `json:"peak_rss_mb"`
	// On several MPI ranks (sim_mpi.go): the ranks, the longest time a rank
	// spent in the spike exchange (waiting included) and the bytes each
	// rank receives a step.
	Ranks                int     `json:"ranks,omitempty"`
	ExchangeSeconds      float64 `json:"exchange_seconds,omitempty"`
	ExchangeBytesPerStep float64 `json:"exchange_bytes_per_step,omitempty"`
}

// Build returns the network of the recipe (one process).
func (s *Sim) Build() (*snn.Net, error) {
	spec, err := s.NetSpec()
	if err != nil {
		return nil, err
	}
	return spec.Build()
}

// simSynapses returns the network's synapses per projection: counted (CSR,
// dense; summed over ranks by sum) or, for JIT storage, expected.
func simSynapses(spec *snn.NetSpec, net *snn.Net, sum func(int64) int64) []int64 {
	exp := expectedSynapses(spec)
	out := make([]int64, len(net.Projs))
	for k, p := range net.Projs {
		if spec.Projs[k].Conn.Store == snn.StoreJIT {
			out[k] = int64(exp[k] + 0.5)
		} else {
			out[k] = sum(p.Conn.Synapses())
		}
	}
	return out
}

// simMonitors are the monitors of a run: the spikes of the network's first
// neurons and the population rate (of All), and the recipe's state
// monitors (nil on ranks other than 0).
type simMonitors struct {
	spikes *snn.SpikeMonitor
	rate   *snn.RateMonitor
	states []*snn.StateMonitor
	// start is the step the state monitors began at (a resumed run's).
	start int32
}

func (s *Sim) addMonitors(net *snn.Net, local bool) (*simMonitors, error) {
	m := &simMonitors{spikes: snn.NewSpikeMonitor(net.All, min(net.N, max(s.Record, s.Raster)), 0), rate: &snn.RateMonitor{G: net.All, Dt: s.Dt}}
	net.Sim.Monitors = append(net.Sim.Monitors, m.spikes, m.rate)
	for k, sm := range s.Monitors {
		for j, g := range s.Groups {
			if g.Name != sm.Group {
				continue
			}
			have := net.Hi[j] - net.Lo[j]
			if !local && sm.Neurons > have {
				return nil, recipes.Invalid(fmt.Sprintf("monitors.%d.neurons", k), "rank 0 holds %d neurons of group %s; record at most those on several ranks", have, g.Name)
			}
			idx := make([]int32, min(sm.Neurons, have))
			for i := range idx {
				idx[i] = int32(i)
			}
			if _, ok := snnStateVar(net.Groups[j].Neurons, sm.Var); !ok {
				return nil, recipes.Invalid(fmt.Sprintf("monitors.%d.var", k), "group %s (%s) has no state variable %q", g.Name, g.Model, sm.Var)
			}
			every := max(1, int32(math.Round(sm.EveryMS/s.Dt)))
			st := &snn.StateMonitor{G: net.Groups[j], Var: sm.Var, Indices: idx, Every: every}
			m.states = append(m.states, st)
			net.Sim.Monitors = append(net.Sim.Monitors, st)
		}
	}
	return m, nil
}

func snnStateVar(n snn.Neurons, name string) ([]float32, bool) {
	if sv, ok := n.(snn.StateVars); ok {
		if x, ok := sv.State(name); ok {
			return x, true
		}
	}
	if name == "v" && n.V() != nil {
		return n.V(), true
	}
	return nil, false
}

// netState returns the state arrays of a one-process network.
func netState(net *snn.Net) ([]snn.StateArray, error) {
	st, err := net.State()
	if err != nil {
		return nil, err
	}
	out := make([]snn.StateArray, len(st))
	for k, a := range st {
		out[k] = a.StateArray
	}
	return out, nil
}

// Run simulates a sim recipe into opts.Dir: recipe.yaml, checkpoint.bgc (the
// simulation's state, see simckpt.go; with opts.Resume the run continues
// from it), and with plots raster.png, rate.png and the monitors' plots; the
// results go to opts.Stdout as a table or, with opts.JSON, as one
// SimResult object. A progress bar shows on a terminal.
func (s *Sim) Run(ctx context.Context, opts *RunDir) error {
	r := opts.Recipe
	prev := kernels.SetThreads(s.Threads)
	defer kernels.SetThreads(prev)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	spec, err := s.NetSpec()
	if err != nil {
		return err
	}
	net, err := spec.Build()
	if err != nil {
		return err
	}
	setup := time.Since(t0).Seconds()
	n := net.N
	mons, err := s.addMonitors(net, true)
	if err != nil {
		return err
	}
	syn := simSynapses(spec, net, func(x int64) int64 { return x })
	steps := int(s.DurationMS/s.Dt + 0.5)
	fmt.Fprintf(opts.Stderr, "%s: %d neurons in %d groups, %d synapses (%s), set up in %.2f s; simulating %g ms (%d steps)\n",
		r.Name, n, len(net.Groups), sum64(syn), s.Conn, setup, s.DurationMS, steps)
	// Networks whose state cannot be saved (delays, some models) run
	// without checkpoints.
	_, stErr := netState(net)
	var before float64 // run seconds of the interrupted runs this one continues
	if opts.Resume && opts.HasCheckpoint() {
		if stErr != nil {
			return fmt.Errorf("%s cannot be resumed: %v", r.Name, stErr)
		}
		st, _ := netState(net)
		if net.Sim.T, before, err = readSimCheckpoint(opts.CheckpointPath(), r, st, mons.spikes, mons.rate); err != nil {
			return err
		}
		if int(net.Sim.T) > steps {
			return fmt.Errorf("%s holds %d steps, more than duration_ms %g gives (%d): resume it with its own duration, or start over with --force", opts.Dir, net.Sim.T, s.DurationMS, steps)
		}
		if int(net.Sim.T) == steps {
			fmt.Fprintf(opts.Stderr, "%s is already finished: nothing to simulate\n", opts.Dir)
		} else {
			fmt.Fprintf(opts.Stderr, "resuming %s at t = %g ms (step %d)\n", opts.Dir, float64(net.Sim.T)*s.Dt, net.Sim.T)
		}
	}
	if stErr != nil {
		fmt.Fprintf(opts.Stderr, "%s: no checkpoints: %v\n", r.Name, stErr)
	}
	mons.start = net.Sim.T
	if err := opts.WriteEcho(); err != nil {
		return err
	}
	save := func(run float64) error {
		if stErr != nil {
			return nil
		}
		st, err := netState(net)
		if err != nil {
			return err
		}
		return writeSimCheckpoint(opts.CheckpointPath(), r, st, net.Sim.T, mons.spikes, mons.rate, run)
	}
	t1 := time.Now()
	bar := trainer.StepBar{W: opts.Stderr, Force: opts.ForceProgress}
	bar.Start(steps, r.Name)
	const chunk = 1000
	every := int(s.CheckpointS*1000/s.Dt + 0.5) // steps between checkpoints (0: none)
	saved := int(net.Sim.T)
	for int(net.Sim.T) < steps {
		if err := ctx.Err(); err != nil {
			bar.Finish()
			if serr := save(before + time.Since(t1).Seconds()); serr != nil {
				return fmt.Errorf("%w; saving the simulation's state: %v", err, serr)
			}
			if stErr == nil {
				fmt.Fprintf(opts.Stderr, "interrupted at t = %g ms: %s holds the state; continue with --resume\n", float64(net.Sim.T)*s.Dt, opts.Dir)
			}
			return err
		}
		k := min(chunk, steps-int(net.Sim.T))
		if every > 0 {
			k = min(k, saved+every-int(net.Sim.T))
		}
		net.Sim.Run(k)
		bar.Set(int(net.Sim.T), "")
		if every > 0 && int(net.Sim.T)-saved >= every && int(net.Sim.T) < steps {
			if err := save(before + time.Since(t1).Seconds()); err != nil {
				return err
			}
			saved = int(net.Sim.T)
		}
	}
	bar.Finish()
	run := before + time.Since(t1).Seconds()
	if err := save(run); err != nil {
		return err
	}
	res, table := s.results(r.Name, net, mons.spikes, syn, steps, run, setup)
	res.PeakRSSMB = sysinfo.PeakRSSMB()
	if s.Plots {
		if err := s.writePlots(opts.Dir, r.Name, net, mons, steps); err != nil {
			return err
		}
	}
	if opts.JSON {
		return json.NewEncoder(opts.Stdout).Encode(res)
	}
	fmt.Fprintf(opts.Stdout, "%s: %d neurons, %d synapses, %g ms (%d steps) in %.3f s, set up in %.2f s; peak RSS %.0f MB\n",
		r.Name, n, res.Synapses, s.DurationMS, steps, run, setup, res.PeakRSSMB)
	if err := eval.WriteSimTable(opts.Stdout, table); err != nil {
		return err
	}
	fmt.Fprintf(opts.Stdout, "run directory %s: %s\n", opts.Dir, strings.Join(s.runFiles(stErr == nil, mons), ", "))
	return nil
}

func sum64(x []int64) int64 {
	var s int64
	for _, v := range x {
		s += v
	}
	return s
}

// results returns the JSON result and the table rows of a finished run:
// every group's rate, ISI CV and incoming synapses, then the whole network.
func (s *Sim) results(name string, net *snn.Net, mon *snn.SpikeMonitor, syn []int64, steps int, run, setup float64) (SimResult, []eval.SimRow) {
	n := net.N
	cv, cvn := mon.ISICV(0, n)
	res := SimResult{Model: name, Conn: s.Conn, Threads: kernels.Threads(), Neurons: n, Synapses: sum64(syn),
		DurationMS: s.DurationMS, Steps: steps, RunSeconds: run, SetupSeconds: setup,
		RateHz: mon.MeanRate(0, n, s.Dt), ISICV: cv, ISICVNeurons: cvn}
	var rows []eval.SimRow
	in := map[string]int64{}
	for k, p := range s.Projections {
		in[p.Post] += syn[k]
	}
	role := map[string][2]int{} // spikes, neurons
	for k, g := range s.Groups {
		lo, hi := net.Off[k], net.Off[k]+net.Size[k]
		gcv, gcvn := mon.ISICV(lo, hi)
		rows = append(rows, eval.SimRow{Group: g.Name, Model: g.Model, Neurons: hi - lo, RateHz: mon.MeanRate(lo, hi, s.Dt),
			ISICV: gcv, ISICVNeurons: gcvn, Synapses: in[g.Name]})
		if g.Role != "" {
			c := role[g.Role]
			for _, x := range mon.Count[lo:hi] {
				c[0] += int(x)
			}
			c[1] += hi - lo
			role[g.Role] = c
		}
	}
	rate := func(c [2]int) *float64 {
		x := float64(c[0]) / float64(c[1]) / (float64(mon.Steps()) * s.Dt / 1000)
		return &x
	}
	if c, ok := role["exc"]; ok {
		res.ExcRateHz = rate(c)
	}
	if c, ok := role["inh"]; ok {
		res.InhRateHz = rate(c)
	}
	rows = append(rows, eval.SimRow{Group: "all", Neurons: n, RateHz: res.RateHz, ISICV: cv, ISICVNeurons: cvn, Synapses: res.Synapses})
	return res, rows
}

// SimRateFile is the population-rate plot of a sim run.
const SimRateFile = "rate.png"

func (s *Sim) writePlots(dir, name string, net *snn.Net, m *simMonitors, steps int) error {
	show := min(s.Raster, net.N)
	ras := eval.Raster{Title: fmt.Sprintf("%s: first %d neurons", name, show), Steps: steps, Neurons: show, Dt: s.Dt}
	mon, rate := m.spikes, m.rate
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
	if err := eval.WriteLines(filepath.Join(dir, SimRateFile), eval.LinePlot{Title: name + ": population rate (1-ms bins)",
		XLabel: "time (ms)", YLabel: "rate (Hz)", X: x, Series: []eval.Series{{Name: "all", Y: y}}}); err != nil {
		return err
	}
	for _, st := range m.states {
		k := len(st.Indices)
		if k == 0 {
			continue
		}
		rows := len(st.Values) / k
		if rows == 0 {
			continue
		}
		p := eval.LinePlot{Title: fmt.Sprintf("%s: %s of group %s", name, st.Var, st.G.Name), XLabel: "time (ms)", YLabel: st.Var}
		first := (int64(m.start) + int64(st.Every) - 1) / int64(st.Every) // the first sampled step, in Every steps
		for t := range rows {
			p.X = append(p.X, float64((first+int64(t))*int64(st.Every))*s.Dt)
		}
		for i := range k {
			y := make([]float64, rows)
			for t := range rows {
				y[t] = float64(st.Values[t*k+i])
			}
			p.Series = append(p.Series, eval.Series{Name: fmt.Sprintf("neuron %d", i), Y: y})
		}
		if err := eval.WriteLines(filepath.Join(dir, stateFile(st)), p); err != nil {
			return err
		}
	}
	return nil
}

// runFiles lists the files a run writes into its directory.
func (s *Sim) runFiles(ckpt bool, m *simMonitors) []string {
	files := []string{recipes.EchoFile}
	if ckpt {
		files = append(files, CheckpointFile)
	}
	if s.Plots {
		files = append(files, eval.RasterFile, SimRateFile)
		for _, st := range m.states {
			files = append(files, stateFile(st))
		}
	}
	return files
}

// stateFile is the plot of a state monitor.
func stateFile(st *snn.StateMonitor) string {
	return fmt.Sprintf("state_%s_%s.png", st.G.Name, st.Var)
}
