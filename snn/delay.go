package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// DelayedCSRConn is a CSR connectivity with a delay on every synapse: a
// spike of pre-neuron i delivered at step t reaches post-neuron Col[k] of
// synapse k at step t + D[k]. A Projection's own Delay still applies
// first (the spike is delivered D[k] steps after the projection takes it),
// so a projection with Delay 0 and every D[k] = d acts as one with Delay d.
//
// Arrivals wait in a ring of max(D)+1 post-sized accumulators: delivering
// adds each synapse's weight into the slot of its arrival step, and every
// step the current slot is added into the synapse target and cleared. The
// projection calls DeliverDelayed every step, spikes or not, so the ring
// advances (deliver in sim.go). Memory: 2 bytes per synapse for D and
// (max(D)+1)·Post floats.
//
// The sum arriving at a post-neuron in one step is taken in the order of
// the spikes' delivery steps, then of the active lists, then of the
// synapses within a row, and added to the target once (see DeliverDelayed).
type DelayedCSRConn struct {
	M *kernels.CSR // structure and weights (Val nil: homogeneous weight W)
	W float32
	D []uint16 // per synapse, in M's entry order

	ring [][]float32 // ring[s % len(ring)]: arrivals at step s
	cur  int         // slot of the current step
}

// NewDelayedCSRConn returns the connectivity of c with the per-synapse
// delays d (len c.M.NNZ()). It returns an error for a length mismatch.
func NewDelayedCSRConn(c *CSRConn, d []uint16) (*DelayedCSRConn, error) {
	if len(d) != c.M.NNZ() {
		return nil, fmt.Errorf("snn: %d delays for %d synapses", len(d), c.M.NNZ())
	}
	maxD := 0
	for _, v := range d {
		maxD = max(maxD, int(v))
	}
	r := make([][]float32, maxD+1)
	for i := range r {
		r[i] = make([]float32, c.M.Cols)
	}
	return &DelayedCSRConn{M: c.M, W: c.W, D: d, ring: r}, nil
}

func (c *DelayedCSRConn) Shape() (int, int) { return c.M.Rows, c.M.Cols }
func (c *DelayedCSRConn) Synapses() int64   { return int64(c.M.NNZ()) }

// Scatter is DeliverDelayed: it advances the ring by one step.
func (c *DelayedCSRConn) Scatter(dst []float32, active []int32) { c.DeliverDelayed(dst, active) }

// DeliverDelayed takes the spikes of the active pre-neurons at this step
// and adds to dst what arrives now, then advances one step:
//
//	for _, i := range active {
//		for k := M.Ptr[i]; k < M.Ptr[i+1]; k++ {
//			ring[now + D[k]][M.Col[k]] += weight k
//		}
//	}
//	for j := range dst {
//		dst[j] += ring[now][j]
//	}
//	ring[now] = 0; now++
func (c *DelayedCSRConn) DeliverDelayed(dst []float32, active []int32) {
	m, L := c.M, len(c.ring)
	for _, i := range active {
		if i < 0 || int(i) >= m.Rows {
			panic("snn: DelayedCSRConn: active row out of range")
		}
		k0, k1 := m.Ptr[i], m.Ptr[i+1]
		ds := c.D[k0:k1]
		if m.Val == nil {
			for t, j := range m.Col[k0:k1] {
				c.ring[(c.cur+int(ds[t]))%L][j] += c.W
			}
			continue
		}
		vs := m.Val[k0:k1]
		for t, j := range m.Col[k0:k1] {
			c.ring[(c.cur+int(ds[t]))%L][j] += vs[t]
		}
	}
	now := c.ring[c.cur]
	kernels.AddTo(dst[:m.Cols], now)
	clear(now)
	c.cur = (c.cur + 1) % L
}

// delayedConn is implemented by connectivities that must see every step
// (DelayedCSRConn): the projection calls it even when no spike arrives.
type delayedConn interface {
	DeliverDelayed(dst []float32, active []int32)
}
