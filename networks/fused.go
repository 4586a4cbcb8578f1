package networks

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// Fusable reports whether RunFused can run n, and if not why: two blocks,
// dense projections without delays; the first a layer of LIF cells reset
// by subtraction with the atan surrogate and a fixed decay; the second (the
// readout) of at most kernels.FusedMaxOut outputs, any cell, and no gain
// on its projection; a positive threshold. (The first projection's gain is the caller's: RunFused
// takes the projected input.)
func (n *FeedForward) Fusable() (bool, string) {
	if len(n.Blocks) != 2 {
		return false, fmt.Sprintf("%d blocks, not 2", len(n.Blocks))
	}
	for i, b := range n.Blocks {
		if b.Proj == nil || b.Conn != nil {
			return false, fmt.Sprintf("block %d's projection is not dense", i)
		}
		if b.Delay != 0 {
			return false, fmt.Sprintf("block %d has a delay", i)
		}
	}
	c, ok := n.Blocks[0].Cell.(snn.LIFCell)
	switch {
	case !ok:
		return false, fmt.Sprintf("the hidden cell is %T, not LIF", n.Blocks[0].Cell)
	case c.LearnBeta != nil:
		return false, "the hidden decay is learned"
	case c.Reset != snn.ResetSubtract:
		return false, "the hidden reset is not by subtraction"
	}
	if _, ok := fusedATan(c.LIF); !ok {
		return false, fmt.Sprintf("the hidden surrogate is %T, not atan", c.Surrogate)
	}
	if c.Threshold < 0 {
		return false, "the hidden threshold is negative"
	}
	out := n.Blocks[1].Proj
	if out.Out() > kernels.FusedMaxOut {
		return false, fmt.Sprintf("the readout has %d outputs, more than %d", out.Out(), kernels.FusedMaxOut)
	}
	if out.Gain != 0 && out.Gain != 1 {
		return false, "the readout's projection has a gain"
	}
	if n.Blocks[1].Cell == nil {
		return false, "the readout has no cell"
	}
	return true, ""
}

// fusedATan returns the atan surrogate's α of p (the surrogate package's
// default 2 for a zero α), or false for another surrogate.
func fusedATan(p snn.LIF) (float32, bool) {
	switch s := p.Surrogate.(type) {
	case nil:
		return 2, true
	case surrogate.ATan:
		if s.Alpha == 0 {
			return 2, true
		}
		return s.Alpha, true
	}
	return 0, false
}

// RunFused runs a Fusable network over steps steps from a zero state on
// the projected input proj (batch × hidden: the first block's projection
// of a static input, as Input.Projected) and returns the trace: the
// readout's spikes and membranes per step as RunFrom gives them, the
// hidden block's entries nil (its spikes live only inside the op).
//
// The hidden layer and the readout's input current are one tape op over
// all steps (kernels.FusedLIFForward per sample: step by step, blocks of 16
// neurons in one register, spikes kept as bits, each spike's readout
// weights added under the spike mask into per-lane partial sums): the
// hidden spikes are the general path's bits (the same LIF step), the
// readout's currents equal its narrow product's up to float32 rounding
// (both sum in 16-lane partial sums, in another order). The readout's cell
// then steps on the tape as in RunFrom. The backward pass
// (kernels.FusedLIFBackward, per sample) recomputes the membranes into one
// sample's scratch, then per block of 16 neurons runs the reverse scan
// with the spikes' gradient G_t·W2ᵀ formed in registers (the block's
// readout weights held in registers), sums the input's gradient over the
// steps in a register (from the last step to the first, as the general
// path does) and the readout weights' gradient under the spike masks: no
// per-step tensors of the hidden layer are kept. Gradients equal the
// general path's up to float32 rounding (the sums over the readout's
// outputs and over samples and steps run in another order).
// docs/fused.md describes the layout.
//
// stop, when set, is asked before each sample's forward pass, as RunFrom
// asks Input.Stop before each step: when it returns true RunFused returns
// nil and records nothing (a trainer honouring an interrupt inside a
// batch).
func (n *FeedForward) RunFused(tp *tensor.Tape, proj *tensor.Tensor, steps int, stop func() bool) *Trace {
	return n.RunFusedPacked(tp, proj, steps, stop, nil)
}

// PackFusedReadout returns the readout weight of a Fusable network in the
// fused kernels' layout (kernels.PackFusedReadout), in dst when it is long
// enough: what RunFusedPacked takes, to pack it once for several runs with
// the same weights (the shards of a batch).
func (n *FeedForward) PackFusedReadout(dst []float32) []float32 {
	h, k := n.Blocks[0].Proj.Out(), n.Blocks[1].Proj.Out()
	size := kernels.FusedBlocks(h) * kernels.FusedLanes * k
	if cap(dst) < size {
		dst = make([]float32, size)
	}
	dst = dst[:size]
	kernels.PackFusedReadout(dst, n.Blocks[1].Proj.W.Data, h, k)
	return dst
}

// RunFusedPacked is RunFused with the readout weight packed by
// PackFusedReadout from the current weights (nil: packed here).
func (n *FeedForward) RunFusedPacked(tp *tensor.Tape, proj *tensor.Tensor, steps int, stop func() bool, w2b []float32) *Trace {
	if ok, why := n.Fusable(); !ok {
		panic("networks: RunFused: " + why)
	}
	hid, ro := n.Blocks[0], n.Blocks[1]
	h, k := hid.Proj.Out(), ro.Proj.Out()
	if proj.Dim() != 2 || proj.Shape[1] != h {
		panic(fmt.Sprintf("networks: RunFused: projected input %v for a hidden layer of %d", proj.Shape, h))
	}
	if steps < 1 {
		panic(fmt.Sprintf("networks: RunFused: %d steps", steps))
	}
	lif := hid.Cell.(snn.LIFCell).LIF
	alpha, _ := fusedATan(lif)
	beta, theta := lif.Beta, lif.Threshold
	if theta == 0 {
		theta = 1
	}
	const L = kernels.FusedLanes
	batch := proj.Shape[0]
	nb := kernels.FusedBlocks(h)
	hp := nb * L
	w2, b2 := ro.Proj.W, ro.Proj.B

	if w2b == nil {
		w2b = tp.Alloc(hp * k)
		kernels.PackFusedReadout(w2b, w2.Data, h, k)
	} else if len(w2b) != hp*k {
		panic(fmt.Sprintf("networks: RunFusedPacked: packed readout of %d values, want %d", len(w2b), hp*k))
	}
	xp := tp.Alloc(batch * hp) // the input current padded to blocks
	for b := range batch {
		copy(xp[b*hp:b*hp+h], proj.Data[b*h:(b+1)*h])
		clear(xp[b*hp+h : (b+1)*hp])
	}
	bits := tp.AllocInt32(batch * nb * steps)
	cur := tp.Alloc(batch * steps * L) // [sample][step][16]
	u := tp.Alloc(hp)
	for b := range batch {
		if stop != nil && stop() {
			return nil
		}
		kernels.FusedLIFForward(cur[b*steps*L:(b+1)*steps*L], bits[b*nb*steps:(b+1)*nb*steps],
			xp[b*hp:(b+1)*hp], w2b, u, h, steps, k, beta, theta)
	}
	// The step outputs and the trace's four lists in one allocation.
	ptrs := make([]*tensor.Tensor, 5*steps)
	outs := ptrs[:steps:steps]
	for t := range steps {
		o := tp.NewResult([]int{batch, k}, proj, w2, b2)
		for b := range batch {
			row, src := o.Data[b*k:(b+1)*k], cur[(b*steps+t)*L:]
			if b2 != nil {
				for q := range row {
					row[q] = src[q] + b2.Data[q]
				}
			} else {
				copy(row, src[:k])
			}
		}
		outs[t] = o
	}
	if outs[0].RequiresGrad() {
		c, hh := float32(math.Pi/2)*alpha, alpha/2
		tp.Record(func() {
			g := tp.AllocZero(batch * steps * L)
			got := false
			for t, o := range outs {
				if o.Grad == nil {
					continue
				}
				got = true
				for b := range batch {
					copy(g[(b*steps+t)*L:(b*steps+t)*L+k], o.Grad[b*k:(b+1)*k])
				}
			}
			if !got {
				return
			}
			if b2 != nil && b2.RequiresGrad() {
				gb := tp.GradOf(b2)
				for t := steps - 1; t >= 0; t-- {
					if o := outs[t]; o.Grad != nil {
						kernels.AddColSums(gb, o.Grad, batch, k)
					}
				}
			}
			var gx []float32
			if proj.RequiresGrad() {
				gx = tp.GradOf(proj)
			} else {
				gx = tp.AllocZero(batch * h)
			}
			gw2b := tp.AllocZero(hp * k)
			scratch := tp.Alloc(steps * hp)
			for b := range batch {
				kernels.FusedLIFBackward(gx[b*h:(b+1)*h], gw2b, scratch, xp[b*hp:(b+1)*hp], w2b,
					g[b*steps*L:(b+1)*steps*L], bits[b*nb*steps:(b+1)*nb*steps], h, steps, k, beta, theta, c, hh)
			}
			if w2.RequiresGrad() {
				gw := tp.GradOf(w2)
				for j := range h {
					row, blk, i := gw[j*k:(j+1)*k], j/L, j%L
					for q := range row {
						row[q] += gw2b[(blk*k+q)*L+i]
					}
				}
			}
		})
	}
	tr := &Trace{Spikes: make([][]*tensor.Tensor, 2), Mem: make([][]*tensor.Tensor, 2)}
	for i := range tr.Spikes {
		o := (1 + 2*i) * steps
		tr.Spikes[i] = ptrs[o : o+steps : o+steps]
		tr.Mem[i] = ptrs[o+steps : o+2*steps : o+2*steps]
	}
	st := ro.Cell.Init(tp, batch, k)
	for t, o := range outs {
		var s, m *tensor.Tensor
		st, s, m = ro.Cell.Step(tp, st, o)
		tr.Spikes[1][t], tr.Mem[1][t] = s, m
	}
	return tr
}
