package networks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// sparseNet returns a two-layer LIF network whose projections are Sparse
// (connection probability p) and the same network with Dense projections
// holding the sparse matrices (zeros off the structure).
func sparseNet(t *testing.T, in, hid, out int, p float64, seed uint64) (sp, de *FeedForward) {
	t.Helper()
	fn, err := surrogate.New("atan", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	s1 := NewSparse("fc1", in, hid, SparseConfig{P: p, Seed: seed, Bias: true}, r)
	s2 := NewSparse("fc2", hid, out, SparseConfig{P: min(1, 3*p), Seed: seed + 1, Bias: true}, r)
	cell := func() Cell { return LIFCell{snn.LIF{Beta: 0.9, Threshold: 1, Surrogate: fn}} }
	sp = &FeedForward{Blocks: []Block{{Name: "h", Conn: s1, Cell: cell()}, {Name: "o", Conn: s2, Cell: cell()}}}
	dense := func(s *Sparse, name string) *Dense {
		return &Dense{W: tensor.NewParam(name+".weight", []int{s.In(), s.Out()}, s.Dense()), B: tensor.NewParam(name+".bias", []int{s.Out()}, append([]float32(nil), s.B.Data...))}
	}
	de = &FeedForward{Blocks: []Block{{Name: "h", Proj: dense(s1, "fc1"), Cell: cell()}, {Name: "o", Proj: dense(s2, "fc2"), Cell: cell()}}}
	return sp, de
}

// lossAndGrads runs 10 steps of net on x (static, or binary per step) and
// returns the loss, the spike count and the parameters' gradients.
func lossAndGrads(net *FeedForward, x *tensor.Tensor, y []int, binary bool) (float32, float64, [][]float32) {
	for _, p := range net.Params() {
		p.Grad = nil
	}
	in := Input{Static: x}
	if binary {
		in = Input{Step: func(int) *tensor.Tensor { return x }, Binary: true}
	}
	tp := tensor.NewTape()
	tr := net.Run(tp, in, 10)
	var spikes float64
	for _, l := range tr.Spikes {
		for _, s := range l {
			for _, v := range s.Data {
				spikes += float64(v)
			}
		}
	}
	loss := losses.CEMembrane(tp, tr.Out(), y)
	tp.Backward(loss)
	var gs [][]float32
	for _, p := range net.Params() {
		gs = append(gs, append([]float32(nil), p.Grad...))
	}
	return loss.Item(), spikes, gs
}

func TestSparseFeedForwardMatchesDense(t *testing.T) {
	for _, binary := range []bool{false, true} {
		sp, de := sparseNet(t, 40, 30, 5, 0.2, 3)
		r := rand.New(rand.NewPCG(4, 4))
		x := tensor.Zeros(6, 40)
		for i := range x.Data {
			x.Data[i] = 2 * r.Float32()
			if binary {
				x.Data[i] = float32(r.IntN(2))
			}
		}
		y := []int{0, 1, 2, 3, 4, 0}
		ls, ns, gs := lossAndGrads(sp, x, y, binary)
		ld, nd, gd := lossAndGrads(de, x, y, binary)
		if ns != nd || ns == 0 {
			t.Fatalf("binary %v: %v spikes, dense %v", binary, ns, nd)
		}
		if math.Abs(float64(ls-ld)) > 1e-5*math.Abs(float64(ld)) {
			t.Fatalf("binary %v: loss %v, dense %v", binary, ls, ld)
		}
		for l, s := range []*Sparse{sp.Blocks[0].Conn.(*Sparse), sp.Blocks[1].Conn.(*Sparse)} {
			gw, gdw := gs[2*l], gd[2*l]
			for i := 0; i < s.In(); i++ {
				for k := s.Conn.Ptr[i]; k < s.Conn.Ptr[i+1]; k++ {
					want := gdw[i*s.Out()+int(s.Conn.Col[k])]
					if math.Abs(float64(gw[k]-want)) > 1e-4*(1+math.Abs(float64(want))) {
						t.Fatalf("binary %v: layer %d value %d gradient %v, dense %v", binary, l, k, gw[k], want)
					}
				}
			}
			for j, v := range gs[2*l+1] {
				if math.Abs(float64(v-gd[2*l+1][j])) > 1e-4*(1+math.Abs(float64(v))) {
					t.Fatalf("binary %v: layer %d bias gradient %d: %v, dense %v", binary, l, j, v, gd[2*l+1][j])
				}
			}
		}
	}
}

// The same seed gives the same bits for 1, 2 and 3 kernel threads, and a
// shadow (a data-parallel worker) computes the same gradients into its own
// buffers.
func TestSparseFeedForwardThreadsAndShadow(t *testing.T) {
	sp, _ := sparseNet(t, 300, 400, 10, 0.1, 5)
	r := rand.New(rand.NewPCG(5, 5))
	x := tensor.Zeros(64, 300)
	for i := range x.Data {
		x.Data[i] = 3 * r.Float32()
	}
	y := make([]int, 64)
	for i := range y {
		y[i] = i % 10
	}
	prev := kernels.SetThreads(1)
	defer kernels.SetThreads(prev)
	_, _, ref := lossAndGrads(sp, x, y, false)
	for _, n := range []int{2, 3} {
		kernels.SetThreads(n)
		_, _, g := lossAndGrads(sp, x, y, false)
		if fmt.Sprint(g) != fmt.Sprint(ref) {
			t.Fatalf("%d threads: gradients differ from 1 thread", n)
		}
	}
	sh, ps := sp.Shadow()
	_, _, g := lossAndGrads(sh, x, y, false)
	if fmt.Sprint(g) != fmt.Sprint(ref) {
		t.Fatal("shadow gradients differ")
	}
	for i, p := range sp.Params() {
		if &ps[i].Data[0] != &p.Data[0] || &ps[i].Grad[0] == &p.Grad[0] {
			t.Fatalf("shadow parameter %s: values not shared or gradient shared", p.Name)
		}
	}
	if s := sp.String(); s != "300-400(networks.LIFCell)-10(networks.LIFCell)" {
		t.Errorf("String %q", s)
	}
}

// A JIT projection in a network: its forward pass equals the dense matrix
// the generator implies, and the gradients of its weight-rule parameters
// match finite differences (through a non-spiking leaky-integrator layer).
func TestJITProjFeedForward(t *testing.T) {
	for _, kind := range []kernels.WeightKind{kernels.Homogeneous, kernels.Uniform, kernels.Normal} {
		init := []float32{0.3}
		if kind != kernels.Homogeneous {
			init = []float32{-0.2, 0.6}
		}
		j := NewJITProj("fc", 12, 7, 0.4, 11, kind, init, true)
		j.B.Data[2] = 0.5
		net := &FeedForward{Blocks: []Block{{Name: "o", Conn: j, Cell: LICell{snn.LI{Beta: 0.8}}}}}
		r := rand.New(rand.NewPCG(6, 6))
		x := tensor.Zeros(3, 12)
		for i := range x.Data {
			x.Data[i] = r.Float32()
		}
		m := j.M
		m.Weight.A = init[0]
		if len(init) == 2 {
			m.Weight.B = init[1]
		}
		d := make([]float32, 12*7)
		m.Materialize(d)
		dn := &FeedForward{Blocks: []Block{{Name: "o", Proj: &Dense{W: tensor.New([]int{12, 7}, d), B: j.B}, Cell: LICell{snn.LI{Beta: 0.8}}}}}
		a := net.Run(nil, Input{Static: x}, 4).Out()[3]
		b := dn.Run(nil, Input{Static: x}, 4).Out()[3]
		for i := range a.Data {
			if math.Abs(float64(a.Data[i]-b.Data[i])) > 1e-5 {
				t.Fatalf("kind %d: output %d: %v, dense %v", kind, i, a.Data[i], b.Data[i])
			}
		}
		err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
			return net.Run(tp, Input{Static: x}, 4).Out()[3]
		}, j.W, j.B)
		if err != nil {
			t.Errorf("kind %d: %v", kind, err)
		}
	}
}
