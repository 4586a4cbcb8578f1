package networks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/golden"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// fusedNet is a random Fusable network: in → h LIF (subtract, atan) → k
// outputs of the given readout cell.
func fusedNet(r *rand.Rand, in, h, k int, readout Cell, bias bool) *FeedForward {
	return &FeedForward{Blocks: []Block{
		{Name: "hidden", Proj: NewDense("fc1", in, h, bias, r), Cell: LIFCell{LIF: snn.LIF{Beta: 0.95, Threshold: 1}}},
		{Name: "out", Proj: NewDense("fc2", h, k, bias, r), Cell: readout},
	}}
}

// fusedRun runs net on x through the projected input (general path, or the
// fused op), sums ce_membrane over the steps, backpropagates and returns
// the trace, the loss and the gradients of the projected input, W2 and b2.
func fusedRun(net *FeedForward, x *tensor.Tensor, y []int, steps int, fused bool) (*Trace, float32, [][]float32) {
	tp := tensor.NewTape()
	var proj *tensor.Tensor
	tp.NoGrad(func() { proj = net.Blocks[0].Proj.Forward(tp, x) })
	p := tensor.New(proj.Shape, append([]float32(nil), proj.Data...)).SetRequiresGrad(true)
	for _, q := range net.Params() {
		q.Grad = nil
	}
	var tr *Trace
	if fused {
		tr = net.RunFused(tp, p, steps, nil)
	} else {
		tr, _ = net.RunFrom(tp, Input{Projected: p}, nil, 0, steps)
	}
	l := losses.CEMembrane(tp, tr.Out(), y)
	tp.Backward(l)
	d2 := net.Blocks[1].Proj
	grads := [][]float32{p.Grad, d2.W.Grad}
	if d2.B != nil {
		grads = append(grads, d2.B.Grad)
	}
	return tr, l.Item(), grads
}

// The fused op gives the general path's readout spikes, and its readout
// membranes, loss and gradients up to float32 rounding, on random
// networks of several sizes (partial blocks, narrow and 16-wide readouts,
// LIF and LI readouts, with and without biases).
func TestRunFusedMatchesRunFrom(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 3))
	cases := []struct {
		in, h, k, batch, steps int
		readout                Cell
		bias                   bool
	}{
		{12, 16, 10, 4, 7, LIFCell{LIF: snn.LIF{Beta: 0.95}}, true},
		{12, 5, 3, 3, 9, LIFCell{LIF: snn.LIF{Beta: 0.9}}, true},
		{30, 37, 10, 5, 25, LIFCell{LIF: snn.LIF{Beta: 0.95}}, false},
		{20, 100, 10, 8, 25, LICell{LI: snn.LI{Beta: 0.9}}, true},
		{50, 1000, 10, 6, 25, LIFCell{LIF: snn.LIF{Beta: 0.95}}, true},
		{9, 33, 2, 2, 1, LIFCell{LIF: snn.LIF{Beta: 0.95}}, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("h%d_k%d_b%d_t%d_%T", c.h, c.k, c.batch, c.steps, c.readout), func(t *testing.T) {
			net := fusedNet(r, c.in, c.h, c.k, c.readout, c.bias)
			if ok, why := net.Fusable(); !ok {
				t.Fatal(why)
			}
			x := tensor.Zeros(c.batch, c.in)
			for i := range x.Data {
				x.Data[i] = 3 * r.Float32() // enough drive for the hidden layer to spike
			}
			y := make([]int, c.batch)
			for i := range y {
				y[i] = r.IntN(c.k)
			}
			trG, lG, gG := fusedRun(net, x, y, c.steps, false)
			trF, lF, gF := fusedRun(net, x, y, c.steps, true)
			var hidden float64
			for _, s := range trG.Spikes[0] {
				for _, v := range s.Data {
					hidden += float64(v)
				}
			}
			if hidden == 0 {
				t.Fatal("the hidden layer never fires: the case tests nothing")
			}
			// The hidden spikes are the one LIF step's (kernels' tests); the
			// readout's current sums the same rows in another order, so its
			// membranes agree to float32 rounding and its spikes exactly.
			for step := range c.steps {
				mg, mf := trG.Mem[1][step], trF.Mem[1][step]
				for i, v := range mg.Data {
					if d := math.Abs(float64(v - mf.Data[i])); d > 1e-5*(1+math.Abs(float64(v))) {
						t.Fatalf("step %d: membrane[%d] fused %v, general %v", step, i, mf.Data[i], v)
					}
				}
				sg, sf := trG.Spikes[1][step], trF.Spikes[1][step]
				if (sg == nil) != (sf == nil) {
					t.Fatalf("step %d: spikes %v fused, %v general", step, sf, sg)
				}
				if sg != nil {
					for i, v := range sg.Data {
						if v != sf.Data[i] {
							t.Fatalf("step %d: spike[%d] fused %v, general %v", step, i, sf.Data[i], v)
						}
					}
				}
			}
			if d := math.Abs(float64(lG - lF)); d > 1e-5*math.Abs(float64(lG)) {
				t.Fatalf("loss %v fused, %v general", lF, lG)
			}
			for q, name := range []string{"projected input", "W2", "b2"}[:len(gG)] {
				var scale float64
				for _, v := range gG[q] {
					scale = max(scale, math.Abs(float64(v)))
				}
				if scale == 0 {
					t.Fatalf("%s: zero gradient", name)
				}
				for i, v := range gG[q] {
					if d := math.Abs(float64(v - gF[q][i])); d > 1e-5*scale {
						t.Fatalf("%s[%d]: fused %v, general %v (largest %v)", name, i, gF[q][i], v, scale)
					}
				}
			}
		})
	}
}

// The readout's weight and bias gradients through the fused op against
// central finite differences (they involve no surrogate: a small change
// of W2 or b2 moves no hidden spike).
func TestRunFusedFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	net := fusedNet(r, 10, 21, 4, LICell{LI: snn.LI{Beta: 0.9}}, true)
	x := tensor.Zeros(3, 10)
	for i := range x.Data {
		x.Data[i] = 3 * r.Float32()
	}
	var proj *tensor.Tensor
	tensor.NewTape().NoGrad(func() { proj = net.Blocks[0].Proj.Forward(nil, x) })
	y := []int{0, 3, 1}
	d2 := net.Blocks[1].Proj
	err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		return losses.CEMembrane(tp, net.RunFused(tp, proj, 6, nil).Out(), y)
	}, d2.W, d2.B)
	if err != nil {
		t.Fatal(err)
	}
}

// The fused path against PyTorch's reference losses and gradients (the
// golden cases it applies to: subtract reset, atan surrogate), the first
// projection's gradient carried through the projected input.
func TestRunFusedGolden(t *testing.T) {
	ran := 0
	for _, name := range golden.Files(t, "ff_lif_*.json") {
		var g golden.LIFCase
		golden.Load(t, name, &g)
		reset, _ := snn.ParseReset(g.Reset)
		fn, err := surrogate.New(g.Surrogate, nil)
		if err != nil {
			t.Fatal(err)
		}
		nin, nh, nout := g.Sizes[0], g.Sizes[1], g.Sizes[2]
		d1 := &Dense{W: tensor.NewParam("W1", []int{nin, nh}, golden.Transpose(g.W1, nh, nin)), B: tensor.NewParam("b1", []int{nh}, g.B1)}
		d2 := &Dense{W: tensor.NewParam("W2", []int{nh, nout}, golden.Transpose(g.W2, nout, nh)), B: tensor.NewParam("b2", []int{nout}, g.B2)}
		net := &FeedForward{Blocks: []Block{
			{Proj: d1, Cell: LIFCell{LIF: snn.LIF{Beta: g.Betas()[0], Threshold: g.Threshold, Reset: reset, Surrogate: fn}}},
			{Proj: d2, Cell: LIFCell{LIF: snn.LIF{Beta: g.Betas()[1], Threshold: g.Threshold, Reset: reset, Surrogate: fn}}},
		}}
		if ok, _ := net.Fusable(); !ok {
			continue
		}
		ran++
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			tp := tensor.NewTape()
			proj := d1.Forward(tp, tensor.New([]int{g.Batch, nin}, g.X))
			tr := net.RunFused(tp, proj, g.Steps, nil)
			loss := losses.CEMembrane(tp, tr.Out(), g.Y)
			if d := math.Abs(float64(loss.Item())-g.Loss) / g.Loss; d > 1e-4 {
				t.Fatalf("loss %v, reference %v", loss.Item(), g.Loss)
			}
			tp.Backward(loss)
			golden.Close(t, "grad_W1ᵀ", d1.W.Grad, toF64(golden.Transpose(toF32(g.GradW1), nh, nin)), 1e-4)
			golden.Close(t, "grad_b1", d1.B.Grad, g.GradB1, 1e-4)
			golden.Close(t, "grad_W2ᵀ", d2.W.Grad, toF64(golden.Transpose(toF32(g.GradW2), nout, nh)), 1e-4)
			golden.Close(t, "grad_b2", d2.B.Grad, g.GradB2, 1e-4)
		})
	}
	if ran == 0 {
		t.Fatal("no golden case fits the fused path")
	}
}

// Fusable refuses every network the fused op does not compute.
func TestFusableRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	base := func() *FeedForward { return fusedNet(r, 4, 8, 3, LIFCell{LIF: snn.LIF{Beta: 0.9}}, true) }
	cases := map[string]func(n *FeedForward){
		"three blocks": func(n *FeedForward) {
			n.Blocks = append(n.Blocks, Block{Proj: NewDense("x", 3, 2, true, r), Cell: LICell{}})
		},
		"ALIF hidden": func(n *FeedForward) { n.Blocks[0].Cell = ALIFCell{ALIF: snn.ALIF{Beta: 0.9}} },
		"zero reset": func(n *FeedForward) {
			n.Blocks[0].Cell = LIFCell{LIF: snn.LIF{Beta: 0.9, Reset: snn.ResetZero}}
		},
		"fast sigmoid": func(n *FeedForward) {
			n.Blocks[0].Cell = LIFCell{LIF: snn.LIF{Beta: 0.9, Surrogate: surrogate.FastSigmoid{}}}
		},
		"learned decay": func(n *FeedForward) {
			n.Blocks[0].Cell = LIFCell{LIF: snn.LIF{Beta: 0.9, LearnBeta: snn.NewLearnBeta("b", 8, 0.9)}}
		},
		"wide readout": func(n *FeedForward) { n.Blocks[1].Proj = NewDense("w", 8, 11, true, r) },
		"negative threshold": func(n *FeedForward) {
			n.Blocks[0].Cell = LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: -1}}
		},
		"readout gain": func(n *FeedForward) { n.Blocks[1].Proj.Gain = 0.5 },
		"delay":        func(n *FeedForward) { n.Blocks[1].Delay = 1 },
	}
	if ok, why := base().Fusable(); !ok {
		t.Fatal(why)
	}
	for name, edit := range cases {
		n := base()
		edit(n)
		if ok, _ := n.Fusable(); ok {
			t.Errorf("%s: Fusable", name)
		}
	}
}

// RunFused asks stop before each sample and returns nil, recording no
// gradient, once it says true; a stop that never says true changes nothing.
func TestRunFusedStop(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	net := fusedNet(r, 12, 20, 4, LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1}}, true)
	proj := tensor.New([]int{5, 20}, make([]float32, 100))
	for i := range proj.Data {
		proj.Data[i] = r.Float32()
	}
	calls := 0
	tp := tensor.NewTape()
	if tr := net.RunFused(tp, proj, 7, func() bool { calls++; return calls == 3 }); tr != nil || calls != 3 {
		t.Fatalf("stop true at the third sample: trace %v after %d calls; want nil after 3", tr, calls)
	}
	want := net.RunFused(tensor.NewTape(), proj, 7, nil)
	got := net.RunFused(tensor.NewTape(), proj, 7, func() bool { return false })
	for s := range want.Out() {
		if !slices.Equal(got.Out()[s].Data, want.Out()[s].Data) {
			t.Fatalf("step %d: a stop that never says true changed the readout", s)
		}
	}
}

// RunFusedPacked with the readout packed beforehand (PackFusedReadout, into
// a reused buffer) gives RunFused's readout and gradients bit for bit;
// a packed readout of the wrong size panics.
func TestRunFusedPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2))
	net := fusedNet(r, 12, 37, 5, LIFCell{LIF: snn.LIF{Beta: 0.9, Threshold: 1}}, true)
	proj := tensor.New([]int{6, 37}, make([]float32, 6*37))
	for i := range proj.Data {
		proj.Data[i] = 2 * r.Float32()
	}
	y := []int{0, 1, 2, 3, 4, 0}
	run := func(w2b []float32) (*Trace, [][]float32) {
		tp := tensor.NewTape()
		p := tensor.New(proj.Shape, append([]float32(nil), proj.Data...)).SetRequiresGrad(true)
		for _, q := range net.Params() {
			q.Grad = nil
		}
		tr := net.RunFusedPacked(tp, p, 8, nil, w2b)
		tp.Backward(losses.CEMembrane(tp, tr.Out(), y))
		d2 := net.Blocks[1].Proj
		return tr, [][]float32{p.Grad, d2.W.Grad, d2.B.Grad}
	}
	want, wg := run(nil)
	buf := make([]float32, 3, 1000) // reused: PackFusedReadout overwrites it
	for i := range buf[:cap(buf)] {
		buf[:cap(buf)][i] = float32(math.NaN())
	}
	got, gg := run(net.PackFusedReadout(buf))
	for s := range want.Out() {
		if !slices.Equal(got.Out()[s].Data, want.Out()[s].Data) || !slices.Equal(got.OutSpikes()[s].Data, want.OutSpikes()[s].Data) {
			t.Fatalf("step %d: the pre-packed readout changed the outputs", s)
		}
	}
	for i := range wg {
		if !slices.Equal(gg[i], wg[i]) {
			t.Fatalf("gradient %d differs with the pre-packed readout", i)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "packed readout") {
			t.Fatalf("a packed readout of the wrong size: panic %v", r)
		}
	}()
	run(make([]float32, 7))
}
