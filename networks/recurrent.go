package networks

import (
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// RecurrentCell gives a layer all-to-all recurrent connections: the
// layer's spikes of the previous step pass through W (units × units, pre ×
// post) and add to the step's input current before the wrapped cell steps
// (snnTorch's RLeaky and RSynaptic with all_to_all=True, without the
// recurrent bias; SpyTorch's v1):
//
//	I'[t] = I[t] + S[t−1]·W        (event-driven: the rows of the neurons that fired)
//	state, S[t] = Cell.Step(state, I'[t])
//
// The neuron model is the wrapped cell's (LIFCell, SynapticCell, ALIFCell):
// no second copy of the dynamics. State: the wrapped cell's variables, then
// the last spikes.
type RecurrentCell struct {
	Cell Cell
	W    *tensor.Tensor // (units, units), pre × post
}

// Params returns W and the wrapped cell's own parameters.
func (c RecurrentCell) Params() []*tensor.Tensor {
	ps := []*tensor.Tensor{c.W}
	if p, ok := c.Cell.(Parameterized); ok {
		ps = append(ps, p.Params()...)
	}
	return ps
}

func (c RecurrentCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return append(c.Cell.Init(tp, batch, n), snn.ZeroState(tp, 1, batch, n)...)
}

func (c RecurrentCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	k := len(st) - 1
	rec := tp.SpikeMatMul(st[k], c.W)
	if sc, ok := c.Cell.(SynapticCell); ok {
		// snn.Synaptic's step with its input I + S·W summed into the
		// synaptic current in the same pass: syn = α·syn + I + S·W.
		syn := leakySum(tp, st[0], sc.Alpha, in, rec, nil, nil)
		u, s := sc.LIF.Forward(tp, st[1], syn)
		return []*tensor.Tensor{syn, u, s}, s, u
	}
	next, s, m := c.Cell.Step(tp, st[:k], tp.Add(in, rec))
	if s == nil {
		panic("networks: RecurrentCell around a non-spiking cell")
	}
	out := make([]*tensor.Tensor, 0, len(next)+1)
	return append(append(out, next...), s), s, m
}

// shadowCell returns cell with each trainable tensor replaced by sh's
// shadow of it (FeedForward.Shadow).
func shadowCell(cell Cell, sh func(*tensor.Tensor) *tensor.Tensor) Cell {
	switch c := cell.(type) {
	case LIFCell:
		c.LearnBeta = sh(c.LearnBeta)
		return c
	case SynapticCell:
		c.LearnBeta = sh(c.LearnBeta)
		return c
	case RecurrentCell:
		c.W = sh(c.W)
		c.Cell = shadowCell(c.Cell, sh)
		return c
	}
	return cell
}
