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
	net.GIF = GIF{Tau2: []float32{100, 200, 300, 400, 500, 600}, A1: []float32{0, 0, 0, 0, 1, 1}, A2: []float32{-0.6, -0.6, -0.6, -0.6, -0.6, -0.6}, Surrogate: sg}
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

// Below threshold the GIF step is smooth: the gradients of the input, the
// membrane and the after-spike current through three steps, including the
// scaled membrane the regularizer reads.
func TestGIFGradSubthreshold(t *testing.T) {
	g := GIF{Tau2: []float32{100, 300}, A1: []float32{0, 1}, A2: []float32{-0.6, -0.6}, Surrogate: flat{}}
	x := tensor.NewParam("x", []int{2, 2}, []float32{0.1, 0.2, -0.3, 0.05})
	v0 := tensor.NewParam("v0", []int{2, 2}, []float32{0.2, -0.1, 0.3, 0})
	i2 := tensor.NewParam("i2", []int{2, 2}, []float32{0.5, -0.2, 0.1, 0.3})
	err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		st := []*tensor.Tensor{v0, tensor.Zeros(2, 2), i2, tensor.Zeros(2, 2)}
		var vs *tensor.Tensor
		for range 3 {
			st, vs = g.Forward(tp, st, x)
		}
		return tp.Add(st[0], vs)
	}, x, v0, i2)
	if err != nil {
		t.Fatal(err)
	}
}

// One GIF step by hand, with a spike and the after-spike currents.
func TestGIFStep(t *testing.T) {
	g := GIF{Tau2: []float32{50}, A1: []float32{1}, A2: []float32{-0.6}}
	st := []*tensor.Tensor{tensor.New([]int{1, 1}, []float32{0.9}), tensor.New([]int{1, 1}, []float32{0}),
		tensor.New([]int{1, 1}, []float32{0.2}), tensor.New([]int{1, 1}, []float32{0})}
	x := tensor.New([]int{1, 1}, []float32{30})
	st, _ = g.Forward(nil, st, x)
	dv := math.Exp(-1.0 / 20)
	i2 := 0.2 * math.Exp(-1.0/50)
	v := dv*0.9 + (1-dv)*(30+i2)
	if st[3].Data[0] != 1 || math.Abs(float64(st[0].Data[0])-(v-1)) > 1e-5 || math.Abs(float64(st[2].Data[0])-i2) > 1e-6 {
		t.Fatalf("step 1: V %v S %v I2 %v, want %v 1 %v", st[0].Data[0], st[3].Data[0], st[2].Data[0], v-1, i2)
	}
	st, _ = g.Forward(nil, st, tensor.New([]int{1, 1}, []float32{0}))
	if st[1].Data[0] != 1 {
		t.Fatalf("I1 after a spike %v, want A1 = 1", st[1].Data[0])
	}
	if want := i2*math.Exp(-1.0/50) - 0.6; math.Abs(float64(st[2].Data[0])-want) > 1e-6 {
		t.Fatalf("I2 after a spike %v, want %v", st[2].Data[0], want)
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

// flat is the true derivative of the step away from 0, so finite
// differences below threshold agree with the tape.
type flat struct{}

func (flat) Name() string           { return "flat" }
func (flat) Grad(x float32) float32 { return 0 }
