package trainer

import (
	"testing"

	"github.com/braingo/braingo/networks"
)

// BenchmarkFORCEStep is one step of force-sines: network step and, every
// second step, an RLS update of the 1000×1000 P.
func BenchmarkFORCEStep(b *testing.B) {
	net, _ := networks.NewForceRNN(networks.ForceConfig{Seed: 1})
	f := NewFORCE(net, FORCEConfig{Every: 2})
	tg := []float32{0.5}
	for b.Loop() {
		net.Step(nil)
		f.Step(Signal{Target: tg, Learn: true})
	}
}

// BenchmarkRLSUpdate is one RLS update with N = 1000.
func BenchmarkRLSUpdate(b *testing.B) {
	r := NewRLS(1000, 1, 1)
	w := make([]float32, 1000)
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(i%7) * 0.1
	}
	for b.Loop() {
		r.Update(w, x, []float32{0.1})
	}
}

// BenchmarkNetStep is one step of the 1000-unit FORCE network (CSR).
func BenchmarkNetStep(b *testing.B) {
	net, _ := networks.NewForceRNN(networks.ForceConfig{Seed: 1})
	for b.Loop() {
		net.Step(nil)
	}
}
