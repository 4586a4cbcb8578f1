package networks

import (
	"fmt"
	"slices"

	"github.com/braingo/braingo/tensor"
)

// Block is one layer of a feed-forward spiking network: a projection from
// the previous layer into a population of neurons.
type Block struct {
	Name string
	// Proj is a dense projection. Conn, when set, is used instead (Proj is
	// then nil): a Sparse (CSR) or JITProj projection, or any Projection.
	Proj *Dense
	Conn Projection
	Cell Cell
	// Delay, when positive, delays the block's input by that many steps
	// (an axonal delay common to the projection's synapses): at step t the
	// projection maps the previous layer's output (or the network input)
	// of step t − Delay, and a zero input before step Delay. Runs with a
	// delay must start at step 0 (RunFrom panics otherwise: the delay line
	// is not part of State).
	Delay int
}

// Projection returns the block's projection: Conn if set, else Proj.
func (b Block) Projection() Projection {
	if b.Conn != nil {
		return b.Conn
	}
	return b.Proj
}

// FeedForward is a stack of blocks run for a number of time steps.
type FeedForward struct {
	Blocks []Block
}

// Params lists every trainable tensor, in layer order.
func (n *FeedForward) Params() []*tensor.Tensor {
	var ps []*tensor.Tensor
	for _, b := range n.Blocks {
		ps = append(ps, b.Projection().Params()...)
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
	// Projected, in place of Static, is the first block's projection of a
	// static input computed by the caller (batch × the first block's
	// outputs). Rows are independent, so a caller may compute it once for
	// a whole batch and run row slices of it; the gradient that reaches
	// Projected is the caller's to carry to the projection's parameters.
	Projected *tensor.Tensor
	// Stop, when set, is asked before every step after the first: when it
	// returns true the run ends there, and the trace holds the steps run
	// (a trainer honouring an interrupt inside a long sequence).
	Stop func() bool
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
		st[i] = b.Cell.Init(tp, batch, b.Projection().Out())
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
	var first, step0 *tensor.Tensor
	switch {
	case in.Projected != nil:
		batch, first = in.Projected.Shape[0], in.Projected
		if first.Dim() != 2 || first.Shape[1] != n.Blocks[0].Proj.Out() {
			panic(fmt.Sprintf("networks: projected input %v for a first block of %d outputs", first.Shape, n.Blocks[0].Proj.Out()))
		}
	case in.Static != nil:
		batch = in.Static.Shape[0]
		if _, ok := n.Blocks[0].Conn.(HistoryProjection); !ok { // else fed at every step
			first = n.Blocks[0].Projection().Forward(tp, in.Static)
		}
	case in.Step != nil:
		step0 = in.Step(t0) // read once: the first step's input and the batch size
		batch = step0.Shape[0]
	default:
		panic("networks: Run needs Input.Static, Input.Projected or Input.Step")
	}
	if st == nil {
		st = n.Init(tp, batch)
	}
	type delayed struct {
		x               *tensor.Tensor
		spiking, static bool
	}
	hist := make([][]delayed, len(n.Blocks)) // a block's last Delay inputs
	zero := make([]*tensor.Tensor, len(n.Blocks))
	// Blocks with a HistoryProjection: their step functions and their
	// last inputs, the most recent first.
	histStep := make([]func([]*tensor.Tensor) *tensor.Tensor, len(n.Blocks))
	histIn := make([][]*tensor.Tensor, len(n.Blocks))
	for i, b := range n.Blocks {
		if b.Delay < 0 || (b.Delay > 0 && t0 != 0) {
			panic(fmt.Sprintf("networks: FeedForward.RunFrom: block %d has delay %d; delays must be non-negative and runs with them start at step 0", i, b.Delay))
		}
		if hp, ok := b.Conn.(HistoryProjection); ok {
			if t0 != 0 || (i == 0 && in.Projected != nil) {
				panic(fmt.Sprintf("networks: FeedForward.RunFrom: block %d has per-synapse delays; runs with them start at step 0 from the unprojected input", i))
			}
			histStep[i] = hp.Prepare(tp)
			histIn[i] = make([]*tensor.Tensor, 0, hp.Taps())
		}
	}
	steps := t1 - t0
	tr := &Trace{Spikes: make([][]*tensor.Tensor, len(n.Blocks)), Mem: make([][]*tensor.Tensor, len(n.Blocks))}
	for i := range n.Blocks {
		tr.Spikes[i] = make([]*tensor.Tensor, steps)
		tr.Mem[i] = make([]*tensor.Tensor, steps)
	}
	for t := t0; t < t1; t++ {
		if t > t0 && in.Stop != nil && in.Stop() {
			for i := range tr.Spikes {
				tr.Spikes[i], tr.Mem[i] = tr.Spikes[i][:t-t0], tr.Mem[i][:t-t0]
			}
			break
		}
		var x *tensor.Tensor
		spiking := false
		for i, b := range n.Blocks {
			proj := b.Projection()
			// The block's input at step t: the static input's projection,
			// a network input, or the previous block's output.
			var in0 delayed
			switch {
			case i == 0 && first != nil:
				in0.static = true
			case i == 0 && in.Static != nil: // a HistoryProjection's static input
				in0.x = in.Static
			case i == 0:
				in0.x, in0.spiking = step0, in.Binary
				if t > t0 {
					in0.x = in.Step(t)
				}
			default:
				in0.x, in0.spiking = x, spiking
			}
			if b.Delay > 0 {
				h := append(hist[i], in0)
				if len(h) > b.Delay {
					in0 = h[len(h)-1-b.Delay]
					h = h[1:]
				} else {
					in0 = delayed{} // before step Delay: no input
				}
				hist[i] = h
			}
			var cur *tensor.Tensor
			if step := histStep[i]; step != nil {
				h := histIn[i]
				if len(h) < cap(h) {
					h = h[:len(h)+1]
				}
				copy(h[1:], h)
				h[0] = in0.x // nil before a Delay's first input
				histIn[i] = h
				if slices.ContainsFunc(h, func(x *tensor.Tensor) bool { return x != nil }) {
					cur = step(h)
				}
			}
			switch {
			case cur != nil:
			case in0.static:
				cur = first
			case in0.x == nil:
				if zero[i] == nil {
					zero[i] = proj.Forward(tp, tensor.Zeros(batch, proj.In()))
				}
				cur = zero[i]
			case in0.spiking:
				cur = proj.ForwardSpikes(tp, in0.x)
			default:
				cur = proj.Forward(tp, in0.x)
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
	s := fmt.Sprint(n.Blocks[0].Projection().In())
	for _, b := range n.Blocks {
		s += fmt.Sprintf("-%d(%T)", b.Projection().Out(), b.Cell)
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
		var d *Dense
		var conn Projection
		if b.Conn != nil {
			shw, ok := b.Conn.(Shadower)
			if !ok {
				panic(fmt.Sprintf("networks: FeedForward.Shadow: block %s's %T cannot be shadowed (no Shadow method)", b.Name, b.Conn))
			}
			conn = shw.Shadow()
			ps = append(ps, conn.Params()...)
		} else {
			d = &Dense{W: sh(b.Proj.W), B: sh(b.Proj.B), Gain: b.Proj.Gain}
			ps = append(ps, d.Params()...)
		}
		cell := shadowCell(b.Cell, sh)
		if c, ok := cell.(Parameterized); ok {
			ps = append(ps, c.Params()...)
		}
		out.Blocks[i] = Block{Name: b.Name, Proj: d, Conn: conn, Cell: cell, Delay: b.Delay}
	}
	return out, ps
}
