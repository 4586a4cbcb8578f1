package main

import (
	"path/filepath"
	"testing"
)

// Izhikevich, AdEx, GIF and Hodgkin-Huxley hidden layers train from a recipe (BPTT through
// their steps with a surrogate on the distance to the threshold) and
// evaluate like the LIF ones.
func TestRecipeNeuronModels(t *testing.T) {
	data := tinyData(t)
	for _, c := range []struct{ neuron, gain string }{{"izhikevich", "10"}, {"adex", "500"}, {"gif", "20"}, {"hh", "500"}} {
		t.Run(c.neuron, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := []string{"train", "fmnist-snn", "--set", "data_dir=" + data, "--set", "batch_size=32", "--set", "model.hidden=16",
				"--set", "steps=6", "--set", "model.neuron=" + c.neuron, "--set", "model.hidden_gain=" + c.gain, "--json", "--out", out}
			if _, stderr, code := run(t, args...); code != 0 {
				t.Fatalf("train: %s", stderr)
			}
			if _, stderr, code := run(t, "eval", out, "--json"); code != 0 {
				t.Fatalf("eval: %s", stderr)
			}
		})
	}
}

// The Poisson encoder is selectable in recipes.
func TestRecipePoissonEncoding(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	if _, stderr, code := run(t, "train", "fmnist-snn", "--set", "data_dir="+tinyData(t), "--set", "batch_size=32", "--set", "model.hidden=16",
		"--set", "steps=6", "--set", "data.encoding=poisson", "--json", "--out", out); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
}
