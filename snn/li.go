package snn

import (
	"fmt"

	"github.com/braingo/braingo/tensor"
)

// LI is a leaky integrator without spikes, the usual readout of a spiking
// network (snnTorch Leaky with reset "none" read through its membrane; NIR
// LI once discretized), and the exponential synaptic current of Synaptic
// and of a CubaLI readout:
//
//	τ dO/dt = −O + R·I      →      O[t] = β·O[t−1] + I[t],  β = e^(−dt/τ)
//
// (LIPreset gives β from τ and dt). Step is the tape-free step; Forward
// runs the same loop and records its backward pass: O[t−1] ← β·g, I[t] ← g.
type LI struct {
	// Beta is the decay per step.
	Beta float32
}

// LIPreset returns the leaky integrator of time constant tau at step dt
// (same unit).
func LIPreset(tau, dt float64) LI { return LI{Beta: expDecay(dt, tau)} }

// Step advances o in place by input in, without a tape.
func (p LI) Step(o, in []float32) { p.stepInto(o, o, in) }

// StepSum writes β·o + x + y into oNew (o nil: a state at rest, x + y):
// the step with an input current given as two terms, summed left to right
// in one pass (a recurrent network's input stage: feed-forward and
// recurrent currents).
func (p LI) StepSum(oNew, o, x, y []float32) {
	checkLens("LI step", len(x), oNew, y)
	if o == nil {
		for i := range oNew {
			oNew[i] = x[i] + y[i]
		}
		return
	}
	checkLens("LI step", len(x), o)
	for i := range oNew {
		oNew[i] = p.Beta*o[i] + x[i] + y[i]
	}
}

func (p LI) stepInto(oNew, o, in []float32) {
	checkLens("LI step", len(in), oNew, o)
	for i, x := range in {
		oNew[i] = p.Beta*o[i] + x
	}
}

// Forward returns β·o + in on tp (o and in of the same size).
func (p LI) Forward(tp *tensor.Tape, o, in *tensor.Tensor) *tensor.Tensor {
	if o.Len() != in.Len() {
		panic(fmt.Sprintf("snn: LI.Forward: state %v and input %v differ", o.Shape, in.Shape))
	}
	out := tp.NewResult(in.Shape, o, in)
	p.stepInto(out.Data, o.Data, in.Data)
	if !out.RequiresGrad() {
		return out
	}
	tp.Record(func() {
		g := out.Grad
		if g == nil {
			return
		}
		if in.RequiresGrad() {
			gi, fresh := tp.GradAcc(in)
			for i, v := range g {
				if fresh {
					gi[i] = v
				} else {
					gi[i] += v
				}
			}
		}
		if o.RequiresGrad() {
			gp, fresh := tp.GradAcc(o)
			for i, v := range g {
				if fresh {
					gp[i] = v * p.Beta
				} else {
					gp[i] += v * p.Beta
				}
			}
		}
	})
	return out
}

// LICell is LI as a Cell, a non-spiking leaky readout; state [O].
type LICell struct{ LI }

func (c LICell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return ZeroState(tp, 1, batch, n)
}
func (c LICell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	o := c.Forward(tp, st[0], in)
	return []*tensor.Tensor{o}, nil, o
}
func (c LICell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }

// CubaLICell is a leaky integrator fed by an exponentially decaying
// synaptic current, two LIs in series (NIR CubaLI once discretized; the
// readout of the BrainPy paper's Fashion-MNIST network): syn[t] =
// α·syn[t−1] + I[t], then O[t] = β·O[t−1] + syn[t]. State [syn, O].
type CubaLICell struct {
	Alpha float32
	LI
}

func (c CubaLICell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return ZeroState(tp, 2, batch, n)
}
func (c CubaLICell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	syn := LI{Beta: c.Alpha}.Forward(tp, st[0], in)
	o := c.Forward(tp, st[1], syn)
	return []*tensor.Tensor{syn, o}, nil, o
}
func (c CubaLICell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[1] }
