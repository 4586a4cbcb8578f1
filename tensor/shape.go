package tensor

import (
	"fmt"
	"slices"
)

// Reshape returns a view of a with a new shape of the same size; one
// dimension may be −1 and is then inferred. The view shares a's data.
func (tp *Tape) Reshape(a *Tensor, shape ...int) *Tensor {
	shape = append([]int(nil), shape...)
	infer, n := -1, 1
	for i, d := range shape {
		if d == -1 {
			if infer >= 0 {
				panic("tensor: Reshape: more than one -1 in " + shapeStr(shape))
			}
			infer = i
			continue
		}
		n *= d
	}
	if infer >= 0 && n > 0 {
		shape[infer] = a.Len() / n
		n *= shape[infer]
	}
	if n != a.Len() {
		panic(fmt.Sprintf("tensor: Reshape: cannot view %v as %v", a.Shape, shape))
	}
	return tp.view(a, shape, 0)
}

// view returns a tensor of the given shape aliasing a.Data[off:], whose
// gradient flows back into the same region of a's gradient.
func (tp *Tape) view(a *Tensor, shape []int, off int) *Tensor {
	n := numel(shape)
	out := &Tensor{Shape: shape, Data: a.Data[off : off+n], pooled: tp != nil}
	out.requiresGrad = a.requiresGrad && tp.Recording()
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga := tp.GradOf(a)[off : off+n]
			for i, g := range out.Grad {
				ga[i] += g
			}
		})
	}
	return out
}

// Index returns a[i] along the first axis, as a view sharing a's data.
func (tp *Tape) Index(a *Tensor, i int) *Tensor {
	if a.Dim() < 1 || i < 0 || i >= a.Shape[0] {
		panic(fmt.Sprintf("tensor: Index %d out of range for shape %v", i, a.Shape))
	}
	inner := numel(a.Shape[1:])
	return tp.view(a, append([]int(nil), a.Shape[1:]...), i*inner)
}

// Narrow returns a[lo:hi] along the first axis, as a view.
func (tp *Tape) Narrow(a *Tensor, lo, hi int) *Tensor {
	if a.Dim() < 1 || lo < 0 || hi < lo || hi > a.Shape[0] {
		panic(fmt.Sprintf("tensor: Narrow [%d:%d] out of range for shape %v", lo, hi, a.Shape))
	}
	inner := numel(a.Shape[1:])
	shape := append([]int{hi - lo}, a.Shape[1:]...)
	return tp.view(a, shape, lo*inner)
}

// Stack joins tensors of one shape along a new first axis (copying).
func (tp *Tape) Stack(ts []*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Stack of no tensors")
	}
	inner := ts[0].Len()
	for _, t := range ts[1:] {
		if !slices.Equal(t.Shape, ts[0].Shape) {
			panic(fmt.Sprintf("tensor: Stack: shapes %v and %v differ", ts[0].Shape, t.Shape))
		}
	}
	out := tp.NewResult(append([]int{len(ts)}, ts[0].Shape...), ts...)
	for i, t := range ts {
		copy(out.Data[i*inner:], t.Data)
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			for i, t := range ts {
				if !t.requiresGrad {
					continue
				}
				gt := tp.GradOf(t)
				for j, g := range out.Grad[i*inner : (i+1)*inner] {
					gt[j] += g
				}
			}
		})
	}
	return out
}

// Concat joins tensors along the last axis; all other dimensions agree.
func (tp *Tape) Concat(ts []*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Concat of no tensors")
	}
	rows, width := -1, 0
	for _, t := range ts {
		r, c := rowsOf("Concat", t)
		if rows >= 0 && (r != rows || !slices.Equal(t.Shape[:t.Dim()-1], ts[0].Shape[:ts[0].Dim()-1])) {
			panic(fmt.Sprintf("tensor: Concat: shapes %v and %v disagree before the last axis", ts[0].Shape, t.Shape))
		}
		rows = r
		width += c
	}
	shape := append(append([]int(nil), ts[0].Shape[:ts[0].Dim()-1]...), width)
	out := tp.NewResult(shape, ts...)
	off := 0
	for _, t := range ts {
		c := t.Shape[t.Dim()-1]
		for r := 0; r < rows; r++ {
			copy(out.Data[r*width+off:r*width+off+c], t.Data[r*c:(r+1)*c])
		}
		off += c
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			off := 0
			for _, t := range ts {
				c := t.Shape[t.Dim()-1]
				if t.requiresGrad {
					gt := tp.GradOf(t)
					for r := 0; r < rows; r++ {
						src := out.Grad[r*width+off : r*width+off+c]
						for j, g := range src {
							gt[r*c+j] += g
						}
					}
				}
				off += c
			}
		})
	}
	return out
}
