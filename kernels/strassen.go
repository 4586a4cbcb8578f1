package kernels

import (
	"sync"
	"sync/atomic"
)

// GemmFunc is the signature of Gemm, GemmBF16 and GemmStrassen.
type GemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// GemmStrassen computes what Gemm computes, C = alpha·op(A)·op(B) +
// beta·C, with the Strassen–Winograd recursion on large products: while
// m, n and k are all at least 2·StrassenMin(), op(A), op(B) and C are cut
// into 2×2 blocks and C's four blocks are formed from 7 products of half
// the size instead of 8 (Winograd's variant: 15 block additions), each
// product recursing in turn, at most StrassenLevels() deep; smaller
// products go to Gemm. Each level saves an eighth of the multiply-adds
// (one level 12.5%, two 23.4%) for additions that are memory-bound and
// grow as n², so it pays on products whose three sides are in the
// thousands. An odd row, column or step is peeled off and done by Gemm.
//
// The result is float32 arithmetic in another order: against the float64
// product its error is bounded normwise, not element by element (an
// element of C may carry rounding from the largest elements of its row
// block and column block), growing by a small constant factor per level;
// TestGemmStrassen checks it against the float64 reference within a
// tolerance scaled by max|A|·max|B|·k. It is deterministic: the same bits
// for any Threads() setting (the products are Gemm's, the additions
// elementwise). Extra memory: for each level, one block of op(A), one of
// op(B) and two of C (at the top level of an m×k by k×n product,
// m·k + k·n + 2·m·n bytes: a quarter of each in float32), kept for the
// next call in one slab per level with a quarter more room
// (strassenScratch.take).
//
// Bits differ from Gemm's, so it is an option (networks.LinearLIF's
// Strassen, `braingo bench models --gemm strassen`), never the default.
func GemmStrassen(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	strassenTop(Gemm, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmStrassenBF16 is GemmStrassen over GemmBF16: the block sums are
// formed in float32 and the 7 products (recursively) run in bf16 mixed
// precision. It needs HasBF16.
func GemmStrassenBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	strassenTop(GemmBF16, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

var (
	strassenMin    atomic.Int64
	strassenLevels atomic.Int64
	// strassenSplits counts the products GemmStrassen has split (tests
	// check the recursion ran).
	strassenSplits atomic.Int64
)

func init() {
	strassenMin.Store(1024)
	strassenLevels.Store(2)
}

// StrassenMin reports the smallest side of a block product GemmStrassen
// still computes with Gemm: it splits a product while its three sides
// are all at least twice this.
func StrassenMin() int { return int(strassenMin.Load()) }

// SetStrassenMin sets StrassenMin (at least 1) and returns the previous
// setting.
func SetStrassenMin(n int) int { return int(strassenMin.Swap(int64(max(1, n)))) }

// StrassenLevels reports how many times at most GemmStrassen halves a
// product.
func StrassenLevels() int { return int(strassenLevels.Load()) }

// SetStrassenLevels sets StrassenLevels (0: GemmStrassen is Gemm) and
// returns the previous setting.
func SetStrassenLevels(n int) int { return int(strassenLevels.Swap(int64(max(0, n)))) }

// strassenScratch holds one level's temporaries, a block of op(A) (S), of
// op(B) (T) and two of C (P, Q), cut from one slab; next is the level
// below.
type strassenScratch struct {
	slab []float32
	next *strassenScratch
}

// take cuts S, T, P and Q of the given sizes from the slab, each starting
// on a 64-byte boundary. The slab grows with a quarter more room: a
// layer's forward and backward products need blocks of different shapes
// but about the same total (for 8,000 rows and n = 16,384: a large T in
// the forward product, large P and Q in the weight gradient), and
// reallocating, then faulting in, hundreds of megabytes on every other
// call would cost what a level saves.
func (sc *strassenScratch) take(sizes ...int) [][]float32 {
	total := 0
	for _, n := range sizes {
		total += (n + 15) &^ 15
	}
	if cap(sc.slab) < total {
		sc.slab = nil // the old slab may be collected while the new one is allocated
		sc.slab = make([]float32, total, total+total/4)
	}
	out := make([][]float32, len(sizes))
	off := 0
	for i, n := range sizes {
		out[i] = sc.slab[off : off+n : off+n]
		off += (n + 15) &^ 15
	}
	return out
}

func (sc *strassenScratch) below() *strassenScratch {
	if sc.next == nil {
		sc.next = new(strassenScratch)
	}
	return sc.next
}

// strassenPool keeps the temporaries of the last call for the next: the
// blocks of a large product are hundreds of megabytes, and faulting them
// in again on every call would cost a good part of what the recursion
// saves. A call that finds them taken (another goroutine's product)
// allocates its own.
var strassenPool struct {
	sync.Mutex
	sc *strassenScratch
}

func strassenTop(base GemmFunc, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	strassenPool.Lock()
	sc := strassenPool.sc
	strassenPool.sc = nil
	strassenPool.Unlock()
	if sc == nil {
		sc = new(strassenScratch)
	}
	strassen(base, StrassenLevels(), StrassenMin(), sc, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	strassenPool.Lock()
	strassenPool.sc = sc
	strassenPool.Unlock()
}

// strassen is one level of the recursion; sc is this level's scratch.
func strassen(base GemmFunc, levels, minSide int, sc *strassenScratch, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if levels <= 0 || m < 2*minSide || n < 2*minSide || k < 2*minSide {
		base(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	strassenSplits.Add(1)
	mh, nh, kh := m/2, n/2, k/2
	// Offsets of op(A)[i, p] in a and op(B)[p, j] in b, and the stored
	// shape of one block of each.
	aOff := func(i, p int) int {
		if transA {
			return p*lda + i
		}
		return i*lda + p
	}
	bOff := func(p, j int) int {
		if transB {
			return j*ldb + p
		}
		return p*ldb + j
	}
	ar, ac := mh, kh
	if transA {
		ar, ac = kh, mh
	}
	br, bc := kh, nh
	if transB {
		br, bc = nh, kh
	}
	A := func(i, j int) []float32 { return a[aOff(i*mh, j*kh):] }
	B := func(i, j int) []float32 { return b[bOff(i*kh, j*nh):] }
	C := func(i, j int) []float32 { return c[i*mh*ldc+j*nh:] }
	// The temporaries' rows are padded where a multiple of 2 KiB would
	// make Gemm pack them (gemmStrideOK).
	lds, ldt, ldp := strassenLd(ac), strassenLd(bc), strassenLd(nh)
	tmp := sc.take((ar-1)*lds+ac, (br-1)*ldt+bc, (mh-1)*ldp+nh, (mh-1)*ldp+nh)
	S, T, P, Q := tmp[0], tmp[1], tmp[2], tmp[3]
	sub := sc.below()
	mul := func(transA, transB bool, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		strassen(base, levels-1, minSide, sub, transA, transB, mh, nh, kh, alpha, a, lda, b, ldb, beta, c, ldc)
	}
	// sa and tb set S and T to sums of terms, or add the terms to them
	// in place.
	sa := func(inPlace bool, terms ...strassenTerm) { strassenSum(S, lds, ar, ac, 1, inPlace, terms) }
	tb := func(inPlace bool, terms ...strassenTerm) { strassenSum(T, ldt, br, bc, 1, inPlace, terms) }
	plus := func(x []float32, ld int) strassenTerm { return strassenTerm{x, ld, false} }
	minus := func(x []float32, ld int) strassenTerm { return strassenTerm{x, ld, true} }
	cAcc := beta != 0

	// Winograd's variant (S and T are the sums of blocks of op(A) and
	// op(B), P1..P7 the products, U the partial sums of C's blocks):
	//   S1 = A21 + A22, S2 = S1 − A11, S3 = A11 − A21, S4 = A12 − S2,
	//   T1 = B12 − B11, T2 = B22 − T1, T3 = B22 − B12, T4 = T2 − B21,
	//   P1 = A11·B11, P2 = A12·B21, P3 = S4·B22, P4 = A22·T4,
	//   P5 = S1·T1, P6 = S2·T2, P7 = S3·T3,
	//   C11 = P1 + P2, C12 = P1 + P6 + P5 + P3,
	//   C21 = P1 + P6 + P7 − P4, C22 = P1 + P6 + P7 + P5,
	// in an order that forms S1, S2, S4 and T1, T2, T4 each from the last
	// in place (three blocks of traffic each) and keeps P (the partial
	// sum U2, then U3) and Q (P5) as the only blocks of C's size. T1 and
	// S4 are kept negated (their products take −alpha), so that every
	// in-place step adds to or subtracts from the block as it is.
	mul(transA, transB, alpha, A(0, 0), lda, B(0, 0), ldb, 0, P, ldp) // P = P1
	strassenSum(C(0, 0), ldc, mh, nh, beta, cAcc, []strassenTerm{plus(P, ldp)})
	sa(false, plus(A(1, 0), lda), plus(A(1, 1), lda))      // S1
	tb(false, plus(B(0, 0), ldb), minus(B(0, 1), ldb))     // −T1 = B11 − B12
	mul(transA, transB, -alpha, S, lds, T, ldt, 0, Q, ldp) // Q = P5 = −S1·(−T1)
	sa(true, minus(A(0, 0), lda))                          // S2 = S1 − A11
	tb(true, plus(B(1, 1), ldb))                           // T2 = −T1 + B22
	mul(transA, transB, alpha, S, lds, T, ldt, 1, P, ldp)  // P = U2 = P1 + P6
	strassenSum(C(0, 1), ldc, mh, nh, beta, cAcc, []strassenTerm{plus(P, ldp), plus(Q, ldp)})
	sa(true, minus(A(0, 1), lda))                                         // −S4 = S2 − A12
	mul(transA, transB, -alpha, S, lds, B(1, 1), ldb, 1, C(0, 1), ldc)    // C12 += P3 = −(−S4)·B22
	tb(true, minus(B(1, 0), ldb))                                         // T4 = T2 − B21
	mul(transA, transB, -alpha, A(1, 1), lda, T, ldt, beta, C(1, 0), ldc) // C21 = β·C21 − P4
	sa(false, plus(A(0, 0), lda), minus(A(1, 0), lda))                    // S3
	tb(false, plus(B(1, 1), ldb), minus(B(0, 1), ldb))                    // T3
	mul(transA, transB, alpha, S, lds, T, ldt, 1, P, ldp)                 // P = U3 = U2 + P7
	strassenSum(C(1, 0), ldc, mh, nh, 1, true, []strassenTerm{plus(P, ldp)})
	strassenSum(C(1, 1), ldc, mh, nh, beta, cAcc, []strassenTerm{plus(P, ldp), plus(Q, ldp)})
	mul(transA, transB, alpha, A(0, 1), lda, B(1, 0), ldb, 1, C(0, 0), ldc) // C11 += P2

	// The odd step, row and column, if any.
	m2, n2, k2 := 2*mh, 2*nh, 2*kh
	if k > k2 { // C[:m2, :n2] += α·op(A)[:m2, k−1]·op(B)[k−1, :n2]
		base(transA, transB, m2, n2, 1, alpha, a[aOff(0, k2):], lda, b[bOff(k2, 0):], ldb, 1, c, ldc)
	}
	if m > m2 { // C[m−1, :] = α·op(A)[m−1, :]·op(B) + β·C[m−1, :]
		base(transA, transB, 1, n, k, alpha, a[aOff(m2, 0):], lda, b, ldb, beta, c[m2*ldc:], ldc)
	}
	if n > n2 { // C[:m2, n−1] = α·op(A)[:m2, :]·op(B)[:, n−1] + β·C[:m2, n−1]
		base(transA, transB, m2, 1, k, alpha, a, lda, b[bOff(0, n2):], ldb, beta, c[n2:], ldc)
	}
}

// strassenTerm is a rows×cols block of a matrix, added or subtracted.
type strassenTerm struct {
	x   []float32
	ld  int
	neg bool
}

// strassenSum sets the rows×cols block dst (row stride ldd) to
// β·dst + Σ ±terms when acc is set, to Σ ±terms otherwise (dst is not
// read: NaNs in it do not leak), adding the terms in order; the first term
// must be added, not subtracted. Rows go to Threads() goroutines; each
// element's sum is the same whatever the split.
func strassenSum(dst []float32, ldd, rows, cols int, beta float32, acc bool, terms []strassenTerm) {
	Parallel(rows, max(1, (1<<14)/max(1, cols)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			d := dst[r*ldd : r*ldd+cols]
			rest := terms
			if !acc {
				copy(d, terms[0].x[r*terms[0].ld:r*terms[0].ld+cols])
				rest = terms[1:]
			} else if beta != 1 {
				Scale(d, beta)
			}
			for _, t := range rest {
				x := t.x[r*t.ld : r*t.ld+cols]
				if t.neg {
					Axpy(d, -1, x) // d − x, exactly rounded as a subtraction
				} else {
					AddTo(d, x)
				}
			}
		}
	})
}

// strassenLd is the row stride of a temporary of cols columns: cols, or
// 16 more where cols is a multiple of 512 (gemmStrideOK).
func strassenLd(cols int) int {
	if gemmStrideOK(cols) {
		return cols
	}
	return cols + 16
}
