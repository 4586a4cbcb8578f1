package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/braingo/braingo/examples/internal/tinydata"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/recipes"
)

func TestFMNIST(t *testing.T) {
	data := t.TempDir()
	if err := tinydata.Write(data, 256, 64); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var b bytes.Buffer
	acc, err := run(context.Background(), &b, config{
		data: data, out: out, hidden: 64, steps: 10, batch: 32, epochs: 2, lr: 5e-3, seed: 1,
	})
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.5 { // ten bands of rows: learnt in two epochs
		t.Errorf("test accuracy %.2f, want at least 0.5", acc)
	}
	for _, f := range []string{"curves.png", "confusion.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// networks.NewFeedForward draws the recipe fmnist-snn's initial weights for
// the same seed.
func TestNewFeedForwardMatchesRecipe(t *testing.T) {
	r, err := recipes.Load("fmnist-snn", []string{"seed=5", "model.hidden=32"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Spec.(*kinds.Classify).Build(784, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := networks.NewFeedForward(networks.FeedForwardConfig{Sizes: []int{784, 32, 10}, Seed: 5})
	wp, gp := want.Params(), got.Params()
	if len(wp) != len(gp) {
		t.Fatalf("%d parameters, the recipe's network has %d", len(gp), len(wp))
	}
	for i := range wp {
		if wp[i].Name != gp[i].Name || !slices.Equal(wp[i].Data, gp[i].Data) {
			t.Fatalf("parameter %d: %s differs from the recipe's %s", i, gp[i].Name, wp[i].Name)
		}
	}
}
