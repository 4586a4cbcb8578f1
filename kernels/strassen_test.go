package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// strassenRun runs f on tc and returns C's logical elements and the
// largest error against the float64 reference relative to a normwise
// scale: Strassen–Winograd's error in an element is bounded by the largest
// products of its block row and column, not by the element's own |a|·|b|
// sums, so the scale is |alpha|·k·max|A|·max|B| + |beta·c|. It fails t if
// f wrote outside C.
func strassenRun(t *testing.T, tc gemmCase, f gemmFunc) ([]float32, float64) {
	t.Helper()
	a, b, c := newGemmOperands(tc)
	maxAbs := func(g *gemmMat) float64 {
		v := 0.0
		for i := range g.rows {
			for j := range g.cols {
				v = max(v, math.Abs(float64(g.at(i, j))))
			}
		}
		return v
	}
	want, _ := gemmRef64(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, b, tc.beta, c)
	cOld := make([]float64, tc.m*tc.n)
	for i := range tc.m {
		for j := range tc.n {
			cOld[i*tc.n+j] = float64(c.at(i, j))
		}
	}
	norm := math.Abs(float64(tc.alpha)) * float64(tc.k) * maxAbs(a) * maxAbs(b)
	f(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, c.data, c.ld)
	a.checkPadding(t)
	b.checkPadding(t)
	c.checkPadding(t)
	out := make([]float32, 0, tc.m*tc.n)
	worst := 0.0
	for i := range tc.m {
		for j := range tc.n {
			got := float64(c.at(i, j))
			out = append(out, c.at(i, j))
			s := norm
			if tc.beta != 0 {
				s += math.Abs(float64(tc.beta) * cOld[i*tc.n+j])
			}
			e := math.Abs(got-want[i*tc.n+j]) / s
			if !(e <= worst) { // NaN counts as the worst
				worst = e
			}
		}
	}
	return out, worst
}

// strassenTol is the tolerance of strassenRun's relative error: float32
// accumulation's (Gemm's tests), times 4 per level of the recursion.
func strassenTol(k, levels int) float64 {
	return 2e-6 * math.Sqrt(float64(k)+1) * float64(4*levels+1)
}

// strassenCheck is strassenRun that fails t beyond strassenTol.
func strassenCheck(t *testing.T, tc gemmCase, levels int, f gemmFunc) []float32 {
	t.Helper()
	out, worst := strassenRun(t, tc, f)
	if tol := strassenTol(tc.k, levels); !(worst <= tol) {
		t.Errorf("%v: error %.3g of the normwise scale, tolerance %.3g", tc, worst, tol)
	}
	return out
}

// TestGemmStrassen covers all four transpositions, even and odd sides (the
// peeled row, column and step), one to three levels, strided operands and
// alpha/beta (beta 0 over NaNs), and checks that the recursion did split
// each product it should have.
func TestGemmStrassen(t *testing.T) {
	defer SetStrassenMin(SetStrassenMin(8))
	defer SetStrassenLevels(SetStrassenLevels(3))
	sides := []int{16, 17, 33, 64, 71}
	if testing.Short() || gemmRace {
		sides = []int{17, 64}
	}
	coeffs := [][2]float32{{1, 0}, {-0.5, 1}, {2, -1.5}, {1, 1}}
	for _, tr := range [][2]bool{{false, true}, {true, false}, {false, false}, {true, true}} {
		for _, m := range sides {
			for _, n := range sides {
				for i, k := range sides {
					ab := coeffs[(m+n+i)%len(coeffs)]
					tc := gemmCase{tr[0], tr[1], m, n, k, ab[0], ab[1], (m * n * k) % 3 * 2}
					before := strassenSplits.Load()
					strassenCheck(t, tc, 3, GemmStrassen)
					// 1 split at the top, 7 per split one level down while
					// every side is still at least 16.
					want, side := int64(0), min(m, n, k)
					for l, w := 0, int64(1); l < 3 && side >= 16; l, w, side = l+1, w*7, side/2 {
						want += w
					}
					if got := strassenSplits.Load() - before; got != want {
						t.Fatalf("%v: %d products split, want %d", tc, got, want)
					}
					if t.Failed() {
						t.FailNow()
					}
				}
			}
		}
	}
}

// TestGemmStrassenControl is the negative control of the tolerance above:
// a result with one block product left out (C12 without S4·B22) fails it.
func TestGemmStrassenControl(t *testing.T) {
	defer SetStrassenMin(SetStrassenMin(8))
	defer SetStrassenLevels(SetStrassenLevels(1))
	tc := gemmCase{false, true, 32, 32, 32, 1, 0, 0}
	broken := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		GemmStrassen(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		// Undo C12's last product: C12 −= S4·B22 computed by Gemm.
		mh, nh, kh := m/2, n/2, k/2
		s := make([]float32, mh*kh)
		for i := range mh {
			for p := range kh {
				s[i*kh+p] = a[i*lda+p] - a[(i+mh)*lda+p] - a[(i+mh)*lda+p+kh] + a[i*lda+p+kh]
			}
		}
		Gemm(false, true, mh, nh, kh, -alpha, s, kh, b[nh*ldb+kh:], ldb, 1, c[nh:], ldc)
	}
	if _, worst := strassenRun(t, tc, broken); worst <= 10*strassenTol(tc.k, 1) {
		t.Fatalf("a product with one block term missing is within %.3g of the reference (tolerance %.3g)", worst, strassenTol(tc.k, 1))
	}
	strassenCheck(t, tc, 1, GemmStrassen)
}

// TestGemmStrassenThreads checks that 1, 2 and 3 threads give the same
// bits, on products split two levels deep with odd sides.
func TestGemmStrassenThreads(t *testing.T) {
	defer SetStrassenMin(SetStrassenMin(16))
	defer SetStrassenLevels(SetStrassenLevels(2))
	defer SetThreads(SetThreads(1))
	defer func(v int) { gemmMinParallel = v }(gemmMinParallel)
	gemmMinParallel = 1
	for _, tc := range []gemmCase{{false, true, 131, 97, 143, 1, 0, 1}, {true, false, 128, 130, 129, 1, 1, 0}} {
		var first []float32
		for _, th := range []int{1, 2, 3} {
			SetThreads(th)
			got := strassenCheck(t, tc, 2, GemmStrassen)
			if first == nil {
				first = got
				continue
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
					t.Fatalf("%v: %d threads: element %d = %v, 1 thread %v", tc, th, i, got[i], first[i])
				}
			}
		}
	}
}

// TestGemmStrassenBF16 checks the recursion over GemmBF16 against the
// float64 product of the unrounded inputs, within bf16's rounding of the
// inputs (2⁻⁸ relative, normwise), and that it does split.
func TestGemmStrassenBF16(t *testing.T) {
	skipNoBF16(t)
	defer SetStrassenMin(SetStrassenMin(16))
	defer SetStrassenLevels(SetStrassenLevels(2))
	for _, tc := range []gemmCase{{false, true, 70, 66, 129, 1, 0, 0}, {true, false, 64, 67, 65, -0.5, 1, 1}} {
		before := strassenSplits.Load()
		if _, worst := strassenRun(t, tc, GemmStrassenBF16); !(worst <= 1.0/256) {
			t.Errorf("%v: error %.3g of the normwise scale, tolerance %.3g", tc, worst, 1.0/256)
		}
		if strassenSplits.Load() == before {
			t.Errorf("%v: not split", tc)
		}
	}
}

// TestGemmStrassenSmall checks that products below twice StrassenMin, and
// any product at StrassenLevels 0, are Gemm's, bit for bit.
func TestGemmStrassenSmall(t *testing.T) {
	defer SetStrassenMin(SetStrassenMin(32))
	tc := gemmCase{false, true, 63, 64, 64, 1, 0, 0}
	want, _ := strassenRun(t, tc, Gemm)
	got, _ := strassenRun(t, tc, GemmStrassen)
	SetStrassenMin(8)
	prev := SetStrassenLevels(0)
	got0, _ := strassenRun(t, tc, GemmStrassen)
	SetStrassenLevels(prev)
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(got0[i]) != math.Float32bits(want[i]) {
			t.Fatalf("element %d: %v and %v, Gemm %v", i, got[i], got0[i], want[i])
		}
	}
}

// BenchmarkGemmStrassen times the Open Neuromorphic benchmark's two
// products at n = 4,096 (8,000 rows: 500 steps × batch 16), the currents
// X·Wᵀ and the weight gradient Gᵀ·X, with Gemm and with GemmStrassen at
// one and two levels; BRAINGO_STRASSEN_N sets another n.
func BenchmarkGemmStrassen(b *testing.B) {
	const rows = 8000
	n := 4096
	if v, err := strconv.Atoi(os.Getenv("BRAINGO_STRASSEN_N")); err == nil && v > 0 {
		n = v
	}
	if v, err := strconv.Atoi(os.Getenv("BRAINGO_STRASSEN_MIN")); err == nil && v > 0 {
		defer SetStrassenMin(SetStrassenMin(v))
	}
	r := rand.New(rand.NewPCG(1, 2))
	x, w, c := make([]float32, rows*n), make([]float32, n*n), make([]float32, rows*n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	for _, v := range []struct {
		name   string
		levels int
	}{{"gemm", 0}, {"strassen1", 1}, {"strassen2", 2}, {"strassen3", 3}} {
		b.Run("currents/"+v.name, func(b *testing.B) {
			defer SetStrassenLevels(SetStrassenLevels(v.levels))
			for range b.N {
				GemmStrassen(false, true, rows, n, n, 1, x, n, w, n, 0, c, n)
			}
			b.ReportMetric(2*rows*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("weightgrad/"+v.name, func(b *testing.B) {
			defer SetStrassenLevels(SetStrassenLevels(v.levels))
			for range b.N {
				GemmStrassen(true, false, n, n, rows, 1, c, n, x, n, 1, w, n)
			}
			b.ReportMetric(2*rows*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
