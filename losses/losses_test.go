package losses

import (
	"math"
	"testing"

	"github.com/braingo/braingo/tensor"
)

func steps(vals ...[]float32) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(vals))
	for i, v := range vals {
		out[i] = tensor.NewParam("s", []int{1, len(v)}, append([]float32(nil), v...))
	}
	return out
}

func ce(logits []float64, y int) float64 {
	var s float64
	for _, v := range logits {
		s += math.Exp(v)
	}
	return math.Log(s) - logits[y]
}

func near(t *testing.T, name string, got float32, want float64) {
	t.Helper()
	if math.Abs(float64(got)-want) > 1e-5*(1+math.Abs(want)) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestLossValues(t *testing.T) {
	s := steps([]float32{1, 0, 1}, []float32{0, 0, 1}, []float32{1, 1, 0})
	y := []int{2}
	near(t, "CEMembrane", CEMembrane(nil, s, y).Item(), ce([]float64{1, 0, 1}, 2)+ce([]float64{0, 0, 1}, 2)+ce([]float64{1, 1, 0}, 2))
	near(t, "CERate", CERate(nil, s, y).Item(), (ce([]float64{1, 0, 1}, 2)+ce([]float64{0, 0, 1}, 2)+ce([]float64{1, 1, 0}, 2))/3)
	near(t, "CECount", CECount(nil, s, y).Item(), ce([]float64{2, 1, 2}, 2))
	// targets as snnTorch's int(T·rate): correct int(0.8·3) = 2, others
	// int(0.2·3) = 0; counts (2,1,2)
	mse := (math.Pow(2-0, 2) + math.Pow(1-0, 2) + math.Pow(2-2, 2)) / 3
	near(t, "MSECount", MSECount(nil, s, y, 0.8, 0.2).Item(), mse/3)
	near(t, "NLLMaxMembrane", NLLMaxMembrane(nil, s, y).Item(), ce([]float64{1, 1, 1}, 2))
	near(t, "SpikeCountL1", SpikeCountL1(nil, s, 0.5).Item(), 0.5*5)
	near(t, "SpikeCountL2", SpikeCountL2(nil, s, 0.5).Item(), 0.5*(4+1+4)/3)
	// Two samples: per-neuron counts sum over the batch before squaring.
	b := []*tensor.Tensor{tensor.New([]int{2, 2}, []float32{1, 0, 1, 1})}
	near(t, "SpikeCountL2 batch", SpikeCountL2(nil, b, 1).Item(), (4+1)/2.0)
	near(t, "SpikeCountL1 batch", SpikeCountL1(nil, b, 1).Item(), 3)
}

func TestLossGradients(t *testing.T) {
	mk := func() []*tensor.Tensor {
		return steps([]float32{0.3, -0.2, 0.9, 0.1}, []float32{-0.5, 0.4, 0.2, 0.7}, []float32{0.15, 0.6, -0.8, 0.35})
	}
	y := []int{1}
	cases := map[string]func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor{
		"CEMembrane":     func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor { return CEMembrane(tp, s, y) },
		"CERate":         func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor { return CERate(tp, s, y) },
		"CECount":        func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor { return CECount(tp, s, y) },
		"MSECount":       func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor { return MSECount(tp, s, y, 0.8, 0.2) },
		"NLLMaxMembrane": func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor { return NLLMaxMembrane(tp, s, y) },
		"SpikeCountL2":   func(tp *tensor.Tape, s []*tensor.Tensor) *tensor.Tensor { return SpikeCountL2(tp, s, 0.3) },
	}
	for name, f := range cases {
		s := mk()
		if err := (tensor.GradCheck{}).CheckGrad(func(tp *tensor.Tape) *tensor.Tensor { return f(tp, s) }, s...); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
