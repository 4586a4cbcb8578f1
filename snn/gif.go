package snn

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// GIF is the generalized integrate-and-fire neuron with after-spike
// currents of the BrainPy paper's working-memory network (Wang et al.
// 2024, ICLR; Mihalaş and Niebur 2009 without the adaptive threshold),
// in threshold units (V_rest 0, θ = V_th∞ 1, R 1), t in ms:
//
//	dI₁/dt = −I₁/τ₁ ;  dI₂/dt = −I₂/τ₂
//	τ dV/dt = −V + V_rest + R·(x + I₁ + I₂)
//	on a spike: I₁ ← A₁ (reset-to-value), I₂ ← I₂ + A₂, V ← V − θ
//
// discretized with the exact exponential step (BrainPy's exp_auto) at dt:
//
//	I₁[t] = S[t−1] ? A₁ : e^(−dt/τ₁)·I₁[t−1]        (no gradient, as in BrainPy)
//	I₂[t] = e^(−dt/τ₂)·I₂[t−1] + A₂·S[t−1]
//	V'    = e^(−dt/τ)·V[t−1] + (1 − e^(−dt/τ))·(V_rest + R·(x[t] + I₁[t] + I₂[t]))
//	S[t]  = H((V' − θ)/θ)  (surrogate on the scaled membrane)
//	V[t]  = V' − θ·S[t]    (reset by subtraction; the gradient flows through S
//	                        as in BrainPy's reference)
//
// A₁, A₂ and τ₂ may differ per neuron (BrainPy's network: A₁ = 1 for
// inhibitory and 0 for excitatory neurons, A₂ = −0.6, τ₂ uniform in
// 100–3000 ms). State [V, I₁, I₂, S].
type GIF struct {
	Tau, Tau1 float32   // membrane and I₁ time constants in ms (defaults 20, 10)
	Tau2      []float32 // I₂ time constants per neuron (nil: 50 ms each)
	A1, A2    []float32 // after-spike amplitudes per neuron (nil: 0)
	DT        float32   // step in ms (default 1)
	Surrogate surrogate.Func
}

func (g GIF) defaults(n int) GIF {
	if g.Tau == 0 {
		g.Tau = 20
	}
	if g.Tau1 == 0 {
		g.Tau1 = 10
	}
	if g.DT == 0 {
		g.DT = 1
	}
	fill := func(v []float32, x float32) []float32 {
		if v != nil {
			if len(v) != n {
				panic(fmt.Sprintf("snn: GIF parameter of %d values for %d neurons", len(v), n))
			}
			return v
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = x
		}
		return out
	}
	g.Tau2, g.A1, g.A2 = fill(g.Tau2, 50), fill(g.A1, 0), fill(g.A2, 0)
	if g.Surrogate == nil {
		g.Surrogate = surrogate.Triangle{}
	}
	return g
}

// Forward is one differentiable GIF step on tp from state [V, I₁, I₂, S]
// with input current x; it returns the new state and the scaled membrane
// (V' − θ)/θ before the reset (for membrane regularization).
//
// The step is one fused op: one pass forward over the elements and one pass
// back, which sends, per element (j its neuron), with σ' the surrogate
// derivative at vs = V' − θ and g the incoming gradients of V[t], I₂[t],
// S[t] and vs:
//
//	gvs = g_vs + (g_S − g_V)·σ'(vs)        (V[t] = V' − S[t])
//	gV' = g_V + gvs
//	gI₂ = g_I₂ + (1 − e^(−dt/τ))·gV'
//	V[t−1] ← e^(−dt/τ)·gV',  x ← (1 − e^(−dt/τ))·gV',
//	I₂[t−1] ← e^(−dt/τ₂ⱼ)·gI₂,  S[t−1] ← A₂ⱼ·gI₂
//
// (I₁ carries no gradient, as in BrainPy). gifReference in the tests is the
// same step written with tape ops.
func (g GIF) Forward(tp *tensor.Tape, st []*tensor.Tensor, x *tensor.Tensor) (next []*tensor.Tensor, vs *tensor.Tensor) {
	n := x.Shape[len(x.Shape)-1]
	g = g.defaults(n)
	v, i1, i2, s := st[0], st[1], st[2], st[3]
	for _, t := range st[:4] {
		if t.Len() != x.Len() {
			panic(fmt.Sprintf("snn: GIF.Forward: state %v and input %v differ", t.Shape, x.Shape))
		}
	}
	c := g.coef(n)
	dv, d2, a2 := c.dv, c.d2, c.a2
	i1n := tensor.New(x.Shape, tp.Alloc(x.Len())) // no gradient
	i2n := tp.NewResult(x.Shape, i2, s)
	vr := tp.NewResult(x.Shape, v, i2, s, x)
	spk := tp.NewResult(x.Shape, v, i2, s, x)
	vs = tp.NewResult(x.Shape, v, i2, s, x)
	g.step(&c, vr.Data, i1n.Data, i2n.Data, spk.Data, vs.Data, v.Data, i1.Data, i2.Data, s.Data, x.Data)
	next = []*tensor.Tensor{vr, i1n, i2n, spk}
	if !vr.RequiresGrad() && !i2n.RequiresGrad() {
		return next, vs
	}
	tp.Record(func() {
		gV, gI2, gS, gVs := vr.Grad, i2n.Grad, spk.Grad, vs.Grad
		if gV == nil && gI2 == nil && gS == nil && gVs == nil {
			return
		}
		var gv, gi2, gs, gx []float32
		var fv, fi2, fs, fx bool
		if v.RequiresGrad() {
			gv, fv = tp.GradAcc(v)
		}
		if i2.RequiresGrad() {
			gi2, fi2 = tp.GradAcc(i2)
		}
		if s.RequiresGrad() {
			gs, fs = tp.GradAcc(s)
		}
		if x.RequiresGrad() {
			gx, fx = tp.GradAcc(x)
		}
		at := func(b []float32, k int) float32 {
			if b == nil {
				return 0
			}
			return b[k]
		}
		put := func(b []float32, fresh bool, k int, val float32) {
			if b == nil {
				return
			}
			if fresh {
				b[k] = val
			} else {
				b[k] += val
			}
		}
		var spikeG, sg [256]float32
		for c := 0; c < x.Len(); c += len(sg) {
			e := min(c+len(sg), x.Len())
			for k := c; k < e; k++ {
				spikeG[k-c] = at(gS, k) - at(gV, k)
			}
			surrogate.GradSlice(g.Surrogate, sg[:e-c], spikeG[:e-c], vs.Data[c:e])
			for k := c; k < e; k++ {
				j := k % n
				gvn := at(gV, k) + at(gVs, k) + sg[k-c]
				gi := at(gI2, k) + (1-dv)*gvn
				put(gv, fv, k, dv*gvn)
				put(gx, fx, k, (1-dv)*gvn)
				put(gi2, fi2, k, d2[j]*gi)
				put(gs, fs, k, a2[j]*gi)
			}
		}
	})
	return next, vs
}

// gifCoef holds the per-step factors of a GIF layer of n neurons.
type gifCoef struct {
	d1, dv float32   // e^(−dt/τ₁), e^(−dt/τ)
	d2     []float32 // e^(−dt/τ₂ⱼ)
	a1, a2 []float32
}

func (g GIF) coef(n int) gifCoef {
	c := gifCoef{d1: float32(math.Exp(float64(-g.DT / g.Tau1))), dv: float32(math.Exp(float64(-g.DT / g.Tau))),
		d2: make([]float32, n), a1: g.A1, a2: g.A2}
	for j, t := range g.Tau2 {
		c.d2[j] = float32(math.Exp(float64(-g.DT / t)))
	}
	return c
}

// Step advances a GIF layer by one step without a tape, in place: v, i1,
// i2 and s (rows of n neurons, row-major) are the state [V, I₁, I₂, S],
// x the input current; vs receives the scaled membrane (V' − θ)/θ before
// the reset. g must have its defaults for n neurons (Tau2, A1, A2 of n
// values).
func (g GIF) Step(v, i1, i2, s, vs, x []float32) {
	n := len(g.Tau2)
	g = g.defaults(n)
	c := g.coef(n)
	g.step(&c, v, i1, i2, s, vs, v, i1, i2, s, x)
}

// step is the GIF step of the doc comment over rows of len(c.d2) neurons:
// it reads the state v, i1, i2, s and the input x and writes the new state
// to ov, o1, o2, os and the scaled membrane to ovs. Each output may be the
// same slice as its input (every element is read before it is written).
func (g GIF) step(c *gifCoef, ov, o1, o2, os, ovs, v, i1, i2, s, x []float32) {
	n := len(c.d2)
	if len(x)%n != 0 {
		panic(fmt.Sprintf("snn: GIF step: %d inputs for %d neurons", len(x), n))
	}
	checkLens("GIF step", len(x), ov, o1, o2, os, ovs, v, i1, i2, s)
	d1, dv, d2, a1, a2 := c.d1, c.dv, c.d2, c.a1, c.a2
	for r := 0; r < len(x); r += n {
		sr, i1r, i2r, vR, xr := s[r:r+n], i1[r:r+n], i2[r:r+n], v[r:r+n], x[r:r+n]
		p1, p2, pv, ps, pvs := o1[r:r+n], o2[r:r+n], ov[r:r+n], os[r:r+n], ovs[r:r+n]
		for j := range n {
			c1 := d1 * i1r[j]
			if sr[j] != 0 {
				c1 = a1[j]
			}
			c2 := d2[j]*i2r[j] + a2[j]*sr[j]
			vn := dv*vR[j] + (1-dv)*(xr[j]+c1+c2)
			sv := vn - 1
			var sp float32
			if sv > 0 {
				sp = 1
			}
			p1[j], p2[j], pv[j], ps[j], pvs[j] = c1, c2, vn-sp, sp, sv
		}
	}
}

// checkLens panics unless every slice has n elements.
func checkLens(what string, n int, xs ...[]float32) {
	for _, x := range xs {
		if len(x) != n {
			panic(fmt.Sprintf("snn: %s: slices of %d and %d elements", what, len(x), n))
		}
	}
}

// GIFCell is GIF as a Cell; state [V, I₁, I₂, S]; the membrane it returns
// is the scaled membrane before the reset (V' − θ)/θ.
type GIFCell struct{ GIF }

func (c GIFCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return ZeroState(tp, 4, batch, n)
}
func (c GIFCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	next, vs := c.Forward(tp, st, in)
	return next, next[3], vs
}
func (c GIFCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }
