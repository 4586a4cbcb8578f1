package snn

import (
	"math"
	"testing"

	"github.com/braingo/braingo/tensor"
)

// LI.Forward (the step of LI.Step with its backward pass) equals the tape
// formulation β·o + in bit for bit, in values and in the gradients of the
// state and the input over several steps.
func TestLIForwardMatchesTapeOps(t *testing.T) {
	p := LI{Beta: 0.87}
	o0 := tensor.NewParam("o0", []int{2, 3}, []float32{0.1, -0.4, 2, 0.3, 0, -1.5})
	x := tensor.NewParam("x", []int{2, 3}, []float32{0.7, 0.2, -0.9, 1.1, -0.3, 0.05})
	w := tensor.New([]int{2, 3}, []float32{1, -2, 3, 0.5, -1, 2})
	run := func(step func(tp *tensor.Tape, o, in *tensor.Tensor) *tensor.Tensor) (vals, grads []float32) {
		o0.Grad, x.Grad = nil, nil
		tp := tensor.NewTape()
		o := o0
		var loss *tensor.Tensor
		for range 5 {
			o = step(tp, o, x)
			term := tp.Sum(tp.Mul(o, w))
			if loss == nil {
				loss = term
			} else {
				loss = tp.Add(loss, term)
			}
			vals = append(vals, o.Data...)
		}
		tp.Backward(loss)
		return vals, append(append([]float32(nil), o0.Grad...), x.Grad...)
	}
	fv, fg := run(p.Forward)
	rv, rg := run(func(tp *tensor.Tape, o, in *tensor.Tensor) *tensor.Tensor { return tp.Add(tp.Scale(o, p.Beta), in) })
	for i := range fv {
		if math.Float32bits(fv[i]) != math.Float32bits(rv[i]) {
			t.Fatalf("value %d: fused %v, tape ops %v", i, fv[i], rv[i])
		}
	}
	for i := range fg {
		if math.Float32bits(fg[i]) != math.Float32bits(rg[i]) {
			t.Fatalf("gradient %d: fused %v, tape ops %v", i, fg[i], rg[i])
		}
	}
}
