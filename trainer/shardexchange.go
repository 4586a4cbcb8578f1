package trainer

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/tensor"
)

// ShardExchange lets several processes share a batch's shards (data-
// parallel training, e.g. on MPI ranks: kinds' rankShards). Every process
// runs the same batches with the same parameters; each computes only the
// shards it owns, and Exchange hands every process the results of the
// others, which it adds in shard order as one process would: the
// gradients, losses and parameters are the bits of a one-process run of
// the same global batch, whatever the number of processes (DESIGN.md, "One
// definition, many engines").
type ShardExchange interface {
	// Own returns the shards [lo, hi) of s that this process computes
	// (processes own contiguous runs, in process order; every shard has
	// one owner).
	Own(s int) (lo, hi int)
	// Exchange fills bufs[k] for every shard k this process does not own
	// with the owner's bufs[k] (whatever its length; the slice may be
	// replaced), and leaves the owned ones as they are. Every process
	// calls it the same number of times, in the same order.
	Exchange(bufs [][]float32)
}

// ownShards returns the shards [lo, hi) this process computes: all of them
// without an Exchange.
func (c *Classify) ownShards() (lo, hi int) {
	k := c.nShards()
	if c.Exchange == nil {
		return 0, k
	}
	lo, hi = c.Exchange.Own(k)
	if lo < 0 || hi > k || lo >= hi {
		panic("trainer: ShardExchange.Own returned an empty or out-of-range run of shards")
	}
	return lo, hi
}

// owned reports whether this process computes shard s.
func (c *Classify) owned(s int) bool { return s >= c.own0 && s < c.own1 }

// exchangeResults hands the other processes what this one computed of its
// shards, and takes theirs: per nonempty shard, the gradient of its rows
// of the first projection (with a static input: projectBackward then runs
// on the whole batch's), the gradients of the other parameters (shard 0's
// are the parameters' own), its loss (the float64's bits in two float32s),
// its output spike counts and its membrane maxima (with a flag saying
// whether it has them). Everything travels as bits, so the sums that
// follow are those of one process.
func (c *Classify) exchangeResults(n, skip int, static bool) {
	params := c.Net.Params()
	out := c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out()
	h := 0
	if static {
		h = c.Net.Blocks[0].Proj.Out()
	}
	bufs := c.xbufs(c.nShards())
	for s, sh := range c.shards {
		bufs[s] = bufs[s][:0]
		rows := sh.x.Shape[0]
		if !c.owned(s) || rows == 0 {
			continue
		}
		b := bufs[s]
		if static {
			slo, shi := c.shardRange(s, n)
			b = append(b, c.projGrad[slo*h:shi*h]...)
		}
		for _, p := range sh.params[skip:] {
			if p.Grad == nil {
				b = append(b, make([]float32, len(p.Data))...)
			} else {
				b = append(b, p.Grad...)
			}
		}
		bits := math.Float64bits(sh.loss)
		b = append(b, math.Float32frombits(uint32(bits>>32)), math.Float32frombits(uint32(bits)))
		b = append(b, sh.counts...)
		if sh.outMax != nil {
			b = append(b, sh.outMax...)
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		bufs[s] = b
	}
	c.Exchange.Exchange(bufs)
	for s, sh := range c.shards {
		rows := sh.x.Shape[0]
		if c.owned(s) || rows == 0 {
			continue
		}
		b := bufs[s]
		take := func(k int) []float32 {
			if k > len(b) {
				panic("trainer: ShardExchange: a shard's results are shorter than its shape")
			}
			v := b[:k]
			b = b[k:]
			return v
		}
		if static {
			slo, shi := c.shardRange(s, n)
			copy(c.projGrad[slo*h:shi*h], take((shi-slo)*h))
		}
		for i, p := range sh.params[skip:] {
			if s == 0 {
				p = params[skip+i]
			}
			if p.Grad == nil {
				p.ZeroGrad()
			}
			copy(p.Grad, take(len(p.Data)))
		}
		lb := take(2)
		sh.loss = math.Float64frombits(uint64(math.Float32bits(lb[0]))<<32 | uint64(math.Float32bits(lb[1])))
		copy(sh.counts, take(rows*out))
		sh.outMax = nil
		if len(b) == rows*out+1 {
			sh.outMax = append(sh.outMax, take(rows*out)...)
		}
		if len(b) != 1 {
			panic("trainer: ShardExchange: a shard's results do not match its shape")
		}
	}
}

// xbufs returns the exchange's k buffers, kept between steps.
func (c *Classify) xbufs(k int) [][]float32 {
	for len(c.xbuf) < k {
		c.xbuf = append(c.xbuf, nil)
	}
	return c.xbuf[:k]
}

// exchangeCounts hands the other processes the spike counts per neuron of
// this one's shards (the L2 regularizer's, countTotals'), and takes theirs:
// per nonempty shard, the number of layers, their sizes, then the counts.
func (c *Classify) exchangeCounts() {
	bufs := c.xbufs(c.nShards())
	for s, sh := range c.shards {
		bufs[s] = bufs[s][:0]
		if !c.owned(s) || sh.x.Shape[0] == 0 {
			continue
		}
		b := append(bufs[s], float32(len(sh.perNeu)))
		for _, p := range sh.perNeu {
			b = append(b, float32(p.Len()))
		}
		for _, p := range sh.perNeu {
			b = append(b, p.Data...)
		}
		bufs[s] = b
	}
	c.Exchange.Exchange(bufs)
	for s, sh := range c.shards {
		if c.owned(s) || sh.x.Shape[0] == 0 {
			continue
		}
		b := bufs[s]
		if len(b) == 0 || len(b) < 1+int(b[0]) {
			panic("trainer: ShardExchange: a shard's spike counts are malformed")
		}
		layers := int(b[0])
		sizes, data := b[1:1+layers], b[1+layers:]
		sh.perNeu = sh.perNeu[:0]
		for _, k := range sizes {
			n := int(k)
			if n > len(data) {
				panic("trainer: ShardExchange: a shard's spike counts are malformed")
			}
			sh.perNeu = append(sh.perNeu, tensor.New([]int{n}, data[:n]))
			data = data[n:]
		}
	}
}

// ownShares returns the shares [lo, hi) of a batch's nw that this process
// computes: all of them without an Exchange. A process may own none (a
// batch of fewer shares than processes).
func (c *SeqClassify) ownShares(nw int) (lo, hi int) {
	if c.Exchange == nil {
		return 0, nw
	}
	lo, hi = c.Exchange.Own(nw)
	if lo < 0 || hi > nw || lo > hi {
		panic("trainer: ShardExchange.Own returned an out-of-range run of shares")
	}
	return lo, hi
}

// exchangeShares hands the other processes what this one computed of its
// shares [own0, own1) of nw, and takes theirs into the workers of their
// shares: per share, each parameter's gradient behind a flag (1: it has
// one; 0: none, left as it is), the loss (the float64's bits in two
// float32s) and the scores. The sums that follow are then those of one
// process.
func (c *SeqClassify) exchangeShares(n, nw, own0, own1 int) {
	out := c.Net.Blocks[len(c.Net.Blocks)-1].Projection().Out()
	for len(c.xbuf) < nw {
		c.xbuf = append(c.xbuf, nil)
	}
	bufs := c.xbuf[:nw]
	for w := range bufs {
		bufs[w] = bufs[w][:0]
		if w < own0 || w >= own1 {
			continue
		}
		wk := c.workers[w]
		b := bufs[w]
		for _, p := range wk.params {
			if p.Grad == nil {
				b = append(b, 0)
				continue
			}
			b = append(b, 1)
			b = append(b, p.Grad...)
		}
		b = appendFloat64s(b, []float64{wk.loss})
		bufs[w] = append(b, wk.score...)
	}
	c.Exchange.Exchange(bufs)
	for w := range bufs {
		if w >= own0 && w < own1 {
			continue
		}
		wk, b := c.workers[w], bufs[w]
		for _, p := range wk.params {
			if len(b) == 0 {
				panic("trainer: ShardExchange: a share's results are shorter than the parameters")
			}
			has := b[0]
			b = b[1:]
			if has == 0 {
				continue
			}
			if len(b) < len(p.Data) {
				panic("trainer: ShardExchange: a share's results are shorter than the parameters")
			}
			if p.Grad == nil {
				p.ZeroGrad()
			}
			copy(p.Grad, b[:len(p.Data)])
			b = b[len(p.Data):]
		}
		if rows := (w+1)*n/nw - w*n/nw; len(b) != 2+rows*out {
			panic(fmt.Sprintf("trainer: ShardExchange: share %d's results end in %d values, want a loss and %d×%d scores", w, len(b), rows, out))
		}
		wk.loss = float64s(b[:2])[0]
		wk.score = append(wk.score[:0], b[2:]...)
	}
}
