package trainer

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// adamOpt is the loop's Optimizer over newAdam.
type adamOpt struct {
	ps   []*tensor.Tensor
	step func()
}

func (o adamOpt) Step() error { o.step(); return nil }
func (o adamOpt) ZeroGrad() {
	for _, p := range o.ps {
		p.ZeroGrad()
	}
}

// Training a Classify gives the same parameters and metrics, to the bit,
// at any kernels.Threads() (DESIGN.md, "One definition, many engines":
// results depend on the seed only): static and per-step inputs, the
// spike-count regularizers, truncated BPTT, a non-spiking readout, the
// fused path (a fixed decay makes the network Fusable), and batches that
// are not a multiple of Shards (the last one partial).
func TestClassifyThreadsBitIdentical(t *testing.T) {
	type config struct {
		name  string
		set   func(c *Classify)
		li    bool
		fused bool // a fixed hidden decay: the fused path
	}
	configs := []config{
		{name: "direct", set: func(c *Classify) {}},
		{name: "direct-truncate", set: func(c *Classify) { c.Truncate = 2 }},
		{name: "rate-l1-l2-truncate", set: func(c *Classify) {
			c.Encoder = datasets.Rate{Seed: 3}
			c.L1, c.L2, c.Truncate = 1e-3, 1e-2, 2
		}},
		{name: "direct-l2-li-readout", li: true, set: func(c *Classify) {
			c.L2, c.Loss = 1e-2, "nll_max_membrane"
		}},
		{name: "direct-fused", fused: true, set: func(c *Classify) {}},
		{name: "direct-fused-li-readout", fused: true, li: true, set: func(c *Classify) { c.Loss = "nll_max_membrane" }},
	}
	train := func(cfg config) ([][]float32, []Epoch) {
		r := rand.New(rand.NewPCG(7, 7))
		var out networks.Cell = networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}
		if cfg.li {
			out = networks.LICell{LI: snn.LI{Beta: 0.9}}
		}
		hidden := snn.LIF{Beta: 0.9, LearnBeta: snn.NewLearnBeta("beta", 40, 0.9)}
		if cfg.fused {
			hidden.LearnBeta = nil
		}
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 64, 40, true, r), Cell: networks.LIFCell{LIF: hidden}},
			{Proj: networks.NewDense("b", 40, 10, true, r), Cell: out},
		}}
		const n = 600
		d := &datasets.Images{N: n, Rows: 8, Cols: 8, Classes: 10, Pixels: make([]uint8, n*64), Labels: make([]uint8, n)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(r.IntN(10))
		}
		c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 2}, Steps: 5, BatchSize: 260, Shuffle: true, Seed: 5}
		cfg.set(c)
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if c.Fused() != cfg.fused {
			t.Fatalf("Fused() = %v", c.Fused())
		}
		l := &Loop{Task: c, Optimizer: adamOpt{net.Params(), newAdam(net.Params(), 1e-2)}, Epochs: 2}
		if err := l.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		var ps [][]float32
		for _, p := range net.Params() {
			ps = append(ps, append([]float32(nil), p.Data...))
		}
		return ps, l.History
	}
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			kernels.SetThreads(1)
			want, wantH := train(cfg)
			for _, th := range []int{2, 3, 8} {
				kernels.SetThreads(th)
				got, h := train(cfg)
				for i := range want {
					for j := range want[i] {
						if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
							t.Fatalf("threads %d: parameter %d[%d] is %v, at threads 1 %v", th, i, j, got[i][j], want[i][j])
						}
					}
				}
				for e := range wantH {
					if h[e].TrainLoss != wantH[e].TrainLoss || h[e].TrainAcc != wantH[e].TrainAcc {
						t.Fatalf("threads %d: epoch %d loss %v acc %v, at threads 1 %v %v", th, e+1, h[e].TrainLoss, h[e].TrainAcc, wantH[e].TrainLoss, wantH[e].TrainAcc)
					}
				}
			}
		})
	}
}

// A training step through the fused path gives the general path's loss and
// parameter gradients up to float32 rounding (the first projection's
// included: its gradient reaches it through the projected input's).
func TestClassifyFusedMatchesGeneral(t *testing.T) {
	step := func(noFused bool) (float64, [][]float32) {
		r := rand.New(rand.NewPCG(4, 2))
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 64, 70, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.95}}},
			{Proj: networks.NewDense("b", 70, 10, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.95}}},
		}}
		const n = 100
		d := &datasets.Images{N: n, Rows: 8, Cols: 8, Classes: 10, Pixels: make([]uint8, n*64), Labels: make([]uint8, n)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(r.IntN(10))
		}
		c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 2}, Steps: 12, BatchSize: 50, NoFused: noFused}
		if c.Fused() == noFused {
			t.Fatalf("NoFused %v: Fused() = %v", noFused, c.Fused())
		}
		for _, p := range net.Params() {
			p.ZeroGrad()
		}
		c.Batches(0)
		res, err := c.TrainStep(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var gs [][]float32
		for _, p := range net.Params() {
			gs = append(gs, p.Grad)
		}
		return res.Loss, gs
	}
	lg, gg := step(true)
	lf, gf := step(false)
	if math.Abs(lf-lg) > 1e-5*math.Abs(lg) {
		t.Fatalf("loss %v fused, %v general", lf, lg)
	}
	for i := range gg {
		var scale float64
		for _, v := range gg[i] {
			scale = max(scale, math.Abs(float64(v)))
		}
		if scale == 0 {
			t.Fatalf("parameter %d: zero gradient", i)
		}
		for j, v := range gg[i] {
			if math.Abs(float64(v-gf[i][j])) > 1e-4*scale {
				t.Fatalf("parameter %d[%d]: gradient %v fused, %v general (largest %v)", i, j, gf[i][j], v, scale)
			}
		}
	}
}

// stepOnly hides an optimizer's StepFill: the loop then fills every
// gradient in TrainStep and calls Step.
type stepOnly struct{ o Optimizer }

func (s stepOnly) Step() error { return s.o.Step() }
func (s stepOnly) ZeroGrad()   { s.o.ZeroGrad() }

// Training through the loop with package optim's Adam, whose StepFill
// computes the first projection's weight gradient block by block during
// the step (FillTask), gives the parameters and metrics of filling it in
// TrainStep and stepping, to the bit, at any kernels.Threads().
func TestClassifyFillBitIdentical(t *testing.T) {
	train := func(fill bool, hiddenSize int) ([][]float32, []Epoch) {
		r := rand.New(rand.NewPCG(7, 7))
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 64, hiddenSize, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
			{Proj: networks.NewDense("b", hiddenSize, 10, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		}}
		const n = 600
		d := &datasets.Images{N: n, Rows: 8, Cols: 8, Classes: 10, Pixels: make([]uint8, n*64), Labels: make([]uint8, n)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(r.IntN(10))
		}
		c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 2}, Steps: 5, BatchSize: 260, Shuffle: true, Seed: 5}
		o, err := optim.New(net.Params(), optim.AdamConfig{LR: 1e-2})
		if err != nil {
			t.Fatal(err)
		}
		var opt Optimizer = o
		if !fill {
			opt = stepOnly{o}
		}
		l := &Loop{Task: c, Optimizer: opt, Epochs: 2}
		if err := l.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if fill != (c.unfilled != nil) {
			t.Fatalf("fill %v, but the last step left unfilled %v", fill, c.unfilled != nil)
		}
		var ps [][]float32
		for _, p := range net.Params() {
			ps = append(ps, append([]float32(nil), p.Data...))
		}
		return ps, l.History
	}
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, hidden := range []int{40, 100} {
		kernels.SetThreads(1)
		want, wantH := train(false, hidden)
		for _, th := range []int{1, 2, 3, 8} {
			kernels.SetThreads(th)
			got, h := train(true, hidden)
			for i := range want {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("hidden %d, threads %d: parameter %d[%d] is %v, filled in TrainStep %v", hidden, th, i, j, got[i][j], want[i][j])
					}
				}
			}
			for e := range wantH {
				if h[e].TrainLoss != wantH[e].TrainLoss || h[e].TrainAcc != wantH[e].TrainAcc {
					t.Fatalf("hidden %d, threads %d: epoch %d differs", hidden, th, e+1)
				}
			}
		}
	}
}

// The loop leaves the gradient that the task's fill will overwrite
// (WillFill) as it is and clears the others; with the fill off, or an
// optimizer without StepFill, it clears them all. (That the parameters
// are then the same bits is TestClassifyFillBitIdentical.)
func TestLoopLeavesFilledGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	net := &networks.FeedForward{Blocks: []networks.Block{
		{Proj: networks.NewDense("a", 16, 20, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		{Proj: networks.NewDense("b", 20, 4, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
	}}
	d := &datasets.Images{N: 8, Rows: 4, Cols: 4, Classes: 4, Pixels: make([]uint8, 8*16), Labels: make([]uint8, 8)}
	c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 1}, Steps: 3, BatchSize: 8}
	o, err := optim.New(net.Params(), optim.AdamConfig{LR: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	w := net.Blocks[0].Proj.W
	for _, tc := range []struct {
		name string
		opt  Optimizer
		fill bool
		kept bool
	}{
		{"fill", o, true, true},
		{"fill off", o, false, false},
		{"no StepFill", stepOnly{o}, true, false},
	} {
		for _, p := range net.Params() {
			p.ZeroGrad()
			kernels.Fill(p.Grad, 7)
		}
		c.SetFill(tc.fill)
		l := &Loop{Task: c, Optimizer: tc.opt}
		l.zeroGrad()
		for _, p := range net.Params() {
			want := float32(0)
			if p == w && tc.kept {
				want = 7
			}
			for _, v := range p.Grad {
				if v != want {
					t.Fatalf("%s: %s's gradient holds %v, want %v", tc.name, p.Name, v, want)
				}
			}
		}
	}
}
