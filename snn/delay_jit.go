package snn

import (
	"github.com/braingo/braingo/kernels"
)

// DelayedJITConn is a JIT connectivity (the columns [Lo, Hi) of M,
// renumbered from 0) with a delay on every synapse that, like the
// connections, is never stored: synapse (i, j) (j a column of M) has the
// delay SynapseDelay(Seed, i, j, Span) steps. It acts as the
// DelayedCSRConn of the same matrix and delays (tested bit for bit):
// arrivals wait in a ring of Span post-sized accumulators, and the
// projection calls DeliverDelayed every step. Memory: Span·(Hi−Lo) floats.
type DelayedJITConn struct {
	M      kernels.JIT
	Lo, Hi int
	Seed   uint64
	Span   int // delays lie in [0, Span)

	ring [][]float32
	cur  int
}

// NewDelayedJITConn returns the columns [lo, hi) of m with delays in
// [0, span) steps drawn from seed.
func NewDelayedJITConn(m kernels.JIT, lo, hi int, seed uint64, span int) *DelayedJITConn {
	r := make([][]float32, max(1, span))
	for i := range r {
		r[i] = make([]float32, hi-lo)
	}
	return &DelayedJITConn{M: m, Lo: lo, Hi: hi, Seed: seed, Span: max(1, span), ring: r}
}

// SynapseDelay is the delay in [0, span) steps of the synapse from
// pre-neuron i to column j: a hash of (seed, i, j), so the same on every
// rank and for every storage.
func SynapseDelay(seed uint64, i, j, span int) int {
	h := splitmix(seed ^ 0xde1a75<<40 ^ uint64(i)<<32 ^ uint64(j))
	return int((h >> 32) * uint64(span) >> 32)
}

func (c *DelayedJITConn) Shape() (int, int) { return c.M.Rows, c.Hi - c.Lo }

// Synapses returns the expected number of connections, as JITConn.
func (c *DelayedJITConn) Synapses() int64 {
	return int64(float64(c.M.Rows)*float64(c.Hi-c.Lo)*min(max(c.M.P, 0), 1) + 0.5)
}

// Scatter is DeliverDelayed: it advances the ring by one step.
func (c *DelayedJITConn) Scatter(dst []float32, active []int32) { c.DeliverDelayed(dst, active) }

// DeliverDelayed regenerates the rows of the active pre-neurons, adds each
// synapse's weight into the slot of its arrival step, adds to dst what
// arrives now and advances one step (DelayedCSRConn.DeliverDelayed's loop).
func (c *DelayedJITConn) DeliverDelayed(dst []float32, active []int32) {
	L := len(c.ring)
	for _, i := range active {
		r := c.M.RowRange(int(i), c.Lo, c.Hi)
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			c.ring[(c.cur+SynapseDelay(c.Seed, int(i), j, c.Span))%L][j-c.Lo] += w
		}
	}
	now := c.ring[c.cur]
	kernels.AddTo(dst[:c.Hi-c.Lo], now)
	clear(now)
	c.cur = (c.cur + 1) % L
}
