package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randT returns a tensor of the shape with values uniform in [lo, hi) whose
// magnitude is at least 0.05 (away from the kinks of relu, abs, clamp).
func randT(r *rand.Rand, lo, hi float32, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.Data {
		for {
			v := lo + (hi-lo)*r.Float32()
			if v > 0.05 || v < -0.05 {
				t.Data[i] = v
				break
			}
		}
	}
	return t
}

// binaryT returns a 0/1 tensor with the given density. Its finite-difference
// gradient is meaningful because SpikeMatMul is linear in s.
func binaryT(r *rand.Rand, density float32, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.Data {
		if r.Float32() < density {
			t.Data[i] = 1
		}
	}
	return t
}

func TestGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	labels := []int{2, 0, 4}
	type tc struct {
		name   string
		inputs []*Tensor
		f      func(tp *Tape, in []*Tensor) *Tensor
	}
	m := func(shape ...int) *Tensor { return randT(r, -1, 1, shape...) }
	sparseS, denseS := binaryT(r, 0.05, 6, 40), binaryT(r, 0.6, 6, 40)
	pos := func(shape ...int) *Tensor { return randT(r, 0.2, 2, shape...) }
	cases := []tc{
		{"Add same", []*Tensor{m(3, 4), m(3, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Add(in[0], in[1]) }},
		{"Add row bias", []*Tensor{m(3, 4), m(4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Add(in[0], in[1]) }},
		{"Add scalar bcast", []*Tensor{m(3, 4), m(1)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Add(in[0], in[1]) }},
		{"Sub col bcast", []*Tensor{m(3, 4), m(3, 1)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Sub(in[0], in[1]) }},
		{"Mul general bcast", []*Tensor{m(2, 1, 4), m(3, 1)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Mul(in[0], in[1]) }},
		{"Mul same", []*Tensor{m(5), m(5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Mul(in[0], in[1]) }},
		{"Div", []*Tensor{m(3, 4), pos(4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Div(in[0], in[1]) }},
		{"Scale", []*Tensor{m(6)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Scale(in[0], -2.5) }},
		{"AddScalar", []*Tensor{m(6)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.AddScalar(in[0], 3) }},
		{"Exp", []*Tensor{m(6)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Exp(in[0]) }},
		{"Log", []*Tensor{pos(6)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Log(in[0]) }},
		{"Tanh", []*Tensor{m(6)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Tanh(in[0]) }},
		{"Sigmoid", []*Tensor{m(6)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Sigmoid(in[0]) }},
		{"ReLU", []*Tensor{m(8)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.ReLU(in[0]) }},
		{"Softplus", []*Tensor{m(8)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Softplus(in[0]) }},
		{"Square", []*Tensor{m(8)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Square(in[0]) }},
		{"Sqrt", []*Tensor{pos(8)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Sqrt(in[0]) }},
		{"Abs", []*Tensor{m(8)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Abs(in[0]) }},
		{"Clamp", []*Tensor{m(8)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Clamp(in[0], -0.5, 0.5) }},
		{"Where", []*Tensor{m(6), m(6)}, func(tp *Tape, in []*Tensor) *Tensor {
			return tp.Where(New([]int{6}, []float32{1, 0, 1, 1, 0, 0}), in[0], in[1])
		}},
		{"Sum", []*Tensor{m(3, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Sum(in[0]) }},
		{"Mean", []*Tensor{m(3, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Mean(in[0]) }},
		{"SumAxis0", []*Tensor{m(3, 4, 2)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.SumAxis(in[0], 0) }},
		{"SumAxis1", []*Tensor{m(3, 4, 2)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.SumAxis(in[0], 1) }},
		{"MeanAxis-1", []*Tensor{m(3, 4, 2)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MeanAxis(in[0], -1) }},
		{"MaxAxis", []*Tensor{m(5, 3)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MaxAxis(in[0], 0) }},
		{"MatMul", []*Tensor{m(3, 4), m(4, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MatMul(in[0], in[1], false, false) }},
		{"MatMul TA", []*Tensor{m(4, 3), m(4, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MatMul(in[0], in[1], true, false) }},
		{"MatMul TB", []*Tensor{m(3, 4), m(5, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MatMul(in[0], in[1], false, true) }},
		{"MatMul TATB", []*Tensor{m(4, 3), m(5, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MatMul(in[0], in[1], true, true) }},
		{"Linear", []*Tensor{m(2, 3, 4), m(5, 4), m(5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Linear(in[0], in[1], in[2]) }},
		{"Linear no bias", []*Tensor{m(3, 4), m(5, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Linear(in[0], in[1], nil) }},
		{"Softmax", []*Tensor{m(3, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Softmax(in[0]) }},
		{"LogSoftmax", []*Tensor{m(3, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.LogSoftmax(in[0]) }},
		{"CrossEntropy", []*Tensor{m(3, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.CrossEntropy(in[0], labels) }},
		{"NLL", []*Tensor{m(3, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.NLL(in[0], labels) }},
		{"MSE", []*Tensor{m(3, 5), m(3, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.MSE(in[0], in[1]) }},
		{"Reshape", []*Tensor{m(3, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Mul(tp.Reshape(in[0], 4, -1), tp.Reshape(in[0], 4, 3)) }},
		{"Index", []*Tensor{m(3, 4)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Mul(tp.Index(in[0], 1), tp.Index(in[0], 2)) }},
		{"Narrow", []*Tensor{m(4, 2)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Square(tp.Narrow(in[0], 1, 3)) }},
		{"Stack", []*Tensor{m(2, 3), m(2, 3)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Stack([]*Tensor{in[0], tp.Square(in[1]), in[0]}) }},
		{"Concat", []*Tensor{m(2, 3), m(2, 1)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.Concat([]*Tensor{in[0], in[1], in[0]}) }},
		{"SpikeMatMul sparse W", []*Tensor{m(40, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.SpikeMatMul(sparseS, in[0]) }},
		{"SpikeMatMul dense W", []*Tensor{m(40, 5)}, func(tp *Tape, in []*Tensor) *Tensor { return tp.SpikeMatMul(denseS, in[0]) }},
		{"Chain through time", []*Tensor{m(2, 3), m(3, 3)}, func(tp *Tape, in []*Tensor) *Tensor {
			h := in[0]
			for range 5 {
				h = tp.Tanh(tp.MatMul(h, in[1], false, false))
			}
			return h
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := GradCheck{}.CheckGrad(func(tp *Tape) *Tensor { return c.f(tp, c.inputs) }, c.inputs...)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestForwardValues(t *testing.T) {
	a := New([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	b := New([]int{3}, []float32{10, 20, 30})
	var tp *Tape // nil tape: values only
	got := tp.Add(a, b).Data
	want := []float32{11, 22, 33, 14, 25, 36}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Add broadcast = %v, want %v", got, want)
		}
	}
	mm := tp.MatMul(a, New([]int{3, 1}, []float32{1, 1, 1}), false, false)
	if mm.Data[0] != 6 || mm.Data[1] != 15 {
		t.Fatalf("MatMul = %v", mm.Data)
	}
	sm := tp.Softmax(New([]int{1, 2}, []float32{1000, 1000}))
	if sm.Data[0] != 0.5 || sm.Data[1] != 0.5 {
		t.Fatalf("Softmax overflowed: %v", sm.Data)
	}
	ce := tp.CrossEntropy(New([]int{1, 3}, []float32{0, 0, 0}), []int{1})
	if d := math.Abs(float64(ce.Item()) - math.Log(3)); d > 1e-6 {
		t.Fatalf("CrossEntropy = %v, want ln 3", ce.Item())
	}
	if tp.Len() != 0 {
		t.Fatal("nil tape recorded")
	}
}

func TestNoRecordingWithoutGrad(t *testing.T) {
	tp := NewTape()
	a, b := Zeros(4), Zeros(4)
	c := tp.Mul(tp.Exp(a), b)
	if c.RequiresGrad() || tp.Len() != 0 {
		t.Fatalf("ops on constants recorded %d steps", tp.Len())
	}
	p := NewParam("w", []int{4}, make([]float32, 4))
	tp.NoGrad(func() {
		if d := tp.Mul(p, a); d.RequiresGrad() || tp.Len() != 0 {
			t.Fatal("NoGrad recorded")
		}
	})
	if d := tp.Mul(p, a); !d.RequiresGrad() || tp.Len() != 1 {
		t.Fatal("op on parameter not recorded")
	}
}

func TestParamGradAccumulatesAndPoolReuses(t *testing.T) {
	tp := NewTape()
	w := NewParam("w", []int{3}, []float32{1, 2, 3})
	for range 2 {
		tp.Backward(tp.Sum(tp.Square(w)))
		tp.Reset()
	}
	for i, v := range w.Grad {
		if want := 4 * w.Data[i]; v != want {
			t.Fatalf("grad[%d] = %v, want %v (two accumulated passes)", i, v, want)
		}
	}
	// Steady state: a second identical pass allocates no new float buffers.
	step := func() {
		x := tp.Mul(w, w)
		tp.Backward(tp.Sum(tp.Exp(x)))
		tp.Reset()
	}
	step()
	allocs := testing.AllocsPerRun(20, step)
	if allocs > 40 { // closures and tensor headers only, no data buffers
		t.Fatalf("steady-state pass allocated %v times", allocs)
	}
}

func TestGradCheckCatchesWrongGradient(t *testing.T) {
	x := New([]int{3}, []float32{0.3, -0.7, 1.1})
	bad := func(tp *Tape) *Tensor {
		out := tp.NewResult(x.Shape, x)
		for i, v := range x.Data {
			out.Data[i] = v * v
		}
		tp.Record(func() {
			g := tp.GradOf(x)
			for i := range g {
				g[i] += out.Grad[i] * x.Data[i] // should be 2x
			}
		})
		return out
	}
	if err := (GradCheck{}).CheckGrad(bad, x); err == nil {
		t.Fatal("gradient checker accepted a wrong gradient")
	}
}

// The gradient of SpikeMatMul for its spikes equals MatMul's (the product
// is linear in s), on the narrow path (7 outputs) and on both the event and
// the dense path (20 outputs).
func TestSpikeMatMulMatchesMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range [][2]float32{{0.03, 7}, {0.15, 7}, {0.5, 7}, {0.03, 20}, {0.15, 20}, {0.5, 20}} {
		density, n := c[0], int(c[1])
		s0 := binaryT(r, density, 16, 300)
		w0 := randT(r, -1, 1, 300, n)
		g := randT(r, -1, 1, 16, n)
		run := func(spike bool) (*Tensor, *Tensor, *Tensor) {
			s := s0.Clone().SetRequiresGrad(true)
			w := w0.Clone().SetRequiresGrad(true)
			tp := NewTape()
			var y *Tensor
			if spike {
				y = tp.SpikeMatMul(s, w)
			} else {
				y = tp.MatMul(s, w, false, false)
			}
			tp.BackwardWith(y, g.Data)
			return y, s, w
		}
		ys, ss, ws := run(true)
		ym, sm, wm := run(false)
		for name, pair := range map[string][2][]float32{"y": {ys.Data, ym.Data}, "dS": {ss.Grad, sm.Grad}, "dW": {ws.Grad, wm.Grad}} {
			for i := range pair[0] {
				if d := math.Abs(float64(pair[0][i] - pair[1][i])); d > 1e-4*(1+math.Abs(float64(pair[1][i]))) {
					t.Fatalf("density %v: %s[%d] spike %v, dense %v", density, name, i, pair[0][i], pair[1][i])
				}
			}
		}
	}
}

// A narrow readout applied at several steps shares one packed weight and
// one packed gradient sum per pass (tensor/narrow.go): the weight gradient
// must equal MatMul's, also when the first step (which owns the sum) gets
// no gradient itself, and across two passes on one tape.
func TestSpikeMatMulNarrowSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const steps, b, k, n = 4, 8, 100, 10
	var s [steps]*Tensor
	for i := range s {
		s[i] = binaryT(r, 0.2, b, k).SetRequiresGrad(true)
	}
	w0 := randT(r, -1, 1, k, n)
	run := func(spike bool, tp *Tape) (*Tensor, [steps][]float32) {
		w := w0.Clone().SetRequiresGrad(true)
		for pass := 0; pass < 2; pass++ {
			var loss *Tensor
			for i := range s {
				s[i].Grad = nil
				var y *Tensor
				if spike {
					y = tp.SpikeMatMul(s[i], w)
				} else {
					y = tp.MatMul(s[i], w, false, false)
				}
				if i == 0 {
					continue // step 0's output feeds nothing
				}
				term := tp.Sum(tp.Square(y))
				if loss == nil {
					loss = term
				} else {
					loss = tp.Add(loss, term)
				}
			}
			tp.Backward(loss)
		}
		var gs [steps][]float32
		for i := range s {
			gs[i] = s[i].Grad
		}
		return w, gs
	}
	ws, gss := run(true, NewTape())
	wm, gsm := run(false, NewTape())
	near := func(name string, a, b []float32) {
		t.Helper()
		if len(a) != len(b) {
			t.Fatalf("%s: lengths %d and %d", name, len(a), len(b))
		}
		for i := range a {
			if d := math.Abs(float64(a[i] - b[i])); d > 1e-4*(1+math.Abs(float64(b[i]))) {
				t.Fatalf("%s[%d]: narrow %v, MatMul %v", name, i, a[i], b[i])
			}
		}
	}
	near("dW", ws.Grad, wm.Grad)
	for i := 1; i < steps; i++ {
		near("dS", gss[i], gsm[i])
	}
}

// Ties share MaxAxis's gradient equally.
func TestMaxAxisTies(t *testing.T) {
	a := NewParam("a", []int{3, 2}, []float32{1, 5, 1, 2, 0, 5})
	tp := NewTape()
	tp.BackwardWith(tp.MaxAxis(a, 0), []float32{1, 1})
	want := []float32{0.5, 0.5, 0.5, 0, 0, 0.5}
	for i := range want {
		if a.Grad[i] != want[i] {
			t.Fatalf("grad %v, want %v", a.Grad, want)
		}
	}
}

// CrossEntropySteps gives the bits of CrossEntropy per step summed with
// Add, value and gradients, including steps that take no gradient.
func TestCrossEntropyStepsMatchesSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	const steps, rows, c = 5, 7, 10
	mk := func() []*Tensor {
		r := rand.New(rand.NewPCG(3, 9))
		var ls []*Tensor
		for i := range steps {
			d := make([]float32, rows*c)
			for j := range d {
				d[j] = float32(r.NormFloat64() * 3)
			}
			if i == 2 {
				ls = append(ls, New([]int{rows, c}, d))
				continue
			}
			ls = append(ls, NewParam("l", []int{rows, c}, d))
		}
		return ls
	}
	labels := make([]int, rows)
	for i := range labels {
		labels[i] = r.IntN(c)
	}
	for _, seed := range []float32{1, 0.37, 0} {
		a, b := mk(), mk()
		tp := NewTape()
		var want *Tensor
		for _, l := range a {
			ce := tp.CrossEntropy(l, labels)
			if want == nil {
				want = ce
			} else {
				want = tp.Add(want, ce)
			}
		}
		tp.BackwardWith(want, []float32{seed})
		tp2 := NewTape()
		got := tp2.CrossEntropySteps(b, labels)
		tp2.BackwardWith(got, []float32{seed})
		if math.Float32bits(got.Item()) != math.Float32bits(want.Item()) {
			t.Fatalf("loss %v, per step %v", got.Item(), want.Item())
		}
		for i := range a {
			if (a[i].Grad == nil) != (b[i].Grad == nil) {
				t.Fatalf("step %d: gradient presence differs", i)
			}
			for j := range a[i].Grad {
				if math.Float32bits(a[i].Grad[j]) != math.Float32bits(b[i].Grad[j]) {
					t.Fatalf("seed %v step %d [%d]: gradient %v, per step %v", seed, i, j, b[i].Grad[j], a[i].Grad[j])
				}
			}
		}
	}
}

// logSoftmaxRows gives logSoftmaxRow's bits on every row, and the
// backward passes of LogSoftmax and CrossEntropySteps those of math.Exp
// per element: rows of every width up to 20 (the exponentials go 8 at a
// time through kernels.Exp), values up to ±1e4, infinities and NaN.
func TestLogSoftmaxRowsBits(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	same := func(a, b float32) bool {
		return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
	}
	for c := 1; c <= 20; c++ {
		for _, scale := range []float64{1, 30, 1e4} {
			rows := 1 + r.IntN(40)
			x := make([]float32, rows*c)
			for i := range x {
				x[i] = float32(r.NormFloat64() * scale)
			}
			if c > 2 && scale == 30 {
				x[r.IntN(len(x))] = float32(math.Inf(-1))
				x[r.IntN(len(x))] = float32(math.NaN())
			}
			got := make([]float32, len(x))
			logSoftmaxRows(got, x, c)
			want := make([]float32, c)
			for row := range rows {
				logSoftmaxRow(want, x[row*c:(row+1)*c])
				for i := range want {
					if !same(got[row*c+i], want[i]) {
						t.Fatalf("c %d, scale %v, row %d: %v, logSoftmaxRow %v", c, scale, row, got[row*c:(row+1)*c], want)
					}
				}
			}
			// The backward passes against their per-element formulas.
			labels := make([]int, rows)
			for i := range labels {
				labels[i] = r.IntN(c)
			}
			tp := NewTape()
			a := New([]int{rows, c}, append([]float32(nil), x...)).SetRequiresGrad(true)
			ls := tp.LogSoftmax(a)
			g := make([]float32, len(x))
			for i := range g {
				g[i] = float32(r.NormFloat64())
			}
			tp.Backward(tp.Sum(tp.Mul(ls, New([]int{rows, c}, g))))
			for row := range rows {
				var s float64
				for _, v := range g[row*c : (row+1)*c] {
					s += float64(v)
				}
				for i := range c {
					k := row*c + i
					w := g[k] - float32(math.Exp(float64(ls.Data[k]))*s)
					if !same(a.Grad[k], w) {
						t.Fatalf("LogSoftmax backward, c %d: %v, want %v", c, a.Grad[k], w)
					}
				}
			}
			tp = NewTape()
			b := New([]int{rows, c}, append([]float32(nil), x...)).SetRequiresGrad(true)
			ce := tp.CrossEntropySteps([]*Tensor{b}, labels)
			tp.Backward(ce)
			gy := 0 - 1/float32(rows)
			for row, y := range labels {
				logSoftmaxRow(want, x[row*c:(row+1)*c])
				for i := range c {
					var gi float32
					if i == y {
						gi = gy
					}
					w := 0 + (gi - float32(math.Exp(float64(want[i]))*float64(gy)))
					if !same(b.Grad[row*c+i], w) {
						t.Fatalf("CrossEntropySteps backward, c %d: %v, want %v", c, b.Grad[row*c+i], w)
					}
				}
			}
		}
	}
}

// logSoftmaxRow is one row of logSoftmaxRows by math.Exp, element by
// element: the reference the vectorized rows must match to the bit.
func logSoftmaxRow(dst, x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v - m))
	}
	ls := float32(math.Log(s))
	for i, v := range x {
		dst[i] = (v - m) - ls
	}
}
