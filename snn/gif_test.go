package snn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// Below threshold the GIF step is smooth: the gradients of the input, the
// membrane and the after-spike current through three steps, including the
// scaled membrane the regularizer reads.
func TestGIFGradSubthreshold(t *testing.T) {
	g := GIF{Tau2: []float32{100, 300}, A1: []float32{0, 1}, A2: []float32{-0.6, -0.6}, Surrogate: flat{}}
	x := tensor.NewParam("x", []int{2, 2}, []float32{0.1, 0.2, -0.3, 0.05})
	v0 := tensor.NewParam("v0", []int{2, 2}, []float32{0.2, -0.1, 0.3, 0})
	i2 := tensor.NewParam("i2", []int{2, 2}, []float32{0.5, -0.2, 0.1, 0.3})
	err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		st := []*tensor.Tensor{v0, tensor.Zeros(2, 2), i2, tensor.Zeros(2, 2)}
		var vs *tensor.Tensor
		for range 3 {
			st, vs = g.Forward(tp, st, x)
		}
		return tp.Add(st[0], vs)
	}, x, v0, i2)
	if err != nil {
		t.Fatal(err)
	}
}

// One GIF step by hand, with a spike and the after-spike currents.
func TestGIFStep(t *testing.T) {
	g := GIF{Tau2: []float32{50}, A1: []float32{1}, A2: []float32{-0.6}}
	st := []*tensor.Tensor{tensor.New([]int{1, 1}, []float32{0.9}), tensor.New([]int{1, 1}, []float32{0}),
		tensor.New([]int{1, 1}, []float32{0.2}), tensor.New([]int{1, 1}, []float32{0})}
	x := tensor.New([]int{1, 1}, []float32{30})
	st, _ = g.Forward(nil, st, x)
	dv := math.Exp(-1.0 / 20)
	i2 := 0.2 * math.Exp(-1.0/50)
	v := dv*0.9 + (1-dv)*(30+i2)
	if st[3].Data[0] != 1 || math.Abs(float64(st[0].Data[0])-(v-1)) > 1e-5 || math.Abs(float64(st[2].Data[0])-i2) > 1e-6 {
		t.Fatalf("step 1: V %v S %v I2 %v, want %v 1 %v", st[0].Data[0], st[3].Data[0], st[2].Data[0], v-1, i2)
	}
	st, _ = g.Forward(nil, st, tensor.New([]int{1, 1}, []float32{0}))
	if st[1].Data[0] != 1 {
		t.Fatalf("I1 after a spike %v, want A1 = 1", st[1].Data[0])
	}
	if want := i2*math.Exp(-1.0/50) - 0.6; math.Abs(float64(st[2].Data[0])-want) > 1e-6 {
		t.Fatalf("I2 after a spike %v, want %v", st[2].Data[0], want)
	}
}

// flat is the true derivative of the step away from 0, so finite
// differences below threshold agree with the tape.
type flat struct{}

func (flat) Name() string           { return "flat" }
func (flat) Grad(x float32) float32 { return 0 }

// gifReference is GIF.Forward written with tape ops (the formulation before
// the step was fused): the fused op must give the same values and the same
// gradients.
func gifReference(g GIF, tp *tensor.Tape, st []*tensor.Tensor, x *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor) {
	n := x.Shape[len(x.Shape)-1]
	g = g.defaults(n)
	v, i1, i2, s := st[0], st[1], st[2], st[3]
	d1 := float32(math.Exp(float64(-g.DT / g.Tau1)))
	dv := float32(math.Exp(float64(-g.DT / g.Tau)))
	d2 := make([]float32, n)
	for j, t := range g.Tau2 {
		d2[j] = float32(math.Exp(float64(-g.DT / t)))
	}
	i1n := tensor.New(x.Shape, make([]float32, x.Len()))
	for k := range i1n.Data {
		if s.Data[k] != 0 {
			i1n.Data[k] = g.A1[k%n]
		} else {
			i1n.Data[k] = d1 * i1.Data[k]
		}
	}
	i2n := tp.Add(tp.Mul(i2, tensor.New([]int{n}, d2)), tp.Mul(s, tensor.New([]int{n}, g.A2)))
	vn := tp.Add(tp.Scale(v, dv), tp.Scale(tp.Add(tp.Add(x, i1n), i2n), 1-dv))
	vs := tp.AddScalar(vn, -1)
	spk := surrogate.Spike(tp, vs, g.Surrogate)
	return []*tensor.Tensor{tp.Sub(vn, spk), i1n, i2n, spk}, vs
}

// The fused GIF step equals the tape-op formulation in values and in every
// gradient (membrane, after-spike current, spikes of the previous step and
// input) over several steps with spikes, through a loss that reads every
// output.
func TestGIFFusedMatchesReference(t *testing.T) {
	const b, n, steps = 3, 5, 6
	g := GIF{Tau2: []float32{100, 200, 300, 400, 500}, A1: []float32{0, 0, 1, 0, 1}, A2: []float32{-0.6, -0.1, -0.6, -0.3, -0.6}, Surrogate: surrogate.Triangle{}}
	r := rand.New(rand.NewPCG(3, 4))
	mk := func(name string, scale float64) *tensor.Tensor {
		d := make([]float32, b*n)
		for i := range d {
			d[i] = float32(r.NormFloat64() * scale)
		}
		return tensor.NewParam(name, []int{b, n}, d)
	}
	v0, i20, x := mk("v0", 0.8), mk("i20", 0.4), mk("x", 25)
	s0 := tensor.NewParam("s0", []int{b, n}, make([]float32, b*n))
	for i := range s0.Data {
		if r.Float64() < 0.4 {
			s0.Data[i] = 1
		}
	}
	run := func(step func(GIF, *tensor.Tape, []*tensor.Tensor, *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor)) (vals []float32, grads [][]float32) {
		for _, p := range []*tensor.Tensor{v0, i20, x, s0} {
			p.Grad = nil
		}
		tp := tensor.NewTape()
		st := []*tensor.Tensor{v0, tensor.Zeros(b, n), i20, s0}
		w := tensor.New([]int{b, n}, make([]float32, b*n))
		for i := range w.Data {
			w.Data[i] = float32(i%7) - 3
		}
		var loss *tensor.Tensor
		spikes := 0
		for range steps {
			var vs *tensor.Tensor
			st, vs = step(g, tp, st, x)
			term := tp.Add(tp.Add(tp.Sum(tp.Mul(st[0], w)), tp.Sum(tp.Mul(st[2], w))), tp.Add(tp.Sum(tp.Mul(st[3], w)), tp.Sum(tp.Square(vs))))
			if loss == nil {
				loss = term
			} else {
				loss = tp.Add(loss, term)
			}
			for _, s := range st[3].Data {
				spikes += int(s)
			}
			for _, t := range st {
				vals = append(vals, t.Data...)
			}
			vals = append(vals, vs.Data...)
		}
		if spikes == 0 {
			t.Fatal("no spikes: the test exercises nothing")
		}
		tp.Backward(loss)
		for _, p := range []*tensor.Tensor{v0, i20, x, s0} {
			grads = append(grads, append([]float32(nil), p.Grad...))
		}
		return vals, grads
	}
	fv, fg := run(GIF.Forward)
	rv, rg := run(gifReference)
	for i := range fv {
		if d := math.Abs(float64(fv[i] - rv[i])); d > 1e-6 {
			t.Fatalf("value %d: fused %v, reference %v", i, fv[i], rv[i])
		}
	}
	for p, name := range []string{"v0", "i20", "x", "s0"} {
		for i := range fg[p] {
			if d := math.Abs(float64(fg[p][i] - rg[p][i])); d > 1e-4*(1+math.Abs(float64(rg[p][i]))) {
				t.Fatalf("grad of %s[%d]: fused %v, reference %v", name, i, fg[p][i], rg[p][i])
			}
		}
	}
}

// The tape-free in-place Step is Forward's step: the same bits over
// several steps with spikes.
func TestGIFStepMatchesForward(t *testing.T) {
	const b, n = 2, 3
	g := GIF{Tau2: []float32{100, 200, 300}, A1: []float32{0, 1, 0}, A2: []float32{-0.6, -0.2, -0.6}}
	r := rand.New(rand.NewPCG(5, 6))
	st := []*tensor.Tensor{tensor.Zeros(b, n), tensor.Zeros(b, n), tensor.Zeros(b, n), tensor.Zeros(b, n)}
	v, i1, i2, s, vs := make([]float32, b*n), make([]float32, b*n), make([]float32, b*n), make([]float32, b*n), make([]float32, b*n)
	spikes := 0
	for range 20 {
		x := tensor.Zeros(b, n)
		for i := range x.Data {
			x.Data[i] = float32(r.NormFloat64() * 30)
		}
		var fvs *tensor.Tensor
		st, fvs = g.Forward(nil, st, x)
		g.Step(v, i1, i2, s, vs, x.Data)
		for k, want := range [][]float32{st[0].Data, st[1].Data, st[2].Data, st[3].Data, fvs.Data} {
			got := [][]float32{v, i1, i2, s, vs}[k]
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("state %d[%d]: Step %v, Forward %v", k, i, got[i], want[i])
				}
			}
		}
		for _, x := range s {
			spikes += int(x)
		}
	}
	if spikes == 0 {
		t.Fatal("no spikes")
	}
}
