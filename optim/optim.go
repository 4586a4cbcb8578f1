package optim

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/tensor"
)

// Optimizer is what a training loop drives. Every optimizer of this package
// (*Optim[C] for each configuration type C) implements it, and Checkpointer.
type Optimizer interface {
	// Step updates every parameter that requires a gradient and has one
	// (Grad not nil). On error (a NaN or infinite gradient, a gradient of the
	// wrong length, an invalid hyperparameter) nothing is changed.
	Step() error
	// ZeroGrad sets the gradients of all parameters to zero.
	ZeroGrad()
	// LRs returns a pointer to each parameter group's current learning
	// rate, in group order; schedules set the rates through them. The
	// pointers are valid until the groups change.
	LRs() []*float64
}

// Checkpointer is implemented by every optimizer of this package: its
// complete state as a plain serializable value, and its restoration.
type Checkpointer interface {
	State() State
	SetState(State) error
}

// Config is the set of configuration types, one per algorithm. Each is a
// struct whose zero value gives PyTorch's defaults.
type Config interface {
	SGDConfig | AdamConfig | AdamWConfig | RMSpropConfig | AdagradConfig | AdamaxConfig
}

// Group is a set of parameters sharing hyperparameters, as an entry of
// PyTorch's param_groups.
type Group[C Config] struct {
	Params []*tensor.Tensor
	// Config holds the hyperparameters in use. New and AddGroup replace
	// zero fields by their defaults; after that every field is used as it
	// is (a learning rate a schedule sets to 0 is 0), and may be changed
	// between steps.
	Config C
}

// Optim is an optimizer running the algorithm configured by C over groups
// of parameters. Make one with New.
type Optim[C Config] struct {
	// Groups are the parameter groups; their hyperparameters may be changed
	// between steps. Add groups with AddGroup, which checks them.
	Groups []Group[C]

	state map[*tensor.Tensor]*paramState
}

// The optimizers, by algorithm.
type (
	SGD     = Optim[SGDConfig]
	Adam    = Optim[AdamConfig]
	AdamW   = Optim[AdamWConfig]
	RMSprop = Optim[RMSpropConfig]
	Adagrad = Optim[AdagradConfig]
	Adamax  = Optim[AdamaxConfig]
)

var (
	_ Optimizer    = (*SGD)(nil)
	_ Checkpointer = (*SGD)(nil)
	_ Optimizer    = (*Adam)(nil)
	_ Optimizer    = (*AdamW)(nil)
	_ Optimizer    = (*RMSprop)(nil)
	_ Optimizer    = (*Adagrad)(nil)
	_ Optimizer    = (*Adamax)(nil)
)

// paramState is the per-parameter state: the number of updates applied and
// the algorithm's buffers, indexed as its buffer names (nil until needed).
type paramState struct {
	step int64
	bufs [][]float32
}

// rule is implemented by a pointer to each configuration type.
type rule interface {
	algorithm() string
	// defaults replaces zero fields by their defaults.
	defaults()
	// validate reports an invalid hyperparameter.
	validate() error
	lr() *float64
	// hyper lists the hyperparameters under PyTorch's names (booleans as 0
	// or 1); setHyper sets them from such a map, which has every key.
	hyper() map[string]float64
	setHyper(map[string]float64)
	// buffers names the per-parameter buffers, as PyTorch's state keys.
	buffers() []string
	// update applies one step to p, whose state st has already had its step
	// count incremented. Every buffer it needs it allocates itself.
	update(p *tensor.Tensor, st *paramState)
}

func ruleOf[C Config](c *C) rule { return any(c).(rule) }

// New returns an optimizer over params with one group configured by cfg,
// whose zero fields take their defaults. It returns an error for an invalid
// hyperparameter, a nil parameter or one listed twice.
func New[C Config](params []*tensor.Tensor, cfg C) (*Optim[C], error) {
	o := &Optim[C]{state: make(map[*tensor.Tensor]*paramState)}
	if err := o.AddGroup(params, cfg); err != nil {
		return nil, err
	}
	return o, nil
}

// AddGroup adds a group of parameters configured by cfg, whose zero fields
// take their defaults. It returns an error for an invalid hyperparameter, a
// nil parameter or one already in a group.
func (o *Optim[C]) AddGroup(params []*tensor.Tensor, cfg C) error {
	r := ruleOf(&cfg)
	r.defaults()
	if err := r.validate(); err != nil {
		return fmt.Errorf("optim: %s group %d: %w", r.algorithm(), len(o.Groups), err)
	}
	seen := make(map[*tensor.Tensor]bool, len(params))
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("optim: %s group %d: parameter %d is nil", r.algorithm(), len(o.Groups), i)
		}
		if seen[p] || o.state[p] != nil {
			return fmt.Errorf("optim: %s group %d: parameter %s appears in more than one place", r.algorithm(), len(o.Groups), pname(p, i))
		}
		seen[p] = true
	}
	if o.state == nil {
		o.state = make(map[*tensor.Tensor]*paramState)
	}
	for _, p := range params {
		o.state[p] = &paramState{}
	}
	o.Groups = append(o.Groups, Group[C]{Params: append([]*tensor.Tensor(nil), params...), Config: cfg})
	return nil
}

// Step applies one update of the algorithm to every parameter that requires
// a gradient and has one. It first checks every group's hyperparameters and
// every gradient; on error nothing has changed.
func (o *Optim[C]) Step() error {
	if err := o.check(); err != nil {
		return err
	}
	for gi := range o.Groups {
		g := &o.Groups[gi]
		r := ruleOf(&g.Config)
		for _, p := range g.Params {
			if !active(p) {
				continue
			}
			st := o.stateOf(p)
			st.step++
			r.update(p, st)
		}
	}
	return nil
}

// check validates hyperparameters, gradients and state before a step.
func (o *Optim[C]) check() error { return o.checkExcept(nil) }

// checkExcept is check without looking at the values of skip's gradient
// (StepFill's, not computed yet); its length is checked.
func (o *Optim[C]) checkExcept(skip *tensor.Tensor) error {
	idx := 0
	for gi := range o.Groups {
		g := &o.Groups[gi]
		r := ruleOf(&g.Config)
		if err := r.validate(); err != nil {
			return fmt.Errorf("optim: %s group %d: %w", r.algorithm(), gi, err)
		}
		for _, p := range g.Params {
			i := idx
			idx++
			if p == nil {
				return fmt.Errorf("optim: %s: parameter %d is nil", r.algorithm(), i)
			}
			if !active(p) {
				continue
			}
			if len(p.Grad) != len(p.Data) {
				return fmt.Errorf("optim: %s: gradient of parameter %s has %d values for %d parameters; nothing updated",
					r.algorithm(), pname(p, i), len(p.Grad), len(p.Data))
			}
			if p != skip {
				if j := nonFinite(p.Grad); j >= 0 {
					return fmt.Errorf("optim: %s: gradient of parameter %s is %v at element %d; nothing updated",
						r.algorithm(), pname(p, i), p.Grad[j], j)
				}
			}
			if st := o.state[p]; st != nil {
				for k, b := range st.bufs {
					if b != nil && len(b) != len(p.Data) {
						return fmt.Errorf("optim: %s: parameter %s has %d values but its %s buffer %d; nothing updated",
							r.algorithm(), pname(p, i), len(p.Data), r.buffers()[k], len(b))
					}
				}
			}
		}
	}
	return nil
}

func (o *Optim[C]) stateOf(p *tensor.Tensor) *paramState {
	if o.state == nil {
		o.state = make(map[*tensor.Tensor]*paramState)
	}
	st := o.state[p]
	if st == nil {
		st = &paramState{}
		o.state[p] = st
	}
	return st
}

// ZeroGrad sets the gradients to zero, as tensor.Tensor.ZeroGrad: that of
// every parameter that requires a gradient (allocating it where it is nil)
// and every other gradient present.
func (o *Optim[C]) ZeroGrad() {
	for gi := range o.Groups {
		for _, p := range o.Groups[gi].Params {
			if p.Grad != nil || p.RequiresGrad() {
				p.ZeroGrad()
			}
		}
	}
}

// ZeroGradExcept is ZeroGrad leaving skip's gradient as it is (a
// gradient that the caller will overwrite whole).
func (o *Optim[C]) ZeroGradExcept(skip *tensor.Tensor) {
	for gi := range o.Groups {
		for _, p := range o.Groups[gi].Params {
			if p != skip && (p.Grad != nil || p.RequiresGrad()) {
				p.ZeroGrad()
			}
		}
	}
}

// LRs returns a pointer to each group's learning rate, in group order.
func (o *Optim[C]) LRs() []*float64 {
	lrs := make([]*float64, len(o.Groups))
	for gi := range o.Groups {
		lrs[gi] = ruleOf(&o.Groups[gi].Config).lr()
	}
	return lrs
}

// nonFinite returns the index of the first NaN or ±Inf in x, or -1.
func nonFinite(x []float32) int {
	// A NaN or ±Inf element makes the sum NaN or ±Inf, so a finite
	// (vectorized) sum clears them all; otherwise scan for the first (the sum
	// may merely have overflowed).
	if s := float64(kernels.Sum(x)); !math.IsNaN(s) && !math.IsInf(s, 0) {
		return -1
	}
	const exp = 0x7f800000 // all exponent bits set: Inf or NaN
	for j, v := range x {
		if math.Float32bits(v)&exp == exp {
			return j
		}
	}
	return -1
}

// active reports whether p is updated this step.
func active(p *tensor.Tensor) bool { return p.RequiresGrad() && p.Grad != nil }

// pname names a parameter in messages: its name and flat index.
func pname(p *tensor.Tensor, i int) string {
	if p == nil || p.Name == "" {
		return fmt.Sprintf("#%d (unnamed)", i)
	}
	return fmt.Sprintf("%q (#%d)", p.Name, i)
}

// buffer returns st's buffer k, allocating it (zero) for n values if needed;
// fresh reports whether it was allocated now.
func buffer(st *paramState, nbufs, k, n int) (b []float32, fresh bool) {
	if st.bufs == nil {
		st.bufs = make([][]float32, nbufs)
	}
	if st.bufs[k] == nil {
		st.bufs[k] = make([]float32, n)
		return st.bufs[k], true
	}
	return st.bufs[k], false
}

// Hyperparameter checks shared by the algorithms.

func checkNonNeg(name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("invalid %s %v: must be finite and >= 0", name, v)
	}
	return nil
}

func checkBeta(name string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("invalid %s %v: must be in [0, 1)", name, v)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
