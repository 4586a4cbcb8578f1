package kinds

import (
	"slices"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/recipes"
	"github.com/braingo/braingo/snn"
)

// The recipes coba, cuba and coba-hh, networks as data, give the spikes
// of the Go code they replace (snn.BuildCOBA, snn.BuildCOBAHH), bit for bit.
func TestSimRecipesMatchOldPath(t *testing.T) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, c := range []struct {
		recipe string
		sets   []string
		cfg    snn.COBAConfig
	}{
		{"coba", []string{"neurons=600", "seed=3"}, snn.COBAConfig{N: 600, Seed: 3}},
		{"coba", []string{"neurons=600", "seed=3", "conn=jit"}, snn.COBAConfig{N: 600, Seed: 3, Store: snn.StoreJIT}},
		{"coba", []string{"neurons=600", "seed=2", "conn=dense", "method=exact"}, snn.COBAConfig{N: 600, Seed: 2, Store: snn.StoreDense, Method: snn.Exact}},
		{"cuba", []string{"neurons=600", "seed=5"}, snn.COBAConfig{N: 600, Seed: 5, CUBA: true}},
		{"coba", []string{"scale=0.1"}, snn.COBAConfig{N: 400, Seed: 1}},
		{"coba-hh", []string{"neurons=400", "seed=4"}, snn.COBAConfig{N: 400, Seed: 4, Method: snn.ExpEuler}},
	} {
		r, err := recipes.Load(c.recipe, c.sets)
		if err != nil {
			t.Fatal(err)
		}
		net, err := r.Spec.(*Sim).Build()
		if err != nil {
			t.Fatal(err)
		}
		build := snn.BuildCOBA
		if c.recipe == "coba-hh" {
			build = snn.BuildCOBAHH
		}
		old, g, err := build(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for s := range 300 {
			net.Sim.Step()
			old.Step()
			if !slices.Equal(net.All.Spikes, g.Spikes) {
				t.Fatalf("%s %v: step %d: spikes %v, the old path's %v", c.recipe, c.sets, s, net.All.Spikes, g.Spikes)
			}
			total += len(g.Spikes)
		}
		if total == 0 {
			t.Fatalf("%s %v: no spikes: the test would prove nothing", c.recipe, c.sets)
		}
	}
}
