package tensor

import (
	"fmt"
	"math"
)

// GradCheck configures CheckGrad. The zero value works.
type GradCheck struct {
	// Eps is the central-difference step (default 1e-3).
	Eps float64
	// ATol and RTol bound |analytic − numeric| ≤ ATol + RTol·|numeric|
	// (defaults 1e-3 and 1e-2, suited to float32 arithmetic).
	ATol, RTol float64
}

// CheckGrad compares the gradients the tape computes for f with central
// finite differences, for every element of every input. f builds its result
// from inputs on the tape it is given (which may be nil for the numeric
// evaluations). A non-scalar result y is reduced to L = Σ rᵢ·yᵢ with fixed
// pseudo-random weights r, so the whole vector-Jacobian product is checked.
// It returns an error naming the first input and element that disagree.
func (c GradCheck) CheckGrad(f func(tp *Tape) *Tensor, inputs ...*Tensor) error {
	if c.Eps == 0 {
		c.Eps = 1e-3
	}
	if c.ATol == 0 {
		c.ATol = 1e-3
	}
	if c.RTol == 0 {
		c.RTol = 1e-2
	}
	saved := make([]bool, len(inputs))
	for i, in := range inputs {
		saved[i] = in.requiresGrad
		in.requiresGrad = true
		in.Grad = nil
	}
	defer func() {
		for i, in := range inputs {
			in.requiresGrad = saved[i]
		}
	}()
	var weights []float32
	loss := func(tp *Tape) (*Tensor, float64) {
		y := f(tp)
		if weights == nil {
			weights = make([]float32, y.Len())
			s := uint64(0x9e3779b97f4a7c15)
			for i := range weights {
				s ^= s << 13
				s ^= s >> 7
				s ^= s << 17
				weights[i] = float32(s%2001)/1000 - 1
			}
			if len(weights) == 1 {
				weights[0] = 1
			}
		}
		var l float64
		for i, v := range y.Data {
			l += float64(weights[i]) * float64(v)
		}
		return y, l
	}
	tp := NewTape()
	y, _ := loss(tp)
	if !y.requiresGrad {
		return fmt.Errorf("gradcheck: result does not depend on any input")
	}
	tp.BackwardWith(y, weights)
	analytic := make([][]float32, len(inputs))
	for i, in := range inputs {
		analytic[i] = append([]float32(nil), in.Grad...)
		if analytic[i] == nil {
			analytic[i] = make([]float32, in.Len())
		}
	}
	tp.Reset()
	for i, in := range inputs {
		for j := range in.Data {
			x := in.Data[j]
			in.Data[j] = x + float32(c.Eps)
			_, lp := loss(nil)
			in.Data[j] = x - float32(c.Eps)
			_, lm := loss(nil)
			in.Data[j] = x
			h := float64(x+float32(c.Eps)) - float64(x-float32(c.Eps))
			num := (lp - lm) / h
			an := float64(analytic[i][j])
			if math.IsNaN(an) || math.Abs(an-num) > c.ATol+c.RTol*math.Abs(num) {
				name := in.Name
				if name == "" {
					name = fmt.Sprintf("input %d", i)
				}
				return fmt.Errorf("gradcheck: %s %v element %d: analytic %.6g, numeric %.6g", name, in.Shape, j, an, num)
			}
		}
	}
	return nil
}
