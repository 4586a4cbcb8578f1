package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmSegmentsRef is GemmSegments' reference: Gemm on each nonempty
// segment in turn.
func gemmSegmentsRef(im *gemmImpl, transA, transB bool, m, n int, ends []int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	p0, first := 0, true
	for _, p1 := range ends {
		if p1 > p0 {
			bt := beta
			if !first {
				bt = 1
			}
			ao, bo := p0, p0*ldb // op(A) columns, op(B) rows from p0
			if transA {
				ao = p0 * lda
			}
			if transB {
				bo = p0
			}
			gemm(im, transA, transB, m, n, p1-p0, alpha, a[ao:], lda, b[bo:], ldb, bt, c, ldc)
			first = false
		}
		p0 = p1
	}
	if first {
		gemm(im, transA, transB, m, n, 0, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// GemmSegments gives the bits of Gemm run segment by segment, for every
// implementation, orientation and thread count, on the blocked and the
// whole-product paths.
func TestGemmSegments(t *testing.T) {
	type seg struct {
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
	cases := []seg{
		{13, 33, shards(128, 8)},
		{1000, 78, shards(128, 8)},
		{78, 100, shards(100, 8)},
		{40, 50, shards(5, 8)}, // empty segments
		{33, 65, []int{0, 300, 300, 301, 700}},
		{7, 9, []int{1}},
		{12, 32, nil},
	}
	if !testing.Short() && !gemmRace {
		cases = append(cases, seg{1000, 784, shards(128, 8)}, seg{300, 200, shards(2600, 8)})
	}
	defer SetThreads(SetThreads(0))
	defer func(w, p int) { gemmWholeMax, gemmMinParallel = w, p }(gemmWholeMax, gemmMinParallel)
	gemmMinParallel = 1
	for name, im := range gemmImpls() {
		for _, tc := range cases {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				m, n := tc.m, tc.n
				k := 0
				if len(tc.ends) > 0 {
					k = tc.ends[len(tc.ends)-1]
				}
				r := rand.New(rand.NewPCG(uint64(m), uint64(k)))
				a, b := make([]float32, m*k+1), make([]float32, k*n+1)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				for i := range b {
					b[i] = float32(r.NormFloat64())
				}
				lda, ldb := max(1, k), n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = max(1, k)
				}
				c0 := make([]float32, m*n)
				for i := range c0 {
					c0[i] = float32(r.NormFloat64())
				}
				for _, beta := range []float32{0, 1} {
					SetThreads(1)
					gemmWholeMax = 1 << 14
					want := append([]float32(nil), c0...)
					gemmSegmentsRef(im, tr[0], tr[1], m, n, tc.ends, 1, a, lda, b, ldb, beta, want, n)
					for _, th := range []int{1, 2, 3, 8, -1} {
						gemmWholeMax = 1 << 14
						if th < 0 {
							gemmWholeMax, th = 0, 2
						}
						SetThreads(th)
						got := append([]float32(nil), c0...)
						if tc.ends == nil {
							gemm(im, tr[0], tr[1], m, n, 0, 1, a, lda, b, ldb, beta, got, n)
						} else {
							gemmSeg(im, tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, beta, got, n, tc.ends)
						}
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%s %s %dx%d ends %v beta %v threads %d (whole max %d): element %d is %v, segment by segment %v",
									name, gemmVariant(tr[0], tr[1]), m, n, tc.ends, beta, th, gemmWholeMax, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// The public GemmSegments checks its arguments and matches the reference.
func TestGemmSegmentsPublic(t *testing.T) {
	m, n, ends := 20, 30, []int{4, 9, 9, 16}
	a, b := make([]float32, m*16), make([]float32, 16*n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) * 0.25
	}
	want, got := make([]float32, m*n), make([]float32, m*n)
	gemmSegmentsRef(gemmArch(), false, false, m, n, ends, 1, a, 16, b, n, 0, want, n)
	GemmSegments(false, false, m, n, ends, 1, a, 16, b, n, 0, got, n)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("GemmSegments differs from Gemm segment by segment")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("decreasing segment ends do not panic")
		}
	}()
	GemmSegments(false, false, m, n, []int{9, 4}, 1, a, 16, b, n, 0, got, n)
}
