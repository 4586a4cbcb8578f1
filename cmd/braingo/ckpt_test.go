package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/checkpoint"
)

// sameCheckpoints fails unless two checkpoints hold the same arrays, bit for
// bit (parameters and optimizer state).
func sameCheckpoints(t *testing.T, a, b string) {
	t.Helper()
	x, err := checkpoint.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := checkpoint.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Arrays) != len(y.Arrays) {
		t.Fatalf("%d vs %d arrays", len(x.Arrays), len(y.Arrays))
	}
	for _, ax := range x.Arrays {
		ay, ok := y.Get(ax.Name)
		if !ok {
			t.Fatalf("%s lacks %s", b, ax.Name)
		}
		for j, v := range ax.Data {
			if math.Float32bits(v) != math.Float32bits(ay.Data[j]) {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", ax.Name, j, v, ay.Data[j])
			}
		}
	}
}

// Resuming gives the same bits as never stopping also where every epoch
// draws random numbers: Bernoulli rate encoding, and a task recipe whose
// trials are random (the random streams derive from the seed and the epoch,
// so a checkpoint needs no generator state).
func TestResumeSameBitsWithRandomness(t *testing.T) {
	data := tinyData(t)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"rate encoding", []string{"fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
			"--set", "steps=6", "--set", "data.encoding=rate"}},
		{"rate encoding, cosine schedule", []string{"fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
			"--set", "steps=6", "--set", "data.encoding=rate", "--set", "train.schedule=cosine"}},
		{"task rsnn", []string{"dms-snn", "--set", "model.neuron=lif", "--set", "model.units=12", "--set", "train.batches=2",
			"--set", "train.batch_size=4", "--set", "train.eval_trials=4"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			once, twice := filepath.Join(dir, "once"), filepath.Join(dir, "twice")
			args := append([]string{"train"}, c.args...)
			if _, stderr, code := run(t, append(args, "--out", once, "--set", "epochs=2", "--json")...); code != 0 {
				t.Fatalf("train: %s", stderr)
			}
			if _, stderr, code := run(t, append(args, "--out", twice, "--set", "epochs=1", "--json")...); code != 0 {
				t.Fatalf("train epoch 1: %s", stderr)
			}
			if _, stderr, code := run(t, append(args, "--out", twice, "--resume", "--set", "epochs=2", "--json")...); code != 0 {
				t.Fatalf("resume: %s", stderr)
			}
			sameCheckpoints(t, filepath.Join(once, "checkpoint.bgc"), filepath.Join(twice, "checkpoint.bgc"))
		})
	}
}

// Two identical runs write checkpoints that are the same bytes (arrays in
// name order, no timestamp in the metadata).
func TestCheckpointBytesDeterministic(t *testing.T) {
	data := tinyData(t)
	dir := t.TempDir()
	var files [2][]byte
	for i := range files {
		out := filepath.Join(dir, fmt.Sprint(i))
		if _, stderr, code := run(t, "train", "fmnist-snn", "--set", "data_dir="+data, "--set", "batch_size=32", "--set", "model.hidden=16",
			"--set", "steps=4", "--set", "threads=1", "--json", "--out", out); code != 0 {
			t.Fatalf("train: %s", stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "checkpoint.bgc"))
		if err != nil {
			t.Fatal(err)
		}
		files[i] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two identical runs wrote different checkpoint bytes")
	}
}
