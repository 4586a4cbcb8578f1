package networks

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/internal/golden"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// The feed-forward builder with static-input hoisting and event-driven
// hidden projections reproduces PyTorch's reference losses and gradients.
func TestFeedForwardGolden(t *testing.T) {
	for _, name := range golden.Files(t, "ff_lif_*.json") {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
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
			tp := tensor.NewTape()
			tr := net.Run(tp, Input{Static: tensor.New([]int{g.Batch, nin}, g.X)}, g.Steps)
			for step := range g.Steps {
				var n float64
				for _, s := range []*tensor.Tensor{tr.Spikes[0][step], tr.Spikes[1][step]} {
					for _, v := range s.Data {
						n += float64(v)
					}
				}
				if n != g.SpikesPerStep[step] {
					t.Fatalf("step %d: %v spikes, reference %v", step, n, g.SpikesPerStep[step])
				}
			}
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
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func toF64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// Truncated BPTT with a window covering the whole run equals full BPTT, and
// shorter windows drop exactly the cross-window terms (so differ).
func TestRunFromWindows(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	net := &FeedForward{Blocks: []Block{
		{Proj: NewDense("a", 20, 30, true, r), Cell: LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		{Proj: NewDense("b", 30, 4, true, r), Cell: LICell{LI: snn.LI{Beta: 0.8}}},
	}}
	x := tensor.Zeros(5, 20)
	for i := range x.Data {
		x.Data[i] = 2 * r.Float32()
	}
	y := []int{0, 1, 2, 3, 0}
	grads := func(window int) []float32 {
		for _, p := range net.Params() {
			p.Grad = nil
		}
		var st State
		for t0 := 0; t0 < 12; t0 += window {
			tp := tensor.NewTape()
			tr, next := net.RunFrom(tp, Input{Static: x}, st, t0, min(t0+window, 12))
			tp.Backward(losses.CEMembrane(tp, tr.Out(), y))
			st = next.Detach()
		}
		return append([]float32(nil), net.Blocks[0].Proj.W.Grad...)
	}
	full, whole, cut := grads(12), grads(12), grads(4)
	same, differ := true, false
	for i := range full {
		same = same && full[i] == whole[i]
		differ = differ || math.Abs(float64(full[i]-cut[i])) > 1e-6
	}
	if !same || !differ {
		t.Fatalf("window 12 reproducible: %v; window 4 differs: %v", same, differ)
	}
}

func TestNewDenseInit(t *testing.T) {
	d := NewDense("fc", 100, 50, true, rand.New(rand.NewPCG(1, 1)))
	k := float32(0.1)
	for _, v := range append(d.W.Data, d.B.Data...) {
		if v < -k || v > k {
			t.Fatalf("init value %v outside ±1/√in", v)
		}
	}
	if d.In() != 100 || d.Out() != 50 || len(d.Params()) != 2 || d.W.Name != "fc.weight" {
		t.Fatalf("dense %v %v", d.W.Shape, d.W.Name)
	}
}
