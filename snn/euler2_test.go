package snn

import (
	"testing"

	"github.com/braingo/braingo/tensor"
)

// Below threshold the fused Euler steps of Izhikevich and AdEx are
// smooth: their gradients through three steps (membrane, recovery or
// adaptation, input) equal finite differences (with steps large enough for
// float32 at membranes of −60 mV and currents in pA).
func TestEuler2GradSubthreshold(t *testing.T) {
	for _, c := range []struct {
		name string
		v0   []float32
		w0   []float32
		in   []float32
		step func(tp *tensor.Tape, v, w, in *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor)
		eps  float64
	}{
		{"izhikevich", []float32{-65, -60, -70}, []float32{-13, -12, -14}, []float32{2, 4, 0},
			func(tp *tensor.Tape, v, w, in *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
				st, _ := Izhikevich{Surrogate: flat{}}.Forward(tp, IzhikevichState{V: v, U: w}, in)
				return st.V, st.U
			}, 1e-2},
		{"adex", []float32{-70, -65, -58}, []float32{0, 20, 40}, []float32{100, 300, 0},
			func(tp *tensor.Tape, v, w, in *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
				st, _ := AdEx{Surrogate: flat{}}.Forward(tp, AdExState{V: v, W: w}, in)
				return st.V, st.W
			}, 0.1},
	} {
		t.Run(c.name, func(t *testing.T) {
			v0 := tensor.NewParam("v0", []int{1, 3}, c.v0)
			w0 := tensor.NewParam("w0", []int{1, 3}, c.w0)
			in := tensor.NewParam("in", []int{1, 3}, c.in)
			err := tensor.GradCheck{Eps: c.eps}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
				v, w := v0, w0
				for range 3 {
					v, w = c.step(tp, v, w, in)
				}
				return tp.Add(tp.Sum(v), tp.Sum(w))
			}, v0, w0, in)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
