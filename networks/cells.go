package networks

import (
	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// Cell is a layer of neurons advanced one step on a tape. State is an
// ordered list of tensors (batch × neurons) whose meaning is the model's.
type Cell interface {
	// Init returns the zero (resting) state of a layer of n neurons for a
	// batch, in buffers of tp (nil: allocated).
	Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor
	// Step advances the state by input current in and returns the new
	// state, the spikes (nil for non-spiking cells) and the membrane.
	Step(tp *tensor.Tape, state []*tensor.Tensor, in *tensor.Tensor) (next []*tensor.Tensor, spikes, mem *tensor.Tensor)
}

func zeros(tp *tensor.Tape, k, batch, n int) []*tensor.Tensor {
	st := make([]*tensor.Tensor, k)
	for i := range st {
		st[i] = tp.NewResult([]int{batch, n})
		clear(st[i].Data)
	}
	return st
}

// Parameterized is implemented by cells with trainable parameters of
// their own (a learnable decay).
type Parameterized interface {
	Params() []*tensor.Tensor
}

// LIFCell adapts snn.LIF; state [U].
type LIFCell struct{ snn.LIF }

// Params returns the learnable decay, if any.
func (c LIFCell) Params() []*tensor.Tensor {
	if c.LearnBeta == nil {
		return nil
	}
	return []*tensor.Tensor{c.LearnBeta}
}

func (c LIFCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor { return zeros(tp, 1, batch, n) }
func (c LIFCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	u, s := c.Forward(tp, st[0], in)
	return []*tensor.Tensor{u}, s, u
}

// SynapticCell adapts snn.Synaptic; state [syn, U].
type SynapticCell struct{ snn.Synaptic }

// Params returns the membrane's learnable decay, if any.
func (c SynapticCell) Params() []*tensor.Tensor { return LIFCell{c.LIF}.Params() }

func (c SynapticCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return zeros(tp, 2, batch, n)
}
func (c SynapticCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	syn, u, s := c.Forward(tp, st[0], st[1], in)
	return []*tensor.Tensor{syn, u}, s, u
}

// ALIFCell adapts snn.ALIF; state [U, b, S].
type ALIFCell struct{ snn.ALIF }

func (c ALIFCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor { return zeros(tp, 3, batch, n) }
func (c ALIFCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	ns := c.Forward(tp, snn.ALIFState{U: st[0], B: st[1], S: st[2]}, in)
	return []*tensor.Tensor{ns.U, ns.B, ns.S}, ns.S, ns.U
}

// LICell adapts snn.LI, a non-spiking leaky readout; state [O].
type LICell struct{ snn.LI }

func (c LICell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor { return zeros(tp, 1, batch, n) }
func (c LICell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	o := c.Forward(tp, st[0], in)
	return []*tensor.Tensor{o}, nil, o
}

// CubaLICell is a leaky integrator fed by an exponentially decaying
// synaptic current (NIR CubaLI once discretized; the readout of the BrainPy
// paper's Fashion-MNIST network): syn[t] = α·syn[t−1] + I[t], then
// O[t] = β·O[t−1] + syn[t]. State [syn, O].
type CubaLICell struct {
	Alpha float32
	snn.LI
}

func (c CubaLICell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return zeros(tp, 2, batch, n)
}
func (c CubaLICell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	syn := snn.LI{Beta: c.Alpha}.Forward(tp, st[0], in)
	o := c.Forward(tp, st[1], syn)
	return []*tensor.Tensor{syn, o}, nil, o
}

// IzhikevichCell adapts snn.Izhikevich; state [v, u] starting at rest
// (v = c, u = b·c).
type IzhikevichCell struct{ snn.Izhikevich }

func (c IzhikevichCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	st := zeros(tp, 2, batch, n)
	a, b, cc := c.A, c.B, c.C
	if a == 0 && b == 0 && cc == 0 {
		b, cc = 0.2, -65
	}
	for i := range st[0].Data {
		st[0].Data[i], st[1].Data[i] = cc, b*cc
	}
	return st
}
func (c IzhikevichCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	ns, s := c.Forward(tp, snn.IzhikevichState{V: st[0], U: st[1]}, in)
	return []*tensor.Tensor{ns.V, ns.U}, s, ns.V
}

// AdExCell adapts snn.AdEx; state [V, w] starting at V = E_L, w = 0.
type AdExCell struct{ snn.AdEx }

func (c AdExCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	st := zeros(tp, 2, batch, n)
	el := c.EL
	if c.C == 0 {
		el = -70.6
	}
	for i := range st[0].Data {
		st[0].Data[i] = el
	}
	return st
}
func (c AdExCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	ns, s := c.Forward(tp, snn.AdExState{V: st[0], W: st[1]}, in)
	return []*tensor.Tensor{ns.V, ns.W}, s, ns.V
}
