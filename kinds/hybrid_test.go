package kinds_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/torchlayer"
)

// TestHybridRecipes: the hybrid recipes load and validate in every build;
// in a build without libtorch, running one fails with a message that says
// how to build with it.
func TestHybridRecipes(t *testing.T) {
	for _, name := range []string{"fmnist-csnn", "pdm-hybrid"} {
		r, err := recipes.Load(name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if torchlayer.Available {
			continue
		}
		err = kinds.Run(context.Background(), r, kinds.RunOptions{Dir: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard})
		if !errors.Is(err, torchlayer.ErrNoTorch) || !strings.Contains(err.Error(), "make torch") || !strings.Contains(err.Error(), name) {
			t.Errorf("%s without libtorch: %v", name, err)
		}
		if name == "fmnist-csnn" { // evaluating a csnn run says the same
			dir := t.TempDir()
			if _, err := r.WriteFile(dir); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := kinds.EvaluateCSNNRun(dir, io.Discard); !errors.Is(err, torchlayer.ErrNoTorch) || !strings.Contains(err.Error(), "make torch") {
				t.Errorf("evaluating a csnn run without libtorch: %v", err)
			}
		}
	}
	bad := map[string]string{
		"model.channels=12,32,64,128": "model.channels",
		"model.kernel=0":              "model.kernel",
		"model.dropout=1":             "model.dropout",
	}
	for set, field := range bad {
		if _, err := recipes.Load("fmnist-csnn", []string{set}); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("fmnist-csnn with %s: %v", set, err)
		}
	}
	if _, err := recipes.Load("pdm-hybrid", []string{"model.type=rate"}); err == nil || !strings.Contains(err.Error(), "rsnn") {
		t.Errorf("pdm-hybrid with a rate network: %v", err)
	}
}

// A task-hybrid refuses train.shards, which it inherits from task-bptt but
// cannot honour (its libtorch encoder runs the whole batch).
func TestHybridRefusesShards(t *testing.T) {
	_, err := recipes.Load("pdm-hybrid", []string{"train.shards=8"})
	if err == nil || !strings.Contains(err.Error(), "train.shards") {
		t.Fatalf("pdm-hybrid with train.shards=8: %v", err)
	}
	if _, err := recipes.Load("pdm-rate", []string{"train.shards=8"}); err != nil {
		t.Fatalf("pdm-rate with train.shards=8: %v", err)
	}
}
