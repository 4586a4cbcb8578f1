package trainer

import (
	"math"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
)

// TestRidgeEqualsNormalEquations: the streamed ridge solution (in batches
// of uneven size, over more features than one Gram block) equals the
// normal-equation solution computed naively in float64.
func TestRidgeEqualsNormalEquations(t *testing.T) {
	const f, o, n, lambda = 1030, 2, 1100, 3.0
	x := make([]float32, n*f)
	y := make([]float32, n*o)
	kernels.FillNormal(x, 0, 1, 21, 1)
	kernels.FillNormal(y, 0, 1, 21, 2)
	r := NewRidge(f, o)
	for lo := 0; lo < n; {
		hi := min(n, lo+1+lo/2+97)
		r.Add(x[lo*f:hi*f], y[lo*o:hi*o], hi-lo)
		lo = hi
	}
	if r.Samples() != n {
		t.Fatalf("Samples = %d, want %d", r.Samples(), n)
	}
	w, err := r.Solve(lambda)
	if err != nil {
		t.Fatal(err)
	}
	// Naive float64 normal equations, checked on a few outputs' columns
	// through the residual of (XᵀX + λI)·w = Xᵀy.
	for k := range o {
		var worst, scale float64
		for i := 0; i < f; i += 37 {
			var lhs, rhs float64
			for s := range n {
				xi := float64(x[s*f+i])
				var dot float64
				for j := range f {
					dot += float64(x[s*f+j]) * float64(w[k*f+j])
				}
				lhs += xi * dot
				rhs += xi * float64(y[s*o+k])
			}
			lhs += lambda * float64(w[k*f+i])
			worst = math.Max(worst, math.Abs(lhs-rhs))
			scale = math.Max(scale, math.Abs(rhs))
		}
		if worst > 1e-3*scale {
			t.Errorf("output %d: normal-equation residual %g (scale %g)", k, worst, scale)
		}
	}
	if _, err := NewRidge(3, 1).Solve(0); err == nil {
		t.Error("Solve with no samples and lambda 0 succeeded")
	}
}

// TestRidgeSmallExact: a 3-feature problem solved by hand-sized float64
// elimination agrees to float32 rounding.
func TestRidgeSmallExact(t *testing.T) {
	x := []float32{1, 2, 0, 0, 1, 1, 1, 0, 1, 2, 1, 1, 3, 0, 2}
	y := []float32{1, 0, 2, 1, 3}
	r := NewRidge(3, 1)
	r.Add(x, y, 5)
	w, err := r.Solve(0.5)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]float64, 9)
	b := make([]float64, 3)
	for s := range 5 {
		for i := range 3 {
			for j := range 3 {
				a[i*3+j] += float64(x[s*3+i] * x[s*3+j])
			}
			b[i] += float64(x[s*3+i] * y[s])
		}
	}
	for i := range 3 {
		a[i*3+i] += 0.5
	}
	want := solve64(a, b, 3)
	for i := range 3 {
		if math.Abs(float64(w[i])-want[i]) > 1e-5 {
			t.Errorf("w[%d] = %v, normal equations %v", i, w[i], want[i])
		}
	}
}

// TestOnlineRLSReadoutEqualsRidge: a reservoir's readout trained online by
// RLS (FORCE without feedback) over a sequence equals the ridge readout of
// the same states with λ = α.
func TestOnlineRLSReadoutEqualsRidge(t *testing.T) {
	res, err := networks.NewReservoir(networks.ReservoirConfig{Units: 50, Inputs: 1, Leak: 0.7, InputScale: 1, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	const steps, alpha = 300, 0.1
	f := NewFORCE(res, FORCEConfig{Alpha: alpha})
	ridge := NewRidge(50, 1)
	u := []float32{0}
	for s := range steps {
		u[0] = float32(math.Sin(float64(s) * 0.3))
		res.Step(u)
		target := []float32{float32(math.Sin(float64(s-3) * 0.3))} // recall the input 3 steps back
		ridge.Add(res.X, target, 1)
		if err := f.Step(Signal{Target: target, Learn: true}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := ridge.Solve(alpha)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range w {
		if math.Abs(float64(v-res.Out[i])) > 2e-3*(1+math.Abs(float64(v))) {
			t.Errorf("w[%d]: RLS %v, ridge %v", i, res.Out[i], v)
		}
	}
}
