// Package networks builds trainable architectures from the neuron models of
// package snn: feed-forward spiking networks (dense projections, LIF,
// synaptic, ALIF and leaky-integrator cells, any of the spiking ones made
// recurrent by RecurrentCell), recurrent spiking networks for tasks
// (LIF/ALIF/GIF with Dale's law), rate RNNs, echo-state reservoirs, FORCE
// networks (rate and spiking) and the competition network of R-STDP.
package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/tensor"
)

// Dense is a fully connected projection y = x·W + b. W is stored (in, out)
// so that the rows a spiking input selects are contiguous (the event-driven
// product adds the rows of the neurons that fired); NIR and PyTorch's (out,
// in) layout is its transpose.
type Dense struct {
	W *tensor.Tensor // (in, out)
	B *tensor.Tensor // (out), or nil
	// Gain, when not 0 or 1, scales the output: y = Gain·(x·W + b). It
	// carries a fixed input factor of the neuron dynamics (BrainPy's dt/τ)
	// without shrinking the weights, so optimizer steps keep their scale
	// relative to the weights.
	Gain float32
}

// NewDense initializes a projection as PyTorch's nn.Linear does: W and b
// uniform in ±1/√in, drawn from r.
func NewDense(name string, in, out int, bias bool, r *rand.Rand) *Dense {
	k := float32(1 / math.Sqrt(float64(in)))
	w := make([]float32, in*out)
	// Draw in PyTorch's (out, in) order so a seeded init is layout-independent.
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			w[i*out+o] = k * (2*r.Float32() - 1)
		}
	}
	d := &Dense{W: tensor.NewParam(name+".weight", []int{in, out}, w)}
	if bias {
		b := make([]float32, out)
		for i := range b {
			b[i] = k * (2*r.Float32() - 1)
		}
		d.B = tensor.NewParam(name+".bias", []int{out}, b)
	}
	return d
}

// NewDenseKaiming initializes W from a normal distribution with standard
// deviation √(scale/in) (He et al. 2015's "Kaiming normal"; BrainPy's
// KaimingNormal(scale)) and b at zero.
func NewDenseKaiming(name string, in, out int, bias bool, scale float64, r *rand.Rand) *Dense {
	std := math.Sqrt(scale / float64(in))
	w := make([]float32, in*out)
	for i := range w {
		w[i] = float32(std * r.NormFloat64())
	}
	d := &Dense{W: tensor.NewParam(name+".weight", []int{in, out}, w)}
	if bias {
		d.B = tensor.NewParam(name+".bias", []int{out}, make([]float32, out))
	}
	return d
}

// In and Out are the projection's sizes.
func (d *Dense) In() int  { return d.W.Shape[0] }
func (d *Dense) Out() int { return d.W.Shape[1] }

// Params lists the trainable tensors.
func (d *Dense) Params() []*tensor.Tensor {
	if d.B == nil {
		return []*tensor.Tensor{d.W}
	}
	return []*tensor.Tensor{d.W, d.B}
}

// Forward returns x·W + b for x of shape (batch, in).
func (d *Dense) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	if x.Dim() != 2 || x.Shape[1] != d.In() {
		panic(fmt.Sprintf("networks: Dense(%d→%d) got input %v", d.In(), d.Out(), x.Shape))
	}
	y := tp.MatMul(x, d.W, false, false)
	if d.B != nil {
		y = tp.Add(y, d.B)
	}
	return d.gain(tp, y)
}

func (d *Dense) gain(tp *tensor.Tape, y *tensor.Tensor) *tensor.Tensor {
	if d.Gain == 0 || d.Gain == 1 {
		return y
	}
	return tp.Scale(y, d.Gain)
}

// ForwardSpikes is Forward for binary spike input: the product is
// event-driven (work proportional to the spikes) when that is faster.
func (d *Dense) ForwardSpikes(tp *tensor.Tape, s *tensor.Tensor) *tensor.Tensor {
	if s.Dim() != 2 || s.Shape[1] != d.In() {
		panic(fmt.Sprintf("networks: Dense(%d→%d) got input %v", d.In(), d.Out(), s.Shape))
	}
	y := tp.SpikeMatMul(s, d.W)
	if d.B != nil {
		y = tp.Add(y, d.B)
	}
	return d.gain(tp, y)
}
