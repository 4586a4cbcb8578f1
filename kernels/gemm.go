package kernels

import "sync"

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major float32
// matrices, where op(X) is X or Xᵀ as transA/transB say. op(A) is m×k,
// op(B) is k×n and C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. With beta == 0, C is overwritten (NaNs in C do not leak).
//
// Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//		}
//	}
//
// Results are bit-identical for any Threads() setting: the sum over p is
// split into blocks of gemmKC, each block is summed in order and the blocks
// are added to C in order, whatever the thread count. The sums may round
// differently from the reference loop (fused multiply-adds, blocking).
//
// Implementation (Goto/BLIS): for each block of gemmKC steps of p, panels of
// op(A) (mr rows) and op(B) (nr columns) are packed into contiguous, zero-padded
// buffers, so one mr×nr register-blocked micro-kernel serves all transposition
// variants; worker goroutines split the output tiles. Problems too small to pay
// for a second goroutine run on one.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemm(gemmArch(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func checkGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("kernels: negative Gemm dimension")
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) {
		panic("kernels: Gemm leading dimension too small")
	}
	if ar > 0 && ac > 0 && len(a) < (ar-1)*lda+ac {
		panic("kernels: Gemm A too short")
	}
	if br > 0 && bc > 0 && len(b) < (br-1)*ldb+bc {
		panic("kernels: Gemm B too short")
	}
	if m > 0 && n > 0 && len(c) < (m-1)*ldc+n {
		panic("kernels: Gemm C too short")
	}
}

// gemmNaive is the reference loop of Gemm; tests compare the fast paths to it.
func gemmNaive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// gemmKC is the depth of a packed block: every output element is reduced
// over p in blocks of gemmKC steps, in order, and the blocks are added to C
// in order. It must not depend on the thread count (determinism).
const gemmKC = 256

// gemmMinParallel is the least work, in multiply-adds m·n·k, for which Gemm
// uses more than one goroutine.
const gemmMinParallel = 1 << 18

// gemmImpl is a micro-kernel with its register tile and cache blocking.
type gemmImpl struct {
	mr, nr int
	// kernel sets the mr×nr tile c (row stride ldc) to
	// alpha·Σ_{p<kc} a[p*mr+i]·b[p*nr+j] + beta·c[i*ldc+j], in order of p;
	// with beta == 0 it overwrites c without reading it.
	kernel func(kc int, a, b, c []float32, ldc int, alpha, beta float32)
	// mc is the rows of op(A) packed at once (a multiple of mr).
	mc int
	// ncw is the columns of op(B) per worker in a packed block (a multiple
	// of nr): kc×ncw floats should sit in one core's L2 cache.
	ncw int
}

// gemmWork holds the packing buffers of one Gemm call; gemmPool recycles
// them so that the hot path does not allocate.
type gemmWork struct {
	ap, bp, tiles []float32
}

var gemmPool = sync.Pool{New: func() any { return new(gemmWork) }}

func growF32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmTileUse is the fraction of the computed mr×nr tiles that lies in an
// m×n output.
func gemmTileUse(im *gemmImpl, m, n int) float64 {
	mp := (m + im.mr - 1) / im.mr * im.mr
	np := (n + im.nr - 1) / im.nr * im.nr
	return float64(m) / float64(mp) * float64(n) / float64(np)
}

// gemmScale sets C = beta·C (beta == 0 writes zeros).
func gemmScale(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		if beta == 1 {
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// gemm is the blocked driver of Gemm over the micro-kernel im; the
// arguments are checked.
func gemm(im *gemmImpl, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	// Computing Cᵀ = op(B)ᵀ·op(A)ᵀ instead wastes less of the register
	// tile when n is small (a 128×10 output fills 10 of 12 rows of two
	// 12×32 tiles rather than 10 of 32 columns of eleven). Cᵀ is then written
	// transposed into C.
	transC := false
	if gemmTileUse(im, n, m) > 1.25*gemmTileUse(im, m, n) {
		transA, transB = !transB, !transA
		a, b = b, a
		lda, ldb = ldb, lda
		m, n = n, m
		transC = true
	}
	mr, nr := im.mr, im.nr
	threads := Threads()
	if m*n*k < gemmMinParallel || threads < 1 {
		threads = 1
	}
	if tiles := ((m + mr - 1) / mr) * ((n + nr - 1) / nr); threads > tiles {
		threads = tiles
	}
	kc := min(gemmKC, k)
	mc := min(im.mc, (m+mr-1)/mr*mr)
	nc := min(im.ncw*threads, (n+nr-1)/nr*nr)

	w := gemmPool.Get().(*gemmWork)
	w.ap = growF32(w.ap, mc*kc)
	w.bp = growF32(w.bp, nc*kc)
	w.tiles = growF32(w.tiles, threads*mr*nr)

	g := gemmBlock{im: im, w: w, transA: transA, transB: transB, transC: transC,
		m: m, n: n, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	for jc := 0; jc < n; jc += nc {
		g.j0, g.nc = jc, min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			g.p0, g.kc = pc, min(kc, k-pc)
			g.beta = beta
			if pc > 0 {
				g.beta = 1
			}
			for ic := 0; ic < m; ic += mc {
				g.i0, g.mc = ic, min(mc, m-ic)
				g.run(threads, ic == 0)
			}
		}
	}
	gemmPool.Put(w)
}

// gemmBlock is one (jc, pc, ic) block of the driver: the output rows
// [i0, i0+mc) and columns [j0, j0+nc), summed over p in [p0, p0+kc).
type gemmBlock struct {
	im                     *gemmImpl
	w                      *gemmWork
	transA, transB, transC bool
	m, n                   int
	alpha, beta            float32
	a, b, c                []float32
	lda, ldb, ldc          int
	i0, mc, j0, nc, p0, kc int
}

// run packs the block's A panels (and its B panels when packB) and computes
// its tiles with up to threads goroutines.
func (g *gemmBlock) run(threads int, packB bool) {
	mr, nr := g.im.mr, g.im.nr
	mp := (g.mc + mr - 1) / mr
	np := (g.nc + nr - 1) / nr
	tasks := mp
	if packB {
		tasks += np
	}
	// Split the mp×np tiles into tr×tc rectangles, one per worker, with the
	// smallest largest rectangle; prefer splitting columns (each worker then
	// keeps its own B panels in its cache).
	tr, tc := 1, 1
	if threads > 1 {
		best := -1
		for r := 1; r <= threads; r++ {
			if threads%r != 0 {
				continue
			}
			cc := threads / r
			if r > mp || cc > np {
				continue
			}
			cost := ((mp + r - 1) / r) * ((np + cc - 1) / cc)
			if best < 0 || cost < best {
				best, tr, tc = cost, r, cc
			}
		}
	}
	if tr*tc == 1 {
		for t := 0; t < tasks; t++ {
			g.pack(t, mp)
		}
		g.compute(0, 0, mp, 0, np)
		return
	}
	// The closures capture a copy, so that the single-threaded path above
	// does not allocate.
	gc := *g
	Parallel(tasks, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			gc.pack(t, mp)
		}
	})
	Parallel(tr*tc, 1, func(lo, hi int) {
		for wk := lo; wk < hi; wk++ {
			r, cc := wk/tc, wk%tc
			gc.compute(wk, r*mp/tr, (r+1)*mp/tr, cc*np/tc, (cc+1)*np/tc)
		}
	})
}

// pack packs A panel t of the block, or B panel t-mp when t >= mp.
func (g *gemmBlock) pack(t, mp int) {
	if t < mp {
		g.packA(t)
	} else {
		g.packB(t - mp)
	}
}

// packA packs rows [i0+t·mr, +mr) of op(A), columns [p0, p0+kc), into
// ap[t·mr·kc:] as ap[p·mr+i], zero-padding rows past mc.
func (g *gemmBlock) packA(t int) {
	mr, kc := g.im.mr, g.kc
	dst := g.w.ap[t*mr*kc : (t+1)*mr*kc]
	i0 := g.i0 + t*mr
	rows := min(mr, g.i0+g.mc-i0)
	if g.transA { // op(A)(i, p) = a[p*lda+i]
		for p := 0; p < kc; p++ {
			d := dst[p*mr : p*mr+mr]
			copy(d, g.a[(g.p0+p)*g.lda+i0:][:rows])
			clear(d[rows:])
		}
		return
	}
	// op(A)(i, p) = a[i*lda+p]
	for i := 0; i < rows; i++ {
		src := g.a[(i0+i)*g.lda+g.p0:][:kc]
		d := dst[i:]
		for p, v := range src {
			d[p*mr] = v
		}
	}
	for i := rows; i < mr; i++ {
		for p := 0; p < kc; p++ {
			dst[p*mr+i] = 0
		}
	}
}

// packB packs columns [j0+t·nr, +nr) of op(B), rows [p0, p0+kc), into
// bp[t·nr·kc:] as bp[p·nr+j], zero-padding columns past nc.
func (g *gemmBlock) packB(t int) {
	nr, kc := g.im.nr, g.kc
	dst := g.w.bp[t*nr*kc : (t+1)*nr*kc]
	j0 := g.j0 + t*nr
	cols := min(nr, g.j0+g.nc-j0)
	if !g.transB { // op(B)(p, j) = b[p*ldb+j]
		for p := 0; p < kc; p++ {
			d := dst[p*nr : p*nr+nr]
			copy(d, g.b[(g.p0+p)*g.ldb+j0:][:cols])
			clear(d[cols:])
		}
		return
	}
	// op(B)(p, j) = b[j*ldb+p]
	for j := 0; j < cols; j++ {
		src := g.b[(j0+j)*g.ldb+g.p0:][:kc]
		d := dst[j:]
		for p, v := range src {
			d[p*nr] = v
		}
	}
	for j := cols; j < nr; j++ {
		for p := 0; p < kc; p++ {
			dst[p*nr+j] = 0
		}
	}
}

// compute runs the micro-kernel over the tiles of row panels [r0, r1) and
// column panels [c0, c1) of the block, as worker wk (which owns tile buffer
// wk). Each A panel stays in L1 while the worker's B panels stream from L2.
func (g *gemmBlock) compute(wk, r0, r1, c0, c1 int) {
	im := g.im
	mr, nr, kc := im.mr, im.nr, g.kc
	tile := g.w.tiles[wk*mr*nr : (wk+1)*mr*nr]
	for ip := r0; ip < r1; ip++ {
		ap := g.w.ap[ip*mr*kc : (ip+1)*mr*kc]
		i := g.i0 + ip*mr
		rows := min(mr, g.i0+g.mc-i)
		for jp := c0; jp < c1; jp++ {
			bp := g.w.bp[jp*nr*kc : (jp+1)*nr*kc]
			j := g.j0 + jp*nr
			cols := min(nr, g.j0+g.nc-j)
			if rows == mr && cols == nr && !g.transC {
				im.kernel(kc, ap, bp, g.c[i*g.ldc+j:], g.ldc, g.alpha, g.beta)
				continue
			}
			im.kernel(kc, ap, bp, tile, nr, 1, 0)
			g.store(tile, i, j, rows, cols)
		}
	}
}

// store writes the rows×cols corner of an edge tile (alpha not yet applied)
// into C at (i, j) of the computed product, transposed when transC.
func (g *gemmBlock) store(tile []float32, i, j, rows, cols int) {
	nr := g.im.nr
	alpha, beta, c, ldc := g.alpha, g.beta, g.c, g.ldc
	for ii := 0; ii < rows; ii++ {
		t := tile[ii*nr : ii*nr+cols]
		for jj, v := range t {
			idx := (i+ii)*ldc + j + jj
			if g.transC {
				idx = (j+jj)*ldc + i + ii
			}
			if beta == 0 {
				c[idx] = alpha * v
			} else {
				c[idx] = alpha*v + beta*c[idx]
			}
		}
	}
}

// gemmKernelGo is the portable micro-kernel of gemmGo: a 4×4 tile held in
// sixteen scalars.
func gemmKernelGo(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*kc]
	b = b[:4*kc]
	for p := 0; p < kc; p++ {
		ap := a[4*p : 4*p+4 : 4*p+4]
		bp := b[4*p : 4*p+4 : 4*p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	gemmStoreRow(c[0*ldc:0*ldc+4], c00, c01, c02, c03, alpha, beta)
	gemmStoreRow(c[1*ldc:1*ldc+4], c10, c11, c12, c13, alpha, beta)
	gemmStoreRow(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	gemmStoreRow(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

func gemmStoreRow(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}

// gemmGo is the portable implementation, used without AVX-512 and off amd64.
var gemmGo = &gemmImpl{mr: 4, nr: 4, kernel: gemmKernelGo, mc: 256, ncw: 512}
