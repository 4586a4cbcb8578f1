package tensor

import (
	"fmt"
	"slices"
)

// broadcastShape returns the NumPy broadcast of shapes a and b, panicking
// with both shapes when they are incompatible.
func broadcastShape(op string, a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			panic(fmt.Sprintf("tensor: %s: shapes %v and %v do not broadcast", op, a, b))
		}
	}
	return out
}

// bview maps flat indices of a broadcast output to flat indices of one
// input. kind selects a fast path.
type bview struct {
	kind    int // 0 same, 1 scalar, 2 suffix (input repeats every period), 3 general
	period  int
	strides []int // kind 3: input stride per output dim (0 where broadcast)
}

func newBview(in, out []int) bview {
	nin, nout := numel(in), numel(out)
	switch {
	case nin == nout:
		return bview{kind: 0}
	case nin == 1:
		return bview{kind: 1}
	}
	// Suffix: in (without leading ones) equals the trailing dims of out.
	k := 0
	for k < len(in) && in[k] == 1 {
		k++
	}
	tail := in[k:]
	if len(tail) <= len(out) && slices.Equal(tail, out[len(out)-len(tail):]) {
		return bview{kind: 2, period: nin}
	}
	st := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := len(in) - len(out) + i
		if j >= 0 && in[j] != 1 {
			st[i] = s
			s *= in[j]
		}
	}
	return bview{kind: 3, strides: st}
}

// index returns the input's flat index of flat output index o; shape is the
// output shape (needed only for the general case).
func (v *bview) index(o int, shape []int) int {
	switch v.kind {
	case 0:
		return o
	case 1:
		return 0
	case 2:
		return o % v.period
	}
	idx := 0
	for d := len(shape) - 1; d >= 0; d-- {
		c := o % shape[d]
		o /= shape[d]
		idx += c * v.strides[d]
	}
	return idx
}

// binary applies f elementwise over the broadcast of a and b into dst.
func binary(dst []float32, shape []int, a, b *Tensor, va, vb bview, f func(x, y float32) float32) {
	switch {
	case va.kind == 0 && vb.kind == 0:
		ad, bd := a.Data[:len(dst)], b.Data[:len(dst)]
		for i := range dst {
			dst[i] = f(ad[i], bd[i])
		}
	case va.kind == 0 && vb.kind == 1:
		y := b.Data[0]
		for i, x := range a.Data[:len(dst)] {
			dst[i] = f(x, y)
		}
	case va.kind == 0 && vb.kind == 2:
		p := vb.period
		for r := 0; r < len(dst); r += p {
			row, bd := a.Data[r:r+p], b.Data[:p]
			out := dst[r : r+p]
			for i := range out {
				out[i] = f(row[i], bd[i])
			}
		}
	default:
		for i := range dst {
			dst[i] = f(a.Data[va.index(i, shape)], b.Data[vb.index(i, shape)])
		}
	}
}

// accumulate adds g (of the output shape) into the input gradient gin,
// summing over broadcast dimensions.
func accumulate(gin, g []float32, shape []int, v bview) {
	switch v.kind {
	case 0:
		for i, x := range g {
			gin[i] += x
		}
	case 1:
		var s float64
		for _, x := range g {
			s += float64(x)
		}
		gin[0] += float32(s)
	case 2:
		p := v.period
		for r := 0; r < len(g); r += p {
			row := g[r : r+p]
			for i, x := range row {
				gin[i] += x
			}
		}
	default:
		for i, x := range g {
			gin[v.index(i, shape)] += x
		}
	}
}
