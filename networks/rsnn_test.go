package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/snn"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

func testRSNN(neuron string, inhib int) *RSNN {
	net := NewRSNN("rsnn", RSNNConfig{Inputs: 4, Units: 6, Outputs: 2, Neuron: neuron, Inhibitory: inhib, NoSelf: inhib > 0, InitScale: 2}, rand.New(rand.NewPCG(9, 9)))
	net.BinaryInput = true
	net.InBeta, net.OutBeta = 0.9, 0.8
	sg := surrogate.FastSigmoid{}
	net.LIF = snn.LIF{Beta: 0.9, Surrogate: sg}
	net.ALIF = snn.ALIF{Beta: 0.9, Rho: 0.95, BetaA: 0.5, Surrogate: sg}
	net.GIF = snn.GIF{Tau2: []float32{100, 200, 300, 400, 500, 600}, A1: []float32{0, 0, 0, 0, 1, 1}, A2: []float32{-0.6, -0.6, -0.6, -0.6, -0.6, -0.6}, Surrogate: sg}
	setCell(net, sg, false)
	return net
}

// Spikes are steps, so finite differences see the readout only: its
// weights and bias are checked exactly for every neuron model (the spikes
// are constants to them). The surrogate chain is checked below through the
// GIF membrane below threshold and by the dense-versus-event comparison.
func TestRSNNGradReadout(t *testing.T) {
	for _, neuron := range Neurons {
		t.Run(neuron, func(t *testing.T) {
			net := testRSNN(neuron, 2)
			err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
				return runSeq(tp, net, 3, 8, true, 0)
			}, net.Out.W, net.Out.B)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The event-driven recurrent weight gradient equals the dense one: the
// gradient of W_rec computed by the network (SpikeMatMul) matches the
// gradient computed with a dense MatMul of the same spikes.
func TestRSNNEventGradMatchesDense(t *testing.T) {
	for _, neuron := range Neurons {
		t.Run(neuron, func(t *testing.T) {
			net := testRSNN(neuron, 2)
			tp := tensor.NewTape()
			loss := tp.Sum(tp.Square(runSeq(tp, net, 3, 10, true, 0)))
			tp.Backward(loss)
			got := append([]float32(nil), net.Rec.Grad...)
			var spikes int
			for _, v := range got {
				if v != 0 {
					spikes++
				}
			}
			if spikes == 0 {
				t.Fatal("no recurrent gradient: the network is silent")
			}
			net.Rec.Grad = nil
			tp.Reset()
			// Dense reference: same run with the recurrent product dense.
			net.denseRec = true
			loss = tp.Sum(tp.Square(runSeq(tp, net, 3, 10, true, 0)))
			tp.Backward(loss)
			for i, v := range net.Rec.Grad {
				if d := math.Abs(float64(v - got[i])); d > 1e-4*(1+math.Abs(float64(v))) {
					t.Fatalf("grad[%d]: event %v, dense %v", i, got[i], v)
				}
			}
		})
	}
}

// Under Dale's law the effective recurrent weights keep their signs.
func TestRSNNDale(t *testing.T) {
	net := NewRSNN("r", RSNNConfig{Inputs: 2, Units: 100, Outputs: 2, Inhibitory: 20, NoSelf: true}, rand.New(rand.NewPCG(1, 1)))
	w := effective(nil, net.Rec, net.Sign, net.NoSelf)
	for i := range 100 {
		for j := range 100 {
			v := w.Data[i*100+j]
			if (i < 80 && v < 0) || (i >= 80 && v > 0) || (i == j && v != 0) {
				t.Fatalf("w[%d,%d] = %v", i, j, v)
			}
		}
	}
}

// leakySum's gradients against finite differences, with and without the
// leaky stage, for every operand including both biases.
func TestLeakySumGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	mk := func(name string, shape ...int) *tensor.Tensor {
		n := 1
		for _, s := range shape {
			n *= s
		}
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(r.NormFloat64())
		}
		return tensor.NewParam(name, shape, d)
	}
	prev, x, y, b1, b2 := mk("prev", 3, 4), mk("x", 3, 4), mk("y", 3, 4), mk("b1", 4), mk("b2", 4)
	w := mk("w", 3, 4)
	for _, withPrev := range []bool{true, false} {
		err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
			p := prev
			if !withPrev {
				p = nil
			}
			a := leakySum(tp, p, 0.7, x, y, b1, b2)
			a = leakySum(tp, a, 0.7, tp.Square(x), y, nil, b2) // used twice: accumulation
			return tp.Sum(tp.Mul(a, w))
		}, prev, x, y, b1, b2)
		if err != nil {
			t.Fatalf("prev %v: %v", withPrev, err)
		}
	}
}
