package networks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/tensor"
)

// LinearLIF is the network of the Open Neuromorphic SNN benchmark
// (github.com/open-neuromorphic/snn-library-benchmarks): a Linear(in→out)
// layer applied to every step's input, then a layer of LIF neurons,
//
//	I[t] = x[t]·Wᵀ + b,  (U[t], S[t]) = LIF(U[t−1], I[t]),  U[−1] = 0,
//
// on inputs of shape (steps, batch, in); the output is the spikes S,
// (steps, batch, out). The benchmark's snnTorch entry uses snn.Leaky(beta
// 0.95) with its defaults (threshold 1, reset by subtraction, atan
// surrogate), which is snn.LIF{Beta: 0.95}.
//
// Forward computes the projections of all steps in one product (steps ×
// batch rows: the input does not depend on the network's state) and runs
// the neurons with LIF.Sequence; its backward pass is one product for the
// weight gradient (and one for the input's, when the input takes one).
type LinearLIF struct {
	W   *tensor.Tensor // (out, in): PyTorch's nn.Linear layout
	B   *tensor.Tensor // (out), or nil
	LIF snn.LIF
}

// NewLinearLIF initializes the projection as PyTorch's nn.Linear does (W
// and b uniform in ±1/√in), drawn from r in PyTorch's (out, in) order.
func NewLinearLIF(name string, in, out int, bias bool, lif snn.LIF, r *rand.Rand) *LinearLIF {
	k := float32(1 / math.Sqrt(float64(in)))
	w := make([]float32, in*out)
	for i := range w {
		w[i] = k * (2*r.Float32() - 1)
	}
	m := &LinearLIF{W: tensor.NewParam(name+".weight", []int{out, in}, w), LIF: lif}
	if bias {
		b := make([]float32, out)
		for i := range b {
			b[i] = k * (2*r.Float32() - 1)
		}
		m.B = tensor.NewParam(name+".bias", []int{out}, b)
	}
	return m
}

// Params lists the trainable tensors.
func (m *LinearLIF) Params() []*tensor.Tensor {
	if m.B == nil {
		return []*tensor.Tensor{m.W}
	}
	return []*tensor.Tensor{m.W, m.B}
}

// Forward returns the spikes for x of shape (steps, batch, in).
func (m *LinearLIF) Forward(tp *tensor.Tape, x *tensor.Tensor) *tensor.Tensor {
	if x.Dim() != 3 || x.Shape[2] != m.W.Shape[1] {
		panic(fmt.Sprintf("networks: LinearLIF(%d→%d) got input %v, want (steps, batch, %d)",
			m.W.Shape[1], m.W.Shape[0], x.Shape, m.W.Shape[1]))
	}
	return m.LIF.Sequence(tp, tp.Linear(x, m.W, m.B))
}
