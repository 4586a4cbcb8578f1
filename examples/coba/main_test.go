package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

func TestCOBA(t *testing.T) {
	out := t.TempDir()
	var b bytes.Buffer
	r, err := run(&b, 1000, 200, 1, out)
	t.Log("\n" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	if r.excHz < 1 || r.excHz > 100 || r.inhHz < 1 || r.inhHz > 100 {
		t.Errorf("rates %.1f / %.1f Hz, want an asynchronous irregular state (a few to tens of Hz)", r.excHz, r.inhHz)
	}
	for _, f := range []string{"raster.png", "rate.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// The network built by hand is the recipe coba's (groups E and I, four
// projections, written as data): the same spikes.
func TestBuildMatchesRecipe(t *testing.T) {
	a, ga, err := build(600, 80, 7)
	if err != nil {
		t.Fatal(err)
	}
	ma := snn.NewSpikeMonitor(ga, 0, 0)
	a.Monitors = append(a.Monitors, ma)
	r, err := recipes.Load("coba", []string{"neurons=600", "fixed_k=80", "seed=7"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Spec.(*kinds.Sim).Build()
	if err != nil {
		t.Fatal(err)
	}
	mb := snn.NewSpikeMonitor(b.All, 0, 0)
	b.Sim.Monitors = append(b.Sim.Monitors, mb)
	a.Run(500)
	b.Sim.Run(500)
	total := 0
	for i := range ma.Count {
		total += int(ma.Count[i])
		if ma.Count[i] != mb.Count[i] {
			t.Fatalf("neuron %d: %d spikes by hand, %d from the recipe", i, ma.Count[i], mb.Count[i])
		}
	}
	if total == 0 {
		t.Fatal("no spikes")
	}
}
