package snn

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// HHGroup is a population of Hodgkin-Huxley neurons in the Traub-Miles form
// of the COBA-HH benchmark (Brette et al. 2007, benchmark 3; Brian2's
// example), in mV, ms, nS, pF and pA (pA/pF = mV/ms):
//
//	C dv/dt = GL(EL − v) − GNa m³h (v − ENa) − GK n⁴ (v − EK) + I_syn,  I_syn = A − B·v
//	dx/dt   = αx(v)(1 − x) − βx(v)·x                        for x = m, h, n
//	αm = 0.32(13 − v + VT)/(e^((13−v+VT)/4) − 1)    βm = 0.28(v − VT − 40)/(e^((v−VT−40)/5) − 1)
//	αh = 0.128 e^((17 − v + VT)/18)                 βh = 4/(1 + e^((40 − v + VT)/5))
//	αn = 0.032(15 − v + VT)/(e^((15−v+VT)/5) − 1)   βn = 0.5 e^((10 − v + VT)/40)
//
// A spike is v > VSpike while not refractory (no reset; Ref ms of
// refractoriness as in Brian2). The state is integrated with Method
// (ExpEuler, as Brian2's exponential_euler, is the benchmark's; Euler, RK2
// and RK4 are available) through the shared integrator.
type HHGroup struct {
	C, GL, EL, GNa, ENa, GK, EK, VT, VSpike, Ref, Dt float64
	Method                                           Method
	// Vm, M, H, N are the state; Last the step of each neuron's last spike.
	Vm, M, H, N []float32
	Last        []int32
	counts      []int
}

// TraubMiles returns the COBA-HH benchmark's parameters for dt ms (area
// 20,000 µm²).
func TraubMiles(dt float64) HHGroup {
	return HHGroup{C: 200, GL: 10, EL: -60, GNa: 20000, ENa: 50, GK: 6000, EK: -90, VT: -63, VSpike: -20, Ref: 3, Dt: dt, Method: ExpEuler}
}

// NewHHGroup returns n neurons with parameters p at rest (v = EL, gates at
// their steady state).
func NewHHGroup(n int, p HHGroup) *HHGroup {
	g := p
	g.Vm, g.M, g.H, g.N, g.Last = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]int32, n)
	for i := range g.Vm {
		g.Vm[i], g.Last[i] = float32(p.EL), neverFired
	}
	g.ResetGates()
	return &g
}

// ResetGates sets m, h, n to their steady state at the current membranes.
func (g *HHGroup) ResetGates() {
	for i, v := range g.Vm {
		am, bm, ah, bh, an, bn := kernels.HHRates(float64(v), g.VT)
		g.M[i] = float32(am / (am + bm))
		g.H[i] = float32(ah / (ah + bh))
		g.N[i] = float32(an / (an + bn))
	}
}

func (g *HHGroup) Len() int     { return len(g.Vm) }
func (g *HHGroup) V() []float32 { return g.Vm }

// State returns v, m, h or n.
func (g *HHGroup) State(name string) ([]float32, bool) {
	switch name {
	case "v":
		return g.Vm, true
	case "m":
		return g.M, true
	case "h":
		return g.H, true
	case "n":
		return g.N, true
	}
	return nil, false
}

// Update implements Neurons, in parallel over blocks of neurons.
func (g *HHGroup) Update(t int32, in Input, spk []int32) int {
	n := len(g.Vm)
	chunks := min(kernels.Threads(), n/512)
	if chunks <= 1 {
		return g.update(0, n, t, in, spk)
	}
	if len(g.counts) < chunks {
		g.counts = make([]int, chunks)
	}
	parallelChunks(chunks, func(c int) {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		g.counts[c] = g.update(lo, hi, t, in, spk[lo:hi])
	})
	k := g.counts[0]
	for c := 1; c < chunks; c++ {
		lo := c * n / chunks
		k += copy(spk[k:], spk[lo:lo+g.counts[c]])
	}
	return k
}

// lin is the model's right-hand side, written once: at state y = (v, m,
// h, n) under the synaptic current a − b·v it sets each variable's
// derivative in the linear form dy_k/dt = da_k − db_k·y_k of the
// integrators (the doc comment's equations; the rates are kernels.HHRates).
// kernels.HHExpEuler, the fused exponential-Euler step, performs the same
// float64 operations (TestHHKernelMatchesModel).
func (g *HHGroup) lin(y *vec, a, b float64, da, db *vec) {
	v, m, h, nn := y[0], y[1], y[2], y[3]
	am, bm, ah, bh, an, bn := kernels.HHRates(v, g.VT)
	gna, gk := g.channels(m, h, nn)
	da[0] = (g.GL*g.EL + gna*g.ENa + gk*g.EK + a) / g.C
	db[0] = (g.GL + gna + gk + b) / g.C
	da[1], db[1] = am, am+bm
	da[2], db[2] = ah, ah+bh
	da[3], db[3] = an, an+bn
}

// channels returns the sodium and potassium conductances GNa·m³h and
// GK·n⁴ in nS.
func (g *HHGroup) channels(m, h, n float64) (gna, gk float64) {
	return g.GNa * m * m * m * h, g.GK * n * n * n * n
}

// update advances neurons [lo, hi) one step and lists those that spiked in
// spk (indices of the whole group), returning their count.
func (g *HHGroup) update(lo, hi int, t int32, in Input, spk []int32) int {
	if g.Method == ExpEuler || g.Method == Exact {
		// integrate's ExpEuler case on the same right-hand side, on 8
		// neurons at a time: every variable x with dx/dt = a − b·x becomes
		// a/b + (x − a/b)·e^(−b·dt).
		p := kernels.HHParams{C: g.C, GL: g.GL, EL: g.EL, GNa: g.GNa, ENa: g.ENa, GK: g.GK, EK: g.EK, VT: g.VT, Dt: g.Dt}
		kernels.HHExpEuler(&p, g.Vm[lo:hi], g.M[lo:hi], g.H[lo:hi], g.N[lo:hi], in.A[lo:hi], in.B[lo:hi])
	} else {
		for i := lo; i < hi; i++ {
			a, b := float64(in.A[i]), float64(in.B[i])
			x := vec{float64(g.Vm[i]), float64(g.M[i]), float64(g.H[i]), float64(g.N[i])}
			integrate(g.Method, 4, g.Dt, &x, func(y *vec, da, db *vec) { g.lin(y, a, b, da, db) })
			g.Vm[i], g.M[i], g.H[i], g.N[i] = float32(x[0]), float32(x[1]), float32(x[2]), float32(x[3])
		}
	}
	// A spike: v above VSpike while not refractory.
	ref := int32(math.Round(g.Ref / g.Dt))
	vs := float32(g.VSpike)
	cnt := 0
	last := g.Last[lo:hi]
	for i, v := range g.Vm[lo:hi] {
		if v > vs && t-last[i] >= ref {
			last[i] = t
			spk[cnt] = int32(lo + i)
			cnt++
		}
	}
	return cnt
}

// expEuler is the model's exponential-Euler step of one neuron, the
// benchmark's method (Brian2's exponential_euler): every variable x with
// dx/dt = a − b·x (lin, at the start of the step, the synaptic current
// a − b·v held) becomes a/b + (x − a/b)·e^(−b·dt), with e^x as
// kernels.FastExp. kernels.HHExpEuler is this step on 8 neurons at a time
// (TestHHKernelMatchesModel).
func (g *HHGroup) expEuler(y *vec, a, b float64) {
	var da, db vec
	g.lin(y, a, b, &da, &db)
	for k := range 4 {
		inf := da[k] / db[k]
		y[k] = inf + (y[k]-inf)*kernels.FastExp(-db[k]*g.Dt)
	}
}

// HH is the trainable Hodgkin-Huxley layer (BrainPy trains its HH through
// BPTT the same way): the HHGroup model, its parameters and right-hand
// side, advanced by expEuler per element (float64 on float32 state, the
// input current in pA), without refractoriness. A spike is an upward
// crossing of VSpike, S = H(v' − VSpike)·[v ≤ VSpike], the surrogate on
// (v' − VSpike)/Scale through the first factor. The backward pass needs
// the Jacobian of the step with respect to v, m, h, n and the input: it is
// taken by central differences of expEuler itself in float64 (relative
// step 1e-6, accurate to about 1e-8, far below float32's rounding), so the
// equations stay written once, in lin; with DetachGates only ∂v'/∂v and
// ∂v'/∂I at fixed gates, in closed form. State [v, m, h, n].
type HH struct {
	// Model holds the parameters (zero C: TraubMiles(Dt), Dt default 0.1 ms).
	Model HHGroup
	// Scale normalizes v' − VSpike for the surrogate (default 10 mV).
	Scale float32
	// Surrogate derivative (nil: fast_sigmoid with slope 25).
	Surrogate surrogate.Func
	// DetachGates drops the gates from the backward pass, as snnTorch
	// detaches the reset: the gradient flows through v and the input only,
	// by ∂v'/∂v and ∂v'/∂I at fixed m, h, n (v' = v∞ + (v − v∞)·e^(−dt/τ)
	// with v∞ and τ set by the gates and the input: a leaky integrator
	// whose leak is the present conductance), and m, h, n get no gradient.
	// It costs one exponential per element instead of the full Jacobian's
	// ten exponential-Euler steps; in the fmnist-hh recipe it trains
	// 20-34 times faster than the full Jacobian, to a similar accuracy
	// (BENCHMARKS.md, "Hodgkin-Huxley hidden layer").
	DetachGates bool
}

func (p HH) defaults() HH {
	if p.Model.C == 0 {
		dt := p.Model.Dt
		if dt == 0 {
			dt = 0.1
		}
		p.Model = TraubMiles(dt)
	}
	if p.Scale == 0 {
		p.Scale = 10
	}
	if p.Surrogate == nil {
		p.Surrogate = surrogate.FastSigmoid{}
	}
	return p
}

// Forward is one differentiable step from state [v, m, h, n] under input
// current in; it returns the new state and the spikes.
func (p HH) Forward(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor) {
	p = p.defaults()
	g := &p.Model
	for _, t := range st[:4] {
		if t.Len() != in.Len() {
			panic(fmt.Sprintf("snn: HH.Forward: state %v and input %v differ", t.Shape, in.Shape))
		}
	}
	next := make([]*tensor.Tensor, 4)
	for k := range next {
		next[k] = tp.NewResult(in.Shape, st[0], st[1], st[2], st[3], in)
	}
	s := tp.NewResult(in.Shape, st[0], st[1], st[2], st[3], in)
	vs := float32(g.VSpike)
	// expEuler on every element, by the fused kernel that performs its
	// float64 operations (TestHHKernelMatchesModel), 8 at a time.
	for k := range next {
		copy(next[k].Data, st[k].Data)
	}
	b := tp.AllocZero(in.Len())
	kp := kernels.HHParams{C: g.C, GL: g.GL, EL: g.EL, GNa: g.GNa, ENa: g.ENa, GK: g.GK, EK: g.EK, VT: g.VT, Dt: g.Dt}
	kernels.HHExpEuler(&kp, next[0].Data, next[1].Data, next[2].Data, next[3].Data, in.Data, b)
	for i := range in.Data {
		s.Data[i] = 0
		if next[0].Data[i] > vs && st[0].Data[i] <= vs {
			s.Data[i] = 1
		}
	}
	if !s.RequiresGrad() {
		return next, s
	}
	tp.Record(func() {
		var gNext [4][]float32
		need := s.Grad != nil
		for k := range 4 {
			gNext[k] = next[k].Grad
			need = need || gNext[k] != nil
		}
		if !need {
			return
		}
		var sg []float32
		if s.Grad != nil {
			x, gs := tp.Alloc(in.Len()), tp.Alloc(in.Len())
			for i := range x {
				// Only an upward crossing is a spike: above VSpike
				// already, v' passes no gradient through S.
				x[i], gs[i] = (next[0].Data[i]-vs)/p.Scale, 0
				if st[0].Data[i] <= vs {
					gs[i] = s.Grad[i]
				}
			}
			sg = tp.Alloc(in.Len())
			surrogate.GradSlice(p.Surrogate, sg, gs, x)
		}
		ins := []*tensor.Tensor{st[0], st[1], st[2], st[3], in}
		var gIn [5][]float32
		var fresh [5]bool
		for j, t := range ins {
			if t.RequiresGrad() && !(p.DetachGates && j >= 1 && j <= 3) {
				gIn[j], fresh[j] = tp.GradAcc(t)
			}
		}
		acc := func(j, i int, d float64) {
			if fresh[j] {
				gIn[j][i] = float32(d)
			} else {
				gIn[j][i] += float32(d)
			}
		}
		for i := range in.Data {
			// The gradient of the new state: its own, and the spike's
			// surrogate term on v'.
			var gy [4]float64
			for k := range 4 {
				if gNext[k] != nil {
					gy[k] = float64(gNext[k][i])
				}
			}
			if sg != nil {
				gy[0] += float64(sg[i]) / float64(p.Scale)
			}
			x0 := [5]float64{float64(st[0].Data[i]), float64(st[1].Data[i]), float64(st[2].Data[i]), float64(st[3].Data[i]), float64(in.Data[i])}
			if p.DetachGates {
				// expEuler's v' = v∞ + (v − v∞)·E at fixed gates, with
				// G = GL + GNa m³h + GK n⁴, E = e^(−G·dt/C) and
				// v∞ = (GL·EL + GNa m³h·ENa + GK n⁴·EK + I)/G:
				// ∂v'/∂v = E and ∂v'/∂I = (1 − E)/G.
				gna, gk := g.channels(x0[1], x0[2], x0[3])
				gt := g.GL + gna + gk
				e := kernels.FastExp(-gt / g.C * g.Dt)
				if gIn[0] != nil {
					acc(0, i, gy[0]*e)
				}
				if gIn[4] != nil {
					acc(4, i, gy[0]*(1-e)/gt)
				}
				continue
			}
			for j := range 5 {
				if gIn[j] == nil {
					continue
				}
				h := 1e-6 * max(1, math.Abs(x0[j]))
				var yp, ym vec
				xp, xm := x0, x0
				xp[j] += h
				xm[j] -= h
				yp, ym = vec{xp[0], xp[1], xp[2], xp[3]}, vec{xm[0], xm[1], xm[2], xm[3]}
				g.expEuler(&yp, xp[4], 0)
				g.expEuler(&ym, xm[4], 0)
				var d float64
				for k := range 4 {
					d += gy[k] * (yp[k] - ym[k]) / (2 * h)
				}
				acc(j, i, d)
			}
		}
	})
	return next, s
}

// HHCell is HH as a Cell; state [v, m, h, n] starting at rest (v = E_L,
// the gates at their steady state).
type HHCell struct{ HH }

func (c HHCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	st := ZeroState(tp, 4, batch, n)
	g := c.defaults().Model
	am, bm, ah, bh, an, bn := kernels.HHRates(g.EL, g.VT)
	for i := range st[0].Data {
		st[0].Data[i], st[1].Data[i], st[2].Data[i], st[3].Data[i] = float32(g.EL), float32(am/(am+bm)), float32(ah/(ah+bh)), float32(an/(an+bn))
	}
	return st
}
func (c HHCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	next, s := c.Forward(tp, st, in)
	return next, s, next[0]
}
func (c HHCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }
