package tensor

import (
	"fmt"
	"math"
)

// Sum returns the sum of all elements as a scalar (accumulated in float64).
func (tp *Tape) Sum(a *Tensor) *Tensor {
	out := tp.NewResult([]int{}, a)
	var s float64
	for _, x := range a.Data {
		s += float64(x)
	}
	out.Data[0] = float32(s)
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			g := out.Grad[0]
			ga, fresh := tp.GradAcc(a)
			if fresh {
				for i := range ga {
					ga[i] = g
				}
				return
			}
			for i := range ga {
				ga[i] += g
			}
		})
	}
	return out
}

// Mean returns the mean of all elements as a scalar.
func (tp *Tape) Mean(a *Tensor) *Tensor {
	return tp.Scale(tp.Sum(a), 1/float32(len(a.Data)))
}

// axisSplit returns (outer, n, inner) for reducing dimension axis of shape.
func axisSplit(op string, shape []int, axis int) (outer, n, inner, ax int) {
	if axis < 0 {
		axis += len(shape)
	}
	if axis < 0 || axis >= len(shape) {
		panic(fmt.Sprintf("tensor: %s: axis out of range for shape %v", op, shape))
	}
	outer, inner = 1, 1
	for i, d := range shape {
		switch {
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, shape[axis], inner, axis
}

func dropAxis(shape []int, axis int) []int {
	out := make([]int, 0, len(shape)-1)
	out = append(out, shape[:axis]...)
	return append(out, shape[axis+1:]...)
}

// SumAxis sums over one dimension (negative counts from the end), removing it.
func (tp *Tape) SumAxis(a *Tensor, axis int) *Tensor {
	outer, n, inner, ax := axisSplit("SumAxis", a.Shape, axis)
	out := tp.NewResult(dropAxis(a.Shape, ax), a)
	clear(out.Data)
	for o := 0; o < outer; o++ {
		dst := out.Data[o*inner : (o+1)*inner]
		for k := 0; k < n; k++ {
			src := a.Data[(o*n+k)*inner : (o*n+k+1)*inner]
			for i, x := range src {
				dst[i] += x
			}
		}
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga := tp.GradOf(a)
			for o := 0; o < outer; o++ {
				g := out.Grad[o*inner : (o+1)*inner]
				for k := 0; k < n; k++ {
					dst := ga[(o*n+k)*inner : (o*n+k+1)*inner]
					for i, x := range g {
						dst[i] += x
					}
				}
			}
		})
	}
	return out
}

// MeanAxis averages over one dimension, removing it.
func (tp *Tape) MeanAxis(a *Tensor, axis int) *Tensor {
	_, n, _, _ := axisSplit("MeanAxis", a.Shape, axis)
	return tp.Scale(tp.SumAxis(a, axis), 1/float32(n))
}

// MaxAxis takes the maximum over one dimension, removing it. The gradient
// is shared equally among the elements equal to the maximum (JAX's rule;
// PyTorch's max(dim) sends it all to one of them): with a flat input, such
// as the silent output of an untrained spiking network read by its maximum
// over time, every step still receives a gradient.
func (tp *Tape) MaxAxis(a *Tensor, axis int) *Tensor {
	outer, n, inner, ax := axisSplit("MaxAxis", a.Shape, axis)
	out := tp.NewResult(dropAxis(a.Shape, ax), a)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best := float32(math.Inf(-1))
			for k := 0; k < n; k++ {
				if v := a.Data[(o*n+k)*inner+i]; v > best || k == 0 {
					best = v
				}
			}
			out.Data[o*inner+i] = best
		}
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga := tp.GradOf(a)
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					best, ties := out.Data[o*inner+i], 0
					for k := 0; k < n; k++ {
						if a.Data[(o*n+k)*inner+i] == best {
							ties++
						}
					}
					if ties == 0 { // NaN maximum: no element equals it
						continue
					}
					g := out.Grad[o*inner+i] / float32(ties)
					for k := 0; k < n; k++ {
						if a.Data[(o*n+k)*inner+i] == best {
							ga[(o*n+k)*inner+i] += g
						}
					}
				}
			}
		})
	}
	return out
}
