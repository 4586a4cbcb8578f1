package tensor

import (
	"math"
	"slices"

	"github.com/braingo/braingo/kernels"
)

// Add returns a + b with NumPy broadcasting.
func (tp *Tape) Add(a, b *Tensor) *Tensor {
	return tp.binaryOp("Add", a, b, func(x, y float32) float32 { return x + y },
		func(g, x, y float32) (float32, float32) { return g, g })
}

// Sub returns a − b with NumPy broadcasting.
func (tp *Tape) Sub(a, b *Tensor) *Tensor {
	return tp.binaryOp("Sub", a, b, func(x, y float32) float32 { return x - y },
		func(g, x, y float32) (float32, float32) { return g, -g })
}

// Mul returns a ⊙ b with NumPy broadcasting.
func (tp *Tape) Mul(a, b *Tensor) *Tensor {
	return tp.binaryOp("Mul", a, b, func(x, y float32) float32 { return x * y },
		func(g, x, y float32) (float32, float32) { return g * y, g * x })
}

// Div returns a / b with NumPy broadcasting.
func (tp *Tape) Div(a, b *Tensor) *Tensor {
	return tp.binaryOp("Div", a, b, func(x, y float32) float32 { return x / y },
		func(g, x, y float32) (float32, float32) { return g / y, -g * x / (y * y) })
}

// binaryOp is the broadcasting elementwise op with partial derivatives
// d(g, x, y) = (g·∂f/∂x, g·∂f/∂y).
func (tp *Tape) binaryOp(name string, a, b *Tensor, f func(x, y float32) float32, d func(g, x, y float32) (float32, float32)) *Tensor {
	shape := broadcastShape(name, a.Shape, b.Shape)
	va, vb := newBview(a.Shape, shape), newBview(b.Shape, shape)
	out := tp.NewResult(shape, a, b)
	binary(out.Data, shape, a, b, va, vb, f)
	if !out.requiresGrad {
		return out
	}
	tp.Record(func() {
		g := out.Grad
		if g == nil {
			return
		}
		var ga, gb []float32
		if va.kind == 0 && vb.kind == 0 && a != b {
			var fa, fb bool
			if a.requiresGrad {
				ga, fa = tp.GradAcc(a)
			}
			if b.requiresGrad {
				gb, fb = tp.GradAcc(b)
			}
			for i, gi := range g {
				dx, dy := d(gi, a.Data[i], b.Data[i])
				if fa {
					ga[i] = dx
				} else if ga != nil {
					ga[i] += dx
				}
				if fb {
					gb[i] = dy
				} else if gb != nil {
					gb[i] += dy
				}
			}
			return
		}
		if name == "Add" && va.kind == 0 && vb.kind == 2 && a != b {
			// A bias row added to every row of a: a's gradient is g, b's
			// the column sums of g (rows added in order, as in
			// rowBroadcastGrad), with vector kernels instead of a call of
			// d per element.
			if a.requiresGrad {
				if ga, fa := tp.GradAcc(a); fa {
					copy(ga, g)
				} else {
					kernels.AddTo(ga, g)
				}
			}
			if b.requiresGrad {
				gb := tp.GradOf(b)
				p := vb.period
				for r := 0; r < len(g); r += p {
					kernels.AddTo(gb, g[r:r+p])
				}
			}
			return
		}
		if va.kind == 0 && (vb.kind == 1 || vb.kind == 2) && a != b {
			// b a row (or a scalar) repeated over a's rows: the common bias
			// and per-unit constant case, without index arithmetic or
			// temporaries.
			tp.rowBroadcastGrad(a, b, g, vb, d)
			return
		}
		// General broadcast: per-element partials, then reduce into each input.
		if a.requiresGrad {
			ga = tp.GradOf(a)
		}
		if b.requiresGrad {
			gb = tp.GradOf(b)
		}
		var ta, tb []float32
		if ga != nil {
			ta = tp.Alloc(len(g))
		}
		if gb != nil {
			tb = tp.Alloc(len(g))
		}
		for i, gi := range g {
			dx, dy := d(gi, a.Data[va.index(i, shape)], b.Data[vb.index(i, shape)])
			if ta != nil {
				ta[i] = dx
			}
			if tb != nil {
				tb[i] = dy
			}
		}
		if ga != nil {
			accumulate(ga, ta, shape, va)
		}
		if gb != nil {
			accumulate(gb, tb, shape, vb)
		}
	})
	return out
}

// rowBroadcastGrad is binaryOp's backward step when a is the full output
// and b a scalar (vb.kind 1) or a row repeated over a's rows (vb.kind 2):
// a's gradient element by element, b's summed over the rows in row order
// (the order of accumulate's general path).
func (tp *Tape) rowBroadcastGrad(a, b *Tensor, g []float32, vb bview, d func(g, x, y float32) (float32, float32)) {
	var ga, gb []float32
	var fa bool
	if a.requiresGrad {
		ga, fa = tp.GradAcc(a)
	}
	if b.requiresGrad {
		gb = tp.GradOf(b)
	}
	p := 1
	if vb.kind == 2 {
		p = vb.period
	}
	var sum float64 // scalar b: summed in float64 like accumulate
	for r := 0; r < len(g); r += p {
		gr, ar := g[r:r+p], a.Data[r:r+p]
		for i, gi := range gr {
			j := i
			if vb.kind == 1 {
				j = 0
			}
			dx, dy := d(gi, ar[i], b.Data[j])
			switch {
			case fa:
				ga[r+i] = dx
			case ga != nil:
				ga[r+i] += dx
			}
			if gb != nil {
				if vb.kind == 1 {
					sum += float64(dy)
				} else {
					gb[i] += dy
				}
			}
		}
	}
	if gb != nil && vb.kind == 1 {
		gb[0] += float32(sum)
	}
}

// unaryOp applies f elementwise; df(x, y) is f'(x) given the input x and
// output y = f(x).
func (tp *Tape) unaryOp(a *Tensor, f func(x float32) float32, df func(x, y float32) float32) *Tensor {
	out := tp.NewResult(a.Shape, a)
	for i, x := range a.Data {
		out.Data[i] = f(x)
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			ga, fresh := tp.GradAcc(a)
			if fresh {
				for i, g := range out.Grad {
					ga[i] = g * df(a.Data[i], out.Data[i])
				}
				return
			}
			for i, g := range out.Grad {
				ga[i] += g * df(a.Data[i], out.Data[i])
			}
		})
	}
	return out
}

// Scale returns c·a.
func (tp *Tape) Scale(a *Tensor, c float32) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return c * x }, func(x, y float32) float32 { return c })
}

// AddScalar returns a + c.
func (tp *Tape) AddScalar(a *Tensor, c float32) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return x + c }, func(x, y float32) float32 { return 1 })
}

// Neg returns −a.
func (tp *Tape) Neg(a *Tensor) *Tensor { return tp.Scale(a, -1) }

// Exp returns eˣ elementwise.
func (tp *Tape) Exp(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return float32(math.Exp(float64(x))) },
		func(x, y float32) float32 { return y })
}

// Log returns ln x elementwise.
func (tp *Tape) Log(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return float32(math.Log(float64(x))) },
		func(x, y float32) float32 { return 1 / x })
}

// Tanh returns tanh x elementwise.
func (tp *Tape) Tanh(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return float32(math.Tanh(float64(x))) },
		func(x, y float32) float32 { return 1 - y*y })
}

// Sigmoid returns 1/(1+e⁻ˣ) elementwise.
func (tp *Tape) Sigmoid(a *Tensor) *Tensor {
	return tp.unaryOp(a, sigmoid, func(x, y float32) float32 { return y * (1 - y) })
}

// ReLU returns max(x, 0) elementwise (derivative 0 at 0, as PyTorch).
func (tp *Tape) ReLU(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return max(x, 0) }, func(x, y float32) float32 {
		if x > 0 {
			return 1
		}
		return 0
	})
}

// Softplus returns ln(1+eˣ) elementwise, computed stably.
func (tp *Tape) Softplus(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 {
		xf := float64(x)
		return float32(math.Max(xf, 0) + math.Log1p(math.Exp(-math.Abs(xf))))
	}, func(x, y float32) float32 { return sigmoid(x) })
}

// Square returns x² elementwise.
func (tp *Tape) Square(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return x * x }, func(x, y float32) float32 { return 2 * x })
}

// Sqrt returns √x elementwise.
func (tp *Tape) Sqrt(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return float32(math.Sqrt(float64(x))) },
		func(x, y float32) float32 { return 0.5 / y })
}

// Abs returns |x| elementwise (derivative 0 at 0, as PyTorch's sign).
func (tp *Tape) Abs(a *Tensor) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return float32(math.Abs(float64(x))) },
		func(x, y float32) float32 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		})
}

// Clamp limits values to [lo, hi]; the gradient passes where lo ≤ x ≤ hi,
// as in PyTorch.
func (tp *Tape) Clamp(a *Tensor, lo, hi float32) *Tensor {
	return tp.unaryOp(a, func(x float32) float32 { return min(max(x, lo), hi) }, func(x, y float32) float32 {
		if x >= lo && x <= hi {
			return 1
		}
		return 0
	})
}

// Where returns cond ? a : b elementwise, cond being nonzero values of a
// tensor that takes no gradient; all three share one shape.
func (tp *Tape) Where(cond, a, b *Tensor) *Tensor {
	if !slices.Equal(cond.Shape, a.Shape) || !slices.Equal(a.Shape, b.Shape) {
		panic("tensor: Where: shapes " + shapeStr(cond.Shape) + ", " + shapeStr(a.Shape) + ", " + shapeStr(b.Shape) + " differ")
	}
	out := tp.NewResult(a.Shape, a, b)
	for i, c := range cond.Data {
		if c != 0 {
			out.Data[i] = a.Data[i]
		} else {
			out.Data[i] = b.Data[i]
		}
	}
	if out.requiresGrad {
		tp.Record(func() {
			if out.Grad == nil {
				return
			}
			var ga, gb []float32
			if a.requiresGrad {
				ga = tp.GradOf(a)
			}
			if b.requiresGrad {
				gb = tp.GradOf(b)
			}
			for i, g := range out.Grad {
				if cond.Data[i] != 0 {
					if ga != nil {
						ga[i] += g
					}
				} else if gb != nil {
					gb[i] += g
				}
			}
		})
	}
	return out
}

func sigmoid(x float32) float32 {
	if x >= 0 {
		return float32(1 / (1 + math.Exp(-float64(x))))
	}
	e := math.Exp(float64(x))
	return float32(e / (1 + e))
}
