package kernels

import "fmt"

// FusedLanes is the width of the fused LIF kernels' blocks: 16 hidden
// neurons per block, one AVX-512 register.
const FusedLanes = 16

// FusedMaxOut is the most readout outputs the fused kernels take (their
// weights and weight gradients stay in registers).
const FusedMaxOut = 10

// FusedBlocks is the number of blocks of FusedLanes neurons that hold h.
func FusedBlocks(h int) int { return (h + FusedLanes - 1) / FusedLanes }

// PackFusedReadout writes the h×k readout weight w (row-major, in × out)
// in the fused kernels' layout: for each block of 16 hidden neurons its k
// rows of 16, w2b[(blk·k + q)·16 + i] = w[(16·blk + i)·k + q], zero for
// neurons 16·blk + i ≥ h. w2b needs FusedBlocks(h)·16·k values.
func PackFusedReadout(w2b, w []float32, h, k int) {
	nb := FusedBlocks(h)
	if len(w) < h*k || len(w2b) < nb*FusedLanes*k {
		panic("kernels: PackFusedReadout: buffers too short")
	}
	for blk := range nb {
		for q := range k {
			row := w2b[(blk*k+q)*FusedLanes : (blk*k+q+1)*FusedLanes]
			for i := range row {
				j := blk*FusedLanes + i
				row[i] = 0
				if j < h {
					row[i] = w[j*k+q]
				}
			}
		}
	}
}

// FusedLIFForward runs one sample of a dense LIF layer of h neurons over
// steps steps from a zero membrane with a constant input current, reset by
// subtraction (LIFForward's LIFResetSubtract step), and gives the readout's
// input current its spikes make, added with the readout's weights
// (w2b, PackFusedReadout's layout for k ≤ FusedMaxOut outputs) neuron by
// neuron as they fire. xp holds the input current padded with zeros to
// hp = 16·FusedBlocks(h) values; u is scratch of hp values; theta must be
// positive (padded neurons never fire). It writes the current of step t,
// output q, to o[t·16 + q] (o[t·16 + q] = 0 for q ≥ k) and the spikes as
// bits: bits[blk·steps + t] has bit i set when neuron 16·blk + i fired at
// t. Reference loop (the AVX-512 path performs the same float32
// operations in the same order, so it is bit-identical):
//
//	clear(u)
//	for t := range steps {
//		acc := [k][16]float32{} // per output, one partial sum per lane
//		for blk := range hp / 16 {
//			for i := range 16 {
//				j := 16·blk + i
//				prev := u[j]
//				u[j] = float32(beta*prev) + xp[j] - above(prev, theta)*theta
//				if u[j] > theta: bit i of bits[blk·steps+t] is set; acc[q][i] += w2b[(blk·k+q)·16+i] for q < k
//			}
//		}
//		o[t·16+q] = hsum16(acc[q]) for q < k
//	}
//
// where hsum16(v) adds the lanes pairwise by halves: a[i] = v[i] + v[i+8],
// b[i] = a[i] + a[i+4], then (b[0] + b[2]) + (b[1] + b[3]).
func FusedLIFForward(o []float32, bits []int32, xp, w2b, u []float32, h, steps, k int, beta, theta float32) {
	nb := FusedBlocks(h)
	hp := nb * FusedLanes
	if k < 1 || k > FusedMaxOut || !(theta > 0) {
		panic(fmt.Sprintf("kernels: FusedLIFForward: k=%d outputs (1 to %d), theta %v (must be positive)", k, FusedMaxOut, theta))
	}
	if len(xp) < hp || len(w2b) < hp*k || len(u) < hp || len(o) < steps*FusedLanes || len(bits) < nb*steps {
		panic(fmt.Sprintf("kernels: FusedLIFForward: buffers too short for h=%d steps=%d", h, steps))
	}
	clear(o[:steps*FusedLanes])
	if h == 0 || steps == 0 {
		return
	}
	clear(u[:hp])
	if vecAVX512 {
		fusedLIFForwardAVX512(&o[0], &bits[0], &xp[0], &w2b[0], &u[0], nb, steps, k, beta, theta)
		return
	}
	fusedLIFForwardGo(o, bits, xp, w2b, u, nb, steps, k, beta, theta)
}

func fusedLIFForwardGo(o []float32, bs []int32, xp, w2b, u []float32, nb, steps, k int, beta, theta float32) {
	var acc [FusedMaxOut][FusedLanes]float32
	for t := range steps {
		acc = [FusedMaxOut][FusedLanes]float32{}
		for blk := range nb {
			var m int32
			xb, ub := xp[blk*FusedLanes:(blk+1)*FusedLanes], u[blk*FusedLanes:(blk+1)*FusedLanes]
			w := w2b[blk*k*FusedLanes : (blk+1)*k*FusedLanes]
			for i, x := range xb {
				prev := ub[i]
				v := float32(beta*prev) + x - above(prev, theta)*theta
				ub[i] = v
				if above(v, theta) != 0 {
					m |= 1 << i
					for q := range k {
						acc[q][i] += w[q*FusedLanes+i]
					}
				}
			}
			bs[blk*steps+t] = m
		}
		for q := range k {
			o[t*FusedLanes+q] = hsum16(&acc[q])
		}
	}
}

// hsum16 adds 16 lanes the way the assembly does: by halves.
func hsum16(v *[FusedLanes]float32) float32 {
	var a [8]float32
	for i := range a {
		a[i] = v[i] + v[i+8]
	}
	var b [4]float32
	for i := range b {
		b[i] = a[i] + a[i+4]
	}
	return (b[0] + b[2]) + (b[1] + b[3])
}

// FusedLIFBackward is the backward pass of FusedLIFForward for one sample,
// given g, the gradient of the readout's input current (steps rows of 16,
// output q of step t at g[t·16 + q]), the forward pass's bits and the same
// xp and w2b. It recomputes the membranes into scratch (steps·hp values,
// step t's at scratch[t·hp:]) and runs LIFBackward's reverse scan with the
// atan surrogate (c = float32(π/2)·α, hh = α/2) neuron by neuron: for
// each neuron j < h, from the last step to the first,
//
//	gS    = g[t·16]·W[j][0] + g[t·16+1]·W[j][1] + ... (k terms, in order; W[j][q] = w2b[(blk·k+q)·16+i])
//	d     = float32(gS·hh) / (1 + (c·(U_t − θ))²) + carry   (carry = 0 at the last step)
//	carry = β·d
//	acc  += d                                              (acc starts at gx[j])
//	dw[q] += g[t·16+q] for q < k if j fired at t            (dw starts at 0)
//
// then gx[j] = acc (the input's gradient summed over the steps from the
// last to the first, the order the general path adds them in) and
// gw2b[(blk·k+q)·16+i] += dw[q] (the readout weights' gradient, in w2b's
// layout).
func FusedLIFBackward(gx, gw2b, scratch []float32, xp, w2b, g []float32, bits []int32, h, steps, k int, beta, theta, c, hh float32) {
	nb := FusedBlocks(h)
	hp := nb * FusedLanes
	if k < 1 || k > FusedMaxOut || !(theta > 0) {
		panic(fmt.Sprintf("kernels: FusedLIFBackward: k=%d outputs (1 to %d), theta %v (must be positive)", k, FusedMaxOut, theta))
	}
	if len(xp) < hp || len(gx) < h || len(gw2b) < hp*k || len(w2b) < hp*k || len(g) < steps*FusedLanes ||
		len(bits) < nb*steps || len(scratch) < steps*hp {
		panic(fmt.Sprintf("kernels: FusedLIFBackward: buffers too short for h=%d steps=%d k=%d", h, steps, k))
	}
	if h == 0 || steps == 0 {
		return
	}
	if vecAVX512 {
		a := fusedBwdArgs{gx: &gx[0], gw2b: &gw2b[0], scratch: &scratch[0], xp: &xp[0], w2b: &w2b[0], g: &g[0],
			bits: &bits[0], h: h, steps: steps, k: k, nb: nb, beta: beta, theta: theta, c: c, hh: hh, one: 1}
		fusedLIFBackwardAVX512(&a)
		return
	}
	fusedLIFBackwardGo(gx, gw2b, scratch, xp, w2b, g, bits, h, steps, k, beta, theta, c, hh)
}

// fusedBwdArgs is the argument block of fusedLIFBackwardAVX512 (field
// offsets are used by the assembly: keep the order).
type fusedBwdArgs struct {
	gx, gw2b, scratch, xp, w2b, g *float32 // 0, 8, ..., 40
	bits                          *int32   // 48
	h, steps, k, nb               int      // 56, 64, 72, 80
	beta, theta, c, hh, one       float32  // 88, 92, 96, 100, 104
}

func fusedLIFBackwardGo(gx, gw2b, scratch []float32, xp, w2b, g []float32, bs []int32, h, steps, k int, beta, theta, c, hh float32) {
	hp := FusedBlocks(h) * FusedLanes
	for t := range steps {
		row := scratch[t*hp : (t+1)*hp]
		for j, x := range xp[:hp] {
			prev := float32(0)
			if t > 0 {
				prev = scratch[(t-1)*hp+j]
			}
			row[j] = float32(beta*prev) + x - above(prev, theta)*theta
		}
	}
	for j := range h {
		blk, i := j/FusedLanes, j%FusedLanes
		w := w2b[blk*k*FusedLanes:]
		var dw [FusedMaxOut]float32
		acc, carry := gx[j], float32(0)
		for t := steps - 1; t >= 0; t-- {
			gt := g[t*FusedLanes:]
			gs := gt[0] * w[i]
			for q := 1; q < k; q++ {
				gs += float32(gt[q] * w[q*FusedLanes+i])
			}
			v := c * (scratch[t*hp+j] - theta)
			d := float32(gs*hh) / (1 + float32(v*v))
			d += carry
			carry = beta * d
			acc += d
			if uint32(bs[blk*steps+t])>>i&1 != 0 {
				for q := range k {
					dw[q] += gt[q]
				}
			}
		}
		gx[j] = acc
		gw := gw2b[blk*k*FusedLanes:]
		for q := range k {
			gw[q*FusedLanes+i] += dw[q]
		}
	}
}
