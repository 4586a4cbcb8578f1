package kinds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/mpi"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/trainer"
)

// Data-parallel training on several MPI ranks (braingo-mpi train under
// mpirun): every rank builds the same network from the seed, loads the
// data set and runs the same batches; each computes its run of each
// batch's shards (mpi.Part; train.shards of them), and the ranks exchange the
// shards' results (rankShards, an allgather: the values are copied, never
// summed by MPI) so that every rank adds them in shard order and steps its
// optimizer with the gradient of one process. Parameters, losses, metrics
// and checkpoints are those of a one-process run of the same recipe, bit
// for bit.
//
// Rank 0 owns the run directory: it takes the lock, writes the recipe
// echo, metrics, checkpoints and plots, and prints. The other ranks run in
// a private temporary directory that they delete at the end, and print
// nothing. On --resume, rank 0 sends them the files it resumes from
// (checkpoint, best checkpoint, metrics), so that a run resumes on any
// number of ranks, or in one process, whatever it was started on.

// runRanks trains an snn-classify recipe data-parallel.
func (c *Classify) runRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	return trainOnRanks(ctx, r, opts, c.Train.Shards, "train.shards", c.Run)
}

// runRanks trains a task-bptt recipe data-parallel: its batches must be
// split into shards (train.shards), at least one per rank.
func (c *TaskBPTT) runRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	if c.Train.Shards == 0 {
		return recipes.Invalid("train.shards", "0 runs each batch at once, which one process computes: set it (e.g. 8) to train on %d MPI ranks; the same shards give the same bits in one process", mpi.Size())
	}
	if c.Train.Stream {
		return recipes.Invalid("train.stream", "stream training does not run on several MPI ranks (its state is carried across batches, which checkpoints do not hold)")
	}
	return trainOnRanks(ctx, r, opts, c.Train.Shards, "train.shards", c.Run)
}

// runRanks trains a seq-classify recipe data-parallel: each batch is
// split into min(8, train.batch_size) shares (trainer.SeqClassify's, the
// same as in one process), at most one rank per share. The L2 spike-count
// regularizer needs the whole batch on one process.
func (c *SeqClassify) runRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	if c.Train.L2 != 0 {
		return recipes.Invalid("train.l2", "the L2 spike-count regularizer squares the whole batch's counts, so one process computes each batch: set it to 0 to train on %d MPI ranks, or run as one process (without mpirun)", mpi.Size())
	}
	shares := min(trainer.Shards, c.Train.BatchSize)
	if size := mpi.Size(); size > shares {
		return recipes.Invalid("train.batch_size", "%d MPI ranks for the %d shards of a batch: seq-classify splits a batch of %d samples into %d shards and trains on at most one rank per shard", size, shares, c.Train.BatchSize, shares)
	}
	return trainOnRanks(ctx, r, opts, shares, "train.batch_size", c.Run)
}

// runRanks refuses a task-hybrid, which would otherwise inherit
// TaskBPTT's: its libtorch encoder does not run in shards.
func (c *TaskHybrid) runRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	return fmt.Errorf("recipe %s: kind %s does not run on several MPI ranks yet; run it as one process (without mpirun)", r.Name, r.Kind)
}

// rankShards is trainer.ShardExchange on the ranks of an MPI job: rank r
// owns the shards mpi.Part(S, r, size); an exchange is an allgather of the
// shards' lengths, then of their values, in rank order (which is shard
// order).
type rankShards struct {
	rank, size int
	counts     []int32
	lens, all  []int32
	send, recv []float32
	calls      int
	recvFloats int64 // values received from other ranks, over all calls
	seconds    float64
}

func (x *rankShards) Own(s int) (lo, hi int) { return mpi.Part(s, x.rank, x.size) }

func (x *rankShards) Exchange(bufs [][]float32) {
	t := time.Now()
	lo, hi := x.Own(len(bufs))
	x.lens, x.send = x.lens[:0], x.send[:0]
	for s := lo; s < hi; s++ {
		x.lens = append(x.lens, int32(len(bufs[s])))
		x.send = append(x.send, bufs[s]...)
	}
	x.all = mpi.AllgatherInt32(x.all[:0], x.lens, x.counts)
	x.recv = mpi.AllgatherFloat32(x.recv[:0], x.send, x.counts)
	if len(x.all) != len(bufs) {
		panic(fmt.Sprintf("kinds: shard exchange: %d shard lengths for %d shards", len(x.all), len(bufs)))
	}
	off := 0
	for s, n := range x.all {
		if s < lo || s >= hi {
			bufs[s] = append(bufs[s][:0], x.recv[off:off+int(n)]...)
		}
		off += int(n)
	}
	x.calls++
	x.recvFloats += int64(len(x.recv) - len(x.send))
	x.seconds += time.Since(t).Seconds()
}

// resumeFiles are what a training run resumes from, sent by rank 0 to the
// other ranks.
var resumeFiles = []string{CheckpointFile, BestFile, eval.MetricsFile}

// trainOnRanks runs a training kind's run on every rank with a
// rankShards exchange in its RunDir (the kind hands it to its trainer).
// shards is the number of shards of a batch, set by the recipe field
// field.
func trainOnRanks(ctx context.Context, r *recipes.Recipe, opts RunOptions, shards int, field string, run func(context.Context, *RunDir) error) error {
	rank, size := mpi.Rank(), mpi.Size()
	if size > shards {
		return recipes.Invalid(field, "%d MPI ranks for the %d shards of a batch: data-parallel training runs on at most one rank per shard; raise %s (which changes the results)", size, shards, field)
	}
	if os.Getenv("BRAINGO_TEST_FAIL_RANK") == fmt.Sprint(rank) { // the tests' failing rank (cmd/braingo/mpi_test.go)
		return fmt.Errorf("failing as BRAINGO_TEST_FAIL_RANK asks")
	}
	var d *RunDir
	var err error
	if rank == 0 {
		if d, err = OpenRun(r, opts); err != nil {
			return err
		}
	} else {
		tmp, err := os.MkdirTemp("", fmt.Sprintf("braingo-rank%d-", rank))
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		o := opts
		o.Dir, o.Stdout, o.Stderr, o.ForceProgress, o.Force = tmp, io.Discard, io.Discard, false, false
		if d, err = OpenRun(r, o); err != nil {
			return err
		}
	}
	defer d.Close()
	if err := shareResumeFiles(d); err != nil {
		return err
	}
	ex := &rankShards{rank: rank, size: size, counts: make([]int32, size)}
	d.shards = ex
	if rank == 0 {
		lo, hi := ex.Own(shards)
		fmt.Fprintf(opts.Stderr, "%s: data-parallel training on %d MPI ranks (rank 0 computes shards %d to %d of the %d of each batch)\n", r.Name, size, lo, hi-1, shards)
	}
	if err := run(ctx, d); err != nil {
		return err
	}
	secs := mpi.MaxFloat64(ex.seconds)
	bytes := mpi.MaxFloat64(float64(ex.recvFloats) * 4)
	calls := mpi.MaxFloat64(float64(ex.calls))
	if rank == 0 && calls > 0 {
		fmt.Fprintf(opts.Stderr, "shard exchange: %d exchanges, %.0f bytes received by a rank per exchange, %.3f s in all (the slowest rank)\n", int(calls), bytes/calls, secs)
	}
	return nil
}

// shareResumeFiles sends the files rank 0 resumes from to the other ranks,
// which write them into their directories; without --resume, or without a
// checkpoint on rank 0, nothing is sent.
func shareResumeFiles(d *RunDir) error {
	var flag float64
	if mpi.Rank() == 0 && d.Resume && d.HasCheckpoint() {
		flag = 1
	}
	if mpi.MaxFloat64(flag) == 0 {
		return nil
	}
	for _, name := range resumeFiles {
		var b []byte
		n := []int32{-1}
		if mpi.Rank() == 0 {
			var err error
			b, err = os.ReadFile(d.Path(name))
			switch {
			case err == nil:
				n[0] = int32(len(b))
				if len(b) != int(n[0]) {
					return fmt.Errorf("%s: %d bytes are too many to send to the other ranks", d.Path(name), len(b))
				}
			case !errors.Is(err, os.ErrNotExist):
				return err
			}
		}
		mpi.BcastInt32(n)
		if n[0] < 0 {
			continue
		}
		if mpi.Rank() != 0 {
			b = make([]byte, n[0])
		}
		mpi.BcastBytes(b)
		if mpi.Rank() != 0 {
			if err := os.WriteFile(filepath.Join(d.Dir, name), b, 0o644); err != nil {
				return err
			}
		}
	}
	if mpi.Rank() != 0 {
		d.Resume = true
	}
	return nil
}

// evaluate is trainer.Evaluate (batches of 256, a raster of the first 3
// samples) on the ranks of an MPI job: each evaluates a run of the batches
// (rank 0 the first ones, with the raster), and every rank gathers the
// predictions and spike counts. Rows are independent and the spike counts
// are integers, so every rank gets the one-process evaluation.
func evaluate(d *RunDir, net *networks.FeedForward, data *datasets.Images, enc datasets.Encoder, steps int) *trainer.Evaluation {
	const batch, raster = 256, 3
	if d.shards == nil || mpi.Size() == 1 {
		return trainer.Evaluate(net, data, enc, steps, batch, raster)
	}
	rank, size := mpi.Rank(), mpi.Size()
	nb := (data.N + batch - 1) / batch
	// Rank r takes batches [⌈r·nb/R⌉, ⌈(r+1)·nb/R⌉): rank 0 the first.
	first := func(r int) int { return min(data.N, (r*nb+size-1)/size*batch) }
	lo, hi := first(rank), first(rank+1)
	f := data.Features()
	part := *data
	part.N, part.Pixels, part.Labels = hi-lo, data.Pixels[lo*f:hi*f], data.Labels[lo:hi]
	keep := raster
	if rank != 0 {
		keep = 0
	}
	ev := trainer.Evaluate(net, &part, enc, steps, batch, keep)
	counts := make([]int32, size)
	local := make([]int32, 0, 2*len(ev.Pred))
	for i, p := range ev.Pred {
		local = append(local, int32(p), int32(ev.Labels[i]))
	}
	all := mpi.AllgatherInt32(nil, local, counts)
	out := &trainer.Evaluation{Raster: shareRaster(ev.Raster, len(net.Blocks)), Pred: make([]int, 0, data.N), Labels: make([]int, 0, data.N)}
	for i := 0; i+1 < len(all); i += 2 {
		out.Pred, out.Labels = append(out.Pred, int(all[i])), append(out.Labels, int(all[i+1]))
	}
	// Each layer's spike total (an integer, recovered from the part's rate),
	// summed over the ranks; the totals give the operation counts.
	for _, lr := range ev.Rates {
		var spikes int64
		if part.N > 0 {
			spikes = int64(math.Round(lr.Rate * float64(part.N*steps*lr.Neurons)))
		}
		total := mpi.SumInt64(spikes)
		out.Spikes = append(out.Spikes, float64(total))
		out.Rates = append(out.Rates, trainer.LayerRate{Name: lr.Name, Neurons: lr.Neurons,
			Rate: float64(total) / float64(data.N*steps*lr.Neurons)})
	}
	// The nonzero inputs (a count) and whether they were spikes.
	out.Inputs = float64(mpi.SumInt64(int64(math.Round(ev.Inputs))))
	var binary float64
	if ev.InputBinary {
		binary = 1
	}
	out.InputBinary = mpi.MaxFloat64(binary) != 0
	return out
}

// shareRaster sends rank 0's raster ([sample][layer][]{t, i}) to every
// rank: the counts of spikes, then the pairs.
func shareRaster(r [][][][2]int, layers int) [][][][2]int {
	var flat []int32
	if mpi.Rank() == 0 {
		flat = append(flat, int32(len(r)))
		for _, s := range r {
			for _, l := range s {
				flat = append(flat, int32(len(l)))
			}
		}
		for _, s := range r {
			for _, l := range s {
				for _, p := range l {
					flat = append(flat, int32(p[0]), int32(p[1]))
				}
			}
		}
	}
	n := []int32{int32(len(flat))}
	mpi.BcastInt32(n)
	if mpi.Rank() != 0 {
		flat = make([]int32, n[0])
	}
	mpi.BcastInt32(flat)
	samples := int(flat[0])
	counts, pairs := flat[1:1+samples*layers], flat[1+samples*layers:]
	out := make([][][][2]int, samples)
	for s := range out {
		out[s] = make([][][2]int, layers)
		for l := range out[s] {
			k := int(counts[s*layers+l])
			for j := range k {
				out[s][l] = append(out[s][l], [2]int{int(pairs[2*j]), int(pairs[2*j+1])})
			}
			pairs = pairs[2*k:]
		}
	}
	return out
}

// seqEvaluate is trainer.SeqEvaluate (batches of 256, a raster of the first
// 3 samples) on the ranks of an MPI job, as evaluate splits snn-classify's:
// each rank evaluates a contiguous run of whole batches of samples (rank 0
// the first, with the raster), and every rank gathers the predictions, the
// labels and the integer totals of spikes and nonzero inputs, from which
// the rates follow as in one process.
func seqEvaluate(d *RunDir, net *networks.FeedForward, data *events.Binned, samples []int, decode string, binary bool) *trainer.Evaluation {
	const batch, raster = 256, 3
	if d.shards == nil || mpi.Size() == 1 {
		return trainer.SeqEvaluate(net, data, samples, decode, binary, batch, raster)
	}
	if samples == nil {
		samples = datasets.Order(data.Len(), false, 0, 0)
	}
	rank, size := mpi.Rank(), mpi.Size()
	n := len(samples)
	nb := (n + batch - 1) / batch
	first := func(r int) int { return min(n, (r*nb+size-1)/size*batch) }
	part := samples[first(rank):first(rank+1)]
	keep := raster
	if rank != 0 {
		keep = 0
	}
	var ev *trainer.Evaluation
	if len(part) > 0 {
		ev = trainer.SeqEvaluate(net, data, part, decode, binary, batch, keep)
	} else {
		ev = &trainer.Evaluation{Spikes: make([]float64, len(net.Blocks))}
	}
	// Graded (non-0/1) spikes would make the totals fractions: then every
	// rank evaluates everything, as one process.
	var graded float64
	for _, v := range append([]float64{ev.Inputs}, ev.Spikes...) {
		if v != math.Trunc(v) || v > 1<<53 {
			graded = 1
		}
	}
	if mpi.MaxFloat64(graded) != 0 {
		return trainer.SeqEvaluate(net, data, samples, decode, binary, batch, raster)
	}
	counts := make([]int32, size)
	local := make([]int32, 0, 2*len(ev.Pred))
	for i, p := range ev.Pred {
		local = append(local, int32(p), int32(ev.Labels[i]))
	}
	all := mpi.AllgatherInt32(nil, local, counts)
	out := &trainer.Evaluation{Raster: shareRaster(ev.Raster, len(net.Blocks)), Pred: make([]int, 0, n), Labels: make([]int, 0, n),
		InputBinary: binary, Inputs: float64(mpi.SumInt64(int64(ev.Inputs)))}
	for i := 0; i+1 < len(all); i += 2 {
		out.Pred, out.Labels = append(out.Pred, int(all[i])), append(out.Labels, int(all[i+1]))
	}
	steps := data.Spec.Steps
	for l, b := range net.Blocks {
		// Spike totals are integers (sums of 0/1 values), so adding the
		// ranks' gives the one-process figure exactly.
		total := float64(mpi.SumInt64(int64(ev.Spikes[l])))
		out.Spikes = append(out.Spikes, total)
		name := b.Name
		if name == "" {
			name = fmt.Sprintf("layer%d", l+1)
		}
		out.Rates = append(out.Rates, trainer.LayerRate{Name: name, Neurons: b.Projection().Out(),
			Rate: total / float64(n*steps*b.Projection().Out())})
	}
	return out
}
