package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmSentinel fills the padding around and between the rows of the test
// matrices: a NaN with a payload, so reading it poisons the result and
// writing it is caught by the guard check.
var gemmSentinel = math.Float32frombits(0x7fc0f00d)

const gemmPad = 17

// gemmMat is a rows×cols matrix with row stride ld inside a buffer padded
// with gemmSentinel before, after and between rows.
type gemmMat struct {
	buf              []float32
	rows, cols, ld   int
	data             []float32 // buf[gemmPad:], what the kernel sees
	want             []float32 // expected logical contents (row-major rows×cols), for C
	name             string
	fillNaN, padRows bool
}

func newGemmMat(r *rand.Rand, name string, rows, cols, extra int) *gemmMat {
	ld := max(1, cols) + extra
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	g := &gemmMat{buf: make([]float32, n+2*gemmPad), rows: rows, cols: cols, ld: ld, name: name}
	for i := range g.buf {
		g.buf[i] = gemmSentinel
	}
	g.data = g.buf[gemmPad : gemmPad+n]
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			g.data[i*ld+j] = float32(r.NormFloat64())
		}
	}
	return g
}

func (g *gemmMat) at(i, j int) float32 { return g.data[i*g.ld+j] }

// checkPadding fails if anything outside the logical matrix changed.
func (g *gemmMat) checkPadding(t *testing.T) {
	t.Helper()
	for i, v := range g.buf {
		o := i - gemmPad
		inside := o >= 0 && o < len(g.data) && o%g.ld < g.cols
		if !inside && math.Float32bits(v) != math.Float32bits(gemmSentinel) {
			t.Fatalf("%s: padding at offset %d overwritten with %v", g.name, o, v)
		}
	}
}

// gemmRef64 is the reference loop in float64 with, for each element, the
// magnitude |alpha|·Σ|a·b| + |beta·c| that bounds its rounding error.
func gemmRef64(transA, transB bool, m, n, k int, alpha float32, a *gemmMat, b *gemmMat, beta float32, c *gemmMat) (want, scale []float64) {
	want = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a.at(p, i)
				} else {
					av = a.at(i, p)
				}
				if transB {
					bv = b.at(j, p)
				} else {
					bv = b.at(p, j)
				}
				s += float64(av) * float64(bv)
				sa += math.Abs(float64(av) * float64(bv))
			}
			w := float64(alpha) * s
			sc := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				cv := float64(c.at(i, j))
				w += float64(beta) * cv
				sc += math.Abs(float64(beta) * cv)
			}
			want[i*n+j], scale[i*n+j] = w, sc
		}
	}
	return want, scale
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	extra          int // added to every leading dimension
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("%s_%dx%dx%d_a%g_b%g_ld+%d", gemmVariant(tc.transA, tc.transB), tc.m, tc.k, tc.n, tc.alpha, tc.beta, tc.extra)
}

func gemmVariant(transA, transB bool) string {
	s := "gemm_"
	for _, t := range []bool{transA, transB} {
		if t {
			s += "t"
		} else {
			s += "n"
		}
	}
	return s
}

// gemmFunc has the signature of Gemm.
type gemmFunc = GemmFunc

// newGemmOperands draws A, B and C of tc as stored (padded, strided:
// newGemmMat) from a seed its shape gives; where beta is 0, C is all NaN:
// its old contents must not leak.
func newGemmOperands(tc gemmCase) (a, b, c *gemmMat) {
	r := rand.New(rand.NewPCG(uint64(tc.m*1000003+tc.n*1009+tc.k), uint64(tc.extra)))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	a = newGemmMat(r, "A", ar, ac, tc.extra)
	b = newGemmMat(r, "B", br, bc, tc.extra)
	c = newGemmMat(r, "C", tc.m, tc.n, tc.extra)
	if tc.beta == 0 {
		for i := range tc.m {
			for j := range tc.n {
				c.data[i*c.ld+j] = float32(math.NaN())
			}
		}
	}
	return a, b, c
}

// randGemmInputs draws dense A and B for op(A) m×k and op(B) k×n as
// stored (A first, then B, from r) and returns their leading dimensions.
func randGemmInputs(r *rand.Rand, transA, transB bool, m, n, k int) (a, b []float32, lda, ldb int) {
	a, b = make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(r.NormFloat64())
	}
	for i := range b {
		b[i] = float32(r.NormFloat64())
	}
	lda, ldb = k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	return a, b, lda, ldb
}

// runGemmCase runs one case through f and checks it against the float64
// reference, the guards and the NaN-free overwrite when beta == 0.
func runGemmCase(t *testing.T, tc gemmCase, f gemmFunc) {
	t.Helper()
	runGemmCases(t, tc, []string{""}, []gemmFunc{f})
}

// runGemmCases is runGemmCase for several functions on the same inputs
// (the reference is computed once); failures name the function.
func runGemmCases(t *testing.T, tc gemmCase, names []string, fs []gemmFunc) {
	t.Helper()
	a, b, c := newGemmOperands(tc)
	want, scale := gemmRef64(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, b, tc.beta, c)
	cInit := append([]float32(nil), c.buf...)
	tol := 2e-6 * math.Sqrt(float64(tc.k)+1)
	for fi, f := range fs {
		copy(c.buf, cInit)
		f(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data, a.ld, b.data, b.ld, tc.beta, c.data, c.ld)
		a.checkPadding(t)
		b.checkPadding(t)
		c.checkPadding(t)
		bad := 0
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				got := float64(c.at(i, j))
				w, s := want[i*tc.n+j], scale[i*tc.n+j]
				if !(math.Abs(got-w) <= tol*s+1e-30) {
					if bad++; bad <= 5 {
						t.Errorf("%s %v: C[%d,%d] = %v, want %v (error %.3g of scale %.3g)", names[fi], tc, i, j, got, w, math.Abs(got-w), s)
					}
				}
			}
		}
		if bad > 5 {
			t.Errorf("%s %v: ... %d elements wrong in all", names[fi], tc, bad)
		}
	}
}

// gemmImpls are the implementations this machine can run: the portable Go
// one always, the assembly ones where the CPU has them.
func gemmImpls() map[string]*gemmImpl {
	m := map[string]*gemmImpl{"go": gemmGo}
	defer func(v512, v2 bool) { hasAVX512, hasAVX2 = v512, v2 }(hasAVX512, hasAVX2)
	if im := gemmArch(); im != gemmGo {
		m["asm"] = im
	}
	hasAVX512 = false
	if im := gemmArch(); im != gemmGo && im != m["asm"] {
		m["avx2"] = im
	}
	return m
}

func gemmTestDims() []int {
	if testing.Short() || gemmRace {
		return []int{1, 7, 13, 33}
	}
	return []int{1, 2, 7, 12, 13, 31, 32, 33, 65, 129}
}

func TestGemm(t *testing.T) {
	dims := gemmTestDims()
	ks := []int{1, 7, 33, 300} // 300 spans two gemmKC blocks
	if !testing.Short() && !gemmRace {
		ks = append(ks, 2, 65, 256, 257, 600)
	}
	coeffs := [][2]float32{{1, 0}, {-0.5, 1}, {2, -1.5}, {1, 1}}
	var cases []gemmCase
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		for _, m := range dims {
			for _, n := range dims {
				for i, k := range ks {
					ab := coeffs[(m+n+i)%len(coeffs)]
					cases = append(cases, gemmCase{tr[0], tr[1], m, n, k, ab[0], ab[1], (m * n * k) % 3 * 2})
				}
			}
		}
	}
	// Every implementation in every mode: whole products or the blocked
	// loop, panels read in place where possible or all packed.
	defer func(w int, d bool) { gemmWholeMax, gemmNoDirect = w, d }(gemmWholeMax, gemmNoDirect)
	whole := gemmWholeMax
	var names []string
	var fs []gemmFunc
	for name, im := range gemmImpls() {
		for _, mode := range []struct {
			name     string
			whole    int
			noDirect bool
		}{{"", whole, false}, {"_blocked", 0, false}, {"_packed", whole, true}, {"_blocked_packed", 0, true}} {
			if mode.noDirect && !im.direct {
				continue
			}
			names = append(names, name+mode.name)
			fs = append(fs, func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
				gemmWholeMax, gemmNoDirect = mode.whole, mode.noDirect
				gemm(im, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			})
		}
	}
	for _, tc := range cases {
		runGemmCases(t, tc, names, fs)
		if t.Failed() {
			t.FailNow()
		}
	}
}

// TestGemmLarge covers several blocks in every direction (m beyond mc, n
// beyond one packed B block, k beyond gemmKC) through the public Gemm with
// two threads, and the small-n case that computes Cᵀ.
func TestGemmLarge(t *testing.T) {
	cases := []gemmCase{
		{false, false, 130, 10, 1000, 1, 0, 0},
		{true, true, 70, 9, 500, 1, 0, 3},
		{false, true, 9, 100, 40, 1, 0.5, 1},
		{true, false, 100, 100, 300, 1, 0, 0},
	}
	if !testing.Short() && !gemmRace {
		cases = append(cases,
			gemmCase{false, false, 800, 1100, 300, 1, 0, 1},
			gemmCase{true, false, 777, 1030, 520, -1, 2, 0},
			gemmCase{false, true, 128, 1000, 784, 1, 0, 0},
			gemmCase{true, true, 300, 1050, 100, 0.5, 0.5, 5},
		)
	}
	defer SetThreads(SetThreads(2))
	defer func(v int) { gemmMinParallel = v }(gemmMinParallel)
	gemmMinParallel = 1
	for _, tc := range cases {
		t.Run(tc.String(), func(t *testing.T) { runGemmCase(t, tc, Gemm) })
	}
}

// TestGemmPortableSelected runs the public Gemm with the CPU features
// cleared, as on a machine without them.
func TestGemmPortableSelected(t *testing.T) {
	defer func(v512, v2 bool) { hasAVX512, hasAVX2 = v512, v2 }(hasAVX512, hasAVX2)
	hasAVX512, hasAVX2 = false, false
	if gemmArch() != gemmGo {
		t.Fatal("gemmArch does not fall back to the portable kernel without AVX-512 and AVX2")
	}
	runGemmCase(t, gemmCase{false, true, 33, 65, 70, 1, 0.5, 2}, Gemm)
}

// TestGemmDeterministic checks that results are bit-identical for any
// thread count, on both implementations.
func TestGemmDeterministic(t *testing.T) {
	shapes := [][3]int{{64, 96, 300}, {10, 300, 600}, {200, 10, 700}, {100, 150, 520}}
	if !testing.Short() && !gemmRace {
		shapes = append(shapes, [3]int{128, 1000, 784}, [3]int{300, 500, 800})
	}
	defer SetThreads(SetThreads(0))
	defer func(w, p int) { gemmWholeMax, gemmMinParallel = w, p }(gemmWholeMax, gemmMinParallel)
	gemmMinParallel = 1
	for name, im := range gemmImpls() {
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
				m, n, k := s[0], s[1], s[2]
				r := rand.New(rand.NewPCG(uint64(m), uint64(k)))
				a, b, lda, ldb := randGemmInputs(r, tr[0], tr[1], m, n, k)
				var ref []float32
				for _, th := range []int{1, 2, 3, 4, -1} {
					// -1: one thread, with the blocked loop in place of the
					// whole-product path, which must give the same bits.
					gemmWholeMax = 1 << 14
					if th < 0 {
						gemmWholeMax = 0
					}
					SetThreads(th)
					c := make([]float32, m*n)
					for i := range c {
						c[i] = 1
					}
					gemm(im, tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n)
					if ref == nil {
						ref = c
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
							t.Fatalf("%s %s %v: threads %d differ from threads 1 at %d: %v vs %v", name, gemmVariant(tr[0], tr[1]), s, th, i, c[i], ref[i])
						}
					}
				}
			}
		}
	}
}

// TestGemmConcurrent runs Gemm from several goroutines at once (each call
// takes its own buffers from the pool) and checks each against a serial run.
func TestGemmConcurrent(t *testing.T) {
	defer SetThreads(SetThreads(2))
	defer func(v int) { gemmMinParallel = v }(gemmMinParallel)
	gemmMinParallel = 1
	const calls = 6
	type job struct {
		m, n, k  int
		a, b, c  []float32
		want     []float32
		transB   bool
		lda, ldb int
	}
	jobs := make([]*job, calls)
	for i := range jobs {
		m, n, k := 20+7*i, 40+13*i, 300+50*i
		r := rand.New(rand.NewPCG(uint64(i), 9))
		j := &job{m: m, n: n, k: k, a: make([]float32, m*k), b: make([]float32, k*n), c: make([]float32, m*n), transB: i%2 == 1, lda: k, ldb: n}
		if j.transB {
			j.ldb = k
		}
		for x := range j.a {
			j.a[x] = float32(r.NormFloat64())
		}
		for x := range j.b {
			j.b[x] = float32(r.NormFloat64())
		}
		j.want = make([]float32, m*n)
		Gemm(false, j.transB, m, n, k, 1, j.a, j.lda, j.b, j.ldb, 0, j.want, n)
		jobs[i] = j
	}
	done := make(chan int, calls)
	for i, j := range jobs {
		go func() {
			for range 5 {
				Gemm(false, j.transB, j.m, j.n, j.k, 1, j.a, j.lda, j.b, j.ldb, 0, j.c, j.n)
			}
			done <- i
		}()
	}
	for range jobs {
		j := jobs[<-done]
		for x := range j.c {
			if math.Float32bits(j.c[x]) != math.Float32bits(j.want[x]) {
				t.Fatalf("concurrent call %dx%dx%d differs at %d: %v vs %v", j.m, j.k, j.n, x, j.c[x], j.want[x])
			}
		}
	}
}

func TestGemmDegenerate(t *testing.T) {
	// Zero-size dimensions touch nothing; k == 0 or alpha == 0 scale C by beta.
	Gemm(false, false, 0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1)
	Gemm(false, false, 0, 5, 3, 1, nil, 3, make([]float32, 15), 5, 0, nil, 5)
	Gemm(true, true, 4, 0, 3, 1, make([]float32, 12), 4, nil, 3, 0, nil, 1)
	c := []float32{float32(math.NaN()), 2, 3, 4}
	Gemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("k=0 beta=0: c[%d] = %v, want 0", i, v)
		}
	}
	c = []float32{1, 2, 3, 4}
	Gemm(false, false, 2, 2, 2, 0, []float32{1, 1, 1, 1}, 2, []float32{1, 1, 1, 1}, 2, 2, c, 2)
	for i, v := range c {
		if v != float32(2*(i+1)) {
			t.Fatalf("alpha=0 beta=2: c[%d] = %v, want %v", i, v, 2*(i+1))
		}
	}
	for _, f := range []func(){
		func() { Gemm(false, false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) },
		func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
		func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Gemm accepted a bad argument")
				}
			}()
			f()
		}()
	}
}

func TestGemmNoAlloc(t *testing.T) {
	if gemmRace {
		t.Skip("allocation counts differ under the race detector")
	}
	defer SetThreads(SetThreads(1))
	m, n, k := 64, 96, 300
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	Gemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
	if allocs := testing.AllocsPerRun(20, func() { Gemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }); allocs > 0 {
		t.Errorf("single-threaded Gemm allocates %v times per call", allocs)
	}
}

// gemmBenchShapes are the m×k×n shapes of the benchmark, as in kbench and
// baselines/gemm_openblas.py.
var gemmBenchShapes = [][3]int{{128, 784, 1000}, {128, 1000, 10}, {1024, 1024, 1024}}

// BenchmarkGemm times the training variants on the benchmark shapes
// (GFLOP/s = 2·m·k·n / time), the portable kernel and the naive loop for
// comparison.
func BenchmarkGemm(b *testing.B) {
	bench := func(b *testing.B, m, k, n int, f GemmFunc, transA, transB bool) {
		x, y, lda, ldb := randGemmInputs(rand.New(rand.NewPCG(1, 2)), transA, transB, m, n, k)
		c := make([]float32, m*n)
		b.ResetTimer()
		for range b.N {
			f(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, c, n)
		}
		b.ReportMetric(2*float64(m)*float64(k)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	for _, s := range gemmBenchShapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			name := fmt.Sprintf("%s/%dx%dx%d", gemmVariant(tr[0], tr[1]), s[0], s[1], s[2])
			b.Run(name, func(b *testing.B) { bench(b, s[0], s[1], s[2], Gemm, tr[0], tr[1]) })
		}
	}
	// The fallbacks: "go" (portable) and "avx2" where the CPU has them.
	for name, im := range gemmImpls() {
		if name == "asm" {
			continue
		}
		f := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			gemm(im, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}
		b.Run(name+"_nn/128x784x1000", func(b *testing.B) { bench(b, 128, 784, 1000, f, false, false) })
	}
	b.Run("naive_nn/128x128x128", func(b *testing.B) { bench(b, 128, 128, 128, gemmNaive, false, false) })
	b.Run("gemm_nn/128x128x128", func(b *testing.B) { bench(b, 128, 128, 128, Gemm, false, false) })
}

// GemmSerial gives Gemm's bits at any thread setting, on shapes large
// enough for Gemm to start goroutines (the forward product of fmnist-snn's
// first layer for 64 samples among them).
func TestGemmSerial(t *testing.T) {
	defer SetThreads(SetThreads(0))
	for _, s := range [][3]int{{64, 1000, 784}, {100, 150, 520}, {10, 300, 600}, {200, 10, 700}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			m, n, k := s[0], s[1], s[2]
			r := rand.New(rand.NewPCG(uint64(m), uint64(n)))
			a, b := make([]float32, m*k), make([]float32, k*n)
			for i := range a {
				a[i] = float32(r.NormFloat64())
			}
			for i := range b {
				b[i] = float32(r.NormFloat64())
			}
			lda, ldb := k, n
			if tr[0] {
				lda = m
			}
			if tr[1] {
				ldb = k
			}
			for _, th := range []int{1, 2, 4} {
				SetThreads(th)
				want, got := make([]float32, m*n), make([]float32, m*n)
				for i := range want {
					want[i], got[i] = 1, 1
				}
				Gemm(tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, 0.5, want, n)
				GemmSerial(tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, 0.5, got, n)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s %v threads %d: c[%d] = %v, Gemm %v", gemmVariant(tr[0], tr[1]), s, th, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// The 6×32 tile of a last panel of at most 6 rows gives the 12×32 tile's
// bits (which then computes padded rows), for A and B read in place or
// packed, whole or blocked, every transposition, and beta 0 or not.
func TestGemmHalfTile(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	noHalf := *gemmAVX512
	noHalf.half = nil
	defer func(w int, d bool) { gemmWholeMax, gemmNoDirect = w, d }(gemmWholeMax, gemmNoDirect)
	r := rand.New(rand.NewPCG(6, 32))
	for _, m := range []int{1, 4, 6, 7, 13, 16, 18, 19, 64, 66, 70} {
		for _, n := range []int{1, 31, 32, 33, 100} {
			for _, k := range []int{1, 7, 196, 300} {
				for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
					a, b, lda, ldb := randGemmInputs(r, tr[0], tr[1], m, n, k)
					c0 := make([]float32, m*n)
					for i := range c0 {
						c0[i] = float32(r.NormFloat64())
					}
					for _, mode := range [][2]int{{1 << 14, 0}, {0, 0}, {1 << 14, 1}, {0, 1}} {
						for _, beta := range []float32{0, 0.5} {
							gemmWholeMax, gemmNoDirect = mode[0], mode[1] == 1
							want := append([]float32(nil), c0...)
							gemm(&noHalf, tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, beta, want, n)
							got := append([]float32(nil), c0...)
							gemm(gemmAVX512, tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, beta, got, n)
							for i := range got {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
									t.Fatalf("m %d n %d k %d %v mode %v beta %v: element %d is %v, the 12-row tile's %v", m, n, k, tr, mode, beta, i, got[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}
