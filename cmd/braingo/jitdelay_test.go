package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/tensor"
)

// A recipe trains a JIT hidden projection with input delays, evaluates it
// to its last epoch's accuracy, and exports it to NIR (the JIT matrix
// written out, with a warning).
func TestJITDelayRecipe(t *testing.T) {
	data := tinyData(t)
	out := filepath.Join(t.TempDir(), "run")
	sets := []string{"--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=24,16", "--set", "steps=6",
		"--set", "model.connectivity=0.3", "--set", "model.connectivity_kind=jit", "--set", "model.delay=1,2", "--set", "epochs=2", "--set", "model.reset=zero"}
	if _, stderr, code := run(t, append([]string{"train", "fmnist-snn", "--json", "--out", out}, sets...)...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	recs, err := eval.ReadRecords(filepath.Join(out, eval.MetricsFile))
	if err != nil || len(recs) != 2 {
		t.Fatalf("metrics: %v, %d records", err, len(recs))
	}
	for _, r := range recs {
		if math.IsNaN(r.TrainLoss) || math.IsInf(r.TrainLoss, 0) || math.IsNaN(r.TestAcc) {
			t.Fatalf("epoch %d: loss %v, test accuracy %v", r.Epoch, r.TrainLoss, r.TestAcc)
		}
	}
	stdout, stderr, code := run(t, "eval", out, "--json")
	if code != 0 {
		t.Fatalf("eval: %s", stderr)
	}
	var ev struct {
		TestAcc float64 `json:"test_acc"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil || ev.TestAcc != recs[1].TestAcc {
		t.Errorf("eval test_acc %v (%v), last epoch %v", ev.TestAcc, err, recs[1].TestAcc)
	}
	_, stderr, code = run(t, "export", out, "--format", "nir", "-o", filepath.Join(t.TempDir(), "m.nir"))
	if code != 0 || !strings.Contains(stderr, "JIT") {
		t.Fatalf("export: exit %d, %s", code, stderr)
	}

	for _, c := range []struct{ set, want string }{
		{"model.delay=6", "model.delay"},
		{"model.delay=1,2,3", "model.delay"},
		{"model.delay=-1", "model.delay"},
		{"model.connectivity=1", "model.connectivity_kind"},
	} {
		args := append([]string{"train", "fmnist-snn", "--out", filepath.Join(t.TempDir(), "x")}, sets...)
		if _, stderr, code := run(t, append(args, "--set", c.set)...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("--set %s: exit %d, %q; want exit 2 naming %s", c.set, code, stderr, c.want)
		}
	}
	if _, stderr, code := run(t, append(append([]string{"train", "fmnist-snn", "--out", filepath.Join(t.TempDir(), "y")}, sets...), "--set", "train.truncate=3")...); code != 2 || !strings.Contains(stderr, "truncate") {
		t.Errorf("delay with truncated BPTT: exit %d, %q", code, stderr)
	}
}

// model.delay reaches the network: a layer delayed by d steps receives no
// input before step d (without biases: no spikes, zero membrane), and the
// JIT layer is what connectivity_kind asks for.
func TestDelayReachesNetwork(t *testing.T) {
	r, err := recipes.Load("fmnist-snn", []string{"model.hidden=30,20", "model.delay=0,3", "model.bias=false", "steps=8",
		"model.connectivity=0.5", "model.connectivity_kind=jit", "model.jit_weight=uniform", "model.threshold=0.01"})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Spec.(*kinds.Classify)
	net, err := c.Build(12, 4)
	if err != nil {
		t.Fatal(err)
	}
	if net.Blocks[0].Delay != 0 || net.Blocks[1].Delay != 3 || net.Blocks[2].Delay != 0 {
		t.Fatalf("delays %d %d %d, want 0 3 0", net.Blocks[0].Delay, net.Blocks[1].Delay, net.Blocks[2].Delay)
	}
	for i := 0; i < 2; i++ {
		j, ok := net.Blocks[i].Conn.(*networks.JITProj)
		if !ok || len(j.W.Data) != 2 || j.W.Data[0] >= j.W.Data[1] {
			t.Fatalf("hidden layer %d: %T, want a uniform JIT projection", i+1, net.Blocks[i].Conn)
		}
	}
	x := make([]float32, 2*12)
	for i := range x {
		x[i] = 1
	}
	tr := net.Run(tensor.NewTape(), networks.Input{Static: tensor.New([]int{2, 12}, x)}, 8)
	moved := func(step int) bool {
		for _, v := range tr.Mem[1][step].Data {
			if v != 0 {
				return true
			}
		}
		return false
	}
	for step := 0; step < 3; step++ {
		if moved(step) {
			t.Fatalf("layer 2's membrane moved at step %d, before its delay of 3", step)
		}
	}
	if !moved(7) {
		t.Fatal("layer 2 never received input")
	}
}
