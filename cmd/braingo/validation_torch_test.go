//go:build torch

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/kinds"
)

// csnn-classify's validation split, as snn-classify's: every epoch is
// scored on the held-out images (val_acc, no test accuracy), the best
// epoch's parameters are kept (best.bgc), the test set is evaluated once
// with them (test.json, the last --json line), braingo eval gives the
// same figure from best.bgc, and patience stops on the validation measure.
// Alone, patience 1 stops after epoch 3 of 4; that is not required: in a
// process that ran other libtorch tests first (TestExportCSNN*), the
// evaluations' figures differ, an open question. checkSelection checks
// the stop against the recorded measures either way.
func TestValidationCSNN(t *testing.T) {
	data := tinyData(t)
	for _, patience := range []int{0, 1} {
		out := filepath.Join(t.TempDir(), "run")
		const epochs = 4
		stdout, stderr, code := run(t, "train", "fmnist-csnn", "--set", "data_dir="+data, "--set", "batch_size=32",
			"--set", "model.channels=[4,8]", "--set", "steps=2", "--set", "threads=1", "--set", "validation=64", "--set", "lr=2e-2",
			"--set", fmt.Sprint("epochs=", epochs), "--set", fmt.Sprint("train.patience=", patience), "--json", "--out", out)
		if code != 0 {
			t.Fatalf("train: %s", stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		for _, l := range lines[:len(lines)-1] {
			var line map[string]any
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatalf("JSON line %q: %v", l, err)
			}
			if _, ok := line["test_acc"]; ok {
				t.Errorf("epoch line %s has a test accuracy", l)
			}
			if _, ok := line["val_acc"]; !ok {
				t.Errorf("epoch line %s has no val_acc", l)
			}
		}
		// braingo eval reads best.bgc: it needs no last checkpoint.
		if err := os.Remove(filepath.Join(out, kinds.CheckpointFile)); err != nil {
			t.Fatal(err)
		}
		res := checkSelection(t, out, "val_acc", "test_acc", epochs, patience, false)
		var last map[string]any
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last["test_acc"] != res["test_acc"] || res["samples"] != float64(64) {
			t.Errorf("the last --json line %s (%v), test.json %v", lines[len(lines)-1], err, res)
		}
	}
	if _, stderr, code := run(t, "train", "fmnist-csnn", "--set", "data_dir="+data, "--set", "validation=256", "--out", filepath.Join(t.TempDir(), "x")); code != 2 || !strings.Contains(stderr, "data.validation") {
		t.Errorf("a validation set as large as the training set: exit %d, %s", code, stderr)
	}
}
