package tensor

import (
	"fmt"
	"math"
	"slices"
)

// rowsOf returns (rows, cols) of a tensor seen as a matrix over its last axis.
func rowsOf(op string, a *Tensor) (int, int) {
	if a.Dim() < 1 {
		panic(fmt.Sprintf("tensor: %s of a scalar", op))
	}
	c := a.Shape[a.Dim()-1]
	if c == 0 {
		return 0, 0
	}
	return a.Len() / c, c
}

// LogSoftmax returns x − logΣexp(x) over the last axis, computed stably.
func (tp *Tape) LogSoftmax(a *Tensor) *Tensor {
	rows, c := rowsOf("LogSoftmax", a)
	out := tp.NewResult(a.Shape, a)
	for r := 0; r < rows; r++ {
		logSoftmaxRow(out.Data[r*c:(r+1)*c], a.Data[r*c:(r+1)*c])
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga := tp.GradOf(a)
			// d/dx: g − softmax·Σg
			for r := 0; r < rows; r++ {
				g, y, d := out.Grad[r*c:(r+1)*c], out.Data[r*c:(r+1)*c], ga[r*c:(r+1)*c]
				var s float64
				for _, v := range g {
					s += float64(v)
				}
				for i := range d {
					d[i] += g[i] - float32(math.Exp(float64(y[i]))*s)
				}
			}
		})
	}
	return out
}

// Softmax returns exp(x)/Σexp(x) over the last axis.
func (tp *Tape) Softmax(a *Tensor) *Tensor {
	rows, c := rowsOf("Softmax", a)
	out := tp.NewResult(a.Shape, a)
	for r := 0; r < rows; r++ {
		y := out.Data[r*c : (r+1)*c]
		logSoftmaxRow(y, a.Data[r*c:(r+1)*c])
		for i, v := range y {
			y[i] = float32(math.Exp(float64(v)))
		}
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga := tp.GradOf(a)
			// d/dx: y ⊙ (g − Σ g·y)
			for r := 0; r < rows; r++ {
				g, y, d := out.Grad[r*c:(r+1)*c], out.Data[r*c:(r+1)*c], ga[r*c:(r+1)*c]
				var s float64
				for i := range g {
					s += float64(g[i]) * float64(y[i])
				}
				for i := range d {
					d[i] += y[i] * (g[i] - float32(s))
				}
			}
		})
	}
	return out
}

func logSoftmaxRow(dst, x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v - m))
	}
	ls := float32(math.Log(s))
	for i, v := range x {
		dst[i] = (v - m) - ls
	}
}

// CrossEntropy returns the mean over rows of −log softmax(logits)[label],
// logits of shape (..., C) and one label per row in [0, C).
func (tp *Tape) CrossEntropy(logits *Tensor, labels []int) *Tensor {
	return tp.NLL(tp.LogSoftmax(logits), labels)
}

// NLL returns the mean over rows of −logp[label] for log-probabilities of
// shape (..., C) and one label per row.
func (tp *Tape) NLL(logp *Tensor, labels []int) *Tensor {
	rows, c := rowsOf("NLL", logp)
	if len(labels) != rows {
		panic(fmt.Sprintf("tensor: NLL: %d labels for %d rows of %v", len(labels), rows, logp.Shape))
	}
	out := tp.NewResult([]int{}, logp)
	var s float64
	for r, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("tensor: NLL: label %d out of range [0,%d) in row %d", y, c, r))
		}
		s -= float64(logp.Data[r*c+y])
	}
	out.Data[0] = float32(s / float64(max(rows, 1)))
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			g := out.Grad[0] / float32(max(rows, 1))
			ga := tp.GradOf(logp)
			for r, y := range labels {
				ga[r*c+y] -= g
			}
		})
	}
	return out
}

// MSE returns the mean of (a − b)² over all elements; a and b share a shape.
func (tp *Tape) MSE(a, b *Tensor) *Tensor {
	if !slices.Equal(a.Shape, b.Shape) {
		panic(fmt.Sprintf("tensor: MSE: shapes %v and %v differ", a.Shape, b.Shape))
	}
	return tp.Mean(tp.Square(tp.Sub(a, b)))
}
