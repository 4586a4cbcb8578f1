package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/gpu"
)

// needGPU skips a test without a device to train on: a GPU in the cuda
// build, the CPU emulator in the cudaemu one (go test -tags cudaemu).
func needGPU(t *testing.T) {
	t.Helper()
	if ok, _ := gpu.Built(); !ok {
		t.Skip("built without a GPU backend (TestDeviceKey covers this build)")
	}
	d, err := gpu.Open(0, "")
	if err != nil {
		t.Skipf("no usable GPU: %v", err)
	}
	d.Close()
}

// train --set device=cuda writes the run directory the CPU path writes:
// one JSON line per epoch, the recipe echo, metrics, checkpoint and plots;
// braingo eval evaluates the checkpoint on the CPU, export writes NIR, and
// --resume continues on the device.
func TestTrainOnGPU(t *testing.T) {
	needGPU(t)
	data := tinyData(t)
	base := []string{"--set", "device=cuda", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
		"--set", "steps=6", "--set", "lr=2e-3", "--set", "model.reset=zero", "--json"} // zero: NIR's reset
	out := filepath.Join(t.TempDir(), "run")
	stdout, stderr, code := run(t, append([]string{"train", "fmnist-snn", "--out", out, "--set", "epochs=2"}, base...)...)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", stdout)
	}
	var last struct {
		Epoch      int      `json:"epoch"`
		TrainLoss  float64  `json:"train_loss"`
		TestAcc    *float64 `json:"test_acc"`
		HiddenRate float64  `json:"hidden_rate"`
		SynOps     float64  `json:"synops_per_sample"`
	}
	for _, l := range lines {
		if err := json.Unmarshal([]byte(l), &last); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
	}
	if last.Epoch != 2 || last.TestAcc == nil || !(last.TrainLoss > 0) || !(last.HiddenRate > 0) || !(last.SynOps > 0) {
		t.Fatalf("last line %q", lines[1])
	}
	t.Logf("device: %s", lines[1])
	if *last.TestAcc < 0.5 {
		t.Errorf("the tiny separable task learnt only %.2f test accuracy on the GPU", *last.TestAcc)
	}
	for _, f := range []string{"recipe.yaml", "metrics.jsonl", "checkpoint.bgc", "curves.png", "raster.png", "confusion.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("run directory lacks %s", f)
		}
	}
	if echo, err := os.ReadFile(filepath.Join(out, "recipe.yaml")); err != nil || strings.Contains(string(echo), "device") {
		t.Errorf("the recipe echo names the device (it is the command line's choice): %v", err)
	}
	// eval on the CPU from the downloaded checkpoint: the device's test
	// accuracy up to spikes that flip at the threshold (a sample or two).
	stdout, stderr, code = run(t, "eval", out, "--json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var ev struct {
		Accuracy float64 `json:"test_acc"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatalf("eval output %q: %v", stdout, err)
	}
	if math.Abs(ev.Accuracy-*last.TestAcc) > 2.0/64 {
		t.Errorf("eval on the CPU: %.4f, the device's last test accuracy %.4f", ev.Accuracy, *last.TestAcc)
	}
	nir := filepath.Join(t.TempDir(), "m.nir")
	if _, stderr, code := run(t, "export", out, "-o", nir); code != 0 {
		t.Errorf("export exit %d: %s", code, stderr)
	}
	stdout, stderr, code = run(t, append([]string{"train", "fmnist-snn", "--out", out, "--resume", "--set", "epochs=3"}, base...)...)
	if code != 0 || strings.Count(strings.TrimSpace(stdout), "\n") != 0 || !strings.Contains(stdout, `"epoch":3`) {
		t.Fatalf("resume on the GPU: exit %d, %q, %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	if err != nil || strings.Count(strings.TrimSpace(string(b)), "\n") != 2 {
		t.Errorf("metrics after the resumed epoch: %q %v", b, err)
	}
	// With a validation split: val_acc per epoch, best.bgc, and the test
	// set once at the end with the best epoch's parameters (put back on the
	// device), which braingo eval reproduces on the CPU.
	val := filepath.Join(t.TempDir(), "val")
	stdout, stderr, code = run(t, append([]string{"train", "fmnist-snn", "--out", val, "--set", "epochs=2", "--set", "validation=64"}, base...)...)
	if code != 0 || !strings.Contains(stdout, `"val_acc"`) || !strings.Contains(stdout, `"best_epoch"`) {
		t.Fatalf("validation on the GPU: exit %d, %q, %s", code, stdout, stderr)
	}
	var res struct {
		TestAcc float64 `json:"test_acc"`
	}
	tj, err := os.ReadFile(filepath.Join(val, "test.json"))
	if err != nil || json.Unmarshal(tj, &res) != nil {
		t.Fatalf("test.json: %q %v", tj, err)
	}
	for _, f := range []string{"best.bgc", "checkpoint.bgc"} {
		if _, err := os.Stat(filepath.Join(val, f)); err != nil {
			t.Errorf("validated run lacks %s", f)
		}
	}
	stdout, stderr, code = run(t, "eval", val, "--json")
	if code != 0 || json.Unmarshal([]byte(stdout), &ev) != nil || math.Abs(ev.Accuracy-res.TestAcc) > 2.0/64 {
		t.Errorf("eval of the validated run: exit %d, %q (test.json %v), %s", code, stdout, res.TestAcc, stderr)
	}
}

// What the GPU does not train fails before the run (and before the device
// is opened: a build with a GPU backend checks this without a GPU), in one
// line naming the recipe field, exit 2; no run directory is written.
func TestTrainOnGPUErrors(t *testing.T) {
	if ok, _ := gpu.Built(); !ok {
		t.Skip("built without a GPU backend (TestDeviceKey covers this build)")
	}
	data := tinyData(t)
	for _, c := range []struct {
		sets  []string
		field string
	}{
		{[]string{"model.neuron=alif"}, "model.neuron"},
		{[]string{"data.encoding=rate"}, "data.encoding"},
		{[]string{"train.loss=ce_count"}, "train.loss"},
		{[]string{"train.truncate=3"}, "train.truncate"},
		{[]string{"train.l2=1e-5"}, "train.l2"},
		{[]string{"model.connectivity=0.3"}, "model.connectivity"},
		{[]string{"model.delay=1"}, "model.delay"},
		{[]string{"train.optimizer=sgd"}, "train.optimizer"},
	} {
		out := filepath.Join(t.TempDir(), "run")
		args := []string{"train", "fmnist-snn", "--out", out, "--set", "device=cuda", "--set", "data_dir=" + data}
		for _, s := range c.sets {
			args = append(args, "--set", s)
		}
		_, stderr, code := run(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, c.field+":") ||
			!strings.Contains(stderr, "device=cpu") {
			t.Errorf("%v: exit %d, stderr %q", c.sets, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: a run directory was written", c.sets)
		}
	}
	_, stderr, code := run(t, "train", "pdm-rate", "--set", "device=cuda")
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "kind:") {
		t.Errorf("a task recipe on the GPU: exit %d, stderr %q", code, stderr)
	}
}
