package optim

import (
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

// fillRanges calls f.Fill and then step on each range of f.Grain() of n
// elements, the ranges split among kernels.Threads() goroutines (each
// takes consecutive ranges).
func fillRanges(n int, f GradFill, step func(lo, hi int)) {
	grain := f.Grain()
	kernels.Parallel((n+grain-1)/grain, 1, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			lo, hi := b*grain, min((b+1)*grain, n)
			f.Fill(lo, hi)
			step(lo, hi)
		}
	})
}
