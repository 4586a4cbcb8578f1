package snn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// The fused kernels behind the neuron models perform the model files'
// steps bit for bit: each test runs the kernel (its AVX-512 path where the
// machine has one, and its tails) beside a plain loop over the model's own
// step function.

var kernelSizes = []int{1, 7, 8, 15, 16, 17, 33, 1000}

func same32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d]: kernel %v, model %v", what, i, got[i], want[i])
		}
	}
}

// kernels.LIFCondStep (the COBA network's fused step) is LIFEuler with two
// decaying conductances, the strict threshold, the reset and the
// refractory period of LIFGroup.
func TestLIFCondKernelMatchesModel(t *testing.T) {
	p := kernels.LIFCond{C: 0.005, El: -60, I: 20, Ee: 0, Ei: -80, DecE: 0.98, DecI: 0.99, Vth: -50, Vr: -60, RefSteps: 50}
	r := rand.New(rand.NewPCG(1, 5))
	for _, n := range kernelSizes {
		v, ge, gi, last := make([]float32, n), make([]float32, n), make([]float32, n), make([]int32, n)
		for i := range v {
			v[i] = float32(-62 + 13*r.Float64()) // some above threshold after a step
			ge[i], gi[i] = float32(r.ExpFloat64()*0.3), float32(r.ExpFloat64()*0.5)
			last[i] = neverFired
			if r.Float64() < 0.2 {
				last[i] = int32(100 - r.IntN(60))
			}
		}
		mv, mge, mgi, mlast := append([]float32(nil), v...), append([]float32(nil), ge...), append([]float32(nil), gi...), append([]int32(nil), last...)
		const step = 120
		spk := make([]int32, n)
		k := kernels.LIFCondStep(v, ge, gi, last, step, &p, spk, 3)
		var want []int32
		for i := range mv {
			e, h := mge[i], mgi[i]
			mge[i], mgi[i] = e*p.DecE, h*p.DecI
			if step-mlast[i] < p.RefSteps {
				continue
			}
			x := LIFEuler(mv[i], p.C, p.El+p.I+float32(e*p.Ee)+float32(h*p.Ei), 1+e+h)
			if x > p.Vth {
				x, mlast[i] = p.Vr, step
				want = append(want, int32(3+i))
			}
			mv[i] = x
		}
		same32(t, fmt.Sprintf("n %d: v", n), v, mv)
		same32(t, fmt.Sprintf("n %d: ge", n), ge, mge)
		same32(t, fmt.Sprintf("n %d: gi", n), gi, mgi)
		if fmt.Sprint(spk[:k]) != fmt.Sprint(want) || fmt.Sprint(last) != fmt.Sprint(mlast) {
			t.Fatalf("n %d: spikes %v, model %v", n, spk[:k], want)
		}
		if n == 1000 && k == 0 {
			t.Fatal("no spikes: the test exercises no reset")
		}
	}
}

// LIF.StepInto (kernels.LIFForward, split over goroutines for large
// layers) is the step of LIF's doc comment for every reset.
func TestLIFKernelMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 5))
	for _, reset := range []Reset{ResetSubtract, ResetZero, ResetNone, ResetZeroLegacy} {
		p := LIF{Beta: 0.93, Threshold: 0.8, Reset: reset}
		for _, n := range append(kernelSizes, 2*lifGrain+5) {
			u, in := make([]float32, n), make([]float32, n)
			for i := range u {
				u[i], in[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*0.5)
			}
			uNew, s := make([]float32, n), make([]float32, n)
			p.StepInto(uNew, s, u, in)
			wu, ws := make([]float32, n), make([]float32, n)
			for i, x := range u {
				var rr float32
				if x > p.Threshold {
					rr = 1
				}
				base := p.Beta*x + in[i]
				var v float32
				switch reset {
				case ResetSubtract:
					v = base - rr*p.Threshold
				case ResetZero:
					v = p.Beta*x*(1-rr) + in[i]
				case ResetNone:
					v = base
				case ResetZeroLegacy:
					v = base * (1 - rr)
				}
				wu[i] = v
				if v > p.Threshold {
					ws[i] = 1
				}
			}
			same32(t, fmt.Sprintf("reset %d, n %d: membrane", reset, n), uNew, wu)
			same32(t, fmt.Sprintf("reset %d, n %d: spikes", reset, n), s, ws)
		}
	}
}

// kernels.HHExpEuler (the COBA-HH network's fused step) is the exponential
// Euler step of the model, HHGroup.expEuler on its right-hand side
// HHGroup.lin.
func TestHHKernelMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for _, dt := range []float64{0.1, 0.5, 1} {
		for _, n := range kernelSizes {
			g := NewHHGroup(n, TraubMiles(dt))
			a, b := make([]float32, n), make([]float32, n)
			for i := range g.Vm {
				g.Vm[i] = float32(-75 + 70*r.Float64())
				g.M[i], g.H[i], g.N[i] = float32(r.Float64()), float32(r.Float64()), float32(r.Float64())
				a[i], b[i] = float32(r.NormFloat64()*500), float32(r.ExpFloat64()*50)
			}
			want := [4][]float32{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)}
			for i := range g.Vm {
				y := vec{float64(g.Vm[i]), float64(g.M[i]), float64(g.H[i]), float64(g.N[i])}
				g.expEuler(&y, float64(a[i]), float64(b[i]))
				for k := range 4 {
					want[k][i] = float32(y[k])
				}
			}
			p := kernels.HHParams{C: g.C, GL: g.GL, EL: g.EL, GNa: g.GNa, ENa: g.ENa, GK: g.GK, EK: g.EK, VT: g.VT, Dt: g.Dt}
			kernels.HHExpEuler(&p, g.Vm, g.M, g.H, g.N, a, b)
			for k, got := range [][]float32{g.Vm, g.M, g.H, g.N} {
				same32(t, fmt.Sprintf("dt %v, n %d: variable %d", dt, n, k), got, want[k])
			}
		}
	}
}
