package kinds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/mpi"
	"github.com/braingo/braingo/internal/sysinfo"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/trainer"
)

// A sim run on several MPI ranks (braingo-mpi under mpirun, see
// internal/mpi): the neurons are split among the ranks in contiguous
// blocks, every group's on its own (snn.NetSpec.BuildPart), spikes are
// exchanged every step by an allgather, and the spikes, rates and checkpoint equal a one-process run's
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
	spec, err := s.NetSpec()
	if err != nil {
		return err
	}
	n := s.N()
	for k, g := range spec.Groups {
		if size > g.N {
			return fmt.Errorf("%d ranks for group %s of %d neurons: use at most one rank per neuron of the smallest group", size, s.Groups[k].Name, g.N)
		}
	}
	if os.Getenv("BRAINGO_TEST_FAIL_RANK") == fmt.Sprint(rank) { // the tests' failing rank (cmd/braingo/mpi_test.go)
		return fmt.Errorf("failing as BRAINGO_TEST_FAIL_RANK asks")
	}
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
	net, err := spec.BuildPart(rank, size, ex)
	if err != nil {
		return err
	}
	syn := simSynapses(spec, net, mpi.SumInt64)
	setup := mpi.MaxFloat64(time.Since(t0).Seconds())
	var mons *simMonitors
	if rank == 0 {
		if mons, err = s.addMonitors(net, false); err != nil {
			return err
		}
	} else {
		mons = &simMonitors{}
	}
	// Networks whose state cannot be saved (delays) run without checkpoints.
	_, stErr := net.State()
	steps := int(s.DurationMS/s.Dt + 0.5)
	before, err := s.resumeRanks(d, r, net, mons, steps, stErr)
	if err != nil {
		return err
	}
	mons.start = net.Sim.T
	if rank == 0 {
		fmt.Fprintf(opts.Stderr, "%s: %d neurons in %d groups on %d MPI ranks, %d synapses (%s), set up in %.2f s; simulating %g ms (%d steps)\n",
			r.Name, n, len(net.Groups), size, sum64(syn), s.Conn, setup, s.DurationMS, steps)
		if stErr != nil {
			fmt.Fprintf(opts.Stderr, "%s: no checkpoints: %v\n", r.Name, stErr)
		}
		if err := d.WriteEcho(); err != nil {
			return err
		}
	}
	every := int(s.CheckpointS*1000/s.Dt + 0.5)
	var run float64
	save := func() error {
		if stErr != nil {
			return nil
		}
		return s.saveRanks(d, r, net, mons, run)
	}
	var bar trainer.StepBar
	if rank == 0 {
		bar = trainer.StepBar{W: opts.Stderr, Force: opts.ForceProgress}
		bar.Start(steps, r.Name)
	}
	t1 := time.Now()
	saved := int(net.Sim.T)
	for int(net.Sim.T) < steps {
		k := min(1000, steps-int(net.Sim.T))
		if every > 0 {
			k = min(k, saved+every-int(net.Sim.T))
		}
		net.Sim.Run(k)
		bar.Set(int(net.Sim.T), "")
		if every > 0 && int(net.Sim.T)-saved >= every && int(net.Sim.T) < steps {
			run = before + time.Since(t1).Seconds()
			if err := save(); err != nil {
				return err
			}
			saved = int(net.Sim.T)
		}
	}
	bar.Finish()
	run = before + mpi.MaxFloat64(time.Since(t1).Seconds())
	exMax := mpi.MaxFloat64(exSeconds)
	if err := save(); err != nil {
		return err
	}
	peak := mpi.MaxFloat64(sysinfo.PeakRSSMB())
	if rank != 0 {
		return nil
	}
	res, table := s.results(r.Name, net, mons.spikes, syn, steps, run, setup)
	res.PeakRSSMB, res.Ranks, res.ExchangeSeconds = peak, size, exMax
	// Every rank receives the whole step's spike list (4 bytes a spike)
	// and the ranks' counts (4 bytes a rank).
	res.ExchangeBytesPerStep = 4 * (float64(exSpikes)/float64(max(1, steps)) + float64(size))
	if s.Plots {
		if err := s.writePlots(d.Dir, r.Name, net, mons, steps); err != nil {
			return err
		}
	}
	if opts.JSON {
		return json.NewEncoder(opts.Stdout).Encode(res)
	}
	fmt.Fprintf(opts.Stdout, "%s: %d neurons on %d ranks, %d synapses, %g ms (%d steps) in %.3f s, set up in %.2f s, spike exchange %.3f s (%.0f bytes a step to each rank); peak RSS %.0f MB a rank\n",
		r.Name, n, size, res.Synapses, s.DurationMS, steps, run, setup, exMax, res.ExchangeBytesPerStep, peak)
	if err := eval.WriteSimTable(opts.Stdout, table); err != nil {
		return err
	}
	fmt.Fprintf(opts.Stdout, "run directory %s: %s\n", d.Dir, strings.Join(s.runFiles(stErr == nil, mons), ", "))
	return nil
}

// saveRanks gathers the ranks' state to rank 0, which writes the checkpoint
// of a one-process run of the same network.
func (s *Sim) saveRanks(d *RunDir, r *recipes.Recipe, net *snn.Net, mons *simMonitors, run float64) error {
	st, err := net.State()
	if err != nil {
		return err
	}
	full := make([]snn.StateArray, len(st))
	for k, a := range st {
		full[k].Name = a.Name
		if a.I != nil {
			if mpi.Rank() == 0 {
				full[k].I = make([]int32, a.Total)
			}
			mpi.GatherInt32(full[k].I, a.I)
		} else {
			if mpi.Rank() == 0 {
				full[k].F = make([]float32, a.Total)
			}
			mpi.GatherFloat32(full[k].F, a.F)
		}
	}
	if mpi.Rank() != 0 {
		return nil
	}
	return writeSimCheckpoint(d.CheckpointPath(), r, full, net.Sim.T, mons.spikes, mons.rate, run)
}

// resumeRanks continues a run from its checkpoint when rank 0 was asked to
// resume and finds one: rank 0 reads the whole network's state and the
// monitors, broadcasts the state, and every rank keeps its neurons' part.
// It returns the run seconds spent before.
func (s *Sim) resumeRanks(d *RunDir, r *recipes.Recipe, net *snn.Net, mons *simMonitors, steps int, stErr error) (float64, error) {
	var flag float64
	if mpi.Rank() == 0 && d.Resume && d.HasCheckpoint() {
		flag = 1
	}
	if mpi.MaxFloat64(flag) == 0 {
		return 0, nil
	}
	if stErr != nil {
		return 0, fmt.Errorf("%s cannot be resumed: %v", r.Name, stErr)
	}
	st, err := net.State()
	if err != nil {
		return 0, err
	}
	full := make([]snn.StateArray, len(st))
	for k, a := range st {
		full[k].Name = a.Name
		if a.I != nil {
			full[k].I = make([]int32, a.Total)
		} else {
			full[k].F = make([]float32, a.Total)
		}
	}
	var done int32
	var before float64
	if mpi.Rank() == 0 {
		if done, before, err = readSimCheckpoint(d.CheckpointPath(), r, full, mons.spikes, mons.rate); err != nil {
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
			copy(a.I, full[k].I[a.Lo:a.Lo+len(a.I)])
		} else {
			mpi.BcastFloat32(full[k].F)
			copy(a.F, full[k].F[a.Lo:a.Lo+len(a.F)])
		}
	}
	net.Sim.T = int32(mpi.MaxFloat64(float64(done)))
	return mpi.MaxFloat64(before), nil
}
