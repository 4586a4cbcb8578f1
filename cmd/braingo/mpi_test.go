//go:build mpi

package main

// The tests of the mpi build (make test-mpi): braingo-mpi under mpirun on
// 1, 2 and 4 ranks gives the spikes, state and rates of one process, bit for
// bit, and a failing rank ends the job with a message instead of a hang.
// They build braingo-mpi with the mpi tag and need mpirun (make mpi-setup).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/braingo/braingo/checkpoint"
)

func buildMPI(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("mpirun"); err != nil {
		t.Skip("mpirun is not installed (make mpi-setup)")
	}
	bin := filepath.Join(t.TempDir(), "braingo-mpi")
	out, err := exec.Command("go", "build", "-tags", "mpi", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -tags mpi: %v\n%s", err, out)
	}
	return bin
}

// mpirun runs bin on np ranks (np 0: bin alone, no mpirun) with a timeout.
func mpirun(t *testing.T, np int, env []string, bin string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if np == 0 {
		cmd = exec.CommandContext(ctx, bin, args...)
	} else {
		a := append([]string{"--allow-run-as-root", "--oversubscribe", "-np", fmt.Sprint(np), bin}, args...)
		cmd = exec.CommandContext(ctx, "mpirun", a...)
	}
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v on %d ranks hung (killed after 3 minutes)\nstderr:\n%s", args, np, e.String())
	}
	return o.String(), e.String(), err
}

func TestMPISimMatchesOneProcess(t *testing.T) {
	bin := buildMPI(t)
	for _, c := range []struct{ name, model, conn, neurons, ms string }{
		{"coba-csr", "coba", "csr", "4000", "300"},
		{"coba-jit", "coba", "jit", "4000", "300"},
		{"cuba-csr", "cuba", "csr", "4000", "300"},
		{"coba-hh-csr", "coba-hh", "csr", "2000", "100"},
		{"coba-dense", "coba", "dense", "2000", "200"},
		{"coba-jit-2blocks", "coba", "jit", "70001", "20"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := func(out string) []string {
				return []string{"sim", c.model, "--json", "--out", filepath.Join(dir, out), "--set", "conn=" + c.conn,
					"--set", "neurons=" + c.neurons, "--set", "duration_ms=" + c.ms, "--set", "plots=false", "--set", "seed=7"}
			}
			var want map[string]any
			var wantCk *checkpoint.Checkpoint
			for _, np := range []int{0, 1, 2, 4} {
				out := fmt.Sprintf("np%d", np)
				stdout, stderr, err := mpirun(t, np, nil, bin, args(out)...)
				if err != nil {
					t.Fatalf("%d ranks: %v\n%s", np, err, stderr)
				}
				var res map[string]any
				if err := json.Unmarshal([]byte(stdout), &res); err != nil {
					t.Fatalf("%d ranks: stdout %q: %v", np, stdout, err)
				}
				ck, err := checkpoint.Load(filepath.Join(dir, out, "checkpoint.bgc"))
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"run_seconds", "setup_seconds", "peak_rss_mb", "threads", "ranks", "exchange_seconds", "exchange_bytes_per_step"} {
					delete(res, k)
				}
				if np == 0 {
					want, wantCk = res, ck
					if want["rate_hz"].(float64) == 0 {
						t.Fatal("no spikes: the test would prove nothing")
					}
					continue
				}
				if fmt.Sprint(res) != fmt.Sprint(want) {
					t.Errorf("%d ranks: result %v\none process: %v", np, res, want)
				}
				if len(ck.Arrays) != len(wantCk.Arrays) {
					t.Fatalf("%d ranks: %d arrays in the checkpoint, one process %d", np, len(ck.Arrays), len(wantCk.Arrays))
				}
				for _, a := range wantCk.Arrays {
					g, ok := ck.Get(a.Name)
					if !ok || !slices.Equal(bitsOf(g.Data), bitsOf(a.Data)) {
						t.Errorf("%d ranks: checkpoint array %s differs from one process's", np, a.Name)
					}
				}
			}
		})
	}
}

// The three-population network of docs/sim-recipes.md (a Poisson source,
// fixed in-degree, per-synapse delays, an alpha synapse; groups of 200 to
// 800 neurons, each split among the ranks) gives one process's results on 2
// and 3 ranks.
func TestMPIDocNetworkMatchesOneProcess(t *testing.T) {
	bin := buildMPI(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "my.yaml")
	if err := os.WriteFile(file, []byte(docYAML(t, "../../docs/sim-recipes.md", "<!-- my.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	var want string
	for _, np := range []int{0, 2, 3} {
		stdout, stderr, err := mpirun(t, np, nil, bin, "sim", file, "--json", "--out", filepath.Join(dir, fmt.Sprint("np", np)), "--set", "plots=false", "--set", "threads=1")
		if err != nil {
			t.Fatalf("%d ranks: %v\n%s", np, err, stderr)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%d ranks: stdout %q: %v", np, stdout, err)
		}
		for _, k := range []string{"run_seconds", "setup_seconds", "peak_rss_mb", "ranks", "exchange_seconds", "exchange_bytes_per_step"} {
			delete(res, k)
		}
		if np == 0 {
			want = fmt.Sprint(res)
			if res["rate_hz"].(float64) == 0 {
				t.Fatal("no spikes: the test would prove nothing")
			}
		} else if got := fmt.Sprint(res); got != want {
			t.Errorf("%d ranks: %s\none process: %s", np, got, want)
		}
	}
}

func bitsOf(f []float32) []string {
	s := make([]string, len(f))
	for i, x := range f {
		s[i] = fmt.Sprintf("%08x", x)
	}
	return s
}

// A rank that fails ends the whole job with its rank and cause; ranks
// waiting in the spike exchange do not hang.
func TestMPIFailingRankEndsTheJob(t *testing.T) {
	bin := buildMPI(t)
	for _, r := range []string{"1", "0"} {
		dir := t.TempDir()
		_, stderr, err := mpirun(t, 2, []string{"BRAINGO_TEST_FAIL_RANK=" + r}, bin, "sim", "coba", "--out", dir+"/run", "--set", "duration_ms=100")
		if err == nil {
			t.Fatalf("rank %s failing: the job succeeded", r)
		}
		if !strings.Contains(stderr, "rank "+r+" of 2 failed") || !strings.Contains(stderr, "BRAINGO_TEST_FAIL_RANK") {
			t.Errorf("rank %s failing: stderr does not name the rank and the cause:\n%s", r, stderr)
		}
	}
	// A failing rank of a data-parallel training: the other waits in the
	// shard exchange and is ended too.
	_, stderr, err := mpirun(t, 2, []string{"BRAINGO_TEST_FAIL_RANK=1"}, bin, append([]string{"train", "fmnist-snn", "--out", t.TempDir() + "/run"}, trainShort...)...)
	if err == nil || !strings.Contains(stderr, "rank 1 of 2 failed") || !strings.Contains(stderr, "BRAINGO_TEST_FAIL_RANK") {
		t.Errorf("train, rank 1 failing: err %v, stderr:\n%s", err, stderr)
	}
	// A kind that does not run on several ranks says so.
	_, stderr, err = mpirun(t, 2, nil, bin, "train", "force-sines", "--out", t.TempDir()+"/run")
	if err == nil || !strings.Contains(stderr, "does not run on several MPI ranks") {
		t.Errorf("force on 2 ranks: err %v, stderr:\n%s", err, stderr)
	}
}

// A run stopped on some ranks resumes on another number of ranks (or in one
// process) to the checkpoint of an uninterrupted one-process run.
func TestMPIResumeOnOtherRanks(t *testing.T) {
	bin := buildMPI(t)
	dir := t.TempDir()
	args := func(out, ms string, more ...string) []string {
		return append([]string{"sim", "coba", "--json", "--out", filepath.Join(dir, out), "--set", "duration_ms=" + ms,
			"--set", "plots=false", "--set", "conn=jit"}, more...)
	}
	if _, stderr, err := mpirun(t, 0, nil, bin, args("whole", "200")...); err != nil {
		t.Fatalf("one process: %v\n%s", err, stderr)
	}
	want, err := checkpoint.Load(filepath.Join(dir, "whole", "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ first, then int }{{2, 4}, {4, 0}, {0, 2}} {
		out := fmt.Sprintf("from%d-to%d", c.first, c.then)
		if _, stderr, err := mpirun(t, c.first, nil, bin, args(out, "100")...); err != nil {
			t.Fatalf("%d ranks, first 100 ms: %v\n%s", c.first, err, stderr)
		}
		_, stderr, err := mpirun(t, c.then, nil, bin, args(out, "200", "--resume")...)
		if err != nil || !strings.Contains(stderr, "resuming") {
			t.Fatalf("%d ranks, resumed: %v\n%s", c.then, err, stderr)
		}
		got, err := checkpoint.Load(filepath.Join(dir, out, "checkpoint.bgc"))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range want.Arrays {
			g, ok := got.Get(a.Name)
			if !ok || !slices.Equal(bitsOf(g.Data), bitsOf(a.Data)) {
				t.Errorf("%d ranks then %d: checkpoint array %s differs from the uninterrupted run's", c.first, c.then, a.Name)
			}
		}
	}
}

// trainShort makes a Fashion-MNIST training short: 3 batches of 128 an
// epoch, one thread a rank.
var trainShort = []string{"--set", "train_limit=384", "--set", "test_limit=600", "--set", "threads=1"}

// trainLines returns the --json lines of a training run without the
// figures that vary from run to run.
func trainLines(t *testing.T, stdout string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("stdout line %q: %v", l, err)
		}
		for _, k := range []string{"train_seconds", "total_seconds", "samples_per_s", "peak_rss_mb"} {
			delete(m, k)
		}
		lines = append(lines, fmt.Sprint(m))
	}
	return lines
}

// seqShort makes randman-rsnn tiny (the fixture's network, its weights
// raised so that the hidden layer spikes): 4 batches of 32 an epoch, 300
// test samples (two evaluation batches of 256: on 3 ranks the last
// evaluates none), one thread a rank.
var seqShort = []string{"--set", "data.randman.units=10", "--set", "data.randman.samples_per_class=150", "--set", "data.steps=30",
	"--set", "data.train_limit=128", "--set", "model.hidden=[16]", "--set", "model.init_scale=1", "--set", "train.batch_size=32", "--set", "threads=1"}

// Data-parallel training on 2 and 3 ranks gives the epochs' losses and
// accuracies and the checkpoint (parameters and optimizer state) of one
// process, bit for bit: fmnist-snn (a static input: the first projection's
// gradient rows travel), fmnist-s2 (time-to-first-spike input, the L1 and
// L2 regularizers, whose batch-wide counts are exchanged between windows,
// and a leaky-integrator readout), the dms-snn task with train.shards and
// randman-rsnn (seq-classify: a recurrent network on event data).
func TestMPITrainMatchesOneProcess(t *testing.T) {
	bin := buildMPI(t)
	for _, c := range []struct {
		recipe string
		args   []string
		ranks  []int
	}{
		{"fmnist-snn", slices.Concat(trainShort, []string{"--set", "epochs=2"}), []int{2, 3}},
		{"fmnist-s2", slices.Concat(trainShort, []string{"--set", "batch_size=128", "--set", "steps=40"}), []int{2}},
		// A task: the spiking working-memory network with its membrane
		// regularizer, 8 trials a batch in 8 shards.
		{"dms-snn", []string{"--set", "threads=1", "--set", "train.shards=8", "--set", "epochs=2", "--set", "batches=2", "--set", "batch_size=8", "--set", "eval_trials=8"}, []int{2}},
		// Event data: the recurrent randman network (seq-classify), 8
		// shares of a batch of 32.
		{"randman-rsnn", slices.Concat(seqShort, []string{"--set", "train.epochs=2"}), []int{2, 3}},
		// With a validation set: val_acc each epoch, best.bgc, and the one
		// test evaluation with the best epoch's parameters (its JSON line).
		{"randman-rsnn", slices.Concat(seqShort, []string{"--set", "train.epochs=2", "--set", "data.validation=64"}), []int{2}},
	} {
		t.Run(c.recipe, func(t *testing.T) {
			dir := t.TempDir()
			var want []string
			var wantCk []byte
			for _, np := range append([]int{0}, c.ranks...) {
				out := filepath.Join(dir, fmt.Sprintf("np%d", np))
				args := append([]string{"train", c.recipe, "--json", "--out", out}, c.args...)
				stdout, stderr, err := mpirun(t, np, nil, bin, args...)
				if err != nil {
					t.Fatalf("%d ranks: %v\n%s", np, err, stderr)
				}
				ck, err := os.ReadFile(filepath.Join(out, "checkpoint.bgc"))
				if err != nil {
					t.Fatal(err)
				}
				got := trainLines(t, stdout)
				if np == 0 {
					want, wantCk = got, ck
					continue
				}
				if !strings.Contains(stderr, "shard exchange") {
					t.Errorf("%d ranks: no exchange reported:\n%s", np, stderr)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%d ranks: epochs\n%v\none process:\n%v", np, got, want)
				}
				if !bytes.Equal(ck, wantCk) {
					t.Errorf("%d ranks: the checkpoint differs from one process's", np)
				}
				// The plots of the split test evaluation (raster of rank
				// 0's first samples, confusion of everyone's predictions).
				for _, f := range []string{"raster.png", "confusion.png"} {
					a, errA := os.ReadFile(filepath.Join(dir, "np0", f))
					b, errB := os.ReadFile(filepath.Join(out, f))
					if errA == nil && (errB != nil || !bytes.Equal(a, b)) {
						t.Errorf("%d ranks: %s differs from one process's (%v)", np, f, errB)
					}
				}
			}
		})
	}
}

// A training run resumes on another number of ranks, or in one process, to
// the checkpoint and metrics of an uninterrupted one-process run; only
// rank 0 writes into the run directory.
func TestMPITrainResumeOnOtherRanks(t *testing.T) {
	bin := buildMPI(t)
	dir := t.TempDir()
	args := func(out, epochs string, more ...string) []string {
		return append(append([]string{"train", "fmnist-snn", "--json", "--out", filepath.Join(dir, out), "--set", "epochs=" + epochs}, trainShort...), more...)
	}
	stdout, stderr, err := mpirun(t, 0, nil, bin, args("whole", "2")...)
	if err != nil {
		t.Fatalf("one process: %v\n%s", err, stderr)
	}
	want := trainLines(t, stdout)
	wantCk, err := os.ReadFile(filepath.Join(dir, "whole", "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ first, then int }{{2, 0}, {0, 2}} {
		out := fmt.Sprintf("from%d-to%d", c.first, c.then)
		stdout, stderr, err := mpirun(t, c.first, nil, bin, args(out, "1")...)
		if err != nil {
			t.Fatalf("%d ranks, epoch 1: %v\n%s", c.first, err, stderr)
		}
		first := trainLines(t, stdout)
		stdout, stderr, err = mpirun(t, c.then, nil, bin, args(out, "2", "--resume")...)
		if err != nil || !strings.Contains(stderr, "resuming") {
			t.Fatalf("%d ranks, resumed: %v\n%s", c.then, err, stderr)
		}
		got := append(first, trainLines(t, stdout)...)
		if !slices.Equal(got, want) {
			t.Errorf("%d ranks then %d: epochs\n%v\nuninterrupted:\n%v", c.first, c.then, got, want)
		}
		ck, err := os.ReadFile(filepath.Join(dir, out, "checkpoint.bgc"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ck, wantCk) {
			t.Errorf("%d ranks then %d: the checkpoint differs from the uninterrupted run's", c.first, c.then)
		}
		recs, err := os.ReadFile(filepath.Join(dir, out, "metrics.jsonl"))
		if err != nil || strings.Count(string(recs), "\n") != 2 {
			t.Errorf("%d ranks then %d: metrics.jsonl holds %q (%v), want 2 epochs", c.first, c.then, recs, err)
		}
	}
	// More ranks than shards is refused, naming both; a task without
	// shards says which field to set.
	_, stderr, err = mpirun(t, 9, nil, bin, args("nine", "1")...)
	if err == nil || !strings.Contains(stderr, "9 MPI ranks for the 8 shards") {
		t.Errorf("9 ranks: err %v, stderr:\n%s", err, stderr)
	}
	_, stderr, err = mpirun(t, 2, nil, bin, "train", "dms-snn", "--out", filepath.Join(dir, "task"))
	if err == nil || !strings.Contains(stderr, "train.shards") {
		t.Errorf("a task without shards on 2 ranks: err %v, stderr:\n%s", err, stderr)
	}
}

// A seq-classify run resumes on another number of ranks, or in one
// process, to the checkpoint and metrics of an uninterrupted one-process
// run; what cannot be shared among ranks is refused with the field to
// change.
func TestMPITrainSeqResumeOnOtherRanks(t *testing.T) {
	bin := buildMPI(t)
	dir := t.TempDir()
	args := func(out, epochs string, more ...string) []string {
		return slices.Concat([]string{"train", "randman-rsnn", "--json", "--out", filepath.Join(dir, out), "--set", "train.epochs=" + epochs}, seqShort, more)
	}
	stdout, stderr, err := mpirun(t, 0, nil, bin, args("whole", "2")...)
	if err != nil {
		t.Fatalf("one process: %v\n%s", err, stderr)
	}
	want := trainLines(t, stdout)
	wantCk, err := os.ReadFile(filepath.Join(dir, "whole", "checkpoint.bgc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ first, then int }{{2, 3}, {3, 0}, {0, 2}} {
		out := fmt.Sprintf("from%d-to%d", c.first, c.then)
		stdout, stderr, err := mpirun(t, c.first, nil, bin, args(out, "1")...)
		if err != nil {
			t.Fatalf("%d ranks, epoch 1: %v\n%s", c.first, err, stderr)
		}
		first := trainLines(t, stdout)
		stdout, stderr, err = mpirun(t, c.then, nil, bin, args(out, "2", "--resume")...)
		if err != nil || !strings.Contains(stderr, "resuming") {
			t.Fatalf("%d ranks, resumed: %v\n%s", c.then, err, stderr)
		}
		got := append(first, trainLines(t, stdout)...)
		if !slices.Equal(got, want) {
			t.Errorf("%d ranks then %d: epochs\n%v\nuninterrupted:\n%v", c.first, c.then, got, want)
		}
		ck, err := os.ReadFile(filepath.Join(dir, out, "checkpoint.bgc"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ck, wantCk) {
			t.Errorf("%d ranks then %d: the checkpoint differs from the uninterrupted run's", c.first, c.then)
		}
		recs, err := os.ReadFile(filepath.Join(dir, out, "metrics.jsonl"))
		if err != nil || strings.Count(string(recs), "\n") != 2 {
			t.Errorf("%d ranks then %d: metrics.jsonl holds %q (%v), want 2 epochs", c.first, c.then, recs, err)
		}
	}
	// The L2 regularizer (shd-rsnn's) needs the whole batch; more ranks
	// than a batch's shares are refused.
	_, stderr, err = mpirun(t, 2, nil, bin, args("l2", "1", "--set", "train.l2=1e-6")...)
	if err == nil || !strings.Contains(stderr, "train.l2") {
		t.Errorf("l2 on 2 ranks: err %v, stderr:\n%s", err, stderr)
	}
	_, stderr, err = mpirun(t, 3, nil, bin, args("small", "1", "--set", "train.batch_size=2")...)
	if err == nil || !strings.Contains(stderr, "3 MPI ranks for the 2 shards") {
		t.Errorf("3 ranks, batches of 2: err %v, stderr:\n%s", err, stderr)
	}
}
