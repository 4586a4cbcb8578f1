package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lastJSON decodes the last line of a --json output.
func lastJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var v map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &v); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	return v
}

// evalJSON runs braingo eval --json on dir (and the table form).
func evalJSON(t *testing.T, dir string) map[string]any {
	t.Helper()
	stdout, stderr, code := run(t, "eval", dir, "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatalf("eval --json: %v: %q", err, stdout)
	}
	if stdout, stderr, code := run(t, "eval", dir); code != 0 || stdout == "" {
		t.Errorf("eval table: exit %d: %s%s", code, stdout, stderr)
	}
	return ev
}

// sameMetrics fails unless two runs' metrics.jsonl hold the same measures
// (times and memory left out).
func sameMetrics(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(filepath.Join(a, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(filepath.Join(b, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if nx, ny := normalize(t, x), normalize(t, y); !bytes.Equal(nx, ny) {
		t.Errorf("metrics differ:\nuninterrupted %s\nresumed       %s", nx, ny)
	}
}

// copyRunFiles copies the named files of run directory from into to (a
// run directory as an interruption left it).
func copyRunFiles(t *testing.T, from, to string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The trained-by-epochs kinds e-prop, R-STDP and A2C resume after an
// interruption between epochs with the same bits as never stopping (their
// checkpoints hold the trial generators' and, for R-STDP, the spikes'
// random state and the reward baseline; for A2C its action generator, the
// network's state and every column's environment mid-trial), and braingo
// eval reproduces the last epoch's evaluation.
func TestResumeAndEvalEpochKinds(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"task-eprop", []string{"evidence-eprop", "--set", "model.units=12", "--set", "train.batches=2", "--set", "train.batch_size=4",
			"--set", "train.eval_trials=8", "--set", "threads=1"}},
		{"task-rstdp", []string{"rstdp-task", "--set", "train.trials=6", "--set", "train.eval_trials=10"}},
		// A2C's columns are in the middle of their trials (and bandit
		// episodes) when an epoch ends: the checkpoint holds them.
		{"task-rl", []string{"pdm-a2c", "--set", "train.updates=3", "--set", "train.columns=4", "--set", "train.rollout=7",
			"--set", "train.eval_trials=16", "--set", "threads=1"}},
		{"task-rl bandit", []string{"bandit-a2c", "--set", "train.updates=3", "--set", "train.columns=4", "--set", "train.rollout=30",
			"--set", "train.eval_trials=16", "--set", "threads=1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			once, twice := filepath.Join(dir, "once"), filepath.Join(dir, "twice")
			args := append([]string{"train"}, c.args...)
			stdout, stderr, code := run(t, append(args, "--out", once, "--set", "epochs=2", "--json")...)
			if code != 0 {
				t.Fatalf("train: %s", stderr)
			}
			last := lastJSON(t, stdout)
			if _, stderr, code := run(t, append(args, "--out", twice, "--set", "epochs=1", "--json")...); code != 0 {
				t.Fatalf("train epoch 1: %s", stderr)
			}
			if _, stderr, code := run(t, append(args, "--out", twice, "--resume", "--set", "epochs=2", "--json")...); code != 0 {
				t.Fatalf("resume: %s", stderr)
			}
			sameCheckpoints(t, filepath.Join(once, "checkpoint.bgc"), filepath.Join(twice, "checkpoint.bgc"))
			sameMetrics(t, once, twice)
			ev := evalJSON(t, once)
			for _, k := range []string{"performance", "mean_reward"} {
				if ev[k] != last[k] {
					t.Errorf("eval %s = %v, the last epoch reported %v", k, ev[k], last[k])
				}
			}
		})
	}
}

// force, spiking-force and reservoir checkpoint the trained network when
// training ends and record the test's measures: a run interrupted while
// training starts over, one interrupted while testing tests from the
// checkpoint, a finished one runs nothing again (and says so), each with
// the uninterrupted run's checkpoint and figures; braingo eval replays the
// test from the checkpoint and gives the run's test figures exactly.
func TestResumeAndEvalReadoutKinds(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		equal []string // --json keys eval reproduces
	}{
		{"force", []string{"force-sines", "--set", "model.units=60", "--set", "train.train_s=0.2", "--set", "train.test_s=0.1",
			"--set", "threads=1"}, []string{"test_nmse", "test_corr"}},
		{"full-force", []string{"force-sines", "--set", "method=full-force", "--set", "model.conn=dense", "--set", "model.units=40",
			"--set", "train.train_s=0.1", "--set", "train.test_s=0.1", "--set", "threads=1"}, []string{"test_nmse", "test_corr"}},
		{"spiking-force", []string{"force-spiking", "--set", "model.units=80", "--set", "train.warmup_s=0.02", "--set", "train.train_s=0.05",
			"--set", "train.test_s=0.05", "--set", "threads=1"}, []string{"test_nmse", "test_corr", "rate_hz"}},
		{"reservoir", []string{"reservoir-fmnist", "--set", "model.units=40", "--set", "readout.batch_size=50", "--set", "readout.train_eval=0"},
			[]string{"test_acc"}},
		{"reservoir lif rls", []string{"reservoir-fmnist", "--set", "model.units=30", "--set", "model.neuron=lif", "--set", "readout.method=rls",
			"--set", "readout.batch_size=64", "--set", "readout.train_eval=0"}, []string{"test_acc", "hidden_rate"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"train"}, c.args...)
			if strings.HasPrefix(c.args[0], "reservoir") {
				args = append(args, "--set", "data_dir="+tinyData(t), "--set", "plots=false")
			}
			dir := t.TempDir()
			once := filepath.Join(dir, "once")
			stdout, stderr, code := run(t, append(args, "--out", once, "--json")...)
			if code != 0 {
				t.Fatalf("train: %s", stderr)
			}
			line := lastJSON(t, stdout)
			for _, f := range []string{"checkpoint.bgc", "metrics.jsonl"} {
				if _, err := os.Stat(filepath.Join(once, f)); err != nil {
					t.Fatalf("the run wrote no %s", f)
				}
			}

			// Interrupted while training: the recipe echo only.
			training := filepath.Join(dir, "training")
			copyRunFiles(t, once, training, "recipe.yaml")
			if _, stderr, code := run(t, "eval", training); code != 1 || !strings.Contains(stderr, "holds no checkpoint") {
				t.Errorf("eval without a checkpoint: exit %d: %s", code, stderr)
			}
			if _, stderr, code := run(t, append(args, "--out", training, "--resume", "--json")...); code != 0 {
				t.Fatalf("resume (interrupted while training): %s", stderr)
			}
			sameCheckpoints(t, filepath.Join(once, "checkpoint.bgc"), filepath.Join(training, "checkpoint.bgc"))
			sameMetrics(t, once, training)

			// Interrupted while testing: the checkpoint but no record.
			testing := filepath.Join(dir, "testing")
			copyRunFiles(t, once, testing, "recipe.yaml", "checkpoint.bgc")
			stdout, stderr, code = run(t, append(args, "--out", testing, "--resume", "--json")...)
			if code != 0 {
				t.Fatalf("resume (interrupted while testing): %s", stderr)
			}
			if !strings.Contains(stderr, "testing only") {
				t.Errorf("resume while testing trained again: %s", stderr)
			}
			got := lastJSON(t, stdout)
			for _, k := range c.equal {
				if got[k] != line[k] {
					t.Errorf("resumed test: %s = %v, uninterrupted %v", k, got[k], line[k])
				}
			}
			sameMetrics(t, once, testing)

			// Finished: nothing runs again.
			before, _ := os.ReadFile(filepath.Join(once, "metrics.jsonl"))
			stdout, stderr, code = run(t, append(args, "--out", once, "--resume", "--json")...)
			if code != 0 || !strings.Contains(stderr, "already finished") {
				t.Fatalf("resume of a finished run: exit %d: %s", code, stderr)
			}
			if again := lastJSON(t, stdout); again[c.equal[0]] != line[c.equal[0]] {
				t.Errorf("resume of a finished run reports %v, the run %v", again, line)
			}
			if after, _ := os.ReadFile(filepath.Join(once, "metrics.jsonl")); !bytes.Equal(before, after) {
				t.Errorf("resume of a finished run changed metrics.jsonl:\n%s\n%s", before, after)
			}

			ev := evalJSON(t, once)
			for _, k := range c.equal {
				if ev[k] != line[k] {
					t.Errorf("eval %s = %v, the run reported %v", k, ev[k], line[k])
				}
			}
		})
	}
}

// braingo sim --resume continues a stopped simulation from its checkpoint:
// a run stopped after 100 ms (here: a run of 100 ms, extended) and
// continued to 200 ms has the spikes, rates and state of a 200-ms run; a
// finished run simulates nothing again.
func TestSimResume(t *testing.T) {
	for _, model := range []string{"coba", "coba-hh"} {
		t.Run(model, func(t *testing.T) {
			dir := t.TempDir()
			once, twice := filepath.Join(dir, "once"), filepath.Join(dir, "twice")
			args := []string{"sim", model, "--set", "neurons=300", "--set", "plots=false", "--set", "threads=1", "--json"}
			want, stderr, code := run(t, append(args, "--out", once, "--set", "duration_ms=200")...)
			if code != 0 {
				t.Fatalf("sim: %s", stderr)
			}
			if _, stderr, code := run(t, append(args, "--out", twice, "--set", "duration_ms=100")...); code != 0 {
				t.Fatalf("sim 100 ms: %s", stderr)
			}
			got, stderr, code := run(t, append(args, "--out", twice, "--set", "duration_ms=200", "--resume")...)
			if code != 0 || !strings.Contains(stderr, "resuming") {
				t.Fatalf("sim --resume: exit %d: %s", code, stderr)
			}
			sameCheckpoints(t, filepath.Join(once, "checkpoint.bgc"), filepath.Join(twice, "checkpoint.bgc"))
			if w, g := normalize(t, []byte(want)), normalize(t, []byte(got)); !bytes.Equal(w, g) {
				t.Errorf("results differ:\nuninterrupted %s\nresumed       %s", w, g)
			}
			again, stderr, code := run(t, append(args, "--out", once, "--set", "duration_ms=200", "--resume")...)
			if code != 0 || !strings.Contains(stderr, "already finished") {
				t.Fatalf("sim --resume of a finished run: exit %d: %s", code, stderr)
			}
			if w, g := normalize(t, []byte(want)), normalize(t, []byte(again)); !bytes.Equal(w, g) {
				t.Errorf("finished run resumed reports %s, the run %s", g, w)
			}
			echo, _ := os.ReadFile(filepath.Join(once, "recipe.yaml"))
			if _, stderr, code := run(t, append(args, "--out", once, "--set", "duration_ms=100", "--resume")...); code == 0 || !strings.Contains(stderr, "more than") {
				t.Errorf("sim --resume with a shorter duration: exit %d: %s", code, stderr)
			}
			if after, _ := os.ReadFile(filepath.Join(once, "recipe.yaml")); !bytes.Equal(echo, after) {
				t.Errorf("a refused resume rewrote recipe.yaml")
			}
		})
	}
}

// Resuming with a recipe that trains or simulates differently is refused
// (exit 2) and changes nothing; threads and plots may differ.
func TestResumeRefusesAnotherRecipe(t *testing.T) {
	dir := t.TempDir()
	force := filepath.Join(dir, "force")
	fargs := []string{"train", "force-sines", "--out", force, "--set", "model.units=40", "--set", "train.train_s=0.1", "--set", "train.test_s=0.1", "--json"}
	if _, stderr, code := run(t, fargs...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	before := snapshot(t, force)
	if _, stderr, code := run(t, append(fargs, "--resume", "--set", "train.train_s=0.2")...); code != 2 || !strings.Contains(stderr, "another recipe") {
		t.Errorf("resume with another train_s: exit %d: %s", code, stderr)
	}
	sameFiles(t, "refused resume", before, snapshot(t, force))
	if _, stderr, code := run(t, append(fargs, "--resume", "--set", "threads=1", "--set", "plots=false")...); code != 0 {
		t.Errorf("resume with other threads and plots: exit %d: %s", code, stderr)
	}

	sim := filepath.Join(dir, "sim")
	sargs := []string{"sim", "coba", "--out", sim, "--set", "neurons=200", "--set", "duration_ms=20", "--set", "plots=false", "--json"}
	if _, stderr, code := run(t, sargs...); code != 0 {
		t.Fatalf("sim: %s", stderr)
	}
	if _, stderr, code := run(t, append(sargs, "--resume", "--set", "seed=2", "--set", "duration_ms=40")...); code != 2 || !strings.Contains(stderr, "another recipe") {
		t.Errorf("sim resume with another seed: exit %d: %s", code, stderr)
	}
}
