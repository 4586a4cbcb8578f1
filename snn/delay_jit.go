package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// DelayedJITConn is a JIT connectivity (never stored) with a delay on
// every synapse, also never stored: synapse i → j waits
//
//	D(i, j) = DMin + ⌊u·(DMax − DMin + 1)⌋ steps,  u = SynapseUniform(DelaySeed, i, j),
//
// a hash of the pair, so the delay of a synapse is the same whichever rows
// are regenerated and on whichever rank holds post-neuron j (a rank's
// columns [Lo, Hi), as JITConn). A spike delivered at step t reaches j at
// step t + D(i, j). Arrivals wait in a ring of DMax+1 accumulators over the
// conn's post-neurons, as DelayedCSRConn's; the sum arriving in one step is
// taken in delivery-step order, then active order, then column order, and
// equals DelayedCSRConn's on the materialized matrix and delays, bit for
// bit (TestDelayedJITConnMatchesCSR). Memory: (DMax+1)·post floats.
type DelayedJITConn struct {
	JITConn
	DMin, DMax int
	DelaySeed  uint64

	ring [][]float32
	cur  int
}

// NewDelayedJITConn returns c with per-synapse delays uniform over the
// whole steps DMin … DMax, drawn from seed.
func NewDelayedJITConn(c *JITConn, dmin, dmax int, seed uint64) (*DelayedJITConn, error) {
	if dmin < 0 || dmax < dmin || dmax > 1<<16 {
		return nil, fmt.Errorf("snn: per-synapse delays from %d to %d steps (need 0 ≤ min ≤ max ≤ 65536)", dmin, dmax)
	}
	_, post := c.Shape()
	r := make([][]float32, dmax+1)
	for i := range r {
		r[i] = make([]float32, post)
	}
	return &DelayedJITConn{JITConn: JITConn{M: c.M, Lo: c.Lo, Hi: c.Hi}, DMin: dmin, DMax: dmax, DelaySeed: seed, ring: r}, nil
}

// Delay returns the delay in steps of synapse i → j (j a column of M).
func (c *DelayedJITConn) Delay(i, j int) int {
	if c.DMax == c.DMin {
		return c.DMin
	}
	return c.DMin + int(SynapseUniform(c.DelaySeed, i, j)*float64(c.DMax-c.DMin+1))
}

// SynapseUniform returns a uniform number in [0, 1) that depends only on
// seed and the pair (i, j): the upper 53 bits of SplitMix64's finalizer
// over seed, i and j.
func SynapseUniform(seed uint64, i, j int) float64 {
	z := seed ^ (uint64(i)*0x9e3779b97f4a7c15 + uint64(j)*0xc2b2ae3d27d4eb4f)
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// Scatter is DeliverDelayed: it advances the ring by one step.
func (c *DelayedJITConn) Scatter(dst []float32, active []int32) { c.DeliverDelayed(dst, active) }

// DeliverDelayed takes the spikes of the active pre-neurons at this step,
// regenerating their rows, adds to dst what arrives now and advances one
// step (DelayedCSRConn.DeliverDelayed).
func (c *DelayedJITConn) DeliverDelayed(dst []float32, active []int32) {
	lo, hi := c.cols()
	L := len(c.ring)
	for _, i := range active {
		if i < 0 || int(i) >= c.M.Rows {
			panic("snn: DelayedJITConn: active row out of range")
		}
		r := c.M.RowRange(int(i), lo, hi)
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			c.ring[(c.cur+c.Delay(int(i), j))%L][j-lo] += w
		}
	}
	now := c.ring[c.cur]
	kernels.AddTo(dst[:hi-lo], now)
	clear(now)
	c.cur = (c.cur + 1) % L
}
