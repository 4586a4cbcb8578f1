package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// LinearLIF's spikes and its gradient of the sum of the spikes (the Open
// Neuromorphic benchmark's loss) against a naive float64 loop of the same
// equations: I = x·Wᵀ + b per step, snnTorch's Leaky with reset by
// subtraction, and surrogate BPTT by hand,
//
//	d[t] = σ'(U[t] − θ) + β·d[t+1],  dW = Σ_t d[t]ᵀ·x[t],  db = Σ_t d[t],
//
// with the atan surrogate σ'(v) = α/2 / (1 + (π/2·α·v)²), α = 2. The input
// gradient dx = Σ d[t]·W is checked too.
func TestLinearLIFAgainstNaive(t *testing.T) {
	for _, th := range []int{1, 2} {
		prev := kernels.SetThreads(th)
		const steps, batch, in, out = 9, 3, 7, 5
		r := rand.New(rand.NewPCG(11, 0))
		m := NewLinearLIF("fc", in, out, true, snn.LIF{Beta: 0.95}, r)
		x := make([]float32, steps*batch*in)
		for i := range x {
			x[i] = float32(1.5 * r.NormFloat64())
		}
		xt := tensor.NewParam("x", []int{steps, batch, in}, x)
		tp := tensor.NewTape()
		s := m.Forward(tp, xt)
		tp.Backward(tp.Sum(s))
		kernels.SetThreads(prev)

		w, b := m.W.Data, m.B.Data
		const beta, theta, alpha = 0.95, 1.0, 2.0
		mem := make([]float64, steps*batch*out)
		spikes := 0
		for tt := range steps {
			for bi := range batch {
				for o := range out {
					cur := float64(b[o])
					for i := range in {
						cur += float64(x[(tt*batch+bi)*in+i]) * float64(w[o*in+i])
					}
					var prev float64
					if tt > 0 {
						prev = mem[((tt-1)*batch+bi)*out+o]
					}
					reset := 0.0
					if prev > theta {
						reset = theta
					}
					u := beta*prev + cur - reset
					mem[(tt*batch+bi)*out+o] = u
					want := float32(0)
					if u > theta {
						want = 1
						spikes++
					}
					if got := s.Data[(tt*batch+bi)*out+o]; got != want {
						t.Fatalf("threads %d: spike (t %d, b %d, o %d) = %v, naive %v (U %v)", th, tt, bi, o, got, want, u)
					}
				}
			}
		}
		if spikes == 0 || spikes == steps*batch*out {
			t.Fatalf("%d spikes of %d: the case tests nothing", spikes, steps*batch*out)
		}
		dW := make([]float64, out*in)
		db := make([]float64, out)
		dx := make([]float64, steps*batch*in)
		for bi := range batch {
			for o := range out {
				d := 0.0
				for tt := steps - 1; tt >= 0; tt-- {
					v := mem[(tt*batch+bi)*out+o] - theta
					k := math.Pi / 2 * alpha * v
					d = alpha/2/(1+k*k) + beta*d
					db[o] += d
					for i := range in {
						dW[o*in+i] += d * float64(x[(tt*batch+bi)*in+i])
						dx[(tt*batch+bi)*in+i] += d * float64(w[o*in+i])
					}
				}
			}
		}
		near := func(what string, got []float32, want []float64) {
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
					t.Fatalf("threads %d: %s[%d] = %v, naive %v", th, what, i, got[i], want[i])
				}
			}
		}
		near("dW", m.W.Grad, dW)
		near("db", m.B.Grad, db)
		near("dx", xt.Grad, dx)
	}
}

// Forward refuses an input that is not (steps, batch, in).
func TestLinearLIFShapePanics(t *testing.T) {
	m := NewLinearLIF("fc", 4, 3, false, snn.LIF{Beta: 0.9}, rand.New(rand.NewPCG(1, 2)))
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a (2, 4) input")
		}
	}()
	m.Forward(nil, tensor.Zeros(2, 4))
}
