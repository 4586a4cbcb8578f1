//go:build torch

package torchlayer

import (
	"math/rand/v2"

	"github.com/braingo/braingo/networks"
	"github.com/braingo/braingo/tensor"
)

// Recurrent puts a libtorch encoder in front of a braingo recurrent
// network: at every step the observation (batch × In) passes through
// Encoder and the result drives Net, whose Inputs must be the encoder's
// output size. It is a networks.Recurrent, so trainer.Sequence, the task
// agents and checkpoints take it as they take Net.
type Recurrent struct {
	Encoder *Layer
	Net     networks.Recurrent
	In      int
}

// Params lists the encoder's parameters, then the network's.
func (r *Recurrent) Params() []*tensor.Tensor {
	return append(append([]*tensor.Tensor(nil), r.Encoder.Params()...), r.Net.Params()...)
}

// Inputs is the observation size; Outputs the network's.
func (r *Recurrent) Inputs() int  { return r.In }
func (r *Recurrent) Outputs() int { return r.Net.Outputs() }

// Start begins a sequence of the network on tp.
func (r *Recurrent) Start(tp *tensor.Tape, batch int, st []*tensor.Tensor, rng *rand.Rand) networks.Stepper {
	return &encStepper{Stepper: r.Net.Start(tp, batch, st, rng), tp: tp, enc: r.Encoder}
}

type encStepper struct {
	networks.Stepper
	tp  *tensor.Tape
	enc *Layer
}

func (s *encStepper) Step(x *tensor.Tensor) (out, hidden *tensor.Tensor) {
	return s.Stepper.Step(s.enc.Forward(s.tp, x))
}
