package networks

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/braingo/braingo/tensor"
)

// runSeq drives a Recurrent network over a fixed random input sequence and
// returns the sum of its outputs weighted by fixed numbers.
func runSeq(tp *tensor.Tape, net Recurrent, batch, steps int, binary bool, noiseSeed uint64) *tensor.Tensor {
	r := rand.New(rand.NewPCG(7, 7))
	var rng *rand.Rand
	if noiseSeed != 0 {
		rng = rand.New(rand.NewPCG(noiseSeed, 1))
	}
	st := net.Start(tp, batch, nil, rng)
	var outs []*tensor.Tensor
	for range steps {
		x := make([]float32, batch*net.Inputs())
		for i := range x {
			if binary {
				if r.Float32() < 0.3 {
					x[i] = 1
				}
			} else {
				x[i] = r.Float32()
			}
		}
		o, _ := st.Step(tensor.New([]int{batch, net.Inputs()}, x))
		outs = append(outs, o)
	}
	return tp.Stack(outs)
}

func TestRateRNNGrad(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  RateConfig
	}{
		{"softplus", RateConfig{Inputs: 3, Units: 5, Outputs: 2}},
		{"tanh_noise", RateConfig{Inputs: 3, Units: 5, Outputs: 2, Activation: "tanh", SigmaRec: 0.1}},
		{"dale_noself", RateConfig{Inputs: 3, Units: 5, Outputs: 2, Dale: true, NoSelf: true}},
		{"relu", RateConfig{Inputs: 3, Units: 4, Outputs: 2, Activation: "relu", Gain: 1.5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			net := NewRateRNN("rnn", c.cfg, rand.New(rand.NewPCG(1, 2)))
			err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
				return runSeq(tp, net, 2, 6, false, 3)
			}, net.Params()...)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// One step by hand: x = (1−α)x₀ + α(r₀W + uW_in + b), r = softplus(x).
func TestRateRNNStep(t *testing.T) {
	net := NewRateRNN("rnn", RateConfig{Inputs: 1, Units: 2, Outputs: 1, Alpha: 0.5}, rand.New(rand.NewPCG(1, 2)))
	copy(net.Rec.Data, []float32{0.1, 0.2, 0.3, 0.4})
	copy(net.In.W.Data, []float32{1, -1})
	copy(net.In.B.Data, []float32{0, 0.5})
	copy(net.Out.W.Data, []float32{1, 2})
	net.Out.B.Data[0] = 0
	st := net.Start(nil, 1, nil, nil)
	out, hid := st.Step(tensor.New([]int{1, 1}, []float32{2}))
	sp := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	r0 := sp(0)
	x := []float64{0.5 * (r0*0.1 + r0*0.3 + 2), 0.5 * (r0*0.2 + r0*0.4 - 2 + 0.5)}
	for i := range 2 {
		if d := math.Abs(float64(hid.Data[i]) - sp(x[i])); d > 1e-6 {
			t.Fatalf("rate %d = %v, want %v", i, hid.Data[i], sp(x[i]))
		}
	}
	if want := sp(x[0]) + 2*sp(x[1]); math.Abs(float64(out.Data[0])-want) > 1e-5 {
		t.Fatalf("out %v, want %v", out.Data[0], want)
	}
}

// Under Dale's law every unit's effective outgoing weights share its sign
// after any update of the raw weights, self-connections stay 0 and only
// excitatory units reach the readout.
func TestRateRNNDale(t *testing.T) {
	net := NewRateRNN("rnn", RateConfig{Inputs: 2, Units: 10, Outputs: 2, Dale: true, NoSelf: true}, rand.New(rand.NewPCG(3, 4)))
	r := rand.New(rand.NewPCG(5, 6))
	for i := range net.Rec.Data {
		net.Rec.Data[i] = float32(r.NormFloat64())
	}
	w := effective(nil, net.Rec, net.Sign, net.NoSelf)
	n := 10
	ne := 0
	for i := range n {
		if net.Sign[i] > 0 {
			ne++
		}
		for j := range n {
			v := w.Data[i*n+j]
			switch {
			case i == j && v != 0:
				t.Fatalf("self-connection %d = %v", i, v)
			case i != j && v*net.Sign[i] < 0:
				t.Fatalf("w[%d,%d] = %v has the wrong sign", i, j, v)
			}
		}
	}
	if ne != 8 {
		t.Fatalf("%d excitatory units of 10, want 8", ne)
	}
	ro := readoutWeights(nil, net.Out, net.Sign)
	for i := range n {
		for j := range 2 {
			if v := ro.Data[i*2+j]; v < 0 || (net.Sign[i] < 0 && v != 0) {
				t.Fatalf("readout[%d,%d] = %v", i, j, v)
			}
		}
	}
}
