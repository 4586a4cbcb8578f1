package snn

import "github.com/braingo/braingo/tensor"

// Synaptic is the current-based synaptic LIF neuron of snnTorch's Synaptic
// (NIR CubaLIF once discretized): an exponentially decaying synaptic current
// feeds a LIF membrane.
//
//	τ_syn dI_syn/dt = −I_syn + w_in·I ;  τ_mem dU/dt = −U + R·I_syn
//	syn[t] = α·syn[t−1] + I[t]             (LI with decay α)
//	then the LIF step with input syn[t] (reset and spike as in LIF; with
//	ResetZero only the membrane is reset, the synaptic current is not).
//
// The zero reset follows NIR's CubaLIF and BrainPy: U[t] = β·(1 − r)·U[t−1]
// + syn[t], the synaptic current untouched. snnTorch 0.9.4's Synaptic keeps
// its pre-0.8 zero reset (it zeroes the state after integrating the step's
// input, and resets the synaptic current too); braingo does not copy it,
// because NIR, the format Synaptic layers are exchanged in, and snnTorch's
// own Leaky define the reset as above. ResetZeroLegacy gives the pre-0.8
// membrane rule.
type Synaptic struct {
	// Alpha is the synaptic current decay per step.
	Alpha float32
	LIF
}

// Step advances syn, u (in/out) and s (out) without a tape.
func (p Synaptic) Step(syn, u, s, in []float32) {
	LI{Beta: p.Alpha}.Step(syn, in)
	p.LIF.Step(u, s, syn)
}

// Forward is one differentiable step: new synaptic current, membrane and
// spikes.
func (p Synaptic) Forward(tp *tensor.Tape, syn, u, in *tensor.Tensor) (synNew, uNew, s *tensor.Tensor) {
	synNew = LI{Beta: p.Alpha}.Forward(tp, syn, in)
	uNew, s = p.LIF.Forward(tp, u, synNew)
	return synNew, uNew, s
}

// SynapticCell is Synaptic as a Cell; state [syn, U].
type SynapticCell struct{ Synaptic }

// Params returns the membrane's learnable decay, if any.
func (c SynapticCell) Params() []*tensor.Tensor { return LIFCell{c.LIF}.Params() }

func (c SynapticCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return ZeroState(tp, 2, batch, n)
}
func (c SynapticCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	syn, u, s := c.Forward(tp, st[0], st[1], in)
	return []*tensor.Tensor{syn, u}, s, u
}
func (c SynapticCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[1] }
