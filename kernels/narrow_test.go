package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

type narrowCase struct{ m, k, n int }

func narrowCases() []narrowCase {
	var cs []narrowCase
	for n := 1; n <= NarrowMax; n++ {
		for _, k := range []int{1, 15, 16, 17, 40} {
			cs = append(cs, narrowCase{3, k, n})
		}
	}
	cs = append(cs, narrowCase{0, 5, 3}, narrowCase{2, 0, 3}, narrowCase{64, 1000, 10}, narrowCase{5, 33, 16},
		narrowCase{200, 300, 7}, narrowCase{130, 1000, 16})
	return cs
}

// narrowRun computes the three narrow products of c with strides wider than
// the rows, returning each output with guard values around it.
func narrowRun(t *testing.T, r *rand.Rand, c narrowCase, acc bool) (fwd, inner, grad []float32, ref [3][]float64) {
	m, k, n := c.m, c.k, c.n
	lda, ldw, ldy, ldd, ldx, lddw := k+3, n+1, n+2, n+3, k+5, n+4
	a := randSlice(r, max(0, (m-1)*lda+k))
	w := randSlice(r, max(0, (k-1)*ldw+n))
	d := randSlice(r, max(0, (m-1)*ldd+n))
	p := make([]float32, NarrowPackLen(k, n))
	PackNarrow(p, w, ldw, k, n)

	ysz := max(0, (m-1)*ldy+n)
	y0 := randSlice(r, ysz)
	fwd = guardedCopy(y0)
	NarrowMatMul(fwd[guardLen:guardLen+ysz], ldy, a, lda, m, k, p, n, acc)
	checkGuards(t, "NarrowMatMul", fwd, ysz)

	xsz := max(0, (m-1)*ldx+k)
	x0 := randSlice(r, xsz)
	inner = guardedCopy(x0)
	NarrowInnerMatMul(inner[guardLen:guardLen+xsz], ldx, d, ldd, m, n, p, k, acc)
	checkGuards(t, "NarrowInnerMatMul", inner, xsz)

	wsz := max(0, (k-1)*lddw+n)
	w0 := randSlice(r, wsz)
	grad = guardedCopy(w0)
	NarrowGradMatMul(grad[guardLen:guardLen+wsz], lddw, a, lda, m, k, d, ldd, n, nil)
	checkGuards(t, "NarrowGradMatMul", grad, wsz)

	// float64 references
	ref[0] = make([]float64, ysz)
	for i := range ref[0] {
		ref[0][i] = math.NaN()
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for q := 0; q < k; q++ {
				s += float64(a[i*lda+q]) * float64(w[q*ldw+j])
			}
			if acc {
				s += float64(y0[i*ldy+j])
			}
			ref[0][i*ldy+j] = s
		}
	}
	ref[1] = make([]float64, xsz)
	for i := range ref[1] {
		ref[1][i] = math.NaN()
	}
	for i := 0; i < m; i++ {
		for q := 0; q < k; q++ {
			var s float64
			for j := 0; j < n; j++ {
				s += float64(d[i*ldd+j]) * float64(w[q*ldw+j])
			}
			if acc {
				s += float64(x0[i*ldx+q])
			}
			ref[1][i*ldx+q] = s
		}
	}
	ref[2] = make([]float64, wsz)
	for i := range ref[2] {
		ref[2][i] = math.NaN()
	}
	for q := 0; q < k; q++ {
		for j := 0; j < n; j++ {
			s := float64(w0[q*lddw+j])
			for i := 0; i < m; i++ {
				s += float64(a[i*lda+q]) * float64(d[i*ldd+j])
			}
			ref[2][q*lddw+j] = s
		}
	}
	return
}

// TestNarrow checks the narrow products against float64 loops, and the
// AVX-512 kernels against the Go ones bit for bit, at one and two threads.
func TestNarrow(t *testing.T) {
	for _, c := range narrowCases() {
		for _, acc := range []bool{false, true} {
			name := fmt.Sprintf("%dx%dx%d-acc%v", c.m, c.k, c.n, acc)
			var first [3][]float32
			run := func(label string) {
				r := rand.New(rand.NewPCG(uint64(c.m*1000+c.k), uint64(c.n)))
				f, in, g, ref := narrowRun(t, r, c, acc)
				outs := [3][]float32{f[guardLen : len(f)-guardLen], in[guardLen : len(in)-guardLen], g[guardLen : len(g)-guardLen]}
				for o, got := range outs {
					for i, v := range got {
						want := ref[o][i]
						if math.IsNaN(want) {
							continue // a stride gap: left as it was (guards checked)
						}
						if math.Abs(float64(v)-want) > 1e-4*(1+math.Abs(want))*math.Sqrt(float64(max(c.k, c.m, 1))) {
							t.Fatalf("%s %s: product %d element %d = %v, want %v", name, label, o, i, v, want)
						}
					}
					if first[o] == nil {
						first[o] = got
					} else if !sameBits(first[o], got) {
						t.Fatalf("%s %s: product %d differs from the first run", name, label, o)
					}
				}
			}
			for _, th := range []int{1, 2} {
				prev := SetThreads(th)
				run(fmt.Sprintf("threads %d", th))
				if vecAVX512 {
					vecAVX512 = false
					run(fmt.Sprintf("threads %d portable", th))
					vecAVX512 = true
				}
				SetThreads(prev)
			}
		}
	}
}

func TestNarrowBadWidth(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("n = 17 accepted")
		}
	}()
	PackNarrow(make([]float32, 1000), make([]float32, 17*3), 17, 3, 17)
}
