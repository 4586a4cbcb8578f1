package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
)

// randPattern returns a random rows×cols CSR structure of density p
// (Val nil) and values for it.
func randPattern(r *rand.Rand, rows, cols int, p float64) (*kernels.CSR, *Tensor) {
	m := (&kernels.JIT{Rows: rows, Cols: cols, P: p, Seed: r.Uint64(), Weight: kernels.HomogeneousWeight(1)}).ToCSR()
	m.Val = nil
	return m, randT(r, -1, 1, m.NNZ())
}

// denseOf returns the dense matrix with val on m's structure and zeros
// elsewhere.
func denseOf(m *kernels.CSR, val *Tensor) *Tensor {
	d := Zeros(m.Rows, m.Cols)
	mm := *m
	mm.Val = val.Data
	mm.ToDense(d.Data)
	return d
}

func closeSlices(a, b []float32, tol float64) error {
	if len(a) != len(b) {
		return fmt.Errorf("lengths %d and %d", len(a), len(b))
	}
	for i := range a {
		if d := math.Abs(float64(a[i] - b[i])); d > tol*(1+math.Abs(float64(b[i]))) || math.IsNaN(d) {
			return fmt.Errorf("element %d: %v, want %v", i, a[i], b[i])
		}
	}
	return nil
}

func sameBitsT(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestCSRMatMulMatchesDense runs the CSR products and the dense MatMul of
// the same matrix (zeros off the structure) and compares outputs, input
// gradients and the value gradient with the dense weight gradient on the
// structure.
func TestCSRMatMulMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 10))
	for _, sz := range [][3]int{{1, 1, 1}, {4, 9, 7}, {16, 120, 70}} {
		b, in, out := sz[0], sz[1], sz[2]
		for _, spikes := range []bool{false, true} {
			name := fmt.Sprintf("%v spikes=%v", sz, spikes)
			m, val := randPattern(r, in, out, 0.1)
			var x *Tensor
			if spikes {
				x = binaryT(r, 0.3, b, in)
			} else {
				x = randT(r, -1, 1, b, in)
			}
			w := denseOf(m, val)
			up := randT(r, -1, 1, b, out).Data
			run := func(sparse bool) (y, gx, gw []float32) {
				x.Grad, val.Grad, w.Grad = nil, nil, nil
				x.SetRequiresGrad(true)
				val.SetRequiresGrad(true)
				w.SetRequiresGrad(true)
				tp := NewTape()
				var yt *Tensor
				switch {
				case !sparse:
					yt = tp.MatMul(x, w, false, false)
				case spikes:
					yt = tp.CSRSpikeMatMul(x, m, val)
				default:
					yt = tp.CSRMatMul(x, m, val)
				}
				y = append([]float32(nil), yt.Data...)
				tp.BackwardWith(yt, up)
				gx = append([]float32(nil), x.Grad...)
				if sparse {
					gw = append([]float32(nil), val.Grad...)
				} else {
					gw = append([]float32(nil), w.Grad...)
				}
				return
			}
			ys, gxs, gvs := run(true)
			yd, gxd, gwd := run(false)
			if err := closeSlices(ys, yd, 1e-5); err != nil {
				t.Errorf("%s: forward: %v", name, err)
			}
			if err := closeSlices(gxs, gxd, 1e-5); err != nil {
				t.Errorf("%s: input gradient: %v", name, err)
			}
			onStruct := make([]float32, m.NNZ())
			for i := 0; i < in; i++ {
				for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
					onStruct[k] = gwd[i*out+int(m.Col[k])]
				}
			}
			if err := closeSlices(gvs, onStruct, 1e-5); err != nil {
				t.Errorf("%s: value gradient: %v", name, err)
			}
		}
	}
}

func TestSparseGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 11))
	m, val := randPattern(r, 12, 9, 0.3)
	x := randT(r, -1, 1, 5, 12)
	s := binaryT(r, 0.3, 5, 12)
	gc := GradCheck{}
	if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.CSRMatMul(x, m, val) }, x, val); err != nil {
		t.Errorf("CSRMatMul: %v", err)
	}
	if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.CSRSpikeMatMul(s, m, val) }, val); err != nil {
		t.Errorf("CSRSpikeMatMul: %v", err)
	}
	// Composed: a second use of x must accumulate into its gradient.
	if err := gc.CheckGrad(func(tp *Tape) *Tensor {
		return tp.Add(tp.CSRMatMul(x, m, val), tp.CSRMatMul(x, m, val))
	}, x, val); err != nil {
		t.Errorf("CSRMatMul twice: %v", err)
	}
	for _, rule := range []kernels.WeightRule{kernels.HomogeneousWeight(0), kernels.UniformWeight(0, 0), kernels.NormalWeight(0, 0)} {
		for _, p := range []float64{0.3, 1} {
			jm := kernels.JIT{Rows: 12, Cols: 9, P: p, Seed: 7, Weight: rule}
			w := New([]int{1}, []float32{0.8})
			if rule.Kind != kernels.Homogeneous {
				w = New([]int{2}, []float32{-0.4, 0.9})
			}
			name := fmt.Sprintf("kind %d p %v", rule.Kind, p)
			if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.JITMatMul(x, jm, w) }, x, w); err != nil {
				t.Errorf("JITMatMul %s: %v", name, err)
			}
			if err := gc.CheckGrad(func(tp *Tape) *Tensor { return tp.JITSpikeMatMul(s, jm, w) }, w); err != nil {
				t.Errorf("JITSpikeMatMul %s: %v", name, err)
			}
			if err := gc.CheckGrad(func(tp *Tape) *Tensor {
				return tp.Mul(tp.JITMatMul(x, jm, w), tp.JITMatMul(x, jm, w))
			}, x, w); err != nil {
				t.Errorf("JITMatMul squared %s: %v", name, err)
			}
		}
	}
}

// TestJITMatMulMatchesDense compares the JIT products with the dense
// product of the matrix the generator implies (kernels.JIT.Materialize).
func TestJITMatMulMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 12))
	rules := []kernels.WeightRule{kernels.HomogeneousWeight(0.3), kernels.UniformWeight(-0.5, 1), kernels.NormalWeight(0.1, 0.7)}
	for _, rule := range rules {
		for _, spikes := range []bool{false, true} {
			b, in, out := 8, 60, 45
			jm := kernels.JIT{Rows: in, Cols: out, P: 0.1, Seed: 1234, Weight: rule}
			wp := New([]int{1}, []float32{rule.A})
			if rule.Kind != kernels.Homogeneous {
				wp = New([]int{2}, []float32{rule.A, rule.B})
			}
			dense := Zeros(in, out)
			jm.Materialize(dense.Data)
			x := randT(r, -1, 1, b, in)
			if spikes {
				x = binaryT(r, 0.2, b, in)
			}
			x.SetRequiresGrad(true)
			up := randT(r, -1, 1, b, out).Data
			tp := NewTape()
			var y *Tensor
			if spikes {
				y = tp.JITSpikeMatMul(x, jm, wp.SetRequiresGrad(true))
			} else {
				y = tp.JITMatMul(x, jm, wp.SetRequiresGrad(true))
			}
			tp.BackwardWith(y, up)
			gx := append([]float32(nil), x.Grad...)
			x.Grad = nil
			tp2 := NewTape()
			yd := tp2.MatMul(x, dense, false, false)
			tp2.BackwardWith(yd, up)
			name := fmt.Sprintf("kind %d spikes %v", rule.Kind, spikes)
			if err := closeSlices(y.Data, yd.Data, 1e-5); err != nil {
				t.Errorf("%s: forward: %v", name, err)
			}
			if err := closeSlices(gx, x.Grad, 1e-5); err != nil {
				t.Errorf("%s: input gradient: %v", name, err)
			}
			x.Grad = nil
		}
	}
}

// TestSparseThreads checks that forward and backward give the same bits
// with 1, 2 and 3 kernel threads, at sizes where the kernels split work.
func TestSparseThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 13))
	m, val := randPattern(r, 800, 600, 0.1)
	x := randT(r, -1, 1, 64, 800)
	s := binaryT(r, 0.2, 64, 800)
	w := New([]int{2}, []float32{-0.2, 0.5})
	jm := kernels.JIT{Rows: 800, Cols: 600, P: 0.1, Seed: 5, Weight: kernels.UniformWeight(0, 0)}
	up := randT(r, -1, 1, 64, 600).Data
	ops := map[string]func(tp *Tape, in *Tensor) *Tensor{
		"CSRMatMul":      func(tp *Tape, in *Tensor) *Tensor { return tp.CSRMatMul(in, m, val) },
		"CSRSpikeMatMul": func(tp *Tape, in *Tensor) *Tensor { return tp.CSRSpikeMatMul(in, m, val) },
		"JITMatMul":      func(tp *Tape, in *Tensor) *Tensor { return tp.JITMatMul(in, jm, w) },
		"JITSpikeMatMul": func(tp *Tape, in *Tensor) *Tensor { return tp.JITSpikeMatMul(in, jm, w) },
	}
	prev := kernels.SetThreads(1)
	defer kernels.SetThreads(prev)
	for name, op := range ops {
		in := x
		if name == "CSRSpikeMatMul" || name == "JITSpikeMatMul" {
			in = s
		}
		var ref []float32
		for _, n := range []int{1, 2, 3} {
			kernels.SetThreads(n)
			in.Grad, val.Grad, w.Grad = nil, nil, nil
			in.SetRequiresGrad(true)
			val.SetRequiresGrad(true)
			w.SetRequiresGrad(true)
			tp := NewTape()
			y := op(tp, in)
			tp.BackwardWith(y, up)
			got := append(append(append(append([]float32(nil), y.Data...), in.Grad...), val.Grad...), w.Grad...)
			if n == 1 {
				ref = got
			} else if !sameBitsT(got, ref) {
				t.Errorf("%s: %d threads differ from 1", name, n)
			}
		}
	}
}

// TestSpikeProductsGraded: the spike products given a sparse matrix of
// other values than 1 (a current handed to an event-driven projection)
// give the plain products, not sums of rows counted as spikes.
func TestSpikeProductsGraded(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 4))
	m, val := randPattern(r, 64, 40, 0.3)
	s := New([]int{6, 64}, make([]float32, 6*64))
	for i := 0; i < 5; i++ { // far below any crossover
		s.Data[r.IntN(len(s.Data))] = 0.25 + r.Float32()
	}
	w := randT(r, -1, 1, 64, 40)
	narrow := randT(r, -1, 1, 64, 10)
	tp := NewTape()
	cases := []struct {
		name      string
		got, want *Tensor
	}{
		{"CSRSpikeMatMul", tp.CSRSpikeMatMul(s, m, val), tp.CSRMatMul(s, m, val)},
		{"SpikeMatMul", tp.SpikeMatMul(s, w), tp.MatMul(s, w, false, false)},
		{"SpikeMatMul narrow", tp.SpikeMatMul(s, narrow), tp.MatMul(s, narrow, false, false)},
	}
	for _, c := range cases {
		if err := closeSlices(c.got.Data, c.want.Data, 1e-5); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
