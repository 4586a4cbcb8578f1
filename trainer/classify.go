package trainer

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/braingo/braingo/datasets"
	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/losses"
	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/optim"
	"github.com/braingo/braingo/tensor"
)

// Classify trains a feed-forward spiking network on an image dataset by
// backpropagation through time (full, or truncated to windows of Truncate
// steps with gradients accumulated over the windows of a batch).
type Classify struct {
	Net       *networks.FeedForward
	Data      *datasets.Images
	Encoder   datasets.Encoder
	Steps     int
	BatchSize int
	// Shuffle the training set each epoch with a permutation derived from
	// (Seed, epoch); DropLast skips a final partial batch.
	Shuffle, DropLast bool
	Seed              uint64
	// Loss is one of losses.Names (default "ce_membrane").
	Loss string
	// CorrectRate and IncorrectRate are mse_count's targets.
	CorrectRate, IncorrectRate float64
	// L1 and L2 weight the spike-count regularizers of the hidden layers.
	L1, L2 float32
	// Truncate > 0 backpropagates through windows of that many steps.
	Truncate int
	// Workers is the number of goroutines that run a batch's shards
	// (0: one per kernels.Threads(); at most one per shard and per 32
	// samples). Each takes whole, consecutive shards. Results do not
	// depend on it (see Shards).
	Workers int
	// Exchange shares each batch's shards with other processes (data-
	// parallel training; nil: this process computes them all).
	Exchange ShardExchange
	// NumShards is the number of shards of a batch (0: Shards). The
	// results depend on it; a process owns one shard or more, so it is
	// also the most processes an Exchange can share a batch among.
	NumShards int
	// NoFused turns the fused path off (networks.FeedForward.RunFused:
	// the hidden LIF layer and the readout's current as one op over the
	// whole sequence), which the training steps otherwise take when the
	// input is static, the network is Fusable, the run is not truncated
	// and the spike-count regularizers are off (Fused). The results agree
	// to float32 rounding; the fused path is faster.
	NoFused bool

	ctx    context.Context // SetContext's; nil: never interrupted
	order  []int
	x      []float32
	y      []int
	shards []*shard
	// With a static input the first projection runs once for the whole
	// batch (rows are independent; each worker projects the rows of its
	// shards, on its projTape): tp holds the scaled input xs; projGrad
	// gathers the shards' gradients of the projection, and the
	// projection's parameters get theirs from it in one pass
	// (projectBackward).
	tp        *tensor.Tape
	xs        *tensor.Tensor
	projGrad  []float32
	projTapes []*tensor.Tape // one per worker, holding its rows' projection
	ends      []int
	biasShard []float32
	// totals holds each hidden layer's spike counts per neuron over the
	// batch (the L2 regularizer's), coef its gradient; l2 its value.
	totals, coef [][]float32
	l2           float64
	// The shards [own0, own1) this process computes (ownShards), and the
	// exchange's buffers.
	own0, own1 int
	xbuf       [][]float32
	// fillOn is SetFill's; unfilled is the first projection's weight
	// gradient the last TrainStep left to the optimizer's step (Unfilled).
	fillOn   bool
	unfilled *projFill
	// projSerial is set when the workers project their rows in parallel:
	// each one's product then runs on its own goroutine (projectSerial).
	projSerial bool
	// w2b is the readout weight packed for the fused path, once per batch
	// for all shards (networks.FeedForward.PackFusedReadout).
	w2b []float32
	// fillRows is set when the workers fill their own rows of the batch
	// (projectRows) instead of TrainStep; ids is the batch's samples.
	fillRows bool
	ids      []int
	// counts and outMax gather the shards' outputs at the end of a step
	// (kept for the next).
	counts, outMax []float32
}

// Shards is the number of shards a training batch is split into (unless
// Classify.NumShards says otherwise), whatever the number of goroutines
// (DESIGN.md, "One definition, many engines"): shard s holds the batch's
// samples [s·n/Shards, (s+1)·n/Shards) (integer division: shards differ by
// at most one sample, and some are empty when n < Shards). Each shard runs
// forward and backward on its own, with its loss scaled by its share of the
// batch; shard 0's gradient accumulates into the parameters' own (which
// the loop clears before each step), and the other shards' gradients, each
// computed from zero, are added to it in shard order, as are the losses
// and predictions. A goroutine takes whole
// shards, so gradients, losses and the parameters after training are the
// same bits for any Workers and kernels.Threads() (the kernels' results do
// not depend on the thread count either).
//
// With a static input (direct encoding) the first projection is computed
// once per batch, each worker projecting the rows of its shards in one
// product: rows are independent, so each shard's rows are the bits the
// shard would compute on its own. Each shard's backward pass leaves
// the gradient G_s of its rows (summed over the windows of a truncated
// run); the projection's weight gradient Σ_s X_sᵀ·G_s then takes one pass
// over the weight (kernels.GemmSegments, the shards as segments, added in
// shard order) instead of a product, a buffer and an addition per shard,
// and its bias gradient adds the shards' column sums in order.
//
// Batch-wide terms stay exact: the L1 spike-count regularizer is a sum over
// samples, so each shard adds its own part; the L2 one, λ/N·Σ_i C_i² with
// C_i neuron i's spike count over the batch, needs the whole batch's
// counts, so with L2 the shards run each window's forward pass, the counts
// are summed (spike counts are integers: the float32 sums are exact in any
// order below 2^24), and each shard then backpropagates the gradient of the
// whole batch's regularizer, 2·C_i·λ/N, through its own spikes.
const Shards = 8

// shardRange is the samples [lo, hi) of shard s of a batch of n.
func (c *Classify) shardRange(s, n int) (lo, hi int) {
	k := c.nShards()
	return s * n / k, (s + 1) * n / k
}

// nShards is the number of shards of a batch: NumShards, or Shards.
func (c *Classify) nShards() int {
	if c.NumShards > 0 {
		return c.NumShards
	}
	return Shards
}

// shard is one shard of a batch: a tape and a network whose parameters
// share values with the trained one but not gradients (shard 0 uses the
// trained network itself: its gradient goes straight into the parameters',
// and the other shards' are added to it in order).
type shard struct {
	tp     *tensor.Tape
	net    *networks.FeedForward
	params []*tensor.Tensor
	loss   float64
	counts []float32
	outMax []float32

	x     *tensor.Tensor
	proj  *tensor.Tensor // its rows of the first projection (static input; set by projectRows)
	y     []int
	ids   []int
	frac  float32
	state networks.State
	// The window in flight between forward and backward.
	tr     *networks.Trace
	next   networks.State
	l      *tensor.Tensor
	perNeu []*tensor.Tensor // hidden layers' spike counts per neuron (L2)
}

// Validate checks the configuration.
func (c *Classify) Validate() error {
	switch {
	case c.Net == nil || len(c.Net.Blocks) == 0:
		return fmt.Errorf("classify: no network")
	case c.Data == nil || c.Data.N == 0:
		return fmt.Errorf("classify: no training data")
	case c.Steps < 1:
		return fmt.Errorf("classify: steps must be at least 1, got %d", c.Steps)
	case c.BatchSize < 1:
		return fmt.Errorf("classify: batch_size must be at least 1, got %d", c.BatchSize)
	case c.Loss != "" && !losses.Valid(c.Loss):
		return fmt.Errorf("classify: unknown loss %q (valid: %v)", c.Loss, losses.Names)
	case c.Net.Blocks[0].Projection().In() != c.Data.Features():
		return fmt.Errorf("classify: network input size %d does not match the %d features of %s", c.Net.Blocks[0].Projection().In(), c.Data.Features(), c.Data.Name)
	case c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out() < c.Data.Classes:
		return fmt.Errorf("classify: network has %d outputs for %d classes", c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out(), c.Data.Classes)
	}
	return nil
}

func (c *Classify) Batches(epoch int) int {
	c.order = datasets.Order(c.Data.N, c.Shuffle, c.Seed, epoch)
	return datasets.NumBatches(c.Data.N, c.BatchSize, c.DropLast)
}

// input prepares a batch's input for the network.
func input(tp *tensor.Tape, enc datasets.Encoder, x *tensor.Tensor, ids []int) networks.Input {
	return inputOn(tp, tp, enc, x, ids)
}

// inputOn is input with what lasts the whole batch (the static input, the
// latency codes) on tp and the per-step inputs on stepTp (Evaluate resets
// stepTp between windows of steps).
func inputOn(tp, stepTp *tensor.Tape, enc datasets.Encoder, x *tensor.Tensor, ids []int) networks.Input {
	if s, ok := enc.(datasets.StaticEncoder); ok && s.Static() {
		st := x
		if d, ok := enc.(datasets.Direct); ok && d.Gain != 0 && d.Gain != 1 {
			st = tp.Scale(x, d.Gain)
		}
		return networks.Input{Static: st}
	}
	f := x.Shape[1]
	if fs, ok := enc.(datasets.FirstSpikeEncoder); ok {
		// Latency codes: each feature's firing step, computed once.
		at := tp.AllocInt32(len(x.Data))
		for i, v := range x.Data {
			at[i] = int32(fs.SpikeStep(v))
		}
		return networks.Input{Binary: true, Step: func(t int) *tensor.Tensor {
			out := stepTp.NewResult(x.Shape)
			for i, s := range at {
				out.Data[i] = 0
				if s == int32(t) {
					out.Data[i] = 1
				}
			}
			return out
		}}
	}
	return networks.Input{Binary: enc.Binary(), Step: func(t int) *tensor.Tensor {
		out := stepTp.NewResult(x.Shape)
		enc.Encode(out.Data, x.Data, ids, f, t)
		return out
	}}
}

func (c *Classify) TrainStep(epoch, b int) (StepResult, error) {
	lo := b * c.BatchSize
	ids := c.order[lo:min(lo+c.BatchSize, len(c.order))]
	n, f := len(ids), c.Data.Features()
	if cap(c.x) < n*f {
		c.x, c.y = make([]float32, n*f), make([]int, n)
	}
	c.x, c.y = c.x[:n*f], c.y[:n]
	c.ensureShards()
	c.own0, c.own1 = c.ownShards()
	c.unfilled = nil
	static := c.static()
	// With a static input that is the images themselves (project reads
	// nothing of them) and every shard computed here, each worker fills
	// its own rows before projecting them (projectRows); else the batch is
	// filled here.
	c.fillRows = static && c.Exchange == nil && c.staticIsImages()
	if !c.fillRows {
		c.Data.Fill(c.x, c.y, ids)
	}
	c.ids = ids
	// The first projection's parameters, the first of Params, get their
	// gradients from projectBackward with a static input.
	skip := 0
	if static {
		skip = len(c.Net.Blocks[0].Proj.Params())
		c.project(n, f, ids)
	}
	for s, sh := range c.shards {
		slo, shi := c.shardRange(s, n)
		sh.x = tensor.New([]int{shi - slo, f}, c.x[slo*f:shi*f])
		sh.proj = nil // set by projectRows
		sh.y, sh.ids = c.y[slo:shi], ids[slo:shi]
		sh.frac = float32(shi-slo) / float32(n)
		sh.loss, sh.state, sh.outMax = 0, nil, nil
		sh.counts = make([]float32, (shi-slo)*c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out())
		if s > 0 {
			for _, p := range sh.params[skip:] {
				p.ZeroGrad()
			}
		}
	}
	if c.Fused() {
		c.w2b = c.Net.PackFusedReadout(c.w2b)
	}
	nw := c.numWorkers(n)
	var pre func(w, s0, s1 int)
	if static {
		for len(c.projTapes) < nw {
			c.projTapes = append(c.projTapes, tensor.NewTape())
		}
		pre = c.projectRows
		c.projSerial = nw > 1
	}
	window := c.Steps
	if c.Truncate > 0 {
		window = c.Truncate
	}
	c.l2 = 0
	if c.L2 == 0 {
		// Each worker runs its shards through every window.
		c.each(nw, pre, func(sh *shard) {
			for t0 := 0; t0 < c.Steps; t0 += window {
				t1 := min(t0+window, c.Steps)
				c.forward(sh, t0, t1)
				c.backward(sh, t1)
			}
		})
	} else {
		// The regularizer needs the whole batch's counts before any
		// shard's backward pass: windows run in lockstep.
		for t0 := 0; t0 < c.Steps; t0 += window {
			t1 := min(t0+window, c.Steps)
			c.each(nw, pre, func(sh *shard) { c.forward(sh, t0, t1) })
			pre = nil
			if c.Exchange != nil && !c.stopped() {
				c.exchangeCounts()
			}
			c.countTotals()
			c.each(nw, nil, func(sh *shard) { c.backward(sh, t1) })
		}
	}
	if c.stopped() {
		return StepResult{}, c.ctx.Err()
	}
	if c.Exchange != nil {
		c.exchangeResults(n, skip, static)
	}
	// Add the shards' gradients into the parameters and their losses and
	// outputs, in shard order.
	params := c.Net.Params()
	var srcs [][]float32
	for i, p := range params {
		if i < skip {
			continue
		}
		srcs = srcs[:0]
		for _, sh := range c.shards[1:] {
			if sh.x.Shape[0] > 0 {
				srcs = append(srcs, sh.params[i].Grad)
			}
		}
		if len(srcs) == 0 {
			continue
		}
		if p.Grad == nil {
			p.ZeroGrad()
		}
		addInOrder(p.Grad, srcs)
	}
	if static {
		c.projectBackward(n)
		if c.unfilled == nil {
			// (Else the weight gradient's fill reads xs: project resets
			// the tape before the next batch.)
			c.tp.Reset()
		}
		for _, tp := range c.projTapes {
			tp.Reset()
		}
	}
	var lossSum float64
	counts, outMax := c.counts[:0], c.outMax[:0]
	for _, sh := range c.shards {
		lossSum += sh.loss
		counts = append(counts, sh.counts...)
		outMax = append(outMax, sh.outMax...)
	}
	c.counts, c.outMax = counts, outMax
	lossSum += c.l2
	if len(outMax) != len(counts) {
		outMax = nil
	}
	return StepResult{Loss: lossSum, Correct: countCorrect(counts, outMax, c.y), Samples: n}, nil
}

func (c *Classify) numWorkers(n int) int {
	w := c.Workers
	if w <= 0 {
		w = kernels.Threads()
	}
	return max(1, min(w, c.own1-c.own0, n/32))
}

func (c *Classify) ensureShards() {
	for len(c.shards) < c.nShards() {
		sh := &shard{tp: tensor.NewTape()}
		if len(c.shards) == 0 {
			sh.net, sh.params = c.Net, c.Net.Params()
		} else {
			sh.net, sh.params = c.Net.Shadow()
		}
		c.shards = append(c.shards, sh)
	}
}

// each calls fn for every nonempty shard this process owns, the shards
// split into nw runs of consecutive shards, one goroutine each. With pre,
// each goroutine w first calls pre(w, s0, s1) for its run of shards
// [s0, s1). A goroutine that has done its own run takes shards from the
// end of another's run whose pre is done (a goroutine whose thread the
// machine holds up leaves them to the others): every shard's result is the
// same whichever goroutine computes it.
func (c *Classify) each(nw int, pre func(w, s0, s1 int), fn func(*shard)) {
	k := c.own1 - c.own0
	bounds := func(w int) (int, int) { return c.own0 + w*k/nw, c.own0 + (w+1)*k/nw }
	if nw == 1 {
		s0, s1 := bounds(0)
		if pre != nil {
			pre(0, s0, s1)
		}
		for _, sh := range c.shards[s0:s1] {
			if sh.x.Shape[0] > 0 {
				fn(sh)
			}
		}
		return
	}
	// runs[w] holds the shards of run w not yet taken; ready[w] is set once
	// pre(w, …) is done.
	runs := make([]kernels.Claims, nw)
	ready := make([]atomic.Bool, nw)
	for w := range nw {
		runs[w].Set(bounds(w))
	}
	drain := func(w int, back bool) {
		for {
			s, ok := runs[w].Take(back)
			if !ok {
				return
			}
			if sh := c.shards[s]; sh.x.Shape[0] > 0 {
				fn(sh)
			}
		}
	}
	run := func(w int) {
		if pre != nil {
			s0, s1 := bounds(w)
			pre(w, s0, s1)
		}
		ready[w].Store(true)
		drain(w, false)
		for d := 1; d < nw; d++ {
			if o := (w + d) % nw; ready[o].Load() {
				drain(o, true)
			}
		}
	}
	var wg sync.WaitGroup
	wg.Add(nw - 1)
	for w := 1; w < nw; w++ {
		go func() { defer wg.Done(); run(w) }()
	}
	run(0)
	wg.Wait()
}

// staticIsImages reports whether the static input is the batch's images
// themselves (input's Static: any static encoder but a Direct one with a
// gain, which scales them).
func (c *Classify) staticIsImages() bool {
	d, ok := c.Encoder.(datasets.Direct)
	return !ok || d.Gain == 0 || d.Gain == 1
}

// static reports whether the encoder presents the same input at every step
// and the first projection is dense, so that it is computed once per batch
// (a sparse or JIT first layer runs at every step).
func (c *Classify) static() bool {
	s, ok := c.Encoder.(datasets.StaticEncoder)
	return ok && s.Static() && c.Net.Blocks[0].Proj != nil && c.Net.Blocks[0].Conn == nil
}

// project prepares the batch's static input (xs) and the buffers of its
// first projection (computed by projectRows) and of its gradient (cleared).
func (c *Classify) project(n, f int, ids []int) {
	if c.tp == nil {
		c.tp = tensor.NewTape()
	}
	c.tp.Reset()
	c.tp.NoGrad(func() {
		c.xs = input(c.tp, c.Encoder, tensor.New([]int{n, f}, c.x), ids).Static
	})
	h := c.Net.Blocks[0].Proj.Out()
	if cap(c.projGrad) < n*h {
		c.projGrad = make([]float32, n*h)
	}
	c.projGrad = c.projGrad[:n*h]
	clear(c.projGrad)
}

// projectRows computes, as worker w, the first projection of the samples
// of shards [s0, s1) in one product without gradients (each row on its
// own: the bits do not depend on which rows are projected together), and
// hands each shard its rows as a leaf whose gradient goes to projGrad.
func (c *Classify) projectRows(w, s0, s1 int) {
	tp, d := c.projTapes[w], c.Net.Blocks[0].Proj
	f, h := d.In(), d.Out()
	n := c.xs.Shape[0]
	lo, _ := c.shardRange(s0, n)
	_, hi := c.shardRange(s1-1, n)
	if hi == lo {
		return
	}
	if c.fillRows {
		c.Data.Fill(c.x[lo*f:hi*f], c.y[lo:hi], c.ids[lo:hi])
	}
	x := c.xs.Data[lo*f : hi*f]
	var y *tensor.Tensor
	if c.projSerial {
		y = projectSerial(tp, d, hi-lo, x)
	} else {
		tp.NoGrad(func() { y = d.Forward(tp, tensor.New([]int{hi - lo, f}, x)) })
	}
	for s := s0; s < s1; s++ {
		slo, shi := c.shardRange(s, n)
		sh := c.shards[s]
		sh.proj = tensor.New([]int{shi - slo, h}, y.Data[(slo-lo)*h:(shi-lo)*h]).SetRequiresGrad(true)
		sh.proj.Grad = c.projGrad[slo*h : shi*h]
	}
}

// projectSerial is d.Forward on the n rows x without gradients, to the
// bit, with the product on the calling goroutine (kernels.GemmSerial: the
// other workers keep the other threads busy) and the bias added in place
// (Tape.Add's float32 additions). The product runs on the rows padded
// with zeros to a multiple of projRowTile, which the GEMM's register tiles
// then cover whole (a partial tile goes through a copy; each row's bits do
// not depend on the rows beside it).
func projectSerial(tp *tensor.Tape, d *networks.Dense, n int, x []float32) *tensor.Tensor {
	f, h := d.In(), d.Out()
	var y *tensor.Tensor
	tp.NoGrad(func() {
		np := (n + projRowTile - 1) / projRowTile * projRowTile
		if np > n {
			xp := tp.Alloc(np * f)
			copy(xp, x[:n*f])
			clear(xp[n*f:])
			x = xp
		}
		yp := tp.Alloc(np * h)
		kernels.GemmSerial(false, false, np, h, f, 1, x, f, d.W.Data, h, 0, yp, h)
		y = tensor.New([]int{n, h}, yp[:n*h])
		if d.B != nil {
			for r := range n {
				kernels.AddTo(y.Data[r*h:(r+1)*h], d.B.Data)
			}
		}
		if d.Gain != 0 && d.Gain != 1 {
			y = tp.Scale(y, d.Gain)
		}
	})
	return y
}

// projRowTile is a multiple of the rows of the GEMM's register tiles (12
// and, for a last panel, 6 with AVX-512; 6 with AVX2; 4 in Go is not): 64
// rows are padded to 66, five 12-row tiles and one of 6, not to 72.
const projRowTile = 6

// projectBackward adds the first projection's parameter gradients from
// the gradient of its output gathered from the shards: per shard Gᵀ·X and
// the column sums of G (G through the projection's gain), added in shard
// order; the weight's in one pass over it (kernels.GemmSegments with the
// shards as segments).
func (c *Classify) projectBackward(n int) {
	d := c.Net.Blocks[0].Proj
	f, h := d.In(), d.Out()
	g := c.projGrad
	if d.Gain != 0 && d.Gain != 1 {
		for i := range g {
			g[i] *= d.Gain
		}
	}
	if d.B != nil && d.B.RequiresGrad() {
		if d.B.Grad == nil {
			d.B.ZeroGrad()
		}
		if len(c.biasShard) != h {
			c.biasShard = make([]float32, h)
		}
		for s := range c.nShards() {
			lo, hi := c.shardRange(s, n)
			if hi > lo {
				clear(c.biasShard)
				kernels.AddColSums(c.biasShard, g[lo*h:hi*h], hi-lo, h)
				kernels.AddTo(d.B.Grad, c.biasShard)
			}
		}
	}
	if d.W.RequiresGrad() {
		if d.W.Grad == nil {
			d.W.ZeroGrad()
		}
		c.ends = c.ends[:0]
		for s := range c.nShards() {
			_, hi := c.shardRange(s, n)
			c.ends = append(c.ends, hi)
		}
		pf := &projFill{x: c.xs.Data, g: g, dw: d.W.Grad, ends: c.ends, f: f, h: h}
		if c.fillOn {
			// The fill clears each block just before adding into it, in
			// cache (the loop does not clear this gradient: WillFill).
			pf.clear = true
			c.unfilled = pf
			return
		}
		pf.Fill(0, f*h)
	}
}

// projFill computes the first projection's weight gradient, dW += Xᵀ·G
// with the shards as segments (kernels.GemmSegments), by blocks of rows of
// dW: each element's sum is the same whichever rows are computed together
// (Gemm's blocking of the sum depends on its length only).
type projFill struct {
	x, g, dw []float32 // X (n×f), G (n×h), dW (f×h)
	ends     []int
	f, h     int
	clear    bool // clear each block (in cache) before adding into it: the fill overwrites dW
}

// projFillRows is the rows of dW per block: a multiple of the GEMM's 12-row
// tile whose product (24×h×n for a hidden layer of 1,000 and a batch of
// 128) stays below the size at which Gemm starts goroutines.
const projFillRows = 24

// Grain is the elements of a block of projFillRows rows.
func (p *projFill) Grain() int { return projFillRows * p.h }

// Fill computes elements [lo, hi) of dW: whole rows (Grain and the whole
// of dW are).
func (p *projFill) Fill(lo, hi int) {
	r0, r1 := lo/p.h, (hi+p.h-1)/p.h
	if r1 > r0 && len(p.ends) > 0 {
		if p.clear {
			clear(p.dw[r0*p.h : r1*p.h])
		}
		kernels.GemmSegments(true, false, r1-r0, p.h, p.ends, 1, p.x[r0:], p.f, p.g, p.h, 1, p.dw[r0*p.h:], p.h)
	}
}

// FillInto computes elements [lo, hi) of dW (whole rows) into dst, cleared
// first, for a step that does not keep the gradient (optim.ScratchFill:
// the loop reads no gradient after the step, and a block in a buffer
// that stays in cache costs no pass over dW's 3 MB in memory).
func (p *projFill) FillInto(dst []float32, lo, hi int) {
	r0, r1 := lo/p.h, (hi+p.h-1)/p.h
	if r1 > r0 && len(p.ends) > 0 {
		dst = dst[:(r1-r0)*p.h]
		clear(dst)
		kernels.GemmSegments(true, false, r1-r0, p.h, p.ends, 1, p.x[r0:], p.f, p.g, p.h, 1, dst, p.h)
	}
}

// Bounded reports whether every element of Xᵀ·G is finite in any order of
// summation: |Σ_k x_ki·g_kj| ≤ Σ_k |x_ki|·|g_kj| ≤ ‖X‖·‖G‖ (Frobenius
// norms, by Cauchy-Schwarz), and so is every partial sum up to rounding;
// the squared norms, summed in float32, must stay below 2^200 (the bound
// then below 2^100, far from float32's 2^128 whatever the rounding). A
// non-finite value in X or G makes its sum non-finite.
func (p *projFill) Bounded() bool {
	n := p.ends[len(p.ends)-1]
	xx := float64(kernels.Dot(p.x[:n*p.f], p.x[:n*p.f]))
	gg := float64(kernels.Dot(p.g[:n*p.h], p.g[:n*p.h]))
	b := xx * gg
	return !math.IsNaN(b) && b < 0x1p200
}

// SetFill lets the next TrainStep leave the first projection's weight
// gradient to the optimizer's step (trainer.FillTask).
func (c *Classify) SetFill(on bool) { c.fillOn = on }

// WillFill returns the first projection's weight when the next TrainStep
// will leave its gradient to the fill (SetFill on, a static input, a
// trained weight), which clears each block before adding into it: the
// loop need not clear it (trainer.FillOverwriter).
func (c *Classify) WillFill() *tensor.Tensor {
	if !c.fillOn || !c.static() {
		return nil
	}
	if w := c.Net.Blocks[0].Proj.W; w.RequiresGrad() {
		return w
	}
	return nil
}

// Unfilled returns the first projection's weight and its gradient's fill
// when the last TrainStep left it to the optimizer's step (with a static
// input and SetFill on), else nil. The fill is an optim.ScratchFill: after
// a StepFill by Adam or AdamW the weight's Grad does not hold the
// gradient (nothing reads it after the step).
func (c *Classify) Unfilled() (*tensor.Tensor, optim.GradFill) {
	if c.unfilled == nil {
		return nil, nil
	}
	return c.Net.Blocks[0].Proj.W, c.unfilled
}

// forward runs steps [t0, t1) of a shard from its state and records the
// window's loss (the L2 regularizer left to backward).
func (c *Classify) forward(sh *shard, t0, t1 int) {
	if c.stopped() {
		return // interrupted: TrainStep returns the context's error
	}
	if sh.proj != nil && t0 == 0 && t1 == c.Steps && c.Fused() {
		sh.tr, sh.next = sh.net.RunFusedPacked(sh.tp, sh.proj, c.Steps, c.stopped, c.w2b), nil
		if sh.tr == nil {
			sh.l = nil // interrupted: backward only resets the tape
			return
		}
		sh.l = c.loss(sh.tp, sh.tr, sh.y, sh.frac)
		sh.loss += float64(sh.l.Item())
		accumulateOutputs(sh.tr, sh.counts, &sh.outMax)
		return
	}
	in := networks.Input{Projected: sh.proj}
	if sh.proj == nil {
		in = input(sh.tp, c.Encoder, sh.x, sh.ids)
	}
	in.Stop = c.stopped
	sh.tr, sh.next = sh.net.RunFrom(sh.tp, in, sh.state, t0, t1)
	sh.l = c.loss(sh.tp, sh.tr, sh.y, sh.frac)
	sh.loss += float64(sh.l.Item())
	accumulateOutputs(sh.tr, sh.counts, &sh.outMax)
	if c.L2 != 0 {
		sh.perNeu = sh.perNeu[:0]
		for i := 0; i < len(sh.tr.Spikes)-1; i++ {
			if sh.tr.Spikes[i][0] != nil {
				sh.perNeu = append(sh.perNeu, sh.tp.SumAxis(losses.Count(sh.tp, sh.tr.Spikes[i]), 0))
			}
		}
	}
}

// Fused reports whether the training steps take the fused path
// (networks.FeedForward.RunFused; docs/fused.md): a static input with a
// dense first layer, a Fusable network, no truncation, no spike-count
// regularizer (they need the hidden spikes as tensors), and NoFused unset.
func (c *Classify) Fused() bool {
	if c.NoFused || c.L1 != 0 || c.L2 != 0 || (c.Truncate > 0 && c.Truncate < c.Steps) || !c.static() {
		return false
	}
	ok, _ := c.Net.Fusable()
	return ok
}

// countTotals sums the shards' spike counts per neuron of each hidden layer
// and sets the L2 regularizer's value and its gradient with respect to the
// counts, 2·C_i·λ/N (the gradient of losses.SpikeCountL2 over the whole
// batch, to the bit).
func (c *Classify) countTotals() {
	first := true
	for _, sh := range c.shards {
		if sh.x.Shape[0] == 0 {
			continue
		}
		if first {
			for len(c.totals) < len(sh.perNeu) {
				c.totals = append(c.totals, nil)
			}
			c.totals = c.totals[:len(sh.perNeu)]
			for l, p := range sh.perNeu {
				if len(c.totals[l]) != p.Len() {
					c.totals[l] = make([]float32, p.Len())
				}
				clear(c.totals[l])
			}
			first = false
		}
		for l, p := range sh.perNeu {
			kernels.AddTo(c.totals[l], p.Data)
		}
	}
	for len(c.coef) < len(c.totals) {
		c.coef = append(c.coef, nil)
	}
	for l, tot := range c.totals {
		scale := c.L2 / float32(len(tot))
		if len(c.coef[l]) != len(tot) {
			c.coef[l] = make([]float32, len(tot))
		}
		var sq float64
		for i, v := range tot {
			sq += float64(v) * float64(v)
			c.coef[l][i] = scale * (2 * v)
		}
		c.l2 += float64(scale) * sq
	}
}

// backward backpropagates a shard's window (with the L2 regularizer's
// gradient, computed by countTotals) and carries its state to step t1.
func (c *Classify) backward(sh *shard, t1 int) {
	if sh.l == nil {
		sh.tp.Reset()
		return // the forward pass did not run (interrupted)
	}
	l := sh.l
	for i, p := range sh.perNeu {
		if c.L2 != 0 {
			l = sh.tp.Add(l, sh.tp.Sum(sh.tp.Mul(p, tensor.New(p.Shape, c.coef[i]))))
		}
	}
	sh.tp.Backward(l)
	if t1 < c.Steps {
		sh.state = sh.next.Detach()
	}
	sh.tp.Reset()
	sh.tr, sh.next, sh.l = nil, nil, nil
	sh.perNeu = sh.perNeu[:0]
}

// loss computes the configured loss over a window, scaled by the shard's
// share of the batch and so that windows of a truncated run add up to the
// full-sequence loss (count-based losses see each window's counts
// separately), plus the L1 spike-count regularizer (a sum over samples,
// unscaled).
func (c *Classify) loss(tp *tensor.Tape, tr *networks.Trace, y []int, frac float32) *tensor.Tensor {
	var l *tensor.Tensor
	switch c.Loss {
	case "", "ce_membrane":
		l = losses.CEMembrane(tp, tr.Out(), y)
	case "ce_rate":
		l = tp.Scale(losses.CEMembrane(tp, tr.OutSpikes(), y), 1/float32(c.Steps))
	case "ce_count":
		l = losses.CECount(tp, tr.OutSpikes(), y)
	case "mse_count":
		l = losses.MSECount(tp, tr.OutSpikes(), y, c.CorrectRate, c.IncorrectRate)
	case "nll_max_membrane":
		l = losses.NLLMaxMembrane(tp, tr.Out(), y)
	default:
		panic("trainer: unknown loss " + c.Loss)
	}
	if frac != 1 {
		l = tp.Scale(l, frac)
	}
	for i := 0; i < len(tr.Spikes)-1; i++ {
		if tr.Spikes[i][0] == nil {
			continue
		}
		if c.L1 != 0 {
			l = tp.Add(l, losses.SpikeCountL1(tp, tr.Spikes[i], c.L1))
		}
	}
	return l
}

// accumulateOutputs adds the output layer's spike counts into counts and,
// for non-spiking outputs, keeps the running maximum of the membrane.
func accumulateOutputs(tr *networks.Trace, counts []float32, outMax *[]float32) {
	for t, s := range tr.OutSpikes() {
		if s != nil {
			for i, v := range s.Data {
				counts[i] += v
			}
			continue
		}
		m := tr.Out()[t].Data
		if *outMax == nil {
			*outMax = append([]float32(nil), m...)
			continue
		}
		for i, v := range m {
			(*outMax)[i] = max((*outMax)[i], v)
		}
	}
}

// predict returns the class of each row: the output neuron with the most
// spikes (first on ties), or with the largest membrane over time when the
// output layer does not spike.
func predict(counts, outMax []float32, rows int) []int {
	score := counts
	if outMax != nil {
		score = outMax
	}
	c := len(score) / rows
	pred := make([]int, rows)
	for r := range pred {
		best := 0
		for j := 1; j < c; j++ {
			if score[r*c+j] > score[r*c+best] {
				best = j
			}
		}
		pred[r] = best
	}
	return pred
}

func countCorrect(counts, outMax []float32, y []int) int {
	n := 0
	for i, p := range predict(counts, outMax, len(y)) {
		if p == y[i] {
			n++
		}
	}
	return n
}

// LayerRate is a layer's mean firing: spikes per neuron per step.
type LayerRate struct {
	Name    string
	Neurons int
	Rate    float64
}

// Evaluation is the result of running a network over a dataset.
type Evaluation struct {
	Pred, Labels []int
	Rates        []LayerRate
	// Spikes are each block's spikes over the whole evaluation (0 for a
	// non-spiking cell); Inputs the nonzero input values fed to the first
	// block, summed over samples and steps, and InputBinary whether they
	// were spikes (else real values). Operation counts derive from them.
	Spikes      []float64
	Inputs      float64
	InputBinary bool
	// Raster holds, for the first RasterSamples samples, each spiking
	// layer's spikes as (step, neuron) pairs: [sample][layer][]{t, i}.
	Raster [][][][2]int
}

// Accuracy is the fraction of correct predictions.
func (e *Evaluation) Accuracy() float64 {
	if len(e.Pred) == 0 {
		return 0
	}
	n := 0
	for i, p := range e.Pred {
		if p == e.Labels[i] {
			n++
		}
	}
	return float64(n) / float64(len(e.Pred))
}

// Evaluate runs net without gradients over data in batches and returns
// predictions, firing rates and a raster of the first rasterSamples samples.
//
// Its memory does not grow with steps: each batch runs in windows of steps
// (EvalWindow) whose tensors are recycled before the next window, the state
// carried across in buffers of Evaluate's own; with a static input and a
// dense first layer the first projection is computed once per batch (the
// same product RunFrom computes, so the same bits). The results are those of
// one run over all steps: windows only cut where the tape is reset.
func Evaluate(net *networks.FeedForward, data *datasets.Images, enc datasets.Encoder, steps, batch, rasterSamples int) *Evaluation {
	return evaluate(net, data, enc, steps, batch, rasterSamples, EvalWindow(net, data.Features(), batch, steps))
}

// evaluate is Evaluate in windows of window steps.
func evaluate(net *networks.FeedForward, data *datasets.Images, enc datasets.Encoder, steps, batch, rasterSamples, window int) *Evaluation {
	tapes := evalTapes.Get().(*[2]*tensor.Tape)
	defer evalTapes.Put(tapes)
	tp, ptp := tapes[0], tapes[1]
	ev := &Evaluation{Labels: make([]int, 0, data.N), Pred: make([]int, 0, data.N)}
	f := data.Features()
	x, y := make([]float32, batch*f), make([]int, batch)
	spikes := make([]float64, len(net.Blocks))
	order := datasets.Order(data.N, false, 0, 0)
	var keep networks.State
	for _, ids := range datasets.Batches(order, batch, false) {
		n := len(ids)
		data.Fill(x[:n*f], y[:n], ids)
		xt := tensor.New([]int{n, f}, x[:n*f])
		counts := make([]float32, n*net.Blocks[len(net.Blocks)-1].Projection().Out())
		var outMax []float32
		var rasters [][][][2]int
		for k := 0; k < n && ids[k] < rasterSamples; k++ {
			rasters = append(rasters, make([][][2]int, len(net.Blocks)))
		}
		ptp.NoGrad(func() {
			// The batch's input lives on ptp, across the windows.
			in := countInputs(inputOn(ptp, tp, enc, xt, ids), steps, &ev.Inputs)
			ev.InputBinary = in.Binary
			if in.Static != nil && window < steps && net.Blocks[0].Proj != nil && net.Blocks[0].Conn == nil {
				in = networks.Input{Projected: net.Blocks[0].Proj.Forward(ptp, in.Static)}
			}
			var st networks.State
			for t0 := 0; t0 < steps; t0 += window {
				t1 := min(t0+window, steps)
				tp.NoGrad(func() {
					var tr *networks.Trace
					tr, st = net.RunFrom(tp, in, st, t0, t1)
					accumulateOutputs(tr, counts, &outMax)
					for l := range net.Blocks {
						for _, s := range tr.Spikes[l] {
							if s == nil {
								break
							}
							// Spikes are 0 or 1: the float32 sum of a
							// step's (fewer than 2^24) is exact.
							spikes[l] += float64(kernels.Sum(s.Data))
						}
					}
					for k := range rasters {
						addRaster(rasters[k], tr, k, t0)
					}
				})
				if t1 < steps {
					// RunFrom replaces the entries of the State it is
					// given: hand it a fresh one over keep's buffers.
					keep = copyState(keep, st)
					st = make(networks.State, len(keep))
					for i, vars := range keep {
						st[i] = append([]*tensor.Tensor(nil), vars...)
					}
				}
				tp.Reset()
			}
		})
		ev.Pred = append(ev.Pred, predict(counts, outMax, n)...)
		ev.Raster = append(ev.Raster, rasters...)
		ev.Labels = append(ev.Labels, y[:n]...)
		ptp.Reset()
	}
	ev.Spikes = spikes
	for l, b := range net.Blocks {
		if b.Cell == nil {
			continue
		}
		name := b.Name
		if name == "" {
			name = fmt.Sprintf("layer%d", l+1)
		}
		ev.Rates = append(ev.Rates, LayerRate{Name: name, Neurons: b.Projection().Out(),
			Rate: spikes[l] / float64(data.N*steps*b.Projection().Out())})
	}
	return ev
}

// countInputs wraps in so that the nonzero values it feeds the network
// over steps steps are added to *n (a static input counts once per step).
func countInputs(in networks.Input, steps int, n *float64) networks.Input {
	if in.Static != nil {
		*n += float64(steps * nonzero(in.Static.Data))
		return in
	}
	step := in.Step
	in.Step = func(t int) *tensor.Tensor {
		x := step(t)
		*n += float64(nonzero(x.Data))
		return x
	}
	return in
}

// nonzero counts the nonzero values of x.
func nonzero(x []float32) int {
	n := 0
	for _, v := range x {
		if v != 0 {
			n++
		}
	}
	return n
}

// evalTapes keeps Evaluate's two tapes (the windows' and the batch's) for
// the next call: a training run evaluates after every epoch, and fresh
// tapes each time left their buffers to the garbage collector, which let
// the heap grow by that much every epoch before it collected.
var evalTapes = sync.Pool{New: func() any { return &[2]*tensor.Tape{tensor.NewTape(), tensor.NewTape()} }}

// EvalWindowBytes is about the most memory one window of Evaluate keeps on
// its tape (the step tensors of a batch; the input's and the first
// projection's come on top, once per batch).
const EvalWindowBytes = 32 << 20

// EvalWindow is the number of steps Evaluate runs per window for a batch of
// batch samples with f input features: as many as fit EvalWindowBytes at
// about 6 tensors per neuron and step plus the step's input (all steps
// when a block has a delay or per-synapse delays: such runs start at step
// 0).
func EvalWindow(net *networks.FeedForward, f, batch, steps int) int {
	per := f
	for _, b := range net.Blocks {
		if _, ok := b.Conn.(networks.HistoryProjection); ok || b.Delay > 0 {
			return max(steps, 1)
		}
		per += 6 * b.Projection().Out()
	}
	w := EvalWindowBytes / max(1, 4*batch*per)
	return max(1, min(w, steps))
}

// copyState copies src into dst's buffers (reallocated when their sizes
// differ) and returns dst: a state that outlives a tape's Reset.
func copyState(dst, src networks.State) networks.State {
	if len(dst) != len(src) {
		dst = make(networks.State, len(src))
	}
	for i, vars := range src {
		if len(dst[i]) != len(vars) {
			dst[i] = make([]*tensor.Tensor, len(vars))
		}
		for j, v := range vars {
			d := dst[i][j]
			if d == nil || len(d.Data) != len(v.Data) {
				d = tensor.Zeros(v.Shape...)
				dst[i][j] = d
			}
			d.Shape = append(d.Shape[:0], v.Shape...)
			copy(d.Data, v.Data)
		}
	}
	return dst
}

// addRaster appends sample row's spikes of the steps in tr, which start at
// step t0, to out ([layer][]{t, i}).
func addRaster(out [][][2]int, tr *networks.Trace, row, t0 int) {
	for l, steps := range tr.Spikes {
		for t, s := range steps {
			if s == nil {
				break
			}
			n := s.Shape[1]
			for i, v := range s.Data[row*n : (row+1)*n] {
				if v != 0 {
					out[l] = append(out[l], [2]int{t0 + t, i})
				}
			}
		}
	}
}

func raster(tr *networks.Trace, row int) [][][2]int {
	out := make([][][2]int, len(tr.Spikes))
	addRaster(out, tr, row, 0)
	return out
}

// addInOrder adds srcs[0], srcs[1], ... into dst in that order (dst +=
// srcs[0], then dst += srcs[1], ...), block by block so that dst stays in
// cache; large ones are split between goroutines by element, so the result
// does not depend on the split.
func addInOrder(dst []float32, srcs [][]float32) {
	const block, grain = 1 << 11, 1 << 15
	run := func(lo, hi int) {
		for b := lo; b < hi; b += block {
			e := min(b+block, hi)
			for _, g := range srcs {
				kernels.AddTo(dst[b:e], g[b:e])
			}
		}
	}
	if len(dst) < 2*grain {
		run(0, len(dst))
		return
	}
	kernels.Parallel(len(dst), grain, run)
}

// SetContext makes TrainStep stop inside a batch, between steps, once ctx
// is cancelled (trainer.ContextTask).
func (c *Classify) SetContext(ctx context.Context) { c.ctx = ctx }

// stopped reports whether the run's context is cancelled.
func (c *Classify) stopped() bool { return c.ctx != nil && c.ctx.Err() != nil }
