package kernels

import (
	"fmt"
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

func TestCSRValGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	for _, sz := range [][4]int{{0, 3, 2, 0}, {3, 0, 2, 0}, {1, 1, 1, 1}, {5, 7, 3, 0}, {300, 400, 16, 0}, {1000, 400, 32, 1}} {
		rows, cols, batch := sz[0], sz[1], sz[2]
		_, m := randCSR(r, rows, cols, 0.1)
		x := randSlice(r, batch*rows)
		for i := range x {
			if r.IntN(3) == 0 {
				x[i] = 0
			}
		}
		g := randSlice(r, batch*cols)
		init := randSlice(r, m.NNZ())
		// Reference loop.
		want := append([]float32(nil), init...)
		for i := 0; i < rows; i++ {
			for b := 0; b < batch; b++ {
				a := x[b*rows+i]
				if a == 0 {
					continue
				}
				for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
					want[k] += a * g[b*cols+int(m.Col[k])]
				}
			}
		}
		name := fmt.Sprintf("ValGrad %v", sz)
		got := forThreads(t, name, func() []float32 {
			buf := guardedCopy(init)
			m.ValGrad(mid(buf, len(init)), x, g, batch)
			checkGuards(t, name, buf, len(init))
			return append([]float32(nil), mid(buf, len(init))...)
		})
		if !sameBits(got, want) {
			t.Errorf("%s: differs from the reference loop", name)
		}
		// Against the dense weight gradient XᵀG restricted to the structure.
		dense := make([]float32, rows*cols)
		for b := 0; b < batch; b++ {
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					dense[i*cols+j] += x[b*rows+i] * g[b*cols+j]
				}
			}
		}
		for i := 0; i < rows; i++ {
			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
				if !closeRel(got[k]-init[k], dense[i*cols+int(m.Col[k])], 1e-4) {
					t.Fatalf("%s: entry (%d,%d) %v, dense %v", name, i, m.Col[k], got[k]-init[k], dense[i*cols+int(m.Col[k])])
				}
			}
		}
	}
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

func TestCSRMatMulTAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 3))
	for _, sz := range [][3]int{{0, 3, 2}, {1, 1, 1}, {5, 7, 3}, {1000, 400, 32}} {
		rows, cols, batch := sz[0], sz[1], sz[2]
		_, m := randCSR(r, rows, cols, 0.1)
		x := randSlice(r, batch*cols)
		init := randSlice(r, batch*rows)
		set := make([]float32, batch*rows)
		m.MatMulT(set, x, batch)
		want := append([]float32(nil), init...)
		for i := range want {
			want[i] += set[i]
		}
		name := fmt.Sprintf("MatMulTAdd %v", sz)
		got := forThreads(t, name, func() []float32 {
			buf := guardedCopy(init)
			m.MatMulTAdd(mid(buf, len(init)), x, batch)
			checkGuards(t, name, buf, len(init))
			return append([]float32(nil), mid(buf, len(init))...)
		})
		if !sameBits(got, want) {
			t.Errorf("%s: differs from MatMulT then add", name)
		}
	}
}

func TestJITTransposeGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	rules := []WeightRule{HomogeneousWeight(0.7), UniformWeight(-0.5, 1.5), NormalWeight(0.2, 0.9)}
	for _, sz := range [][3]int{{0, 3, 2}, {3, 0, 2}, {1, 1, 1}, {5, 7, 3}, {300, 200, 16}} {
		rows, cols, batch := sz[0], sz[1], sz[2]
		for _, p := range []float64{0.1, 1} {
			for _, rule := range rules {
				m := &JIT{Rows: rows, Cols: cols, P: p, Seed: 99, Weight: rule}
				x := randSlice(r, batch*rows)
				for i := range x {
					if r.IntN(2) == 0 {
						x[i] = 0
					}
				}
				g := randSlice(r, batch*cols)
				// Reference loop, over the rows the iterator yields.
				wantDX := make([]float32, batch*rows)
				wantP, wantR := make([]float32, rows), make([]float32, rows)
				for i := 0; i < rows; i++ {
					it := m.Row(i)
					for {
						j, raw, ok := it.nextRaw()
						if !ok {
							break
						}
						w := it.weight(raw)
						var s float32
						for b := 0; b < batch; b++ {
							gv := g[b*cols+j]
							wantDX[b*rows+i] += w * gv
							s += x[b*rows+i] * gv
						}
						wantP[i] += s
						wantR[i] += raw * s
					}
				}
				name := fmt.Sprintf("TransposeGrad %v p %v %v", sz, p, rule)
				got := forThreads(t, name, func() []float32 {
					dx, dp, dr := guarded(batch*rows), guarded(rows), guarded(rows)
					m.TransposeGrad(mid(dx, batch*rows), mid(dp, rows), mid(dr, rows), x, g, batch)
					checkGuards(t, name, dx, batch*rows)
					checkGuards(t, name, dp, rows)
					checkGuards(t, name, dr, rows)
					out := append(append(append([]float32(nil), mid(dx, batch*rows)...), mid(dp, rows)...), mid(dr, rows)...)
					return out
				})
				want := append(append(append([]float32(nil), wantDX...), wantP...), wantR...)
				if !sameBits(got, want) {
					t.Errorf("%s: differs from the reference loop", name)
				}
				// dx against MatMulT (the same matrix, transposed).
				mt := make([]float32, batch*rows)
				m.MatMulT(mt, g, batch)
				if !sameBits(got[:batch*rows], mt) {
					t.Errorf("%s: dx differs from MatMulT", name)
				}
				// Weight sums without dx: rows with no input skipped, same values.
				dp, dr := make([]float32, rows), make([]float32, rows)
				m.TransposeGrad(nil, dp, dr, x, g, batch)
				if !sameBits(dp, wantP) || !sameBits(dr, wantR) {
					t.Errorf("%s: weight sums without dx differ", name)
				}
				// The raw draws reproduce the weights: the matrix of the rule
				// (A, B) is A·P + c·R.
				if rows*cols > 0 {
					full := make([]float32, rows*cols)
					m.Materialize(full)
					pat := *m
					pat.Weight.A, pat.Weight.B = 1, 1
					if rule.Kind == Normal {
						pat.Weight.B = 0
					}
					pm := make([]float32, rows*cols)
					pat.Materialize(pm)
					for k := range full {
						if (full[k] != 0) && pm[k] != 1 {
							t.Fatalf("%s: pattern of the unit rule differs at %d", name, k)
						}
					}
				}
			}
		}
	}
}
