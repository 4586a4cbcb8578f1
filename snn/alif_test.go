package snn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// alifReference is ALIF.Forward written with tape ops (the formulation
// before the step was fused): the fused step must give the same bits.
func alifReference(p ALIF, tp *tensor.Tape, st ALIFState, in *tensor.Tensor) ALIFState {
	th, sg := p.theta(), p.sg()
	prevS := st.S.Detach()
	b := tp.Add(tp.Scale(st.B, p.Rho), tp.Scale(st.S, 1-p.Rho))
	u := tp.Sub(tp.Add(tp.Scale(st.U, p.Beta), in), tp.Scale(prevS, th))
	a := tp.AddScalar(tp.Scale(b, p.BetaA), th)
	s := surrogate.Spike(tp, tp.Sub(u, a), sg)
	return ALIFState{U: u, B: b, S: s}
}

// The fused ALIF step equals the tape-op formulation bit for bit, in the
// values and in every gradient, through a loss that reads the membrane,
// the adaptation and the spikes of every step (and through one that reads
// the spikes only, where the tape skips paths).
func TestALIFFusedMatchesReference(t *testing.T) {
	const b, n, steps = 3, 7, 8
	p := ALIF{Beta: 0.9, Rho: 0.8, BetaA: 0.7, Threshold: 0.8, Surrogate: surrogate.FastSigmoid{}}
	for _, spikesOnly := range []bool{false, true} {
		r := rand.New(rand.NewPCG(1, 2))
		mk := func(name string, scale float64) *tensor.Tensor {
			d := make([]float32, b*n)
			for i := range d {
				d[i] = float32(r.NormFloat64() * scale)
			}
			return tensor.NewParam(name, []int{b, n}, d)
		}
		u0, b0, x := mk("u0", 0.5), mk("b0", 0.3), mk("x", 0.8)
		s0 := tensor.NewParam("s0", []int{b, n}, make([]float32, b*n))
		for i := range s0.Data {
			if r.Float64() < 0.4 {
				s0.Data[i] = 1
			}
		}
		w := tensor.New([]int{b, n}, make([]float32, b*n))
		for i := range w.Data {
			w.Data[i] = float32(i%5) - 2
		}
		run := func(step func(ALIF, *tensor.Tape, ALIFState, *tensor.Tensor) ALIFState) (vals []float32, grads [][]float32) {
			for _, q := range []*tensor.Tensor{u0, b0, x, s0} {
				q.Grad = nil
			}
			tp := tensor.NewTape()
			st := ALIFState{U: u0, B: b0, S: s0}
			var loss *tensor.Tensor
			spikes := 0
			for range steps {
				st = step(p, tp, st, x)
				term := tp.Sum(tp.Mul(st.S, w))
				if !spikesOnly {
					term = tp.Add(term, tp.Add(tp.Sum(tp.Mul(st.U, w)), tp.Sum(tp.Square(st.B))))
				}
				if loss == nil {
					loss = term
				} else {
					loss = tp.Add(loss, term)
				}
				for _, v := range st.S.Data {
					spikes += int(v)
				}
				vals = append(append(append(vals, st.U.Data...), st.B.Data...), st.S.Data...)
			}
			if spikes == 0 || spikes == steps*b*n {
				t.Fatalf("%d spikes: the test exercises nothing", spikes)
			}
			tp.Backward(loss)
			for _, q := range []*tensor.Tensor{u0, b0, x, s0} {
				grads = append(grads, append([]float32(nil), q.Grad...))
			}
			return vals, grads
		}
		fv, fg := run(ALIF.Forward)
		rv, rg := run(alifReference)
		for i := range fv {
			if math.Float32bits(fv[i]) != math.Float32bits(rv[i]) {
				t.Fatalf("value %d: fused %v, reference %v", i, fv[i], rv[i])
			}
		}
		for k, name := range []string{"u0", "b0", "x", "s0"} {
			for i := range fg[k] {
				if math.Float32bits(fg[k][i]) != math.Float32bits(rg[k][i]) {
					t.Fatalf("spikes only %v: grad of %s[%d]: fused %v, reference %v", spikesOnly, name, i, fg[k][i], rg[k][i])
				}
			}
		}
	}
}

// Below threshold the ALIF step is smooth: its gradients through three
// steps equal finite differences (with a surrogate that is the true
// derivative there).
func TestALIFGradSubthreshold(t *testing.T) {
	p := ALIF{Beta: 0.9, Rho: 0.7, BetaA: 0.5, Threshold: 5, Surrogate: flat{}}
	x := tensor.NewParam("x", []int{2, 2}, []float32{0.1, 0.2, -0.3, 0.05})
	u0 := tensor.NewParam("u0", []int{2, 2}, []float32{0.2, -0.1, 0.3, 0})
	b0 := tensor.NewParam("b0", []int{2, 2}, []float32{0.5, -0.2, 0.1, 0.3})
	s0 := tensor.NewParam("s0", []int{2, 2}, []float32{1, 0, 0, 1})
	err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		st := ALIFState{U: u0, B: b0, S: s0}
		for range 3 {
			st = p.Forward(tp, st, x)
		}
		return tp.Add(tp.Sum(tp.Square(st.U)), tp.Sum(tp.Square(st.B)))
	}, x, u0, b0)
	if err != nil {
		t.Fatal(err)
	}
}

// The tape-free Step is Forward's step, bit for bit.
func TestALIFStepMatchesForward(t *testing.T) {
	p := ALIF{Beta: 0.9, Rho: 0.95, BetaA: 1.8}
	const n = 9
	st := ALIFState{U: tensor.Zeros(1, n), B: tensor.Zeros(1, n), S: tensor.Zeros(1, n)}
	u, b, s := make([]float32, n), make([]float32, n), make([]float32, n)
	r := rand.New(rand.NewPCG(7, 7))
	spikes := 0
	for range 50 {
		x := tensor.Zeros(1, n)
		for i := range x.Data {
			x.Data[i] = float32(r.Float64())
		}
		st = p.Forward(nil, st, x)
		p.Step(u, b, s, x.Data)
		for i := range n {
			if u[i] != st.U.Data[i] || b[i] != st.B.Data[i] || s[i] != st.S.Data[i] {
				t.Fatalf("neuron %d: Step (%v %v %v), Forward (%v %v %v)", i, u[i], b[i], s[i], st.U.Data[i], st.B.Data[i], st.S.Data[i])
			}
			spikes += int(s[i])
		}
	}
	if spikes == 0 {
		t.Fatal("no spikes")
	}
}
