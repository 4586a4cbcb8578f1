package networks

import (
	"fmt"

	"github.com/braingo/braingo/tensor"
)

// Block is one layer of a feed-forward spiking network: a projection from
// the previous layer into a population of neurons.
type Block struct {
	Name string
	Proj *Dense
	Cell Cell
}

// FeedForward is a stack of blocks run for a number of time steps.
type FeedForward struct {
	Blocks []Block
}

// Params lists every trainable tensor, in layer order.
func (n *FeedForward) Params() []*tensor.Tensor {
	var ps []*tensor.Tensor
	for _, b := range n.Blocks {
		ps = append(ps, b.Proj.Params()...)
		if c, ok := b.Cell.(Parameterized); ok {
			ps = append(ps, c.Params()...)
		}
	}
	return ps
}

// Input feeds a network: either Static, one (batch × features) tensor
// presented at every step (direct/current encoding; the first projection is
// then computed once per batch, which is exact and removes most of the
// work), or Step, called for each time step. Binary says the per-step
// inputs are spikes, so the first projection may be event-driven.
type Input struct {
	Static *tensor.Tensor
	Step   func(t int) *tensor.Tensor
	Binary bool
}

// Trace records a run: for each block and step its spikes (nil for
// non-spiking cells) and membranes. Tensors are owned by the tape.
type Trace struct {
	Spikes [][]*tensor.Tensor // [block][step]
	Mem    [][]*tensor.Tensor // [block][step]
}

// Out returns the last block's membranes per step.
func (tr *Trace) Out() []*tensor.Tensor { return tr.Mem[len(tr.Mem)-1] }

// OutSpikes returns the last block's spikes per step (nil entries if it
// does not spike).
func (tr *Trace) OutSpikes() []*tensor.Tensor { return tr.Spikes[len(tr.Spikes)-1] }

// State is the neuron state of every block ([block][variable]).
type State [][]*tensor.Tensor

// Init returns the zero state for a batch, in buffers of tp (nil:
// allocated).
func (n *FeedForward) Init(tp *tensor.Tape, batch int) State {
	st := make(State, len(n.Blocks))
	for i, b := range n.Blocks {
		st[i] = b.Cell.Init(tp, batch, b.Proj.Out())
	}
	return st
}

// Detach copies a state out of a tape's buffers into fresh tensors that
// take no gradient: the boundary of truncated BPTT.
func (st State) Detach() State {
	out := make(State, len(st))
	for i, vars := range st {
		out[i] = make([]*tensor.Tensor, len(vars))
		for j, v := range vars {
			out[i][j] = v.Clone()
		}
	}
	return out
}

// Run simulates the network on tp from a zero state for steps time steps.
func (n *FeedForward) Run(tp *tensor.Tape, in Input, steps int) *Trace {
	tr, _ := n.RunFrom(tp, in, nil, 0, steps)
	return tr
}

// RunFrom simulates steps t0 ≤ t < t1 from state st (nil: zero state) and
// returns the trace of those steps (indexed from 0) and the final state.
func (n *FeedForward) RunFrom(tp *tensor.Tape, in Input, st State, t0, t1 int) (*Trace, State) {
	if len(n.Blocks) == 0 {
		panic("networks: FeedForward with no blocks")
	}
	var batch int
	var first *tensor.Tensor
	switch {
	case in.Static != nil:
		batch = in.Static.Shape[0]
		first = n.Blocks[0].Proj.Forward(tp, in.Static)
	case in.Step != nil:
		batch = in.Step(t0).Shape[0]
	default:
		panic("networks: Run needs Input.Static or Input.Step")
	}
	if st == nil {
		st = n.Init(tp, batch)
	}
	steps := t1 - t0
	tr := &Trace{Spikes: make([][]*tensor.Tensor, len(n.Blocks)), Mem: make([][]*tensor.Tensor, len(n.Blocks))}
	for i := range n.Blocks {
		tr.Spikes[i] = make([]*tensor.Tensor, steps)
		tr.Mem[i] = make([]*tensor.Tensor, steps)
	}
	for t := t0; t < t1; t++ {
		var x *tensor.Tensor
		spiking := false
		for i, b := range n.Blocks {
			var cur *tensor.Tensor
			switch {
			case i == 0 && first != nil:
				cur = first
			case i == 0:
				xt := in.Step(t)
				if in.Binary {
					cur = b.Proj.ForwardSpikes(tp, xt)
				} else {
					cur = b.Proj.Forward(tp, xt)
				}
			case spiking:
				cur = b.Proj.ForwardSpikes(tp, x)
			default:
				cur = b.Proj.Forward(tp, x)
			}
			var s, m *tensor.Tensor
			st[i], s, m = b.Cell.Step(tp, st[i], cur)
			tr.Spikes[i][t-t0], tr.Mem[i][t-t0] = s, m
			x, spiking = m, s != nil
			if spiking {
				x = s
			}
		}
	}
	return tr, st
}

// String describes the architecture, e.g. "784-1000(LIF)-10(LIF)".
func (n *FeedForward) String() string {
	if len(n.Blocks) == 0 {
		return "empty"
	}
	s := fmt.Sprint(n.Blocks[0].Proj.In())
	for _, b := range n.Blocks {
		s += fmt.Sprintf("-%d(%T)", b.Proj.Out(), b.Cell)
	}
	return s
}

// Shadow returns a copy of the network whose parameters share n's values
// but keep gradients of their own (a worker of data-parallel training), and
// those parameters in the order of n.Params().
func (n *FeedForward) Shadow() (*FeedForward, []*tensor.Tensor) {
	var ps []*tensor.Tensor
	sh := func(p *tensor.Tensor) *tensor.Tensor {
		if p == nil {
			return nil
		}
		s := &tensor.Tensor{Shape: p.Shape, Data: p.Data, Name: p.Name}
		s.SetRequiresGrad(p.RequiresGrad())
		return s
	}
	out := &FeedForward{Blocks: make([]Block, len(n.Blocks))}
	for i, b := range n.Blocks {
		d := &Dense{W: sh(b.Proj.W), B: sh(b.Proj.B), Gain: b.Proj.Gain}
		ps = append(ps, d.Params()...)
		cell := shadowCell(b.Cell, sh)
		if c, ok := cell.(Parameterized); ok {
			ps = append(ps, c.Params()...)
		}
		out.Blocks[i] = Block{Name: b.Name, Proj: d, Cell: cell}
	}
	return out, ps
}
