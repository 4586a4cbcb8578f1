package optim

import (
	"sync"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// GradFill computes one parameter's gradient range by range, for StepFill:
// a task whose largest gradient is a product (a weight gradient Xᵀ·G) can
// have each block of it updated while the block is still in cache, instead
// of writing the whole gradient, reading it back to check it, and reading
// it again to step.
type GradFill interface {
	// Bounded reports whether every value Fill will write is known to be
	// finite before it is computed (say, from a bound on the product's
	// factors), so that a step may update one range before the next is
	// computed. When it is false StepFill fills the whole gradient first.
	Bounded() bool
	// Fill writes elements [lo, hi) of the parameter's gradient into its
	// Grad[lo:hi]: the whole gradient, or a range [k·Grain, (k+1)·Grain)
	// (the last one cut at the gradient's end). Calls on disjoint ranges
	// may run concurrently.
	Fill(lo, hi int)
	// Grain is the length of the ranges.
	Grain() int
}

// ScratchFill is a GradFill that can write a range of the gradient into
// another buffer. StepFill then fills each range into a buffer of its
// goroutine's, which stays in cache, and steps from it: the parameter's
// gradient (p.Grad) is neither written nor read, so it costs no pass over
// memory, and holds after the step whatever it held before. The parameters
// and the optimizer's state are the same bits as with Fill.
type ScratchFill interface {
	GradFill
	// FillInto writes elements [lo, hi) of the gradient into dst[:hi-lo]
	// for a range Fill would be called on (the same conditions).
	FillInto(dst []float32, lo, hi int)
}

// rangeRule is implemented by the rules whose update is per element and
// can run on a parameter range by range (Adam and AdamW).
type rangeRule interface {
	// updateFill is update with p's gradient filled by f range by range.
	updateFill(p *tensor.Tensor, st *paramState, f GradFill)
}

// StepFill is Step with p's gradient computed by f during the step. Its
// result is that of f.Fill(0, len(p.Data)) followed by Step, to the bit,
// errors included: every other gradient is checked first, and p's (for
// which f vouches with Bounded) before any of it is used. Adam and AdamW
// fill and update p range by range, in parallel; the other algorithms, or
// an f that is not Bounded, fill p's whole gradient and then Step.
func (o *Optim[C]) StepFill(p *tensor.Tensor, f GradFill) error {
	var rr rangeRule
	for gi := range o.Groups {
		for _, q := range o.Groups[gi].Params {
			if q == p {
				rr, _ = ruleOf(&o.Groups[gi].Config).(rangeRule)
			}
		}
	}
	if rr == nil || !active(p) || len(p.Grad) != len(p.Data) || f.Grain() < 1 || !f.Bounded() {
		if p.Grad != nil {
			f.Fill(0, len(p.Grad))
		}
		return o.Step()
	}
	if err := o.checkExcept(p); err != nil {
		return err
	}
	for gi := range o.Groups {
		g := &o.Groups[gi]
		r := ruleOf(&g.Config)
		for _, q := range g.Params {
			if !active(q) {
				continue
			}
			st := o.stateOf(q)
			st.step++
			if q == p {
				rr.updateFill(q, st, f)
				continue
			}
			r.update(q, st)
		}
	}
	return nil
}

// fillRanges calls f.Fill and then step(lo, hi, grad[lo:hi]) on each
// range of f.Grain() of n elements, on up to kernels.Threads() goroutines.
// The ranges are handed out as the goroutines ask for them, the calling
// goroutine's from the front and the second's from the back (each keeps
// a run of consecutive ranges, and one that is slowed, by a busy machine
// say, leaves more of them to the other); every range's result is the
// same whichever goroutine computes it. With a ScratchFill each goroutine
// fills its ranges into a buffer of its own instead, and step gets that.
func fillRanges(n int, grad []float32, f GradFill, step func(lo, hi int, g []float32)) {
	grain := f.Grain()
	sf, scratch := f.(ScratchFill)
	nb := (n + grain - 1) / grain
	workers := max(1, min(kernels.Threads(), nb))
	var next kernels.Claims
	next.Set(0, nb)
	run := func(back bool) {
		var buf *[]float32
		if scratch {
			buf = fillScratch.Get().(*[]float32)
			if len(*buf) < grain {
				*buf = make([]float32, grain)
			}
			defer fillScratch.Put(buf)
		}
		for {
			b, ok := next.Take(back)
			if !ok {
				return
			}
			lo, hi := b*grain, min((b+1)*grain, n)
			if scratch {
				g := (*buf)[:hi-lo]
				sf.FillInto(g, lo, hi)
				step(lo, hi, g)
				continue
			}
			f.Fill(lo, hi)
			step(lo, hi, grad[lo:hi])
		}
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() { defer wg.Done(); run(w == 1) }()
	}
	run(false)
	wg.Wait()
}

// fillScratch holds fillRanges' buffers between steps.
var fillScratch = sync.Pool{New: func() any { return new([]float32) }}
