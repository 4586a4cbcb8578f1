package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
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
