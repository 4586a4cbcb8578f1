package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// skipOperand fills a with values of magnitude in [2^-8, 1] (a sign at
// random, −0 among the zeros), zero with probability zp, whole columns of
// op(A) zero where zcol says.
func skipOperand(rng *rand.Rand, n int, zp float64) []float32 {
	a := make([]float32, n)
	for i := range a {
		switch r := rng.Float64(); {
		case r < zp/2:
			a[i] = float32(math.Copysign(0, -1))
		case r < zp:
		default:
			a[i] = float32(rng.IntN(255)+1) / 255
			if rng.IntN(2) == 0 {
				a[i] = -a[i]
			}
		}
	}
	return a
}

// GemmSkipZeros gives GemmSegments' bits (Gemm's for ends = {k}) on
// operands with zero elements, zero rows and zero steps of op(A), for
// both orientations of A, edge tiles, segments, alpha and beta, and
// leaves C outside the product alone.
func TestGemmSkipZeros(t *testing.T) {
	type tc struct {
		m, n int
		ends []int
	}
	shards := func(k, s int) []int {
		e := make([]int, s)
		for i := range e {
			e[i] = (i + 1) * k / s
		}
		return e
	}
	cases := []tc{
		{64, 1000, []int{784}},
		{24, 1000, shards(128, 8)},
		{13, 33, shards(128, 8)},
		{5, 70, []int{300}},
		{40, 50, shards(5, 8)}, // empty segments
		{33, 65, []int{0, 300, 300, 301, 700}},
		{1, 1, []int{1}},
		{12, 32, []int{20}},
		{25, 31, []int{513}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	neg0 := float32(math.Copysign(0, -1))
	for _, c := range cases {
		k := c.ends[len(c.ends)-1]
		for _, transA := range []bool{false, true} {
			for _, zp := range []float64{0, 0.5, 0.9, 1} {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {0.5, 1}, {1, 0.25}} {
					name := fmt.Sprintf("%dx%d/%v/transA=%v/zeros=%v/alpha=%v,beta=%v", c.m, c.n, c.ends, transA, zp, ab[0], ab[1])
					lda := k + 3
					if transA {
						lda = c.m + 5
					}
					rowsA := c.m
					if transA {
						rowsA = k
					}
					a := skipOperand(rng, rowsA*lda, zp)
					// Zero some whole rows and steps of op(A).
					for p := 0; p < k; p += 7 {
						for i := range c.m {
							if transA {
								a[p*lda+i] = 0
							} else {
								a[i*lda+p] = 0
							}
						}
					}
					for i := 0; i < c.m; i += 5 {
						for p := range k {
							if transA {
								a[p*lda+i] = 0
							} else {
								a[i*lda+p] = 0
							}
						}
					}
					ldb := c.n + 2
					b := make([]float32, k*ldb)
					for i := range b {
						b[i] = float32(rng.NormFloat64())
					}
					ldc := c.n + 4
					c0 := make([]float32, c.m*ldc+9)
					for i := range c0 {
						switch i % 3 {
						case 0:
							c0[i] = float32(rng.NormFloat64())
						case 1:
							c0[i] = neg0
						}
					}
					want := append([]float32(nil), c0...)
					got := append([]float32(nil), c0...)
					GemmSegments(transA, false, c.m, c.n, c.ends, ab[0], a, lda, b, ldb, ab[1], want, ldc)
					GemmSkipZeros(transA, c.m, c.n, c.ends, ab[0], a, lda, b, ldb, ab[1], got, ldc)
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s: c[%d] = %v (%#x), GemmSegments %v (%#x)", name, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
			}
		}
	}
}

// With a skipped step where B holds an infinity the product differs from
// GemmSegments' NaN, as GemmSkipZeros documents (a check that the steps are
// skipped at all on AVX-512).
func TestGemmSkipZerosSkips(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512: GemmSkipZeros is GemmSegments")
	}
	m, n, k := 12, 32, 4
	a := make([]float32, m*k)
	for i := range m {
		a[i*k] = 1 // step 0 kept, steps 1-3 zero in every row
	}
	b := make([]float32, k*n)
	for j := range n {
		b[j] = 2
		b[2*n+j] = float32(math.Inf(1))
	}
	want, got := make([]float32, m*n), make([]float32, m*n)
	GemmSegments(false, false, m, n, []int{k}, 1, a, k, b, n, 0, want, n)
	GemmSkipZeros(false, m, n, []int{k}, 1, a, k, b, n, 0, got, n)
	if !math.IsNaN(float64(want[0])) || got[0] != 2 {
		t.Fatalf("GemmSegments %v (want NaN), GemmSkipZeros %v (want 2)", want[0], got[0])
	}
}
