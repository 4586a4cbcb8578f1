package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// forThreads runs f with Threads() set to 1, 2 and 3 and checks that every
// run returns the same bits.
func forThreads(t *testing.T, name string, f func() []float32) []float32 {
	t.Helper()
	prev := SetThreads(1)
	defer SetThreads(prev)
	ref := f()
	for _, n := range []int{2, 3} {
		SetThreads(n)
		if got := f(); !sameBits(got, ref) {
			t.Errorf("%s: %d threads give different bits from 1", name, n)
		}
	}
	return ref
}

func TestCSREventValGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2))
	for _, sz := range [][3]int{{0, 3, 2}, {1, 1, 1}, {5, 7, 3}, {300, 400, 16}, {1000, 400, 32}} {
		rows, cols, batch := sz[0], sz[1], sz[2]
		_, m := randCSR(r, rows, cols, 0.1)
		for _, density := range []float64{0, 0.1, 0.5} {
			s := randSpikes(r, batch, rows, density)
			var e Events
			e.FromDense(s, batch, rows)
			const ldg = 3 // extra columns of G the kernel must not read as its own
			g := randSlice(r, batch*(cols+ldg))
			init := randSlice(r, m.NNZ())
			want := append([]float32(nil), init...)
			for b := 0; b < batch; b++ {
				for _, i := range e.Row(b) {
					for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
						want[k] += g[b*(cols+ldg)+int(m.Col[k])]
					}
				}
			}
			name := fmt.Sprintf("EventValGrad %v density %v", sz, density)
			var scratch Events
			got := forThreads(t, name, func() []float32 {
				buf := guardedCopy(init)
				m.EventValGrad(mid(buf, len(init)), &e, g, cols+ldg, &scratch)
				checkGuards(t, name, buf, len(init))
				return append([]float32(nil), mid(buf, len(init))...)
			})
			if !sameBits(got, want) {
				t.Errorf("%s: differs from the reference loop", name)
			}
		}
	}
}

// transpose returns the cols×rows transpose of the rows×cols a.
func transpose(a []float32, rows, cols int) []float32 {
	t := make([]float32, rows*cols)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = a[i*cols+j]
		}
	}
	return t
}

// fmCase is a random problem for the feature-major kernels: X (with some
// inputs zero in every sample, others zero in some) and G, batch-major and
// transposed.
func fmCase(r *rand.Rand, rows, cols, batch int) (x, xT, g, gT []float32) {
	x = randSlice(r, batch*rows)
	for i := 0; i < rows; i++ {
		dead := r.IntN(4) == 0
		for b := 0; b < batch; b++ {
			if dead || r.IntN(3) == 0 {
				x[b*rows+i] = 0
			}
		}
	}
	g = randSlice(r, batch*cols)
	return x, transpose(x, batch, rows), g, transpose(g, batch, cols)
}

// denseProducts returns X·D, G·Dᵀ and XᵀG for the dense rows×cols D, in
// batch-major order, summed in float64.
func denseProducts(d, x, g []float32, rows, cols, batch int) (y, dx, dw []float64) {
	y, dx, dw = make([]float64, batch*cols), make([]float64, batch*rows), make([]float64, rows*cols)
	for b := 0; b < batch; b++ {
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				v := float64(d[i*cols+j])
				y[b*cols+j] += float64(x[b*rows+i]) * v
				dx[b*rows+i] += float64(g[b*cols+j]) * v
				dw[i*cols+j] += float64(x[b*rows+i]) * float64(g[b*cols+j])
			}
		}
	}
	return
}

func closeTo(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: element %d: %v, want %v", name, i, got[i], want[i])
		}
	}
}

func TestCSRFeatureMajor(t *testing.T) { withPortable(t, testCSRFeatureMajor) }

func testCSRFeatureMajor(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 5))
	for _, sz := range [][3]int{{0, 3, 2}, {3, 0, 2}, {4, 5, 0}, {1, 1, 1}, {5, 7, 3}, {40, 30, 17}, {1000, 400, 96}} {
		rows, cols, batch := sz[0], sz[1], sz[2]
		d, m := randCSR(r, rows, cols, 0.1)
		x, xT, g, gT := fmCase(r, rows, cols, batch)
		// Reference loops, the multiply-adds through axpyFused on whole rows.
		wantY := make([]float32, cols*batch)
		wantDX := make([]float32, rows*batch)
		init := randSlice(r, m.NNZ())
		wantDV := append([]float32(nil), init...)
		for i := 0; i < rows; i++ {
			xi := xT[i*batch : (i+1)*batch]
			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
				c := int(m.Col[k])
				if !allZero(xi) {
					axpyFused(wantY[c*batch:(c+1)*batch], m.Val[k], xi)
					wantDV[k] += Dot(xi, gT[c*batch:(c+1)*batch])
				}
				axpyFused(wantDX[i*batch:(i+1)*batch], m.Val[k], gT[c*batch:(c+1)*batch])
			}
		}
		name := fmt.Sprintf("CSR FM %v", sz)
		got := forThreads(t, name, func() []float32 {
			y, dx, dv := guarded(cols*batch), guarded(rows*batch), guardedCopy(init)
			m.MatMulFM(mid(y, cols*batch), xT, batch)
			m.MatMulTFM(mid(dx, rows*batch), gT, batch)
			m.ValGradFM(mid(dv, len(init)), xT, gT, batch)
			checkGuards(t, name+" y", y, cols*batch)
			checkGuards(t, name+" dx", dx, rows*batch)
			checkGuards(t, name+" dval", dv, len(init))
			return append(append(append([]float32(nil), mid(y, cols*batch)...), mid(dx, rows*batch)...), mid(dv, len(init))...)
		})
		want := append(append(append([]float32(nil), wantY...), wantDX...), wantDV...)
		if !sameBits(got, want) {
			t.Errorf("%s: differs from the reference loop", name)
		}
		// Against the dense matrix.
		y, dx, dw := denseProducts(d, x, g, rows, cols, batch)
		closeTo(t, name+" forward", transpose(got[:cols*batch], cols, batch), y, 1e-4)
		closeTo(t, name+" input gradient", transpose(got[cols*batch:cols*batch+rows*batch], rows, batch), dx, 1e-4)
		dv := got[cols*batch+rows*batch:]
		for i := 0; i < rows; i++ {
			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
				closeTo(t, name+" value gradient", []float32{dv[k] - init[k]}, []float64{dw[i*cols+int(m.Col[k])]}, 1e-4)
			}
		}
	}
}

func TestJITFeatureMajor(t *testing.T) { withPortable(t, testJITFeatureMajor) }

func testJITFeatureMajor(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 6))
	rules := []WeightRule{HomogeneousWeight(0.7), UniformWeight(-0.5, 1.5), NormalWeight(0.2, 0.9)}
	for _, sz := range [][3]int{{0, 3, 2}, {3, 0, 2}, {4, 5, 0}, {1, 1, 1}, {5, 7, 3}, {300, 200, 150}, {60, 50, 600}} {
		rows, cols, batch := sz[0], sz[1], sz[2]
		for _, p := range []float64{0.1, 1} {
			for _, rule := range rules {
				m := &JIT{Rows: rows, Cols: cols, P: p, Seed: 99, Weight: rule}
				x, xT, g, gT := fmCase(r, rows, cols, batch)
				wantY := make([]float32, cols*batch)
				wantDX := make([]float32, rows*batch)
				wantP, wantR := make([]float32, rows), make([]float32, rows)
				for i := 0; i < rows; i++ {
					xi := xT[i*batch : (i+1)*batch]
					it := m.Row(i)
					for {
						j, raw, ok := it.nextRaw()
						if !ok {
							break
						}
						w := it.weight(raw)
						gj := gT[j*batch : (j+1)*batch]
						axpyFused(wantDX[i*batch:(i+1)*batch], w, gj)
						if !allZero(xi) {
							axpyFused(wantY[j*batch:(j+1)*batch], w, xi)
							s := Dot(xi, gj)
							wantP[i] += s
							wantR[i] += raw * s
						}
					}
				}
				name := fmt.Sprintf("JIT FM %v p %v %v", sz, p, rule)
				got := forThreads(t, name, func() []float32 {
					y, dx, dp, dr := guarded(cols*batch), guarded(rows*batch), guarded(rows), guarded(rows)
					m.MatMulFM(mid(y, cols*batch), xT, batch)
					m.TransposeGradFM(mid(dx, rows*batch), mid(dp, rows), mid(dr, rows), xT, gT, batch)
					for _, c := range []struct {
						b []float32
						n int
					}{{y, cols * batch}, {dx, rows * batch}, {dp, rows}, {dr, rows}} {
						checkGuards(t, name, c.b, c.n)
					}
					return append(append(append(append([]float32(nil), mid(y, cols*batch)...), mid(dx, rows*batch)...), mid(dp, rows)...), mid(dr, rows)...)
				})
				want := append(append(append(append([]float32(nil), wantY...), wantDX...), wantP...), wantR...)
				if !sameBits(got, want) {
					t.Errorf("%s: differs from the reference loop", name)
				}
				// Without dx the weight sums are the same.
				dp, dr := make([]float32, rows), make([]float32, rows)
				m.TransposeGradFM(nil, dp, dr, xT, gT, batch)
				if !sameBits(dp, wantP) || !sameBits(dr, wantR) {
					t.Errorf("%s: weight sums without dx differ", name)
				}
				// Against the matrix the generator implies.
				d := make([]float32, rows*cols)
				m.Materialize(d)
				y, dx, dw := denseProducts(d, x, g, rows, cols, batch)
				closeTo(t, name+" forward", transpose(got[:cols*batch], cols, batch), y, 1e-4)
				closeTo(t, name+" input gradient", transpose(got[cols*batch:cols*batch+rows*batch], rows, batch), dx, 1e-4)
				// dp and dr against the pattern and the draws: M = A·P + c·R.
				pat, rawm := make([]float32, rows*cols), make([]float32, rows*cols)
				u := *m
				u.Weight.A, u.Weight.B = 1, 1
				if rule.Kind == Normal {
					u.Weight.B = 0
				}
				u.Materialize(pat)
				if rule.Kind != Homogeneous {
					u.Weight.A, u.Weight.B = 0, 1
					u.Materialize(rawm)
				}
				for i := 0; i < rows; i++ {
					var sp, sr float64
					for j := 0; j < cols; j++ {
						sp += float64(pat[i*cols+j]) * dw[i*cols+j]
						sr += float64(rawm[i*cols+j]) * dw[i*cols+j]
					}
					closeTo(t, name+" dp", got[cols*batch+rows*batch+i:][:1], []float64{sp}, 1e-3)
					if rule.Kind != Homogeneous {
						closeTo(t, name+" dr", got[cols*batch+rows*batch+rows+i:][:1], []float64{sr}, 1e-3)
					}
				}
			}
		}
	}
}

// BenchmarkCSRTrainProducts times the three products of a training step of
// a CSR projection (forward, input gradient, value gradient) batch-major
// (CSR.MatMul, CSR.MatMulT and the ValGrad reference loop) against
// feature-major (the transposes included), at 10% density, batch 128:
//
//	go test ./kernels -run '^$' -bench CSRTrainProducts
func BenchmarkCSRTrainProducts(b *testing.B) {
	r := rand.New(rand.NewPCG(21, 40))
	for _, sz := range [][2]int{{784, 1000}, {1000, 1000}, {4000, 4000}} {
		rows, cols, batch := sz[0], sz[1], 128
		_, m := randCSR(r, rows, cols, 0.1)
		x, g := randSlice(r, batch*rows), randSlice(r, batch*cols)
		y, dx, dv := make([]float32, batch*cols), make([]float32, batch*rows), make([]float32, m.NNZ())
		xT, gT, yT, dxT := make([]float32, len(x)), make([]float32, len(g)), make([]float32, len(y)), make([]float32, len(dx))
		b.Run(fmt.Sprintf("%dx%d/batch-major", rows, cols), func(b *testing.B) {
			for it := 0; it < b.N; it++ {
				m.MatMul(y, x, batch)
				m.MatMulT(dx, g, batch)
				for i := 0; i < rows; i++ { // the value-gradient reference loop
					for bb := 0; bb < batch; bb++ {
						a := x[bb*rows+i]
						for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
							dv[k] += a * g[bb*cols+int(m.Col[k])]
						}
					}
				}
			}
		})
		b.Run(fmt.Sprintf("%dx%d/feature-major", rows, cols), func(b *testing.B) {
			for it := 0; it < b.N; it++ {
				Transpose(xT, x, batch, rows)
				m.MatMulFM(yT, xT, batch)
				Transpose(y, yT, cols, batch)
				Transpose(gT, g, batch, cols)
				m.MatMulTFM(dxT, gT, batch)
				Transpose(dx, dxT, rows, batch)
				m.ValGradFM(dv, xT, gT, batch)
			}
		})
	}
}
