package tensor

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/braingo/braingo/kernels"
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
	logSoftmaxRows(out.Data[:rows*c], a.Data[:rows*c], c)
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga := tp.GradOf(a)
			buf := getF64(rows * c)
			ey := *buf
			expRows(ey, out.Data[:rows*c])
			// d/dx: g − softmax·Σg
			for r := 0; r < rows; r++ {
				g, e, d := out.Grad[r*c:(r+1)*c], ey[r*c:(r+1)*c], ga[r*c:(r+1)*c]
				var s float64
				for _, v := range g {
					s += float64(v)
				}
				for i := range d {
					d[i] += g[i] - float32(e[i]*s)
				}
			}
			putF64(buf)
		})
	}
	return out
}

// Softmax returns exp(x)/Σexp(x) over the last axis.
func (tp *Tape) Softmax(a *Tensor) *Tensor {
	rows, c := rowsOf("Softmax", a)
	out := tp.NewResult(a.Shape, a)
	y := out.Data[:rows*c]
	logSoftmaxRows(y, a.Data[:rows*c], c)
	buf := getF64(len(y))
	expRows(*buf, y)
	for i, v := range *buf {
		y[i] = float32(v)
	}
	putF64(buf)
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

// logSoftmaxRows writes log softmax of each row of c values of x to dst:
// (x − max) − log Σ exp(x − max), the sum in float64 in order, the
// exponentials of all rows by kernels.Exp (math.Exp's bits, 8 at a time).
func logSoftmaxRows(dst, x []float32, c int) {
	n := len(x)
	if c == 0 || n == 0 {
		return
	}
	buf := getF64(n)
	e := (*buf)[:n]
	for r := 0; r < n; r += c {
		row := x[r : r+c]
		m := float32(math.Inf(-1))
		for _, v := range row {
			m = max(m, v)
		}
		d := dst[r : r+c]
		for i, v := range row {
			d[i] = v - m
			e[r+i] = float64(d[i])
		}
	}
	kernels.Exp(e, e)
	for r := 0; r < n; r += c {
		var s float64
		for _, v := range e[r : r+c] {
			s += v
		}
		ls := float32(math.Log(s))
		d := dst[r : r+c]
		for i := range d {
			d[i] -= ls
		}
	}
	putF64(buf)
}

// expRows sets e[i] = math.Exp(float64(y[i])) for every i (kernels.Exp).
func expRows(e []float64, y []float32) {
	for i, v := range y {
		e[i] = float64(v)
	}
	kernels.Exp(e, e)
}

// f64Pool holds float64 scratch buffers of the losses' exponentials.
var f64Pool = sync.Pool{New: func() any { return new([]float64) }}

func getF64(n int) *[]float64 {
	b := f64Pool.Get().(*[]float64)
	if cap(*b) < n {
		*b = make([]float64, n)
	}
	*b = (*b)[:n]
	return b
}

func putF64(b *[]float64) { f64Pool.Put(b) }

// CrossEntropy returns the mean over rows of −log softmax(logits)[label],
// logits of shape (..., C) and one label per row in [0, C).
func (tp *Tape) CrossEntropy(logits *Tensor, labels []int) *Tensor {
	return tp.NLL(tp.LogSoftmax(logits), labels)
}

// CrossEntropySteps returns Σ_t CrossEntropy(logits[t], labels) over steps
// of the same shape, the steps' losses added in order of t. It gives the
// same bits, value and gradients, as CrossEntropy per step summed with Add,
// in one recorded op instead of three per step (the loss of a spiking
// network over its time steps).
func (tp *Tape) CrossEntropySteps(logits []*Tensor, labels []int) *Tensor {
	if len(logits) == 0 {
		panic("tensor: CrossEntropySteps of no steps")
	}
	rows, c := rowsOf("CrossEntropySteps", logits[0])
	if len(labels) != rows {
		panic(fmt.Sprintf("tensor: CrossEntropySteps: %d labels for %d rows of %v", len(labels), rows, logits[0].Shape))
	}
	for r, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("tensor: CrossEntropySteps: label %d out of range [0,%d) in row %d", y, c, r))
		}
	}
	n := rows * c
	for t, a := range logits {
		if !slices.Equal(a.Shape, logits[0].Shape) {
			panic(fmt.Sprintf("tensor: CrossEntropySteps: step %d has shape %v, step 0 %v", t, a.Shape, logits[0].Shape))
		}
	}
	out := tp.NewResult([]int{}, logits...)
	logp := tp.Alloc(len(logits) * n)
	var loss float32
	for t, a := range logits {
		lp := logp[t*n : (t+1)*n]
		logSoftmaxRows(lp, a.Data[:n], c)
		var s float64
		for r, y := range labels {
			s -= float64(lp[r*c+y])
		}
		ce := float32(s / float64(max(rows, 1))) // NLL's mean
		if t == 0 {
			loss = ce
		} else {
			loss += ce
		}
	}
	out.Data[0] = loss
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			// Each step's loss gets the sum's gradient; NLL's gradient of
			// the log-probabilities is −gl at the labels, and LogSoftmax's
			// g − softmax·Σg, as those ops compute them.
			gl := out.Grad[0] / float32(max(rows, 1))
			gy := 0 - gl // NLL's: a zeroed gradient minus gl (+0, not −0, for gl = 0)
			buf := getF64(n)
			ey := *buf
			for t, a := range logits {
				if !a.requiresGrad {
					continue
				}
				expRows(ey, logp[t*n:(t+1)*n])
				ga := tp.GradOf(a)
				for r, y := range labels {
					s := float64(gy) // Σ of the row's gradient
					d, e := ga[r*c:(r+1)*c], ey[r*c:(r+1)*c]
					for i := range d {
						var g float32
						if i == y {
							g = gy
						}
						d[i] += g - float32(e[i]*s)
					}
				}
			}
			putF64(buf)
		})
	}
	return out
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
