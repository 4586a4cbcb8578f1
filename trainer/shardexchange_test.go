package trainer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// world is an in-process stand-in for an MPI job: ranks are goroutines
// that exchange shard buffers through shared slots, with a barrier
// between writing and reading.
type world struct {
	size  int
	mu    sync.Mutex
	cond  *sync.Cond
	count int
	gen   int
	slots [][]float32
	calls []int // Exchange calls per rank
}

func newWorld(size int) *world {
	w := &world{size: size, calls: make([]int, size)}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *world) barrier() {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.gen
	w.count++
	if w.count == w.size {
		w.count, w.gen = 0, w.gen+1
		w.cond.Broadcast()
		return
	}
	for g == w.gen {
		w.cond.Wait()
	}
}

type rankEx struct {
	w    *world
	rank int
}

func (r rankEx) Own(s int) (int, int) { return r.rank * s / r.w.size, (r.rank + 1) * s / r.w.size }

func (r rankEx) Exchange(bufs [][]float32) {
	lo, hi := r.Own(len(bufs))
	r.w.mu.Lock()
	for len(r.w.slots) < len(bufs) {
		r.w.slots = append(r.w.slots, nil)
	}
	for s := lo; s < hi; s++ {
		r.w.slots[s] = append([]float32(nil), bufs[s]...)
	}
	r.w.calls[r.rank]++
	r.w.mu.Unlock()
	r.w.barrier()
	for s := range bufs {
		if s < lo || s >= hi {
			bufs[s] = append(bufs[s][:0], r.w.slots[s]...)
		}
	}
	r.w.barrier()
}

// Training a Classify on R in-process ranks that exchange shard results
// gives every rank the parameters and metrics of one process, to the bit:
// static and per-step inputs, truncated BPTT, the L1 and L2 regularizers
// (whose batch-wide counts are exchanged between windows), a non-spiking
// readout, and batches with empty shards.
func TestClassifyShardExchangeBitIdentical(t *testing.T) {
	type config struct {
		name  string
		set   func(c *Classify)
		li    bool
		n, bs int
		sizes []int // ranks (nil: 2, 3, 8)
	}
	configs := []config{
		{name: "direct", n: 300, bs: 130, set: func(c *Classify) {}},
		{name: "direct-truncate", n: 300, bs: 130, set: func(c *Classify) { c.Truncate = 2 }},
		{name: "rate-l1-l2-truncate", n: 300, bs: 130, set: func(c *Classify) {
			c.Encoder = datasets.Rate{Seed: 3}
			c.L1, c.L2, c.Truncate = 1e-3, 1e-2, 2
		}},
		{name: "direct-l2-li-readout", li: true, n: 300, bs: 130, set: func(c *Classify) {
			c.L2, c.Loss = 1e-2, "nll_max_membrane"
		}},
		{name: "empty-shards", n: 40, bs: 5, set: func(c *Classify) { c.L2 = 1e-2 }},
		{name: "12-shards", n: 300, bs: 130, sizes: []int{5, 12}, set: func(c *Classify) { c.NumShards = 12 }},
	}
	train := func(cfg config, ex ShardExchange) ([][]float32, []Epoch) {
		r := rand.New(rand.NewPCG(7, 7))
		var out networks.Cell = networks.LIFCell{LIF: snn.LIF{Beta: 0.9}}
		if cfg.li {
			out = networks.LICell{LI: snn.LI{Beta: 0.9}}
		}
		net := &networks.FeedForward{Blocks: []networks.Block{
			{Proj: networks.NewDense("a", 64, 40, true, r), Cell: networks.LIFCell{LIF: snn.LIF{Beta: 0.9, LearnBeta: snn.NewLearnBeta("beta", 40, 0.9)}}},
			{Proj: networks.NewDense("b", 40, 10, true, r), Cell: out},
		}}
		d := &datasets.Images{N: cfg.n, Rows: 8, Cols: 8, Classes: 10, Pixels: make([]uint8, cfg.n*64), Labels: make([]uint8, cfg.n)}
		for i := range d.Pixels {
			d.Pixels[i] = uint8(r.IntN(256))
		}
		for i := range d.Labels {
			d.Labels[i] = uint8(r.IntN(10))
		}
		c := &Classify{Net: net, Data: d, Encoder: datasets.Direct{Gain: 2}, Steps: 5, BatchSize: cfg.bs, Shuffle: true, Seed: 5, Exchange: ex}
		cfg.set(c)
		if err := c.Validate(); err != nil {
			panic(err)
		}
		return trainTwoEpochs(c, net.Params())
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			sameOnRanks(t, cfg.sizes, func(ex ShardExchange) ([][]float32, []Epoch) { return train(cfg, ex) })
		})
	}
}

// trainTwoEpochs trains task for two epochs with Adam (lr 1e-2) on params
// and returns copies of the parameters after it and the epochs' history.
func trainTwoEpochs(task Task, params []*tensor.Tensor) ([][]float32, []Epoch) {
	l := &Loop{Task: task, Optimizer: adamOpt{params, newAdam(params, 1e-2)}, Epochs: 2}
	if err := l.Run(context.Background()); err != nil {
		panic(err)
	}
	var ps [][]float32
	for _, p := range params {
		ps = append(ps, append([]float32(nil), p.Data...))
	}
	return ps, l.History
}

// sameOnRanks trains once in one process, then on every number of ranks
// in sizes (nil: 2, 3 and 8), each rank a goroutine exchanging through an
// in-process world, and fails unless every rank ends with the one
// process's parameter bits and epoch losses, accuracies and sample counts
// and an exchange took place. It returns the one process's history.
func sameOnRanks(t *testing.T, sizes []int, train func(ShardExchange) ([][]float32, []Epoch)) []Epoch {
	t.Helper()
	want, wantH := train(nil)
	if sizes == nil {
		sizes = []int{2, 3, 8}
	}
	for _, size := range sizes {
		w := newWorld(size)
		got := make([][][]float32, size)
		hist := make([][]Epoch, size)
		var wg sync.WaitGroup
		for rank := range size {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[rank], hist[rank] = train(rankEx{w, rank})
			}()
		}
		wg.Wait()
		for rank := range size {
			if err := sameBits(got[rank], want); err != nil {
				t.Fatalf("%d ranks, rank %d: %v", size, rank, err)
			}
			if len(hist[rank]) != len(wantH) {
				t.Fatalf("%d ranks, rank %d: %d epochs, one process %d", size, rank, len(hist[rank]), len(wantH))
			}
			for e := range wantH {
				h := hist[rank][e]
				if h.TrainLoss != wantH[e].TrainLoss || h.TrainAcc != wantH[e].TrainAcc || h.Samples != wantH[e].Samples {
					t.Fatalf("%d ranks, rank %d: epoch %d loss %v acc %v, one process %v %v", size, rank, e+1, h.TrainLoss, h.TrainAcc, wantH[e].TrainLoss, wantH[e].TrainAcc)
				}
			}
		}
		if w.calls[0] == 0 {
			t.Fatal("no exchange took place")
		}
	}
	return wantH
}

func sameBits(got, want [][]float32) error {
	for i := range want {
		for j := range want[i] {
			if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
				return fmt.Errorf("parameter %d[%d] is %v, in one process %v", i, j, got[i][j], want[i][j])
			}
		}
	}
	return nil
}
