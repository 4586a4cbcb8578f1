package optim

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/braingo/braingo/tensor"
)

// State is an optimizer's complete state, a plain value that encoding/json
// and encoding/gob write and read back exactly (float32 and float64 values
// round-trip bit for bit through both).
type State struct {
	// Algorithm is "sgd", "adam", "adamw", "rmsprop", "adagrad" or "adamax".
	Algorithm string
	Groups    []GroupState
}

// GroupState is the state of one parameter group.
type GroupState struct {
	// Hyper holds every hyperparameter under PyTorch's name ("lr",
	// "momentum", "beta1", "beta2", "eps", "weight_decay", ...), the learning
	// rate as it is now (after any schedule); booleans ("nesterov",
	// "amsgrad", "centered", "maximize") are 0 or 1.
	Hyper  map[string]float64
	Params []ParamState
}

// ParamState is the state of one parameter.
type ParamState struct {
	// Name is the parameter's tensor.Tensor Name; Index its position in the
	// optimizer's parameters, counting through the groups in order; Len its
	// number of values.
	Name  string
	Index int
	Len   int
	// Step is the number of updates applied to the parameter.
	Step int64
	// Buffers holds the algorithm's per-parameter buffers under PyTorch's
	// names ("momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq",
	// "square_avg", "grad_avg", "sum", "exp_inf"); a buffer not yet created is absent.
	Buffers map[string][]float32 `json:",omitempty"`
}

// BufferNames returns the names of the parameter's buffers in sorted
// order. Iterate over Buffers through it wherever the order shows (arrays
// added to a checkpoint, say): a map's order differs from run to run.
func (ps ParamState) BufferNames() []string {
	return slices.Sorted(maps.Keys(ps.Buffers))
}

// State returns a deep copy of the optimizer's state.
func (o *Optim[C]) State() State {
	var s State
	idx := 0
	for gi := range o.Groups {
		g := &o.Groups[gi]
		r := ruleOf(&g.Config)
		s.Algorithm = r.algorithm()
		gs := GroupState{Hyper: r.hyper(), Params: make([]ParamState, len(g.Params))}
		names := r.buffers()
		for pi, p := range g.Params {
			ps := ParamState{Name: p.Name, Index: idx, Len: len(p.Data)}
			idx++
			if st := o.state[p]; st != nil {
				ps.Step = st.step
				for k, b := range st.bufs {
					if b != nil {
						if ps.Buffers == nil {
							ps.Buffers = make(map[string][]float32)
						}
						ps.Buffers[names[k]] = slices.Clone(b)
					}
				}
			}
			gs.Params[pi] = ps
		}
		s.Groups = append(s.Groups, gs)
	}
	if s.Algorithm == "" {
		var c C
		s.Algorithm = ruleOf(&c).algorithm()
	}
	return s
}

// SetState restores a state taken by State from an optimizer of the same
// algorithm over the same parameters: the same number of groups and, in
// each, the same parameters in the same order with the same names and
// lengths. It replaces every group's hyperparameters (including the
// learning rate) and every parameter's step count and buffers, with copies.
// It checks everything first and returns an error naming the first
// mismatch, leaving the optimizer unchanged.
func (o *Optim[C]) SetState(s State) error {
	var zero C
	alg := ruleOf(&zero).algorithm()
	if s.Algorithm != alg {
		return fmt.Errorf("optim: SetState: state is for %q, optimizer is %q", s.Algorithm, alg)
	}
	if len(s.Groups) != len(o.Groups) {
		return fmt.Errorf("optim: SetState: %s state has %d parameter groups, optimizer has %d", alg, len(s.Groups), len(o.Groups))
	}
	names := ruleOf(&zero).buffers()
	wantKeys := slices.Sorted(maps.Keys(ruleOf(&zero).hyper()))
	configs := make([]C, len(o.Groups))
	idx := 0
	for gi := range o.Groups {
		g, gs := &o.Groups[gi], &s.Groups[gi]
		if err := checkKeys(gs.Hyper, wantKeys); err != nil {
			return fmt.Errorf("optim: SetState: %s group %d: %w", alg, gi, err)
		}
		r := ruleOf(&configs[gi])
		r.setHyper(gs.Hyper)
		if err := r.validate(); err != nil {
			return fmt.Errorf("optim: SetState: %s group %d: %w", alg, gi, err)
		}
		if len(gs.Params) != len(g.Params) {
			return fmt.Errorf("optim: SetState: %s group %d: state has %d parameters, optimizer has %d",
				alg, gi, len(gs.Params), len(g.Params))
		}
		for pi, p := range g.Params {
			ps := &gs.Params[pi]
			i := idx
			idx++
			switch {
			case ps.Name != p.Name:
				return fmt.Errorf("optim: SetState: parameter %s: state has parameter %q in its place", pname(p, i), ps.Name)
			case ps.Index != i:
				return fmt.Errorf("optim: SetState: parameter %s: state gives it index %d", pname(p, i), ps.Index)
			case ps.Len != len(p.Data):
				return fmt.Errorf("optim: SetState: parameter %s has %d values, state has %d", pname(p, i), len(p.Data), ps.Len)
			case ps.Step < 0:
				return fmt.Errorf("optim: SetState: parameter %s: negative step count %d", pname(p, i), ps.Step)
			}
			for name, b := range ps.Buffers {
				if !slices.Contains(names, name) {
					return fmt.Errorf("optim: SetState: parameter %s: unknown %s buffer %q (known: %v)", pname(p, i), alg, name, names)
				}
				if len(b) != len(p.Data) {
					return fmt.Errorf("optim: SetState: parameter %s has %d values, its %s buffer %d", pname(p, i), len(p.Data), name, len(b))
				}
			}
			if ps.Step > 0 && (alg == "adam" || alg == "adamw") {
				for _, name := range names[:2] {
					if ps.Buffers[name] == nil {
						return fmt.Errorf("optim: SetState: parameter %s: %s state after %d steps lacks buffer %q", pname(p, i), alg, ps.Step, name)
					}
				}
			}
		}
	}
	// Everything checked: replace.
	if o.state == nil {
		o.state = make(map[*tensor.Tensor]*paramState)
	}
	for gi := range o.Groups {
		g, gs := &o.Groups[gi], &s.Groups[gi]
		g.Config = configs[gi]
		for pi, p := range g.Params {
			ps := &gs.Params[pi]
			st := &paramState{step: ps.Step}
			for k, name := range names {
				if b, ok := ps.Buffers[name]; ok {
					if st.bufs == nil {
						st.bufs = make([][]float32, len(names))
					}
					st.bufs[k] = slices.Clone(b)
				}
			}
			o.state[p] = st
		}
	}
	return nil
}

// checkKeys reports a missing or unknown hyperparameter.
func checkKeys(h map[string]float64, want []string) error {
	for _, k := range want {
		if _, ok := h[k]; !ok {
			return fmt.Errorf("state lacks hyperparameter %q", k)
		}
	}
	if len(h) != len(want) {
		var extra []string
		for k := range h {
			if !slices.Contains(want, k) {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		return fmt.Errorf("unknown hyperparameters %v (known: %v)", extra, want)
	}
	return nil
}
