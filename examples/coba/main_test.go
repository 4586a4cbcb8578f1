package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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

// The network built by hand is snn.BuildCOBA's: the same spikes.
func TestBuildMatchesBuildCOBA(t *testing.T) {
	count := func(net *snn.Simulation, g *snn.Group) []int32 {
		m := snn.NewSpikeMonitor(g, 0, 0)
		net.Monitors = append(net.Monitors, m)
		net.Run(500)
		return m.Count
	}
	a, ga, err := build(600, 80, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, gb, err := snn.BuildCOBA(snn.COBAConfig{N: 600, K: 80, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := count(a, ga), count(b, gb)
	total := 0
	for i := range ca {
		total += int(ca[i])
		if ca[i] != cb[i] {
			t.Fatalf("neuron %d: %d spikes by hand, %d from BuildCOBA", i, ca[i], cb[i])
		}
	}
	if total == 0 {
		t.Fatal("no spikes")
	}
}
