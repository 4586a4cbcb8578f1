// Package tensor provides dense float32 tensors and a reverse-mode automatic
// differentiation tape on top of package kernels.
//
// A Tape records operations only when a gradient is wanted: a nil *Tape is
// valid everywhere and computes forward values without recording anything, so
// simulation and inference pay nothing for differentiability. An operation is
// recorded only if one of its inputs requires a gradient (a parameter, or a
// value computed from one).
//
// Memory. Every op keeps exactly what its vector-Jacobian product needs (the
// event-driven product keeps spike index lists, a spike keeps its argument),
// and buffers created by a tape are recycled by Tape.Reset, so a training
// loop that resets its tape each batch reaches a steady state with no
// allocation. The Data and Grad of tensors created by a tape are valid until
// that tape's next Reset; copy what must outlive it.
package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a dense, row-major float32 array with an optional gradient.
type Tensor struct {
	// Shape lists the extent of each dimension; a scalar has an empty shape.
	Shape []int
	// Data holds the values, len(Data) == product of Shape.
	Data []float32
	// Grad holds dLoss/dData once a backward pass has reached this tensor
	// (same length as Data), or nil. Parameters accumulate into Grad across
	// backward passes until ZeroGrad, as in PyTorch.
	Grad []float32
	// Name labels parameters in checkpoints, optimizers and error messages.
	Name string

	requiresGrad bool
	pooled       bool // Data came from a tape's pool
}

// New wraps data (not copied) as a tensor of the given shape. It panics if
// the lengths disagree.
func New(shape []int, data []float32) *Tensor {
	if n := numel(shape); n != len(data) {
		panic(fmt.Sprintf("tensor: New: shape %v needs %d values, got %d", shape, n, len(data)))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Zeros returns a new zero tensor of the given shape.
func Zeros(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, numel(shape))}
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar(v float32) *Tensor { return &Tensor{Shape: []int{}, Data: []float32{v}} }

// NewParam returns a named trainable tensor (RequiresGrad true) wrapping data.
func NewParam(name string, shape []int, data []float32) *Tensor {
	t := New(shape, data)
	t.Name = name
	t.requiresGrad = true
	return t
}

// RequiresGrad reports whether a backward pass computes a gradient for t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad marks t as trainable (or not) and returns t.
func (t *Tensor) SetRequiresGrad(v bool) *Tensor { t.requiresGrad = v; return t }

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Dim is the number of dimensions.
func (t *Tensor) Dim() int { return len(t.Shape) }

// Item returns the single value of a one-element tensor.
func (t *Tensor) Item() float32 {
	if len(t.Data) != 1 {
		panic(fmt.Sprintf("tensor: Item of tensor with shape %v", t.Shape))
	}
	return t.Data[0]
}

// ZeroGrad sets the gradient to zero, allocating it if needed.
func (t *Tensor) ZeroGrad() {
	if t.Grad == nil {
		t.Grad = make([]float32, len(t.Data))
		return
	}
	clear(t.Grad)
}

// Clone returns a deep copy of the values (not the gradient) that does not
// require a gradient and is not owned by any tape.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...), Name: t.Name}
}

// Detach returns a tensor sharing t's data that requires no gradient.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{Shape: t.Shape, Data: t.Data, Name: t.Name}
}

// String prints the shape and up to eight values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v[", t.Shape)
	for i, v := range t.Data {
		if i == 8 {
			b.WriteString(" …")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%g", v)
	}
	b.WriteByte(']')
	return b.String()
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

func shapeStr(s []int) string { return fmt.Sprint(s) }
