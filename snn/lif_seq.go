package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// Sequence runs the LIF layer over a whole sequence of input currents as
// one differentiable op: cur has the time steps on its first axis (steps ×
// batch × neurons, or any shape whose first axis is time), the membrane
// starts at zero, and the result holds the spikes of every step in cur's
// shape. Each step is Forward's step (the same fused kernel, so the spikes
// are bit-identical to calling Forward step by step); the backward pass
// walks the steps in reverse with the fused backward kernel, carrying the
// membrane gradient in two buffers of one step and writing the current's
// gradient straight into cur's. It keeps the membranes of every step (one
// float32 per element of cur) and no per-step tensors, views or gradients.
//
// With LearnBeta, or a surrogate the fused kernel does not evaluate, it
// falls back to Forward step by step on views of cur (the same values).
func (p LIF) Sequence(tp *tensor.Tape, cur *tensor.Tensor) *tensor.Tensor {
	if cur.Dim() < 1 || cur.Shape[0] < 1 {
		panic(fmt.Sprintf("snn: LIF.Sequence: input %v has no time axis", cur.Shape))
	}
	steps := cur.Shape[0]
	m := cur.Len() / steps
	sur, ok := kernelSurrogate(p.sg())
	if p.LearnBeta != nil || !ok {
		return p.sequenceSteps(tp, cur)
	}
	s := tp.NewResult(cur.Shape, cur)
	mem := tp.Alloc(cur.Len())
	zero := tp.AllocZero(m)
	prev := zero
	for t := range steps {
		u := mem[t*m : (t+1)*m]
		p.StepInto(u, s.Data[t*m:(t+1)*m], prev, cur.Data[t*m:(t+1)*m])
		prev = u
	}
	if !s.RequiresGrad() {
		return s
	}
	th, beta, reset := p.theta(), p.Beta, p.kernelReset()
	tp.Record(func() {
		gS := s.Grad
		if gS == nil {
			return
		}
		gCur, fresh := tp.GradAcc(cur)
		carry, next := tp.Alloc(m), tp.Alloc(m) // dL/dU[t] from later steps
		for t := steps - 1; t >= 0; t-- {
			uPrev := zero
			if t > 0 {
				uPrev = mem[(t-1)*m : t*m]
			}
			g := kernels.LIFGrad{U: uPrev, UNew: mem[t*m : (t+1)*m], GS: gS[t*m : (t+1)*m],
				Gin: gCur[t*m : (t+1)*m], WriteIn: fresh}
			if t < steps-1 {
				g.GU = carry
			}
			if t > 0 {
				g.Gu, g.WriteU = next, true
			}
			lifSeqBackward(g, m, beta, th, reset, sur)
			carry, next = next, carry
		}
	})
	return s
}

// lifSeqBackward runs one step's fused backward pass over m elements, in
// pieces of at least lifGrain on several goroutines.
func lifSeqBackward(g kernels.LIFGrad, m int, beta, th float32, reset int, sur kernels.Surrogate) {
	if m < 2*lifGrain || kernels.Threads() == 1 {
		kernels.LIFBackward(g, beta, th, reset, sur)
		return
	}
	kernels.Parallel(m, lifGrain, func(lo, hi int) {
		sub := func(x []float32) []float32 {
			if x == nil {
				return nil
			}
			return x[lo:hi]
		}
		kernels.LIFBackward(kernels.LIFGrad{U: sub(g.U), UNew: g.UNew[lo:hi], GU: sub(g.GU), GS: sub(g.GS),
			Gu: sub(g.Gu), Gin: sub(g.Gin), WriteU: g.WriteU, WriteIn: g.WriteIn}, beta, th, reset, sur)
	})
}

// sequenceSteps is Sequence as Forward step by step on views of cur, the
// spikes stacked into one tensor.
func (p LIF) sequenceSteps(tp *tensor.Tape, cur *tensor.Tensor) *tensor.Tensor {
	steps := cur.Shape[0]
	u := tensor.Zeros(cur.Shape[1:]...)
	spikes := make([]*tensor.Tensor, steps)
	for t := range steps {
		u, spikes[t] = p.Forward(tp, u, tp.Index(cur, t))
	}
	return tp.Stack(spikes)
}
