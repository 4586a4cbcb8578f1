package snn

import (
	"math"
	"testing"
)

// Writing a network's State after T steps into a network built the same
// way, with T set, continues the simulation exactly.
func TestNetworkStateContinues(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  eiConfig
		hh   bool
	}{
		{"coba fused", eiConfig{N: 400, K: 40, Dt: 0.1, Seed: 3}, false},
		{"coba exact", eiConfig{N: 400, K: 40, Dt: 0.1, Method: Exact, Seed: 3}, false},
		{"cuba", eiConfig{N: 400, K: 40, Dt: 0.1, CUBA: true, Seed: 3}, false},
		{"coba-hh", eiConfig{N: 200, K: 40, Dt: 0.1, Method: ExpEuler, Seed: 3}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			na := buildEI(t, c.cfg, c.hh)
			a, ga := na.Sim, na.All
			a.Run(700)
			st, err := na.State()
			if err != nil {
				t.Fatal(err)
			}
			if len(st) < 3 {
				t.Fatalf("state of %d arrays", len(st))
			}
			nb := buildEI(t, c.cfg, c.hh)
			b, gb := nb.Sim, nb.All
			sb, err := nb.State()
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range st {
				if x.Name != sb[i].Name {
					t.Fatalf("array %d: %s vs %s", i, x.Name, sb[i].Name)
				}
				copy(sb[i].F, x.F)
				copy(sb[i].I, x.I)
			}
			b.T = a.T
			spikes := 0
			for range 700 {
				a.Step()
				b.Step()
				if len(ga.Spikes) != len(gb.Spikes) {
					t.Fatalf("step %d: %d vs %d spikes", a.T, len(ga.Spikes), len(gb.Spikes))
				}
				for k, i := range ga.Spikes {
					if gb.Spikes[k] != i {
						t.Fatalf("step %d: spikes differ", a.T)
					}
				}
				spikes += len(ga.Spikes)
			}
			if spikes == 0 {
				t.Fatal("no spikes: the test shows nothing")
			}
			for k := range na.Groups {
				va, vb := na.Groups[k].Neurons.V(), nb.Groups[k].Neurons.V()
				for i := range va {
					if math.Float32bits(va[i]) != math.Float32bits(vb[i]) {
						t.Fatalf("group %s: v[%d]: %v vs %v", na.Groups[k].Name, i, va[i], vb[i])
					}
				}
			}
		})
	}
}

// State refuses parts whose state it does not know.
func TestNetworkStateRefusesDelays(t *testing.T) {
	net := buildEI(t, eiConfig{N: 100, K: 10, Dt: 0.1, Seed: 1}, false)
	net.Projs[0].Delay = 2
	if _, err := net.State(); err == nil {
		t.Error("State of a network with delays: no error")
	}
}
