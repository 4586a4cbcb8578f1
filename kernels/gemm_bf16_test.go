package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func skipNoBF16(t *testing.T) {
	t.Helper()
	if !hasBF16 {
		t.Skip("CPU without AVX512_BF16")
	}
}

// bf16TestValues are random floats of many magnitudes plus the cases that
// rounding gets wrong first: ties to even both ways, values just below
// and above a tie, a carry into the exponent, overflow to infinity, signed
// zeros, infinities and NaNs.
func bf16TestValues(r *rand.Rand, n int) []float32 {
	special := []uint32{
		0x3f808000, 0x3f818000, 0x3f807fff, 0x3f808001, // ties, below, above
		0xbf808000, 0xbf818000, 0x3fffffff, 0x3fff8000, // negative ties, carries
		0x7f7fffff, 0xff7fffff, 0x00000000, 0x80000000, // overflow, zeros
		0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, // infinities, NaNs
		0x00000001, 0x807fffff, 0x00408000, 0x007fffff, // denormals
	}
	v := make([]float32, n)
	for i := range v {
		if i < len(special) {
			v[i] = math.Float32frombits(special[i])
			continue
		}
		v[i] = float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20)))
	}
	r.Shuffle(n, func(i, j int) { v[i], v[j] = v[j], v[i] })
	return v
}

func TestBF16Bits(t *testing.T) {
	for _, c := range []struct{ in, want uint32 }{
		{0x3f808000, 0x3f80}, // tie, even below: down
		{0x3f818000, 0x3f82}, // tie, odd below: up
		{0x3f807fff, 0x3f80},
		{0x3f808001, 0x3f81},
		{0x3fffffff, 0x4000}, // carry into the exponent
		{0x7f7fffff, 0x7f80}, // overflow to +Inf
		{0x80000000, 0x8000},
		{0x7f800001, 0x7fc0}, // signalling NaN: quieted
		{0x807fffff, 0x8000}, // denormal: zero of its sign
	} {
		if got := bf16Bits(math.Float32frombits(c.in)); uint32(got) != c.want {
			t.Errorf("bf16Bits(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

// TestBF16Convert checks the assembly conversions against bf16Bits bit for
// bit, for every length up to a few vectors, with guards around dst.
func TestBF16Convert(t *testing.T) {
	skipNoBF16(t)
	r := rand.New(rand.NewPCG(1, 2))
	const guard = 0xdeadbeef
	for n := 0; n <= 70; n++ {
		src := bf16TestValues(r, n+1)[:n]
		nq := (n + 1) / 2
		buf := make([]uint32, nq+2)
		for i := range buf {
			buf[i] = guard
		}
		if n > 0 {
			bf16Row(&buf[1], &src[0], n)
		}
		for q := range nq {
			lo := bf16Bits(src[2*q])
			var hi uint16
			if 2*q+1 < n {
				hi = bf16Bits(src[2*q+1])
			}
			if want := uint32(lo) | uint32(hi)<<16; buf[1+q] != want {
				t.Fatalf("bf16Row n=%d: pair %d = %#08x, want %#08x", n, q, buf[1+q], want)
			}
		}
		if buf[0] != guard || buf[nq+1] != guard {
			t.Fatalf("bf16Row n=%d wrote outside dst", n)
		}
		for _, width := range []int{n, n + 3, n + 17} {
			if width == 0 {
				continue
			}
			r0, r1 := bf16TestValues(r, max(n, 1)), bf16TestValues(r, max(n, 1))
			buf := make([]uint32, width+2)
			for i := range buf {
				buf[i] = guard
			}
			bf16Pairs(&buf[1], &r0[0], &r1[0], n, width)
			for j := range width {
				var want uint32
				if j < n {
					want = uint32(bf16Bits(r0[j])) | uint32(bf16Bits(r1[j]))<<16
				}
				if buf[1+j] != want {
					t.Fatalf("bf16Pairs n=%d width=%d: dst[%d] = %#08x, want %#08x", n, width, j, buf[1+j], want)
				}
			}
			if buf[0] != guard || buf[width+1] != guard {
				t.Fatalf("bf16Pairs n=%d width=%d wrote outside dst", n, width)
			}
		}
	}
}

// bf16Mat returns a copy of g with every element rounded to bf16.
func bf16Mat(g *gemmMat) *gemmMat {
	h := *g
	h.buf = append([]float32(nil), g.buf...)
	h.data = h.buf[gemmPad : gemmPad+len(g.data)]
	for i := range g.rows {
		for j := range g.cols {
			h.data[i*g.ld+j] = BF16(g.data[i*g.ld+j])
		}
	}
	return &h
}

// runBF16Case runs GemmBF16 on one case and checks it against the float64
// reference loop over the bf16-rounded inputs, with the tolerance of
// float32 accumulation Gemm's test uses, and the guards around every
// matrix. It returns the result (C's logical elements).
func runBF16Case(t *testing.T, tc gemmCase) []float32 {
	t.Helper()
	a, b, c := newGemmOperands(tc)
	want, scale := gemmRef64(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, bf16Mat(a), bf16Mat(b), tc.beta, c)
	GemmBF16(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, c.data, c.ld)
	a.checkPadding(t)
	b.checkPadding(t)
	c.checkPadding(t)
	tol := 2e-6 * math.Sqrt(float64(tc.k)+1)
	bad := 0
	out := make([]float32, 0, tc.m*tc.n)
	for i := range tc.m {
		for j := range tc.n {
			got := float64(c.at(i, j))
			out = append(out, c.at(i, j))
			w, s := want[i*tc.n+j], scale[i*tc.n+j]
			if !(math.Abs(got-w) <= tol*s+1e-30) {
				if bad++; bad <= 5 {
					t.Errorf("%v: C[%d,%d] = %v, want %v (error %.3g of scale %.3g)", tc, i, j, got, w, math.Abs(got-w), s)
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%v: ... %d elements wrong in all", tc, bad)
	}
	return out
}

// TestGemmBF16 covers all four transpositions, every edge tile (m and n
// around multiples of 12 and 32), odd depths and depths of several blocks,
// strided operands, and alpha/beta (beta 0 over NaNs).
func TestGemmBF16(t *testing.T) {
	skipNoBF16(t)
	dims := []int{1, 11, 12, 13, 31, 33, 70}
	ks := []int{1, 2, 3, 17, 64, 513, 1030}
	if testing.Short() || gemmRace {
		dims, ks = []int{1, 13, 33}, []int{1, 3, 513}
	}
	coeffs := [][2]float32{{1, 0}, {-0.5, 1}, {2, -1.5}, {1, 1}}
	for _, tr := range [][2]bool{{false, true}, {true, false}, {false, false}, {true, true}} {
		for _, m := range dims {
			for _, n := range dims {
				for i, k := range ks {
					ab := coeffs[(m+n+i)%len(coeffs)]
					runBF16Case(t, gemmCase{tr[0], tr[1], m, n, k, ab[0], ab[1], (m * n * k) % 3 * 2})
					if t.Failed() {
						t.FailNow()
					}
				}
			}
		}
	}
}

// TestGemmBF16Rounds is the negative control of TestGemmBF16: against the
// reference over the unrounded inputs GemmBF16 is far outside the float32
// tolerance, so the tests above do see the rounding to bf16.
func TestGemmBF16Rounds(t *testing.T) {
	skipNoBF16(t)
	r := rand.New(rand.NewPCG(3, 4))
	m, n, k := 13, 33, 64
	a := newGemmMat(r, "A", m, k, 0)
	b := newGemmMat(r, "B", n, k, 0)
	c := newGemmMat(r, "C", m, n, 0)
	want, scale := gemmRef64(false, true, m, n, k, 1, a, b, 0, c)
	GemmBF16(false, true, m, n, k, 1, a.data, a.ld, b.data, b.ld, 0, c.data, c.ld)
	worst := 0.0
	for i := range m * n {
		worst = max(worst, math.Abs(float64(c.data[i])-want[i])/scale[i])
	}
	if tol := 2e-6 * math.Sqrt(float64(k)+1); worst < 10*tol {
		t.Fatalf("GemmBF16 within %.3g of the float32 product (tolerance %.3g): inputs not rounded to bf16?", worst, tol)
	}
}

// TestGemmBF16Threads covers several blocks in every direction (m beyond
// bf16MC, n beyond one block of columns, k beyond bf16KC, lowered) and
// checks that 1, 2 and 3 threads give the same bits.
func TestGemmBF16Threads(t *testing.T) {
	skipNoBF16(t)
	cases := []gemmCase{
		{false, true, 400, 300, 1030, 1, 0, 1},
		{true, false, 397, 290, 1025, 1, 1, 0},
	}
	if testing.Short() || gemmRace {
		cases = []gemmCase{{false, true, 100, 70, 600, 1, 0, 1}, {true, false, 50, 90, 520, 1, 1, 0}}
	}
	defer SetThreads(SetThreads(1))
	defer func(v, kc, ncw int) { gemmMinParallel, bf16KC, bf16NCW = v, kc, ncw }(gemmMinParallel, bf16KC, bf16NCW)
	gemmMinParallel = 1
	// Blocks of columns that depend on the thread count (64 per thread)
	// and blocks of p of 256 or fewer steps: many of each.
	bf16KC, bf16NCW = 256, 64
	for _, tc := range cases {
		var first []float32
		for _, th := range []int{1, 2, 3} {
			SetThreads(th)
			got := runBF16Case(t, tc)
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

// TestGemmBF16Refuses checks the panic on a CPU without AVX512_BF16.
func TestGemmBF16Refuses(t *testing.T) {
	defer func(v bool) { hasBF16 = v }(hasBF16)
	hasBF16 = false
	if HasBF16() {
		t.Fatal("HasBF16 true with hasBF16 cleared")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("GemmBF16 ran without AVX512_BF16")
		}
	}()
	c := make([]float32, 1)
	GemmBF16(false, false, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, c, 1)
}

// BenchmarkGemmBF16 times GemmBF16 beside Gemm on the Open Neuromorphic
// benchmark's two products at n = 1,024 (steps·batch = 2,000 rows): the
// currents X·Wᵀ ("nt") and the weight gradient Gᵀ·X ("tn").
func BenchmarkGemmBF16(b *testing.B) {
	if !hasBF16 {
		b.Skip("CPU without AVX512_BF16")
	}
	rows, n := 2000, 1024
	r := rand.New(rand.NewPCG(1, 1))
	x := bf16TestValues(r, rows*n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	w := make([]float32, n*n)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	out := make([]float32, rows*n)
	for _, tc := range []struct {
		name string
		f    gemmFunc
	}{{"f32", Gemm}, {"bf16", GemmBF16}} {
		b.Run("nt_"+tc.name, func(b *testing.B) {
			b.SetBytes(0)
			for b.Loop() {
				tc.f(false, true, rows, n, n, 1, x, n, w, n, 0, out, n)
			}
			b.ReportMetric(2*float64(rows*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("tn_"+tc.name, func(b *testing.B) {
			for b.Loop() {
				tc.f(true, false, n, n, rows, 1, out, n, x, n, 0, w, n)
			}
			b.ReportMetric(2*float64(rows*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
