package kernels

import (
	"sync"
	"sync/atomic"
)

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
// split into equal blocks of at most 256 steps (depending on k only), each
// block is summed in order and the blocks are added to C in order
// (C = alpha·s₁ + beta·C, then C = alpha·s₂ + C, ...), whatever the thread
// count. The sums may round differently from the reference loop (fused
// multiply-adds, blocking).
//
// Implementation (Goto/BLIS): panels of op(A) (mr rows) and op(B) (nr
// columns) are packed into contiguous, zero-padded buffers, so that one
// mr×nr register-blocked micro-kernel (12×32 with AVX-512, 6×16 with AVX2,
// 4×4 in portable Go) serves all transposition variants; where the kernel can read a panel
// in place with a stride, and few tiles reuse it, it is not packed. A plan
// chosen from the shape alone decides that, and whether to compute Cᵀ =
// op(B)ᵀ·op(A)ᵀ instead when that wastes less of the tile (thin outputs).
// Large outputs are computed block by block (≤ 256 steps of p, then rows and
// columns sized for the caches), small ones tile by tile over all of k.
// Worker goroutines take strips of output tiles; problems too small to pay
// for a second goroutine run on one.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemm(gemmArch(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmSegments is Gemm with the sum over p cut into segments: segment s
// covers p in [ends[s−1], ends[s]) (ends[−1] = 0, k = ends[len−1]; empty
// segments are skipped). It gives the same bits as Gemm called on each
// nonempty segment in turn, C accumulating:
//
//	p0, first := 0, true
//	for _, p1 := range ends {
//		if p1 > p0 {
//			b := beta
//			if !first {
//				b = 1
//			}
//			Gemm(transA, transB, m, n, p1-p0, alpha, A from column p0, lda, B from row p0, ldb, b, c, ldc)
//			first = false
//		}
//		p0 = p1
//	}
//
// but reads and writes C once, not once per segment: each tile of C stays
// in registers while the segments' sums are added to it. With alpha = 1 and
// segments of at most 256 steps, the result is Σ_s (op(A)·op(B) over
// segment s) added in segment order, whatever the thread count: the weight
// gradient of a batch split into fixed shards of samples.
func GemmSegments(transA, transB bool, m, n int, ends []int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	k := 0
	for _, e := range ends {
		if e < k {
			panic("kernels: GemmSegments: segment ends must not decrease")
		}
		k = e
	}
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if k == 0 {
		gemm(gemmArch(), transA, transB, m, n, 0, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmSeg(gemmArch(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ends)
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

// gemmKC bounds the depth of a block: every output element is reduced over
// p in blocks of gemmDepth(k) steps, in order, and the blocks are added to C
// in order. The depth must not depend on the thread count (determinism).
const gemmKC = 256

// gemmDepth is the depth of the blocks of p: k split into ⌈k/gemmKC⌉ blocks
// of equal depth (the last may be shorter), so that no block is much
// shallower than the others (784 = 4×196, not 3×256+16).
func gemmDepth(k int) int {
	nb := (k + gemmKC - 1) / gemmKC
	return (k + nb - 1) / nb
}

// gemmMinParallel is the least work, in multiply-adds m·n·k, for which Gemm
// uses more than one goroutine: waking a second one costs microseconds,
// more on a busy machine, and 1<<22 multiply-adds take about 20µs on one
// core. Tests lower it to cover the parallel paths with small shapes.
var gemmMinParallel = 1 << 22

// gemmImpl is a micro-kernel with its register tile and cache blocking.
type gemmImpl struct {
	mr, nr int
	// kernel sets the mr×nr tile c (row stride ldc) to
	// alpha·Σ_{p<kc} A(i,p)·b[p*sb+j] + beta·c[i*ldc+j], in order of p, where
	// A(i,p) is a[p*sa+i], or a[i*sa+p] when aRows; with beta == 0 it
	// overwrites c without reading it.
	kernel func(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32)
	// half, if set, is kernel on a tile of mr/2 rows (the same arithmetic
	// per element), for a panel of at most mr/2 rows (a product of 64 rows
	// then pads 2 rows, not 8), on A read in place or packed (a packed
	// panel's stride stays mr).
	half func(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32)
	// direct says that the kernel takes any strides and aRows, so that
	// full panels can be read in place instead of packed. Otherwise it gets
	// only packed panels (sa == mr, sb == nr, !aRows).
	direct bool
	// packT is the transposing copy of the packing routines:
	// dst[p*ldd+j] = src[j*lds+p] for p < n and j < cols, zero for
	// cols <= j < width, with width <= 16.
	packT func(dst []float32, ldd int, src []float32, lds, n, cols, width int)
	// mc is the rows of op(A) packed at once (a multiple of mr).
	mc int
	// ncw is the columns of op(B) per worker in a block (a multiple of nr):
	// kc×ncw floats should sit in one core's L2 cache.
	ncw int
	// narrow, if set, is the same kernel with a narrower tile, for outputs
	// at most narrow.nr wide.
	narrow *gemmImpl
	// seg, if set, is kernel over consecutive segments of p of lens[s]
	// steps in one call, on A read as columns (!aRows): the same arithmetic
	// as kernel called on each segment in turn, beta for the first and 1
	// for the others (GemmSegments' tiles, without a call per segment).
	seg func(lens []int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32)
}

// gemmWork holds the packing buffers of one Gemm call; gemmPool recycles
// them so that the hot path does not allocate.
type gemmWork struct {
	ap, bp, tiles  []float32
	blocks, chunks []int // GemmSegments' blocks and chunks of blocks
	lens           []int // the current chunk's blocks' depths (gemmBlock.lens)
}

var gemmPool = sync.Pool{New: func() any { return new(gemmWork) }}

func growF32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmScale sets C = beta·C (beta == 0 writes zeros).
func gemmScale(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// gemmPlan is how one Gemm call runs: which kernel, which orientation and
// which operands are read in place.
type gemmPlan struct {
	im                     *gemmImpl
	transA, transB, transC bool
	m, n                   int
	a, b                   []float32
	lda, ldb               int
	aDirect, bDirect       bool
}

// gemmStrideOK reports whether rows ld floats apart can be read in place
// without piling onto a few cache sets: with a stride that is a multiple of
// 2 KiB, the rows of a panel fall into one or two sets of a 32 KiB 8-way L1.
func gemmStrideOK(ld int) bool { return ld%512 != 0 }

// plan returns the plan for computing op(A)·op(B) as given (transC false)
// or as Cᵀ = op(B)ᵀ·op(A)ᵀ written transposed (transC true), with its cost
// in rough cycles: padded multiply-adds over 16 lanes, plus about one cycle
// per packed element (two when packing transposes), plus two per element of
// C written through a transposing copy.
func (im *gemmImpl) plan(transC, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int) (gemmPlan, float64) {
	if transC {
		transA, transB = !transB, !transA
		a, b = b, a
		lda, ldb = ldb, lda
		m, n = n, m
	}
	if im.narrow != nil && n <= im.narrow.nr {
		im = im.narrow
	}
	p := gemmPlan{im: im, transA: transA, transB: transB, transC: transC, m: m, n: n, a: a, b: b, lda: lda, ldb: ldb}
	mr, nr := im.mr, im.nr
	mp, np := (m+mr-1)/mr, (n+nr-1)/nr
	fk := float64(k)
	cost := float64(mp*mr) * float64(np*nr) * fk / 16
	if nr < 32 {
		cost *= 1.15 // fewer accumulators per broadcast
	}
	// A panels stay in L1 while B panels go by, so reading A in place
	// costs nothing more; B panels are read once per A panel, so B is
	// read in place only when few A panels reuse it.
	p.aDirect = im.direct && !gemmNoDirect && gemmStrideOK(lda)
	p.bDirect = im.direct && !gemmNoDirect && !transB && gemmStrideOK(ldb) && mp <= 16
	switch {
	case !p.aDirect:
		cost += float64(m) * fk
	case m%mr != 0:
		cost += float64(mr) * fk
	}
	switch {
	case !p.bDirect && transB:
		cost += 2 * float64(n) * fk
	case !p.bDirect:
		cost += float64(n) * fk
	case n%nr != 0:
		cost += float64(nr) * fk
	}
	if transC {
		cost += 2 * float64(m) * float64(n)
	}
	return p, cost
}

// gemmWholeMax is the largest output, in elements, that Gemm computes tile
// by tile over all of k (each tile of C read and written once, all of k
// packed at once) rather than block by block of p; gemmWholePack bounds
// the floats packed at once for it. Tests lower gemmWholeMax to cover the
// blocked loop with small shapes.
var gemmWholeMax = 1 << 14

const gemmWholePack = 1 << 22

// gemmNoDirect, set by tests, makes Gemm pack every panel.
var gemmNoDirect = false

// gemm is the blocked driver of Gemm over the micro-kernel im; the
// arguments are checked.
func gemm(im *gemmImpl, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmSeg(im, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// GemmSerial is Gemm on the calling goroutine only, for callers whose own
// goroutines already keep every thread busy (a goroutine started inside
// each of them only waits for a thread); the bits are Gemm's, which do
// not depend on the number of goroutines.
func GemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemmSegN(1, gemmArch(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// gemmSeg is gemm with the sum over p cut into the segments that end at
// ends (nil: one segment, Gemm), each split into blocks as Gemm splits a
// product of its depth.
func gemmSeg(im *gemmImpl, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ends []int) {
	gemmSegN(Threads(), im, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ends)
}

// gemmSegN is gemmSeg on at most threads goroutines.
func gemmSegN(threads int, im *gemmImpl, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ends []int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	// Computing Cᵀ = op(B)ᵀ·op(A)ᵀ instead can waste less of the register
	// tile (a 10-row output fills 10 of 12 rows rather than 10 of 32
	// columns) or pack less. The choice depends on the shape only, and both
	// orientations sum each element in the same order.
	pl, cost := im.plan(false, transA, transB, m, n, k, a, lda, b, ldb)
	if pt, ct := im.plan(true, transA, transB, m, n, k, a, lda, b, ldb); ct < cost {
		pl = pt
	}
	im, m, n = pl.im, pl.m, pl.n
	mr, nr := im.mr, im.nr
	mpad, npad := (m+mr-1)/mr*mr, (n+nr-1)/nr*nr
	if float64(m)*float64(n)*float64(k) < float64(gemmMinParallel) || threads < 1 {
		threads = 1
	}
	if tiles := (mpad / mr) * (npad / nr); threads > tiles {
		threads = tiles
	}
	kc, mc, nc := gemmDepth(k), min(im.mc, mpad), min(im.ncw*threads, npad)
	w := gemmPool.Get().(*gemmWork)
	if ends != nil {
		// Blocks end at w.blocks, chunks of blocks (at most gemmKC deep,
		// or one block) at w.chunks.
		w.blocks, w.chunks = w.blocks[:0], w.chunks[:0]
		p0 := 0
		for _, e := range ends {
			if e == p0 {
				continue
			}
			d := gemmDepth(e - p0)
			for p := p0; p < e; p += d {
				w.blocks = append(w.blocks, min(p+d, e))
			}
			p0 = e
		}
		kc = 0
		start := 0
		for i, e := range w.blocks {
			if i+1 == len(w.blocks) || w.blocks[i+1]-start > gemmKC {
				w.chunks = append(w.chunks, i+1)
				kc = max(kc, e-start)
				start = e
			}
		}
	}
	whole := false
	if pl.transC || m*n <= gemmWholeMax {
		// A transposed product always takes this path (C would otherwise
		// be copied through the tile buffer once per block of p).
		pa, pb := mpad, npad
		if pl.aDirect {
			pa = mr
		}
		if pl.bDirect {
			pb = nr
		}
		if (pa+pb)*k <= gemmWholePack {
			whole = true
			kc, mc, nc = k, mpad, npad
		}
	}
	if pl.aDirect {
		w.ap = growF32(w.ap, mr*kc) // the edge panel only
	} else {
		w.ap = growF32(w.ap, mc*kc)
	}
	if pl.bDirect {
		w.bp = growF32(w.bp, nr*kc)
	} else {
		w.bp = growF32(w.bp, nc*kc)
	}
	w.tiles = growF32(w.tiles, threads*mr*nr)

	g := gemmBlock{gemmPlan: pl, w: w, alpha: alpha, beta: beta, c: c, ldc: ldc, kd: gemmDepth(k)}
	if whole {
		g.mc, g.nc, g.kc = m, n, k
		if ends != nil {
			g.ends = w.blocks
			g.setLens()
		}
		g.run(threads, true)
		gemmPool.Put(w)
		return
	}
	if ends != nil {
		for jc := 0; jc < n; jc += nc {
			g.j0, g.nc = jc, min(nc, n-jc)
			first := 0
			for ci, last := range w.chunks {
				g.ends = w.blocks[first:last]
				g.p0 = 0
				if first > 0 {
					g.p0 = w.blocks[first-1]
				}
				g.kc = w.blocks[last-1] - g.p0
				g.setLens()
				g.beta = beta
				if ci > 0 {
					g.beta = 1
				}
				for ic := 0; ic < m; ic += mc {
					g.i0, g.mc = ic, min(mc, m-ic)
					g.run(threads, ic == 0)
				}
				first = last
			}
		}
		gemmPool.Put(w)
		return
	}
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

// gemmBlock is one block of the driver: the output rows [i0, i0+mc) and
// columns [j0, j0+nc), summed over p in [p0, p0+kc). The blocked loop
// makes kc at most kd; a whole product is one block.
type gemmBlock struct {
	gemmPlan
	w                      *gemmWork
	alpha, beta            float32
	c                      []float32
	ldc                    int
	i0, mc, j0, nc, p0, kc int
	kd                     int // gemmDepth(k)
	// ends, if set, are the ends of the blocks of p in [p0, p0+kc)
	// (absolute p), replacing the blocks of kd; lens their depths.
	ends, lens []int
}

// setLens sets lens to the depths of the blocks that end at ends.
func (g *gemmBlock) setLens() {
	g.w.lens = g.w.lens[:0]
	p := g.p0
	for _, e := range g.ends {
		g.w.lens = append(g.w.lens, e-p)
		p = e
	}
	g.lens = g.w.lens
}

// run packs the block's A panels (and its B panels when packB) that are not
// read in place, and computes its tiles with up to threads goroutines.
func (g *gemmBlock) run(threads int, packB bool) {
	mr, nr := g.im.mr, g.im.nr
	mp := (g.mc + mr - 1) / mr
	np := (g.nc + nr - 1) / nr
	// Pack tasks: A panels [a0, mp), then B panels [b0, np) when packB.
	a0, b0 := 0, np
	if g.aDirect {
		a0 = mp
		if g.mc%mr != 0 {
			a0 = mp - 1
		}
	}
	if packB {
		b0 = 0
		if g.bDirect {
			b0 = np
			if g.nc%nr != 0 {
				b0 = np - 1
			}
		}
	}
	na, tasks := mp-a0, mp-a0+np-b0
	if threads == 1 {
		for t := 0; t < tasks; t++ {
			g.pack(t, na, a0, b0)
		}
		g.compute(0, 0, mp, 0, np)
		return
	}
	// Compute tasks are strips of the mp×np tiles along the longer side,
	// about four per goroutine: all rows of a few column panels (B panels
	// then stay in one core's cache) or all columns of a few row panels.
	strip, cols := 1, np >= mp
	if cols {
		strip = max(1, np/(4*threads))
	} else {
		strip = max(1, mp/(4*threads))
	}
	strips := (np + strip - 1) / strip
	if !cols {
		strips = (mp + strip - 1) / strip
	}
	// The closures capture a copy, so that the single-threaded path above
	// does not allocate.
	gc := *g
	if tasks*max(mr, nr)*g.kc < 1<<16 {
		for t := 0; t < tasks; t++ { // too little to wake a goroutine for
			g.pack(t, na, a0, b0)
		}
	} else {
		gemmRun(threads, tasks, func(_, t int) { gc.pack(t, na, a0, b0) })
	}
	gemmRun(threads, strips, func(wk, t int) {
		if cols {
			gc.compute(wk, 0, mp, t*strip, min(np, (t+1)*strip))
		} else {
			gc.compute(wk, t*strip, min(mp, (t+1)*strip), 0, np)
		}
	})
}

// gemmRun calls fn(wk, t) for every task t < n on up to threads goroutines,
// wk < threads naming the goroutine (its tile buffer). The goroutines take
// tasks in order from a shared counter, so one slowed by a busy core takes
// fewer; which goroutine runs a task does not change its result.
func gemmRun(threads, n int, fn func(wk, t int)) {
	threads = min(threads, n)
	if threads <= 1 {
		for t := 0; t < n; t++ {
			fn(0, t)
		}
		return
	}
	var next atomic.Int64
	work := func(wk int) {
		for {
			t := int(next.Add(1)) - 1
			if t >= n {
				return
			}
			fn(wk, t)
		}
	}
	var wg sync.WaitGroup
	wg.Add(threads - 1)
	for wk := 1; wk < threads; wk++ {
		go func() {
			defer wg.Done()
			work(wk)
		}()
	}
	work(0)
	wg.Wait()
}

// aPanel returns packed A panel t of the block; when A is read in place,
// only the edge panel is packed, into the first slot.
func (g *gemmBlock) aPanel(t int) []float32 {
	n := g.im.mr * g.kc
	if g.aDirect {
		t = 0
	}
	return g.w.ap[t*n : (t+1)*n]
}

// bPanel returns packed B panel t of the block, as aPanel.
func (g *gemmBlock) bPanel(t int) []float32 {
	n := g.im.nr * g.kc
	if g.bDirect {
		t = 0
	}
	return g.w.bp[t*n : (t+1)*n]
}

// pack runs pack task t: A panel a0+t when t < na, else B panel b0+t-na.
func (g *gemmBlock) pack(t, na, a0, b0 int) {
	if t < na {
		g.packA(a0 + t)
	} else {
		g.packB(b0 + t - na)
	}
}

// packA packs rows [i0+t·mr, +mr) of op(A), columns [p0, p0+kc), into
// ap[t·mr·kc:] as ap[p·mr+i], zero-padding rows past mc.
func (g *gemmBlock) packA(t int) {
	mr, kc := g.im.mr, g.kc
	dst := g.aPanel(t)
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
	if mr <= 16 {
		g.im.packT(dst, mr, g.a[i0*g.lda+g.p0:], g.lda, kc, rows, mr)
		return
	}
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
	dst := g.bPanel(t)
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
	if nr%16 == 0 {
		for h := 0; h < nr; h += 16 {
			c := min(16, max(0, cols-h))
			src := g.b
			if c > 0 {
				src = g.b[(j0+h)*g.ldb+g.p0:]
			}
			g.im.packT(dst[h:], nr, src, g.ldb, kc, c, 16)
		}
		return
	}
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
// wk). Each A panel stays in L1 while the worker's B panels go by. Full
// tiles are summed into C in place; edge tiles and tiles of Cᵀ are copied
// into the tile buffer (when beta needs them), summed there and copied back,
// so every element gets the same arithmetic.
func (g *gemmBlock) compute(wk, r0, r1, c0, c1 int) {
	im := g.im
	mr, nr := im.mr, im.nr
	tile := g.w.tiles[wk*mr*nr : (wk+1)*mr*nr]
	for ip := r0; ip < r1; ip++ {
		i := g.i0 + ip*mr
		rows := min(mr, g.i0+g.mc-i)
		kern, full := im.kernel, mr
		if im.half != nil && rows <= mr/2 && g.ends == nil {
			kern, full = im.half, mr/2
		}
		ap, sa, aRows := g.aPanel(ip), mr, false
		if g.aDirect && rows == full {
			if g.transA {
				ap, sa = g.a[g.p0*g.lda+i:], g.lda
			} else {
				ap, sa, aRows = g.a[i*g.lda+g.p0:], g.lda, true
			}
		}
		for jp := c0; jp < c1; jp++ {
			j := g.j0 + jp*nr
			cols := min(nr, g.j0+g.nc-j)
			bp, sb := g.bPanel(jp), nr
			if g.bDirect && cols == nr {
				bp, sb = g.b[g.p0*g.ldb+j:], g.ldb
			}
			if rows == full && cols == nr && !g.transC {
				g.sum(kern, ap, sa, aRows, bp, sb, g.c[i*g.ldc+j:], g.ldc)
				continue
			}
			if g.beta != 0 {
				g.tileCopy(tile, i, j, rows, cols, false)
			}
			g.sum(kern, ap, sa, aRows, bp, sb, tile, nr)
			g.tileCopy(tile, i, j, rows, cols, true)
		}
	}
}

// sum runs the micro-kernel on one tile over the block's kc steps of p, in
// blocks of kd: the first applies beta, the others add.
func (g *gemmBlock) sum(kernel func(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32),
	a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int) {
	beta := g.beta
	if g.ends != nil {
		if g.im.seg != nil && !aRows && len(g.lens) > 1 {
			g.im.seg(g.lens, a, sa, b, sb, c, ldc, g.alpha, beta)
			return
		}
		p := 0
		for _, e := range g.ends {
			kc := e - g.p0 - p
			ao := p * sa
			if aRows {
				ao = p
			}
			kernel(kc, a[ao:], sa, aRows, b[p*sb:], sb, c, ldc, g.alpha, beta)
			beta = 1
			p += kc
		}
		return
	}
	for p := 0; p < g.kc; p += g.kd {
		kc := min(g.kd, g.kc-p)
		ao := p * sa // p is the slow index of packed panels and of A read as columns
		if aRows {
			ao = p
		}
		kernel(kc, a[ao:], sa, aRows, b[p*sb:], sb, c, ldc, g.alpha, beta)
		beta = 1
	}
}

// tileCopy copies the rows×cols corner of a tile buffer from C at (i, j) of
// the computed product, or to C when toC; C holds that product transposed
// when transC.
func (g *gemmBlock) tileCopy(tile []float32, i, j, rows, cols int, toC bool) {
	nr, c, ldc := g.im.nr, g.c, g.ldc
	for ii := 0; ii < rows; ii++ {
		t := tile[ii*nr : ii*nr+cols]
		switch {
		case g.transC && toC:
			for jj, v := range t {
				c[(j+jj)*ldc+i+ii] = v
			}
		case g.transC:
			for jj := range t {
				t[jj] = c[(j+jj)*ldc+i+ii]
			}
		case toC:
			copy(c[(i+ii)*ldc+j:], t)
		default:
			copy(t, c[(i+ii)*ldc+j:][:cols])
		}
	}
}

// gemmPackTGo is the portable packT.
func gemmPackTGo(dst []float32, ldd int, src []float32, lds, n, cols, width int) {
	for j := 0; j < cols; j++ {
		s := src[j*lds:][:n]
		d := dst[j:]
		for p, v := range s {
			d[p*ldd] = v
		}
	}
	for p := 0; p < n; p++ {
		clear(dst[p*ldd+cols : p*ldd+width])
	}
}

// gemmKernelGo is the portable micro-kernel of gemmGo, on packed panels only
// (sa == sb == 4, !aRows): a 4×4 tile computed as two 2×4 halves, whose
// eight accumulators, two values of A and four of B fit in the sixteen
// floating-point registers of amd64 without spilling.
func gemmKernelGo(kc int, a []float32, _ int, _ bool, b []float32, _ int, c []float32, ldc int, alpha, beta float32) {
	a = a[:4*kc]
	b = b[:4*kc]
	for r := 0; r < 4; r += 2 {
		var c00, c01, c02, c03, c10, c11, c12, c13 float32
		for p := 0; p < kc; p++ {
			ap := a[4*p+r : 4*p+r+2 : 4*p+r+2]
			bp := b[4*p : 4*p+4 : 4*p+4]
			a0, a1 := ap[0], ap[1]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
		}
		gemmStoreRow(c[r*ldc:r*ldc+4], c00, c01, c02, c03, alpha, beta)
		gemmStoreRow(c[(r+1)*ldc:(r+1)*ldc+4], c10, c11, c12, c13, alpha, beta)
	}
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
var gemmGo = &gemmImpl{mr: 4, nr: 4, kernel: gemmKernelGo, packT: gemmPackTGo, mc: 256, ncw: 512}
