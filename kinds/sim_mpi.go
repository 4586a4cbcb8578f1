package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/mpi"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

// A sim run on several MPI ranks (braingo-mpi under mpirun, see
// internal/mpi): the neurons are split among the ranks in contiguous
// blocks (snn.BuildCOBAPart), spikes are exchanged every step by an
// allgather, and the spikes, rates and checkpoint equal a one-process run's
// bit for bit (the run seconds aside). Rank 0 alone opens the run directory
// and writes into it (recipe.yaml, the plots, and checkpoint.bgc: the ranks'
// state gathered in neuron order, the format of a one-process run, so that
// one process can resume it); the other ranks write nothing and print
// nothing.

// rankRunner is implemented by kinds that run on several MPI ranks.
type rankRunner interface {
	runRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error
}

// runOnRanks runs r on the ranks of an MPI job (mpi.Size() > 1).
func runOnRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	k, ok := r.Spec.(rankRunner)
	if !ok {
		return fmt.Errorf("recipe %s: kind %s does not run on several MPI ranks yet; run it as one process (without mpirun)", r.Name, r.Kind)
	}
	if err := checkMemory(r, opts); err != nil {
		return err
	}
	return k.runRanks(ctx, r, opts)
}

func (s *Sim) runRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	rank, size := mpi.Rank(), mpi.Size()
	var d *RunDir
	if rank == 0 {
		var err error
		if d, err = OpenRun(r, opts); err != nil {
			return err
		}
		defer d.Close()
		if err := os.MkdirAll(d.Dir, 0o755); err != nil {
			return err
		}
	}
	prev := kernels.SetThreads(s.Threads)
	defer kernels.SetThreads(prev)
	m, err := snn.ParseMethod(s.Method)
	if err != nil {
		return recipes.Invalid("method", "%v", err)
	}
	st, _ := snn.ParseStorage(s.Conn)
	n := s.N()
	if size > n {
		return fmt.Errorf("%d ranks for %d neurons: use at most one rank per neuron", size, n)
	}
	cfg := snn.COBAConfig{N: n, K: s.FixedK, Dt: s.Dt, Method: m, Store: st, Seed: uint64(s.Seed), CUBA: s.Model == "cuba"}
	if s.FixedK > float64(n) {
		return recipes.Invalid("fixed_k", "%g connections per neuron exceed the %d neurons", s.FixedK, n)
	}
	if os.Getenv("BRAINGO_TEST_FAIL_RANK") == fmt.Sprint(rank) { // the tests' failing rank (cmd/braingo/mpi_test.go)
		return fmt.Errorf("failing as BRAINGO_TEST_FAIL_RANK asks")
	}
	lo, hi := mpi.Part(n, rank, size)
	var exSeconds float64
	var exSpikes int64
	counts := make([]int32, size)
	ex := func(dst, local []int32) []int32 {
		t := time.Now()
		dst = mpi.AllgatherInt32(dst, local, counts)
		exSeconds += time.Since(t).Seconds()
		exSpikes += int64(len(dst))
		return dst
	}
	t0 := time.Now()
	build := snn.BuildCOBAPart
	if s.Model == "coba-hh" {
		if m == snn.Euler { // as Sim.Build
			cfg.Method = snn.ExpEuler
		}
		build = snn.BuildCOBAHHPart
	}
	part, err := build(cfg, lo, hi, ex)
	if err != nil {
		return err
	}
	var syn int64
	for _, p := range part.Net.Projs {
		if jc, ok := p.Conn.(*snn.JITConn); ok {
			syn += int64(jc.M.ExpectedSynapses() + 0.5) // the whole matrix, as one process counts it
		} else {
			syn += mpi.SumInt64(p.Conn.Synapses())
		}
	}
	setup := mpi.MaxFloat64(time.Since(t0).Seconds())
	var mon *snn.SpikeMonitor
	var rate *snn.RateMonitor
	if rank == 0 {
		mon = snn.NewSpikeMonitor(part.All, min(n, max(s.Record, s.Raster)), 0)
		rate = &snn.RateMonitor{G: part.All, Dt: s.Dt}
		part.Net.Monitors = append(part.Net.Monitors, mon, rate)
	}
	steps := int(s.DurationMS/s.Dt + 0.5)
	before, err := s.resumeRanks(d, r, part, mon, rate, steps)
	if err != nil {
		return err
	}
	if rank == 0 {
		fmt.Fprintf(opts.Stderr, "%s: %d neurons on %d MPI ranks (%d to %d per rank), %d synapses (%s), set up in %.2f s; simulating %g ms (%d steps)\n",
			r.Name, n, size, n/size, (n+size-1)/size, syn, s.Conn, setup, s.DurationMS, steps)
		if err := d.WriteEcho(); err != nil {
			return err
		}
	}
	net := part.Net
	every := int(s.CheckpointS*1000/s.Dt + 0.5)
	var run float64
	save := func() error {
		return s.saveRanks(d, r, part, mon, rate, run)
	}
	t1 := time.Now()
	saved := int(net.T)
	for int(net.T) < steps {
		k := min(1000, steps-int(net.T))
		if every > 0 {
			k = min(k, saved+every-int(net.T))
		}
		net.Run(k)
		if every > 0 && int(net.T)-saved >= every && int(net.T) < steps {
			run = before + time.Since(t1).Seconds()
			if err := save(); err != nil {
				return err
			}
			saved = int(net.T)
		}
	}
	run = before + mpi.MaxFloat64(time.Since(t1).Seconds())
	exMax := mpi.MaxFloat64(exSeconds)
	if err := save(); err != nil {
		return err
	}
	peak := mpi.MaxFloat64(sysinfo.PeakRSSMB())
	if rank != 0 {
		return nil
	}
	ne := n * 4 / 5
	cv, cvn := mon.ISICV(0, n)
	res := SimResult{Model: s.Model, Conn: s.Conn, Threads: kernels.Threads(), Neurons: n, Synapses: syn,
		DurationMS: s.DurationMS, Steps: steps, RunSeconds: run, SetupSeconds: setup,
		RateHz: mon.MeanRate(0, n, s.Dt), ExcRateHz: mon.MeanRate(0, ne, s.Dt), InhRateHz: mon.MeanRate(ne, n, s.Dt),
		ISICV: cv, ISICVNeurons: cvn, PeakRSSMB: peak, Ranks: size, ExchangeSeconds: exMax,
		// Every rank receives the whole step's spike list (4 bytes a spike)
		// and the ranks' counts (4 bytes a rank).
		ExchangeBytesPerStep: 4 * (float64(exSpikes)/float64(max(1, steps)) + float64(size))}
	if s.Plots {
		if err := writeSimPlots(d.Dir, r.Name, s, mon, rate, steps); err != nil {
			return err
		}
	}
	if opts.JSON {
		return json.NewEncoder(opts.Stdout).Encode(res)
	}
	fmt.Fprintf(opts.Stdout, "%s: %d neurons on %d ranks, %d synapses, %g ms in %.3f s (setup %.2f s, spike exchange %.3f s, %.0f bytes a step to each rank); rate %.2f Hz (exc %.2f, inh %.2f), ISI CV %.3f; peak RSS %.0f MB a rank\n",
		r.Name, n, size, syn, s.DurationMS, run, setup, exMax, res.ExchangeBytesPerStep, res.RateHz, res.ExcRateHz, res.InhRateHz, cv, peak)
	if s.Plots {
		fmt.Fprintf(opts.Stdout, "run directory %s: %s, %s, %s, %s\n", d.Dir, recipes.EchoFile, CheckpointFile, eval.RasterFile, SimRateFile)
	}
	return nil
}

// saveRanks gathers the ranks' state to rank 0, which writes the checkpoint
// of a one-process run of the same network.
func (s *Sim) saveRanks(d *RunDir, r *recipes.Recipe, part *snn.Part, mon *snn.SpikeMonitor, rate *snn.RateMonitor, run float64) error {
	st, err := part.State()
	if err != nil {
		return err
	}
	full := make([]snn.StateArray, len(st))
	for k, a := range st {
		full[k].Name = a.Name
		if a.I != nil {
			if mpi.Rank() == 0 {
				full[k].I = make([]int32, part.N)
			}
			mpi.GatherInt32(full[k].I, a.I)
		} else {
			if mpi.Rank() == 0 {
				full[k].F = make([]float32, part.N)
			}
			mpi.GatherFloat32(full[k].F, a.F)
		}
	}
	if mpi.Rank() != 0 {
		return nil
	}
	return writeSimCheckpoint(d.CheckpointPath(), r, full, part.Net.T, mon, rate, run)
}

// resumeRanks continues a run from its checkpoint when rank 0 was asked to
// resume and finds one: rank 0 reads the whole network's state and the
// monitors, broadcasts the state, and every rank keeps its neurons' part.
// It returns the run seconds spent before.
func (s *Sim) resumeRanks(d *RunDir, r *recipes.Recipe, part *snn.Part, mon *snn.SpikeMonitor, rate *snn.RateMonitor, steps int) (float64, error) {
	var flag float64
	if mpi.Rank() == 0 && d.Resume && d.HasCheckpoint() {
		flag = 1
	}
	if mpi.MaxFloat64(flag) == 0 {
		return 0, nil
	}
	st, err := part.State()
	if err != nil {
		return 0, err
	}
	full := make([]snn.StateArray, len(st))
	for k, a := range st {
		full[k].Name = a.Name
		if a.I != nil {
			full[k].I = make([]int32, part.N)
		} else {
			full[k].F = make([]float32, part.N)
		}
	}
	var done int32
	var before float64
	if mpi.Rank() == 0 {
		if done, before, err = readSimCheckpoint(d.CheckpointPath(), r, full, mon, rate); err != nil {
			return 0, err
		}
		if int(done) > steps {
			return 0, fmt.Errorf("%s holds %d steps, more than duration_ms %g gives (%d): resume it with its own duration, or start over with --force", d.Dir, done, s.DurationMS, steps)
		}
		if int(done) == steps {
			fmt.Fprintf(d.Stderr, "%s is already finished: nothing to simulate\n", d.Dir)
		} else {
			fmt.Fprintf(d.Stderr, "resuming %s at t = %g ms (step %d)\n", d.Dir, float64(done)*s.Dt, done)
		}
	}
	for k, a := range st {
		if a.I != nil {
			mpi.BcastInt32(full[k].I)
			copy(a.I, full[k].I[part.Lo:part.Hi])
		} else {
			mpi.BcastFloat32(full[k].F)
			copy(a.F, full[k].F[part.Lo:part.Hi])
		}
	}
	part.Net.T = int32(mpi.MaxFloat64(float64(done)))
	return mpi.MaxFloat64(before), nil
}
