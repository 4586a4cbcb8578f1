package kernels

import (
	"fmt"
	"math/bits"
)

// FusedLanes is the width of the fused LIF kernels' blocks: 16 hidden
// neurons per block (one AVX-512 register) and a readout of at most 16
// outputs, padded to 16.
const FusedLanes = 16

// FusedBlocks is the number of blocks of FusedLanes neurons that hold h.
func FusedBlocks(h int) int { return (h + FusedLanes - 1) / FusedLanes }

// FusedLIFForward runs one sample of a dense LIF layer of h neurons over
// steps steps with a constant input current x (h values), reset by
// subtraction (kernels.LIFForward's LIFResetSubtract step, from a zero
// membrane), and feeds its spikes event by event into a readout: for every
// step t it writes o[t·16 : t·16+16] = Σ over the neurons j that fired at
// t, in increasing j, of w2p[j·16 : j·16+16] (the readout's weights, one
// row of 16 per hidden neuron, padded with zeros), and the spikes as bits:
// bits[blk·steps + t] has bit i set when neuron 16·blk + i fired at t.
// Reference loop (the AVX-512 path performs the same float32 operations in
// the same order, so it is bit-identical):
//
//	clear(o)
//	for blk := range FusedBlocks(h) {
//		for i := range 16 { // the lanes, j = 16·blk + i < h
//			u := float32(0)
//			for t := range steps {
//				prev := u
//				u = float32(beta*prev) + x[j] - above(prev, theta)*theta
//				if u > theta {
//					bits[blk·steps+t] |= 1 << i
//				}
//			}
//		}
//		for t := range steps { // the block's spikes, in increasing j
//			for each bit i of bits[blk·steps+t]: o[t·16+k] += w2p[(16·blk+i)·16+k] for k < 16
//		}
//	}
func FusedLIFForward(o []float32, bits []int32, x, w2p []float32, h, steps int, beta, theta float32) {
	nb := FusedBlocks(h)
	if len(x) < h || len(w2p) < h*FusedLanes || len(o) < steps*FusedLanes || len(bits) < nb*steps {
		panic(fmt.Sprintf("kernels: FusedLIFForward: buffers too short for h=%d steps=%d", h, steps))
	}
	if h == 0 || steps == 0 {
		clear(o[:steps*FusedLanes])
		return
	}
	if vecAVX512 {
		fusedLIFForwardAVX512(&o[0], &bits[0], &x[0], &w2p[0], h, steps, beta, theta)
		return
	}
	fusedLIFForwardGo(o, bits, x, w2p, h, steps, beta, theta)
}

func fusedLIFForwardGo(o []float32, bs []int32, x, w2p []float32, h, steps int, beta, theta float32) {
	clear(o[:steps*FusedLanes])
	var u [FusedLanes]float32
	for blk := range FusedBlocks(h) {
		j0 := blk * FusedLanes
		n := min(FusedLanes, h-j0)
		clear(u[:])
		for t := range steps {
			var m int32
			for i := range n {
				prev := u[i]
				v := float32(beta*prev) + x[j0+i] - above(prev, theta)*theta
				u[i] = v
				m |= int32(above(v, theta)) << i
			}
			bs[blk*steps+t] = m
			row := o[t*FusedLanes : (t+1)*FusedLanes]
			for b := uint32(uint16(m)); b != 0; b &= b - 1 {
				w := w2p[(j0+bits.TrailingZeros32(b))*FusedLanes:]
				for k := range row {
					row[k] += w[k]
				}
			}
		}
	}
}

// FusedLIFBackward is the backward pass of FusedLIFForward for one sample,
// given g, the gradient of the readout's input current (steps rows of 16;
// lanes k ≥ kOut zero), w2t, the readout's weights transposed (kOut rows
// of hp = 16·FusedBlocks(h) values, neurons j ≥ h zero), and the forward
// pass's bits. Per block it recomputes the membranes into scratch (steps·16
// values) and runs the reverse scan of LIFBackward with the atan surrogate
// (c = float32(π/2)·α, hh = α/2): at each step, from the last,
//
//	gS[j] = Σ_k g[t·16+k]·w2t[k·hp+j]         (k = 0, 1, ..., kOut−1; the first term a product)
//	d     = gS·hh / (1 + (c·(U_t − θ))²) + carry   (carry = 0 at the last step)
//	carry = β·d
//	acc  += d                                  (acc starts at gx[j])
//
// and for each neuron that fired at t, gw2p[j·16+k] += g[t·16+k]. gx[j] =
// acc at the end: the input's gradient summed over the steps from the last
// to the first, which is the order the general path adds them in.
func FusedLIFBackward(gx, gw2p, scratch []float32, x, w2t, g []float32, bits []int32, h, steps, kOut int, beta, theta, c, hh float32) {
	nb := FusedBlocks(h)
	hp := nb * FusedLanes
	if kOut < 1 || kOut > FusedLanes || len(x) < h || len(gx) < h || len(gw2p) < h*FusedLanes ||
		len(w2t) < kOut*hp || len(g) < steps*FusedLanes || len(bits) < nb*steps || len(scratch) < steps*FusedLanes {
		panic(fmt.Sprintf("kernels: FusedLIFBackward: buffers too short for h=%d steps=%d k=%d", h, steps, kOut))
	}
	if h == 0 || steps == 0 {
		return
	}
	if vecAVX512 {
		a := fusedBwdArgs{gx: &gx[0], gw2p: &gw2p[0], scratch: &scratch[0], x: &x[0], w2t: &w2t[0], g: &g[0],
			bits: &bits[0], h: h, steps: steps, k: kOut, hpBytes: 4 * hp, beta: beta, theta: theta, c: c, hh: hh}
		fusedLIFBackwardAVX512(&a)
		return
	}
	fusedLIFBackwardGo(gx, gw2p, scratch, x, w2t, g, bits, h, steps, kOut, beta, theta, c, hh)
}

// fusedBwdArgs is the argument block of fusedLIFBackwardAVX512 (field
// offsets are used by the assembly: keep the order).
type fusedBwdArgs struct {
	gx, gw2p, scratch, x, w2t, g *float32 // 0, 8, ..., 40
	bits                         *int32   // 48
	h, steps, k, hpBytes         int      // 56, 64, 72, 80 (hpBytes: 4·hp, a row of w2t)
	beta, theta, c, hh           float32  // 88, 92, 96, 100
}

func fusedLIFBackwardGo(gx, gw2p, scratch []float32, x, w2t, g []float32, bs []int32, h, steps, kOut int, beta, theta, c, hh float32) {
	hp := FusedBlocks(h) * FusedLanes
	for blk := range FusedBlocks(h) {
		j0 := blk * FusedLanes
		n := min(FusedLanes, h-j0)
		// The block's membranes, recomputed as the forward pass did.
		for i := range n {
			u := float32(0)
			for t := range steps {
				prev := u
				u = float32(beta*prev) + x[j0+i] - above(prev, theta)*theta
				scratch[t*FusedLanes+i] = u
			}
		}
		for i := range n {
			j := j0 + i
			acc, carry := gx[j], float32(0)
			for t := steps - 1; t >= 0; t-- {
				gt := g[t*FusedLanes:]
				gs := gt[0] * w2t[j]
				for k := 1; k < kOut; k++ {
					gs += float32(gt[k] * w2t[k*hp+j])
				}
				v := c * (scratch[t*FusedLanes+i] - theta)
				d := float32(gs*hh) / (1 + float32(v*v))
				d += carry
				carry = beta * d
				acc += d
			}
			gx[j] = acc
		}
		for t := steps - 1; t >= 0; t-- {
			gt := g[t*FusedLanes : (t+1)*FusedLanes]
			for b := uint32(uint16(bs[blk*steps+t])); b != 0; b &= b - 1 {
				w := gw2p[(j0+bits.TrailingZeros32(b))*FusedLanes:]
				for k, v := range gt {
					w[k] += v
				}
			}
		}
	}
}
