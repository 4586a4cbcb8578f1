package trainer

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
)

// cancelAt is a rate encoder that cancels a context when it is first asked
// for step at, and counts the steps it encodes.
type cancelAt struct {
	datasets.Rate
	at     int
	cancel context.CancelFunc
	steps  *atomic.Int64
}

func (e cancelAt) Encode(dst, x []float32, ids []int, features, t int) {
	e.steps.Add(1)
	if t == e.at {
		e.cancel()
	}
	e.Rate.Encode(dst, x, ids, features, t)
}

// An interrupt inside a long batch stops it between steps: the loop returns
// the context's error during the first batch, after far fewer steps than
// the batch has, and the optimizer does not step.
func TestClassifyInterruptInsideBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	net := &networks.FeedForward{Blocks: []networks.Block{
		{Proj: networks.NewDense("a", 16, 12, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
		{Proj: networks.NewDense("b", 12, 3, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}},
	}}
	const n, steps = 64, 400
	d := &datasets.Images{N: n, Rows: 4, Cols: 4, Classes: 3, Pixels: make([]uint8, n*16), Labels: make([]uint8, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(r.IntN(256))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var encoded atomic.Int64
	c := &Classify{Net: net, Data: d, Encoder: cancelAt{Rate: datasets.Rate{Seed: 1}, at: 10, cancel: cancel, steps: &encoded},
		Steps: steps, BatchSize: n, Seed: 1}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	before := append([]float32(nil), net.Params()[0].Data...)
	stepped := false
	opt := adamOpt{net.Params(), func() { stepped = true }}
	err := (&Loop{Task: c, Optimizer: opt, Epochs: 1}).Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	// Every shard stops at its next step once the context is cancelled; a
	// batch runs Shards × steps encoder calls uninterrupted.
	if got, full := encoded.Load(), int64(Shards*steps); got >= full/4 {
		t.Errorf("%d of the batch's %d encoded steps ran after the interrupt at step 10", got, full)
	}
	if stepped {
		t.Error("the optimizer stepped on an interrupted batch")
	}
	for i, v := range net.Params()[0].Data {
		if v != before[i] {
			t.Fatal("the parameters changed")
		}
	}
}
