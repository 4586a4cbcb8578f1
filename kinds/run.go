package kinds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/braingo/braingo/gpu"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/fileio"
	"github.com/braingo/braingo/internal/mpi"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/trainer"
)

// Kind is what every recipe kind's spec implements: run the spec in a run
// directory. What only some kinds can do is an optional interface found by
// type assertion: Evaluator, Exporter.
type Kind interface {
	Run(ctx context.Context, d *RunDir) error
}

// RunOptions configure a run.
type RunOptions struct {
	// Dir is the run directory (created if needed).
	Dir string
	// Resume continues from Dir's checkpoint when there is one. Without it
	// a directory that holds a run is refused, unless Force is set, which
	// deletes that run's files and starts over.
	Resume, Force bool
	// Stdout receives results: a table at the end, or with JSON one object
	// per epoch. Stderr receives progress.
	Stdout, Stderr io.Writer
	JSON           bool
	// ForceProgress shows the progress bar even when Stderr is no terminal.
	ForceProgress bool
	// MaxMemory is the most memory (bytes) a run may plan to use; 0 means
	// $BRAINGO_MAX_MEMORY or 90% of the machine's memory. A recipe whose
	// estimate exceeds it is refused before anything is allocated.
	MaxMemory float64
	// Device, when not nil, is the GPU a kind that can (DeviceChecker)
	// trains on; nil trains on the CPU.
	Device *gpu.Device
}

// CheckpointFile is the name of a run's checkpoint.
const CheckpointFile = "checkpoint.bgc"

// LockFile is the advisory lock of a run directory; it holds the pid of the
// process that owns the run.
const LockFile = ".lock"

// runFiles are the files braingo writes into a run directory: what marks a
// directory as holding a run, and what --force deletes.
var runFiles = []string{recipes.EchoFile, CheckpointFile, BestFile, TestFile, eval.MetricsFile, eval.CurvesFile, eval.RasterFile,
	eval.ConfusionFile, eval.TrialFile, SimRateFile, ForceFile}

// RunDir is a run directory owned by this process: it holds the lock, and
// the kind's Run writes the recipe echo, metrics, checkpoints and plots
// into it.
type RunDir struct {
	RunOptions
	Recipe *recipes.Recipe
	lock   *os.File
	// shards shares a training kind's batch shards with the other ranks
	// of an MPI job (train_mpi.go; nil: one process).
	shards trainer.ShardExchange
}

// ErrRunExists is returned (wrapped) by OpenRun for a directory that holds
// a run when neither Resume nor Force is set: a usage error (exit 2).
var ErrRunExists error = usageError("holds a run")

// usageError is an error the user fixes on the command line (exit 2).
type usageError string

func (e usageError) Error() string { return string(e) }
func (usageError) Usage() bool     { return true }

// ErrRunBusy is returned (wrapped) by OpenRun when another process owns the
// directory.
var ErrRunBusy = errors.New("is in use")

// HoldsRun lists the run files present in dir (none: it holds no run).
func HoldsRun(dir string) []string {
	var have []string
	for _, f := range runFiles {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			have = append(have, f)
		}
	}
	return have
}

// OpenRun takes ownership of the run directory o.Dir for r: it creates the
// directory, takes its advisory lock (refusing a directory another process
// owns), removes the temporary files a crash left, refuses a directory
// that holds a run unless o.Resume (continue it: metrics.jsonl is cut back
// to the checkpoint's epoch) or o.Force (delete its files), and writes the
// recipe echo. Close releases the lock.
func OpenRun(r *recipes.Recipe, o RunOptions) (*RunDir, error) {
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	d := &RunDir{RunOptions: o, Recipe: r}
	if err := d.takeLock(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()
	removeLeftovers(o.Dir)
	if have := HoldsRun(o.Dir); len(have) > 0 {
		switch {
		case o.Force:
			for _, f := range have {
				if err := os.Remove(filepath.Join(o.Dir, f)); err != nil {
					return nil, err
				}
			}
		case o.Resume:
			if err := d.checkSameKind(); err != nil {
				return nil, err
			}
			if err := d.reconcile(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s %w (%s): continue it with --resume, or start over with --force, which deletes them", o.Dir, ErrRunExists, strings.Join(have, ", "))
		}
	}
	ok = true
	return d, nil
}

// takeLock takes the directory's advisory lock (flock, released by the
// kernel when the process dies, so a crash leaves no stale lock).
func (d *RunDir) takeLock() error {
	path := filepath.Join(d.Dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := io.ReadAll(io.LimitReader(f, 32))
		f.Close()
		who := "another braingo process"
		if pid := strings.TrimSpace(string(owner)); pid != "" {
			who += " (pid " + pid + ")"
		}
		return fmt.Errorf("run directory %s %w by %s: wait for it, or give another --out", d.Dir, ErrRunBusy, who)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	d.lock = f
	return nil
}

// Close releases the run directory.
func (d *RunDir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close() // releases the flock
	os.Remove(filepath.Join(d.Dir, LockFile))
	d.lock = nil
	return err
}

// removeLeftovers deletes the temporary files of atomic writes (".NAME.tmp-*")
// that a crash left in dir; no process owns them, since this one holds the
// lock.
func removeLeftovers(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// checkSameKind refuses to resume a run of another kind.
func (d *RunDir) checkSameKind() error {
	old, err := recipes.Load(filepath.Join(d.Dir, recipes.EchoFile), nil)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("%s: cannot resume: %w", d.Dir, err)
	}
	if old.Kind != d.Recipe.Kind {
		return fmt.Errorf("%s holds a %s run; recipe %s is of kind %s: resume it with its own recipe (%s), or give another --out",
			d.Dir, old.Kind, d.Recipe.Name, d.Recipe.Kind, filepath.Join(d.Dir, recipes.EchoFile))
	}
	return nil
}

// reconcile cuts metrics.jsonl back to the epochs the checkpoint holds: a
// run killed between appending an epoch's metrics and writing its
// checkpoint repeats that epoch on resume, and must not log it twice.
// Without a checkpoint nothing was kept and the metrics go.
func (d *RunDir) reconcile() error {
	mpath := filepath.Join(d.Dir, eval.MetricsFile)
	if _, err := os.Stat(mpath); err != nil {
		return nil
	}
	epoch, err := d.CheckpointEpoch()
	if err != nil {
		return err
	}
	recs, err := eval.ReadRecords(mpath)
	if err != nil {
		return fmt.Errorf("%s: cannot resume: %w", d.Dir, err)
	}
	keep := recs[:0]
	for _, rec := range recs {
		if rec.Epoch <= epoch {
			keep = append(keep, rec)
		}
	}
	if len(keep) == len(recs) {
		return nil
	}
	var b strings.Builder
	for _, rec := range keep {
		if err := eval.EncodeRecord(&b, rec); err != nil {
			return err
		}
	}
	return fileio.WriteAtomic(mpath, []byte(b.String()), 0o644)
}

// CheckpointEpoch returns the last epoch the run's checkpoint holds (0:
// no checkpoint).
func (d *RunDir) CheckpointEpoch() (int, error) {
	ck, err := loadCheckpoint(d.CheckpointPath())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	meta, err := decodeMeta(ck, d.CheckpointPath())
	if err != nil {
		return 0, err
	}
	return meta.Epoch, nil
}

// CheckpointPath is the path of the run's checkpoint.
func (d *RunDir) CheckpointPath() string { return filepath.Join(d.Dir, CheckpointFile) }

// Path is the path of a file in the run directory.
func (d *RunDir) Path(name string) string { return filepath.Join(d.Dir, name) }

// HasCheckpoint reports whether the run directory holds a checkpoint.
func (d *RunDir) HasCheckpoint() bool {
	_, err := os.Stat(d.CheckpointPath())
	return err == nil
}

// resume restores the run's checkpoint through restore when resuming and
// there is one, and returns its epoch (0: start afresh) and the metrics of
// the epochs before.
func (d *RunDir) resume(restore func(path string) (int, error)) (int, []eval.EpochRecord, error) {
	if !d.Resume || !d.HasCheckpoint() {
		return 0, nil, nil
	}
	ep, err := restore(d.CheckpointPath())
	if err != nil {
		return 0, nil, err
	}
	fmt.Fprintf(d.Stderr, "resuming %s after epoch %d\n", d.Dir, ep)
	return ep, d.Metrics(), nil
}

// WriteEcho writes the recipe echo (recipe.yaml) atomically.
func (d *RunDir) WriteEcho() error {
	return fileio.WriteAtomic(d.Path(recipes.EchoFile), d.Recipe.Echo(), 0o644)
}

// AppendMetrics appends one epoch's record to metrics.jsonl.
func (d *RunDir) AppendMetrics(rec eval.EpochRecord) error {
	return eval.AppendRecord(d.Path(eval.MetricsFile), rec)
}

// Metrics reads the run's metrics.jsonl (none: nil).
func (d *RunDir) Metrics() []eval.EpochRecord {
	recs, _ := eval.ReadRecords(d.Path(eval.MetricsFile))
	return recs
}

// Run runs r in the run directory opts.Dir: it opens the directory
// (OpenRun), runs the spec's kind and releases the directory.
func Run(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	if mpi.Size() > 1 {
		return runOnRanks(ctx, r, opts) // sim_mpi.go
	}
	k, ok := r.Spec.(Kind)
	if !ok {
		return fmt.Errorf("recipe %s: kind %s cannot be run by this build", r.Name, r.Kind)
	}
	if opts.Device != nil {
		if err := CheckDevice(r, "cuda"); err != nil {
			return err
		}
	}
	if err := checkMemory(r, opts); err != nil {
		return err
	}
	d, err := OpenRun(r, opts)
	if err != nil {
		return err
	}
	defer d.Close()
	return k.Run(ctx, d)
}
