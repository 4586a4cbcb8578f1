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
	cell := func() Cell { return LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1, Surrogate: fn}} }
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
	if s := sp.String(); s != "300-400(snn.LIFCell)-10(snn.LIFCell)" {
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
		net := &FeedForward{Blocks: []Block{{Name: "o", Conn: j, Cell: LICell{LI: snn.LI{Beta: 0.8}}}}}
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
		dn := &FeedForward{Blocks: []Block{{Name: "o", Proj: &Dense{W: tensor.New([]int{12, 7}, d), B: j.B}, Cell: LICell{LI: snn.LI{Beta: 0.8}}}}}
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

// An RSNN with sparse recurrent weights (RecP) runs and trains as the same
// network with a dense Rec holding the sparse matrix (zeros off the
// structure), under Dale's law and without self-connections.
func TestRSNNSparseRecMatchesDense(t *testing.T) {
	for _, neuron := range Neurons {
		t.Run(neuron, func(t *testing.T) {
			mk := func() *RSNN {
				net := NewRSNN("rsnn", RSNNConfig{Inputs: 4, Units: 30, Outputs: 2, Neuron: neuron, Inhibitory: 6, NoSelf: true, InitScale: 2, RecP: 0.3, RecSeed: 8}, rand.New(rand.NewPCG(9, 9)))
				ref := testRSNN(neuron, 0) // neuron parameters for 6 units: rebuild them for 30
				net.BinaryInput, net.InBeta, net.OutBeta = true, 0.9, 0.8
				net.LIF, net.ALIF, net.Cell, net.Gain = ref.LIF, ref.ALIF, ref.Cell, ref.Gain
				g := ref.GIF
				g.Tau2, g.A1, g.A2 = make([]float32, 30), make([]float32, 30), make([]float32, 30)
				for i := range 30 {
					g.Tau2[i], g.A1[i], g.A2[i] = 100+10*float32(i), float32(i%2), -0.6
				}
				net.GIF = g
				return net
			}
			sp := mk()
			if sp.RecSparse == nil || sp.Rec != nil || sp.Units() != 30 {
				t.Fatal("RecP did not make the recurrent weights sparse")
			}
			for i := 0; i < 30; i++ {
				for _, c := range sp.RecSparse.Conn.Col[sp.RecSparse.Conn.Ptr[i]:sp.RecSparse.Conn.Ptr[i+1]] {
					if int(c) == i {
						t.Fatal("self-connection in the structure under NoSelf")
					}
				}
			}
			de := mk()
			de.Rec = tensor.NewParam("rsnn.rec.weight", []int{30, 30}, sp.RecSparse.Dense())
			de.RecSparse = nil
			tp := tensor.NewTape()
			ys := runSeq(tp, sp, 3, 12, true, 0)
			tp.Backward(tp.Sum(tp.Square(ys)))
			td := tensor.NewTape()
			yd := runSeq(td, de, 3, 12, true, 0)
			td.Backward(td.Sum(td.Square(yd)))
			for i := range ys.Data {
				if math.Abs(float64(ys.Data[i]-yd.Data[i])) > 1e-4*(1+math.Abs(float64(yd.Data[i]))) {
					t.Fatalf("output %d: sparse %v, dense %v", i, ys.Data[i], yd.Data[i])
				}
			}
			c, g := sp.RecSparse.Conn, sp.RecSparse.W.Grad
			nonzero := 0
			for i := 0; i < 30; i++ {
				for k := c.Ptr[i]; k < c.Ptr[i+1]; k++ {
					want := de.Rec.Grad[i*30+int(c.Col[k])]
					if math.Abs(float64(g[k]-want)) > 1e-4*(1+math.Abs(float64(want))) {
						t.Fatalf("rec gradient (%d,%d): sparse %v, dense %v", i, c.Col[k], g[k], want)
					}
					if g[k] != 0 {
						nonzero++
					}
				}
			}
			if nonzero == 0 {
				t.Fatal("no recurrent gradient: the network is silent")
			}
			if _, err := sp.NewRun(2); err == nil {
				t.Error("NewRun accepted sparse recurrent weights")
			}
		})
	}
}

// Block delays against a naive loop: the delayed block sees the previous
// layer's spikes of Delay steps earlier (zeros first), through the same
// ops, so outputs and gradients are the same bits.
func TestBlockDelayNaive(t *testing.T) {
	fn, err := surrogate.New("atan", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, delay := range []int{0, 1, 3} {
		r := rand.New(rand.NewPCG(12, 12))
		s1 := NewSparse("fc1", 16, 24, SparseConfig{P: 0.5, Seed: 1, Bias: true}, r)
		d2 := NewDense("fc2", 24, 3, true, r)
		c1 := LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1, Surrogate: fn}}
		c2 := LICell{LI: snn.LI{Beta: 0.8}}
		net := &FeedForward{Blocks: []Block{{Name: "h", Conn: s1, Cell: c1}, {Name: "o", Proj: d2, Cell: c2, Delay: delay}}}
		x := tensor.Zeros(4, 16)
		for i := range x.Data {
			x.Data[i] = 3 * r.Float32()
		}
		const steps = 8
		grads := func() [][]float32 {
			var g [][]float32
			for _, p := range net.Params() {
				g = append(g, append([]float32(nil), p.Grad...))
				p.Grad = nil
			}
			return g
		}
		tp := tensor.NewTape()
		tr := net.Run(tp, Input{Static: x}, steps)
		out := tp.Stack(tr.Out())
		tp.Backward(tp.Sum(tp.Square(out)))
		got, gotGrads := append([]float32(nil), out.Data...), grads()
		// Naive: the hidden layer for every step, then the readout on the
		// hidden spikes shifted by delay.
		tq := tensor.NewTape()
		first := s1.Forward(tq, x)
		st1, st2 := c1.Init(tq, 4, 24), c2.Init(tq, 4, 3)
		var spikes, outs []*tensor.Tensor
		var zero *tensor.Tensor
		for step := 0; step < steps; step++ {
			var s *tensor.Tensor
			st1, s, _ = c1.Step(tq, st1, first)
			spikes = append(spikes, s)
			var cur *tensor.Tensor
			if step >= delay {
				cur = d2.ForwardSpikes(tq, spikes[step-delay])
			} else {
				if zero == nil { // the projection of no input, once
					zero = d2.Forward(tq, tensor.Zeros(4, 24))
				}
				cur = zero
			}
			var m *tensor.Tensor
			st2, _, m = c2.Step(tq, st2, cur)
			outs = append(outs, m)
		}
		o := tq.Stack(outs)
		tq.Backward(tq.Sum(tq.Square(o)))
		if fmt.Sprint(o.Data) != fmt.Sprint(got) {
			t.Fatalf("delay %d: outputs differ from the naive loop", delay)
		}
		if want := grads(); fmt.Sprint(want) != fmt.Sprint(gotGrads) {
			t.Fatalf("delay %d: gradients differ from the naive loop", delay)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("RunFrom from step 2 with a delay did not panic")
		}
	}()
	net := &FeedForward{Blocks: []Block{{Proj: NewDense("a", 2, 2, false, rand.New(rand.NewPCG(1, 1))), Cell: LICell{LI: snn.LI{Beta: 0.5}}, Delay: 1}}}
	net.RunFrom(nil, Input{Static: tensor.Zeros(1, 2)}, nil, 2, 4)
}

// NewSparse: the structure has about P·in·out entries, the same seed gives
// the same structure, and both initializations have the scale of the
// expected fan-in.
func TestNewSparseInit(t *testing.T) {
	for _, scale := range []float64{0, 2} {
		s := NewSparse("fc", 400, 300, SparseConfig{P: 0.1, Seed: 3, Bias: true, InitScale: scale}, rand.New(rand.NewPCG(1, 1)))
		if n := s.Conn.NNZ(); math.Abs(float64(n)-12000) > 500 {
			t.Fatalf("%d entries, want about 12000", n)
		}
		if err := s.Conn.Validate(); err != nil {
			t.Fatal(err)
		}
		var sum2 float64
		for _, v := range s.W.Data {
			sum2 += float64(v) * float64(v)
		}
		std := math.Sqrt(sum2 / float64(len(s.W.Data)))
		want := 1 / math.Sqrt(3*40.0) // uniform ±1/√40
		if scale > 0 {
			want = math.Sqrt(scale / 40)
		}
		if math.Abs(std-want) > 0.05*want {
			t.Errorf("init scale %v: std %v, want %v", scale, std, want)
		}
		for _, v := range s.B.Data {
			if (scale > 0 && v != 0) || math.Abs(float64(v)) > 1/math.Sqrt(40) {
				t.Fatalf("init scale %v: bias %v", scale, v)
			}
		}
		o := NewSparse("fc", 400, 300, SparseConfig{P: 0.1, Seed: 3}, rand.New(rand.NewPCG(2, 2)))
		if fmt.Sprint(o.Conn.Ptr, o.Conn.Col) != fmt.Sprint(s.Conn.Ptr, s.Conn.Col) {
			t.Fatal("same seed, different structure")
		}
	}
}
