package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// solve64 solves A·x = b in float64 by Gaussian elimination with partial
// pivoting (A is n×n, row-major; both are overwritten).
func solve64(a []float64, b []float64, n int) []float64 {
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[p*n+c]) {
				p = r
			}
		}
		for j := 0; j < n; j++ {
			a[c*n+j], a[p*n+j] = a[p*n+j], a[c*n+j]
		}
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r*n+c] / a[c*n+c]
			for j := c; j < n; j++ {
				a[r*n+j] -= f * a[c*n+j]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for j := r + 1; j < n; j++ {
			s -= a[r*n+j] * x[j]
		}
		x[r] = s / a[r*n+r]
	}
	return x
}

// TestRLSEqualsBatchLeastSquares: after t updates from W = 0, every row of
// W is the ridge solution (XᵀX + αI)⁻¹XᵀY of the t samples, and P is
// (XᵀX + αI)⁻¹, computed naively in float64; P stays exactly symmetric.
func TestRLSEqualsBatchLeastSquares(t *testing.T) {
	const n, outs, samples, alpha = 6, 3, 40, 0.5
	rng := rand.New(rand.NewPCG(1, 2))
	truth := make([]float64, outs*n)
	for i := range truth {
		truth[i] = rng.NormFloat64()
	}
	xs := make([][]float32, samples)
	ys := make([][]float64, samples)
	r := NewRLS(n, outs, alpha)
	w := make([]float32, outs*n)
	e := make([]float32, outs)
	for s := range samples {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		y := make([]float64, outs)
		for o := range outs {
			for i := range n {
				y[o] += truth[o*n+i] * float64(x[i])
			}
			y[o] += 0.1 * rng.NormFloat64()
			e[o] = kernels.Dot(w[o*n:(o+1)*n], x) - float32(y[o])
		}
		xs[s], ys[s] = x, y
		if err := r.Update(w, x, e); err != nil {
			t.Fatal(err)
		}
	}
	// Normal equations in float64.
	a := make([]float64, n*n)
	for i := range n {
		a[i*n+i] = alpha
	}
	for _, x := range xs {
		for i := range n {
			for j := range n {
				a[i*n+j] += float64(x[i]) * float64(x[j])
			}
		}
	}
	for o := range outs {
		b := make([]float64, n)
		for s, x := range xs {
			for i := range n {
				b[i] += float64(x[i]) * ys[s][o]
			}
		}
		want := solve64(append([]float64(nil), a...), b, n)
		for i := range n {
			if got := float64(w[o*n+i]); math.Abs(got-want[i]) > 1e-4*(1+math.Abs(want[i])) {
				t.Errorf("W[%d,%d] = %.6f, batch least squares %.6f", o, i, got, want[i])
			}
		}
	}
	p := r.Matrix()
	for j := range n {
		unit := make([]float64, n)
		unit[j] = 1
		col := solve64(append([]float64(nil), a...), unit, n)
		for i := range n {
			if got := float64(p[i*n+j]); math.Abs(got-col[i]) > 1e-5 {
				t.Errorf("P[%d,%d] = %.7f, (XᵀX+αI)⁻¹ has %.7f", i, j, got, col[i])
			}
			if p[i*n+j] != p[j*n+i] {
				t.Errorf("P not symmetric at (%d,%d): %v vs %v", i, j, p[i*n+j], p[j*n+i])
			}
		}
	}
	if r.Updates() != samples {
		t.Errorf("Updates = %d, want %d", r.Updates(), samples)
	}
}

// TestRLSThreadsBitIdentical: the same updates give the same bits with one
// goroutine and with several (the row split must not change a sum).
func TestRLSThreadsBitIdentical(t *testing.T) {
	run := func(threads int) ([]float32, []float32) {
		prev := kernels.SetThreads(threads)
		defer kernels.SetThreads(prev)
		const n = 300
		r := NewRLS(n, 2, 1)
		w := make([]float32, 2*n)
		x := make([]float32, n)
		for s := range 5 {
			kernels.FillNormal(x, 0, 1, 7, uint64(s))
			if err := r.Update(w, x, []float32{float32(s) - 2, 1}); err != nil {
				t.Fatal(err)
			}
		}
		return w, r.Matrix()
	}
	w1, p1 := run(1)
	w4, p4 := run(4)
	for i := range w1 {
		if w1[i] != w4[i] {
			t.Fatalf("W[%d]: %v with 1 thread, %v with 4", i, w1[i], w4[i])
		}
	}
	for i := range p1 {
		if p1[i] != p4[i] {
			t.Fatalf("P[%d]: %v with 1 thread, %v with 4", i, p1[i], p4[i])
		}
	}
}

func TestRLSRejectsNaN(t *testing.T) {
	r := NewRLS(3, 1, 1)
	w := []float32{1, 2, 3}
	if err := r.Update(w, []float32{1, 0, 0}, []float32{float32(math.NaN())}); err == nil {
		t.Fatal("a NaN error was accepted")
	}
	if w[0] != 1 || w[1] != 2 || w[2] != 3 || r.Updates() != 0 {
		t.Fatalf("a rejected update changed the state: w %v, %d updates", w, r.Updates())
	}
}
