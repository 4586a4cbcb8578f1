package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/kinds"
)

// With data.validation, every epoch is scored on the held-out images (no
// test accuracy in metrics.jsonl), the best epoch's parameters are kept,
// the test set is evaluated once with them (test.json), and braingo eval
// gives the same figure.
func TestValidationSplit(t *testing.T) {
	data := tinyData(t)
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
		"--set", "steps=4", "--set", "validation=64", "--set", "epochs=3", "--json", "--out", out}
	if _, stderr, code := run(t, args...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	recs, err := eval.ReadRecords(filepath.Join(out, eval.MetricsFile))
	if err != nil || len(recs) != 3 {
		t.Fatalf("metrics: %v, %d records", err, len(recs))
	}
	best, bestEpoch := -1.0, 0
	for _, r := range recs {
		if !math.IsNaN(r.TestAcc) {
			t.Errorf("epoch %d has a test accuracy: the test set must be evaluated once, at the end", r.Epoch)
		}
		if v := r.Extra["val_acc"]; v > best {
			best, bestEpoch = v, r.Epoch
		}
	}
	b, err := os.ReadFile(filepath.Join(out, kinds.TestFile))
	if err != nil {
		t.Fatal(err)
	}
	var res kinds.TestResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.BestEpoch != bestEpoch || res.ValAcc != best {
		t.Errorf("test.json: best epoch %d (val %v), metrics say %d (%v)", res.BestEpoch, res.ValAcc, bestEpoch, best)
	}
	stdout, stderr, code := run(t, "eval", out, "--json")
	if code != 0 {
		t.Fatalf("eval: %s", stderr)
	}
	var ev struct {
		TestAcc float64 `json:"test_acc"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil || ev.TestAcc != res.TestAcc {
		t.Errorf("eval test_acc %v (%v), test.json %v", ev.TestAcc, err, res.TestAcc)
	}
	if _, stderr, code := run(t, "train", "fmnist-snn", "--set", "validation=100000", "--out", filepath.Join(t.TempDir(), "x")); code != 2 {
		t.Errorf("a validation set as large as the training set: exit %d, %s", code, stderr)
	}
}

// checkSelection checks a validated run's model selection against its
// metrics: no epoch has a test figure, the best validation epoch is the
// one test.json names, early stopping with patience ended training where
// the validation measures say, and braingo eval gives test.json's figure.
// With early, training must have stopped before epochs. It returns
// test.json's object.
func checkSelection(t *testing.T, out, measure, testKey string, epochs, patience int, early bool) map[string]any {
	t.Helper()
	recs, err := eval.ReadRecords(filepath.Join(out, eval.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	best, bestEpoch, since, stopAt := -1.0, 0, 0, epochs
	for i, r := range recs {
		if !math.IsNaN(r.TestAcc) {
			t.Errorf("epoch %d has a test figure: the test set must be evaluated once, at the end", r.Epoch)
		}
		v, ok := r.Extra[measure]
		if !ok {
			t.Fatalf("epoch %d has no %s: %+v", r.Epoch, measure, r.Extra)
		}
		if v > best {
			best, bestEpoch, since = v, r.Epoch, 0
		} else if since++; patience > 0 && since >= patience && stopAt == epochs {
			stopAt = i + 1
		}
	}
	if len(recs) != stopAt {
		t.Errorf("%d epochs recorded; the validation measures and patience %d stop after %d", len(recs), patience, stopAt)
	}
	if early && stopAt == epochs {
		t.Errorf("no early stop in %d epochs with patience %d: the test tests nothing", epochs, patience)
	}
	b, err := os.ReadFile(filepath.Join(out, kinds.TestFile))
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res["best_epoch"] != float64(bestEpoch) || res[measure] != best {
		t.Errorf("test.json %v: the metrics' best epoch is %d (%s %v)", res, bestEpoch, measure, best)
	}
	stdout, stderr, code := run(t, "eval", out, "--json")
	if code != 0 {
		t.Fatalf("eval: %s", stderr)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil || ev[testKey] != res[testKey] {
		t.Errorf("eval %s %v (%v), test.json %v", testKey, ev[testKey], err, res[testKey])
	}
	return res
}

// The task kinds' validation trials: every epoch plays held-out trials
// (val_performance), the best epoch is kept (best.bgc) and the test trials
// are played once with it (test.json, and braingo eval); patience stops
// training early; a resumed validated run selects and stops as an
// uninterrupted one.
func TestValidationTaskKinds(t *testing.T) {
	for _, c := range []struct {
		name     string
		args     []string
		patience int
		early    bool // stops before the last epoch
	}{
		{"task-bptt", []string{"pdm-rate", "--set", "train.batches=3", "--set", "train.batch_size=8", "--set", "model.units=16", "--set", "threads=1"}, 0, false},
		{"task-bptt patience", []string{"pdm-rate", "--set", "train.batches=2", "--set", "train.batch_size=4", "--set", "model.units=8",
			"--set", "train.patience=1", "--set", "threads=1"}, 1, false},
		{"task-eprop", []string{"evidence-eprop", "--set", "train.batches=2", "--set", "train.batch_size=4", "--set", "model.units=12", "--set", "threads=1"}, 0, false},
		{"task-rl", []string{"pdm-a2c", "--set", "train.updates=3", "--set", "train.columns=4", "--set", "train.rollout=10",
			"--set", "train.patience=2", "--set", "threads=1"}, 2, true},
		// R-STDP runs its own loop (and has no threads: it uses no kernels).
		{"task-rstdp", []string{"rstdp-task", "--set", "train.trials=4", "--set", "train.block=2", "--set", "train.patience=2"}, 2, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			const epochs = 6
			dir := t.TempDir()
			once, twice := filepath.Join(dir, "once"), filepath.Join(dir, "twice")
			args := append(append([]string{"train"}, c.args...), "--set", "train.eval_trials=24", "--set", "train.validation=20", "--json")
			if _, stderr, code := run(t, append(args, "--set", fmt.Sprint("epochs=", epochs), "--out", once)...); code != 0 {
				t.Fatalf("train: %s", stderr)
			}
			res := checkSelection(t, once, "val_performance", "performance", epochs, c.patience, c.early)
			if res["trials"].(float64) < 24 {
				t.Errorf("test.json: %v trials, eval_trials is 24", res["trials"])
			}
			if _, stderr, code := run(t, append(args, "--set", "epochs=1", "--out", twice)...); code != 0 {
				t.Fatalf("train epoch 1: %s", stderr)
			}
			if _, stderr, code := run(t, append(args, "--set", fmt.Sprint("epochs=", epochs), "--out", twice, "--resume")...); code != 0 {
				t.Fatalf("resume: %s", stderr)
			}
			sameMetrics(t, once, twice)
			sameCheckpoints(t, filepath.Join(once, kinds.BestFile), filepath.Join(twice, kinds.BestFile))
			x, _ := os.ReadFile(filepath.Join(once, kinds.TestFile))
			y, _ := os.ReadFile(filepath.Join(twice, kinds.TestFile))
			if string(x) != string(y) {
				t.Errorf("test.json: uninterrupted %s, resumed %s", x, y)
			}
		})
	}
}

// seq-classify's data.validation: the last training samples score every
// epoch (val_acc), the best epoch is kept and the test set evaluated once
// with it (test.json, braingo eval); patience stops early on val_acc.
func TestValidationSeqClassify(t *testing.T) {
	const epochs = 5
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "randman-rsnn", "--set", "data.randman.units=10", "--set", "data.randman.samples_per_class=20",
		"--set", "data.steps=30", "--set", "model.hidden=[16]", "--set", "train.batch_size=16", "--set", "threads=1",
		"--set", "validation=24", "--set", fmt.Sprint("epochs=", epochs), "--set", "train.patience=2", "--json", "--out", out}
	if _, stderr, code := run(t, args...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	res := checkSelection(t, out, "val_acc", "test_acc", epochs, 2, false)
	if res["samples"] != float64(40) { // 20% of 10 classes × 20 samples
		t.Errorf("test.json: %v samples, the test split has 40", res["samples"])
	}
	if _, stderr, code := run(t, "train", "randman-rsnn", "--set", "validation=100000", "--out", filepath.Join(t.TempDir(), "x")); code != 2 {
		t.Errorf("a validation set as large as the training set: exit %d, %s", code, stderr)
	}
}

// A validated snn-classify run with patience, stopped after its first
// epoch and resumed, selects the same best epoch and stops where the
// uninterrupted run does (selection and early stopping are reseeded from
// the metrics of the finished epochs).
func TestValidationResumeSelects(t *testing.T) {
	data := tinyData(t)
	dir := t.TempDir()
	once, twice := filepath.Join(dir, "once"), filepath.Join(dir, "twice")
	args := []string{"train", "fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
		"--set", "steps=4", "--set", "validation=64", "--set", "train.patience=1", "--set", "threads=1", "--json"}
	if _, stderr, code := run(t, append(args, "--set", "epochs=6", "--out", once)...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	checkSelection(t, once, "val_acc", "test_acc", 6, 1, false)
	if _, stderr, code := run(t, append(args, "--set", "epochs=1", "--out", twice)...); code != 0 {
		t.Fatalf("train epoch 1: %s", stderr)
	}
	if _, stderr, code := run(t, append(args, "--set", "epochs=6", "--out", twice, "--resume")...); code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	sameMetrics(t, once, twice)
	sameCheckpoints(t, filepath.Join(once, kinds.BestFile), filepath.Join(twice, kinds.BestFile))
}

// --seeds over validated runs summarizes each run's test.json: the test
// figures of its best validation epoch, not the last epoch's validation
// figures alone.
func TestValidationSeedsSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "seeds")
	stdout, stderr, code := run(t, "train", "pdm-rate", "--set", "train.batches=2", "--set", "train.batch_size=4", "--set", "model.units=8",
		"--set", "epochs=2", "--set", "train.eval_trials=16", "--set", "train.validation=12", "--set", "threads=1",
		"--seeds", "1,2", "--json", "--out", out)
	if code != 0 {
		t.Fatalf("train --seeds: %s", stderr)
	}
	for _, seed := range []string{"seed-1", "seed-2"} {
		if _, err := os.Stat(filepath.Join(out, seed, kinds.TestFile)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{`"performance"`, `"best_epoch"`, `"val_performance"`} {
		if !strings.Contains(stdout, k) {
			t.Errorf("the seeds summary has no %s: %s", k, stdout)
		}
	}
}
