package trainer

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/networks"
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
// spike-count regularizers, truncated BPTT, a non-spiking readout, and
// batches that are not a multiple of Shards (the last one partial).
func TestClassifyThreadsBitIdentical(t *testing.T) {
	type config struct {
		name string
		set  func(c *Classify)
		li   bool
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
	}
	train := func(cfg config) ([][]float32, []Epoch) {
		r := rand.New(rand.NewPCG(7, 7))
		var out networks.Cell = networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}
		if cfg.li {
			out = networks.LICell{LI: snn.LI{Beta: 0.9}}
		}
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 64, 40, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, LearnBeta: snn.NewLearnBeta("beta", 40, 0.9)}}},
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
