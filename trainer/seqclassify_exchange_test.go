package trainer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
)

// seqExchangeData is a small randman set: 3 classes, 6 channels, 20 steps,
// 20 samples per class.
func seqExchangeData(t *testing.T, binary bool) *events.Binned {
	t.Helper()
	gen := events.NewRandman(events.RandmanConfig{Classes: 3, Units: 6, Steps: 20, DimManifold: 1, SamplesPerClass: 20, Seed: 42})
	b, err := events.Bin(gen, gen.Sensor(), events.BinSpec{Steps: 20, Duration: 20 * events.StepMicros, Binary: binary}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Training a SeqClassify on R in-process ranks that exchange their shares'
// results gives every rank the parameters and epochs of one process, to
// the bit: a recurrent synaptic network with a max-over-time readout, a
// spiking readout decoded by counts with the L1 regularizer, more shares
// than the default, one share (the network's own gradients travel), and a
// final partial batch of fewer shares than ranks (a rank computes none).
func TestSeqClassifyShardExchangeBitIdentical(t *testing.T) {
	type config struct {
		name   string
		count  bool // spiking readout, count decode, L1
		binary bool
		bs     int
		set    func(c *SeqClassify)
		sizes  []int // ranks (nil: 2, 3, 8)
	}
	configs := []config{
		{name: "max-binary", binary: true, bs: 16, set: func(c *SeqClassify) {}},
		{name: "count-l1", count: true, bs: 16, set: func(c *SeqClassify) { c.L1 = 1e-3 }},
		// 60 samples in batches of 28, 28 and 4: the last has 4 shares, so
		// on 8 ranks four compute none.
		{name: "partial-batch", binary: true, bs: 28, set: func(c *SeqClassify) { c.DropLast = false }},
		{name: "12-shares", binary: true, bs: 16, sizes: []int{5, 12}, set: func(c *SeqClassify) { c.Workers = 12 }},
		{name: "one-share", binary: true, bs: 16, sizes: []int{2}, set: func(c *SeqClassify) { c.Workers = 1 }},
	}
	train := func(cfg config, ex ShardExchange) ([][]float32, []Epoch) {
		data := seqExchangeData(t, cfg.binary)
		r := rand.New(rand.NewPCG(3, 4))
		sg := surrogate.FastSigmoid{Slope: 100}
		lif := snn.LIF{Beta: 0.9, Threshold: 1, Reset: snn.ResetZeroLegacy, Surrogate: sg}
		syn := networks.SynapticCell{Synaptic: snn.Synaptic{Alpha: 0.8, LIF: lif}}
		var out networks.Cell = networks.CubaLICell{Alpha: 0.8, LI: snn.LI{Beta: 0.9}}
		decode := "max"
		if cfg.count {
			out, decode = networks.LIFCell{LIF: lif}, "count"
		}
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Name: "hidden1", Proj: networks.NewDenseKaiming("fc1", 6, 24, false, 8, r),
				Cell: networks.RecurrentCell{Cell: syn, W: networks.NewDenseKaiming("rec1", 24, 24, false, 2, r).W}},
			{Name: "output", Proj: networks.NewDenseKaiming("fc2", 24, 3, true, 8, r), Cell: out},
		}}
		c := &SeqClassify{Net: net, Data: data, BatchSize: cfg.bs, Shuffle: true, DropLast: true, Seed: 9,
			Decode: decode, Binary: cfg.binary, Exchange: ex}
		cfg.set(c)
		if err := c.Validate(); err != nil {
			panic(err)
		}
		return trainTwoEpochs(c, net.Params())
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			wantH := sameOnRanks(t, cfg.sizes, func(ex ShardExchange) ([][]float32, []Epoch) { return train(cfg, ex) })
			// The run must have learned something, or equal bits say little.
			if wantH[0].TrainLoss == wantH[1].TrainLoss {
				t.Fatalf("the loss did not change between epochs (%v)", wantH[0].TrainLoss)
			}
		})
	}
}

// The L2 regularizer squares the whole batch's spike counts, so a batch
// cannot be shared among processes with it.
func TestSeqClassifyExchangeRefusesL2(t *testing.T) {
	data := seqExchangeData(t, true)
	r := rand.New(rand.NewPCG(1, 1))
	net := &networks.FeedForward{Blocks: []networks.Block{
		{Proj: networks.NewDense("fc1", 6, 8, false, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		{Proj: networks.NewDense("fc2", 8, 3, false, r), Cell: networks.LICell{LI: snn.LI{Beta: 0.9}}},
	}}
	c := &SeqClassify{Net: net, Data: data, BatchSize: 8, L2: 1e-3, Exchange: rankEx{newWorld(2), 0}}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "l2") {
		t.Fatalf("Validate with L2 and an Exchange: %v", err)
	}
}
