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
	p.scan(mem, s.Data, cur.Data, zero, steps)
	if !s.RequiresGrad() {
		return s
	}
	tp.Record(func() {
		gS := s.Grad
		if gS == nil {
			return
		}
		gCur, fresh := tp.GradAcc(cur)
		p.scanGrad(mem, gS, gCur, fresh, zero, tp.Alloc(m), tp.Alloc(m), steps, sur)
	})
	return s
}

// Fused reports whether Sequence runs p with the fused kernels (and
// SequenceInPlace and SequenceGradInPlace apply): a fixed β and a
// surrogate the kernels evaluate.
func (p LIF) Fused() bool {
	_, ok := kernelSurrogate(p.sg())
	return ok && p.LearnBeta == nil
}

// SequenceInPlace is Sequence's forward pass on buffers of a caller that
// owns the input currents and does not need them afterwards (a layer that
// computed them): buf holds the currents of steps steps (steps·m values, m
// per step) and is overwritten with the membranes, s (len(buf)) receives
// the spikes, zero is m zeros (the membrane before the first step; kept for
// the backward pass). The membrane of each step replaces the current it was
// computed from (the fused kernel reads an element's current before it
// writes its membrane), so the pass needs no buffer of its own. The spikes
// are bit-identical to Sequence's. p must be Fused.
func (p LIF) SequenceInPlace(buf, s, zero []float32, steps int) {
	if !p.Fused() {
		panic("snn: LIF.SequenceInPlace: the layer is not fused (learned β or a surrogate the kernels do not evaluate)")
	}
	if steps < 1 || len(buf)%steps != 0 || len(s) != len(buf) || len(zero) != len(buf)/steps {
		panic(fmt.Sprintf("snn: LIF.SequenceInPlace: %d values, %d spikes, %d zeros for %d steps", len(buf), len(s), len(zero), steps))
	}
	p.scan(buf, s, buf, zero, steps)
}

// SequenceGradInPlace is SequenceInPlace's backward pass: mem holds the
// membranes it wrote and is overwritten with the gradient of the currents
// (the reverse walk no longer needs a step's membrane once it has written
// that step's current gradient). gS is the spikes' gradient: steps·m
// values, or m values that every step shares (the gradient of a sum of the
// spikes is the same at every step). zero is SequenceInPlace's; carry and
// next are scratch buffers of m values. The gradient is bit-identical to
// Sequence's for the same gS.
func (p LIF) SequenceGradInPlace(mem, gS, zero, carry, next []float32, steps int) {
	sur, ok := kernelSurrogate(p.sg())
	if !ok || p.LearnBeta != nil {
		panic("snn: LIF.SequenceGradInPlace: the layer is not fused")
	}
	m := len(zero)
	if steps < 1 || len(mem) != steps*m || (len(gS) != len(mem) && len(gS) != m) || len(carry) != m || len(next) != m {
		panic(fmt.Sprintf("snn: LIF.SequenceGradInPlace: %d membranes, %d spike gradients, %d zeros for %d steps",
			len(mem), len(gS), len(zero), steps))
	}
	p.scanGrad(mem, gS, mem, true, zero, carry, next, steps, sur)
}

// scan runs the forward pass over steps steps of m = len(zero) elements:
// mem[t] and s[t] from mem[t−1] (zero before the first) and cur[t]; cur may
// be mem itself.
func (p LIF) scan(mem, s, cur, zero []float32, steps int) {
	m := len(zero)
	prev := zero
	for t := range steps {
		u := mem[t*m : (t+1)*m]
		p.StepInto(u, s[t*m:(t+1)*m], prev, cur[t*m:(t+1)*m])
		prev = u
	}
}

// scanGrad walks the steps in reverse with the fused backward kernel,
// carrying the membrane gradient in carry and next (m values each), and
// writes (fresh) or adds the current's gradient into gCur, which may be
// mem itself. gS has a value per element, or m values every step shares.
func (p LIF) scanGrad(mem, gS, gCur []float32, fresh bool, zero, carry, next []float32, steps int, sur kernels.Surrogate) {
	th, beta, reset := p.theta(), p.Beta, p.kernelReset()
	m := len(zero)
	shared := len(gS) == m && steps > 1
	for t := steps - 1; t >= 0; t-- {
		uPrev := zero
		if t > 0 {
			uPrev = mem[(t-1)*m : t*m]
		}
		gs := gS
		if !shared {
			gs = gS[t*m : (t+1)*m]
		}
		g := kernels.LIFGrad{U: uPrev, UNew: mem[t*m : (t+1)*m], GS: gs,
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
