package kernels

import (
	"slices"
	"sync"
)

// GemmSkipZeros computes what GemmSegments(transA, false, m, n, ends,
// alpha, a, lda, b, ldb, beta, c, ldc) computes (Gemm's m×n product over
// k = ends[len−1] for ends = {k}), skipping the steps p at which a whole
// row panel of op(A) is zero: on AVX-512, the rows of op(A) are taken 12
// at a time, and each panel's sum runs over the steps p at which one of
// its rows is nonzero, in order of p, in the blocks and segments of
// GemmSegments. Elsewhere it is GemmSegments.
//
// A step with a zero factor adds a product ±0 to the accumulator, which
// leaves it unchanged: the accumulator starts at +0, and x + (±0) = x for
// x ≠ 0, (+0) + (±0) = +0. So the result is GemmSegments' to the bit
// provided that
//   - B is finite where op(A) is zero in a panel's kept step (0·Inf and
//     0·NaN are NaN, which the skipped step would have added), and
//   - no partial sum underflows to −0: every product of nonzero factors is
//     a multiple of 2^−149 (float32's smallest subnormal), which holds when
//     the exponents of the nonzero |a| and |b| add up to at least −103
//     (say nonzero |a| ≥ 2^−8, as pixel intensities k/255, and nonzero
//     |b| ≥ 2^−95); otherwise a sum that rounds to −0 could turn +0 at a
//     skipped step, and a zero result could differ in its sign.
//
// Which rows share a panel does not change any element's sum; without
// transA the rows are grouped by the span of their nonzero columns (rows
// with similar supports share a panel, which skips more steps), with
// transA in order. The work is done on the calling goroutine: callers
// split products among their own workers.
func GemmSkipZeros(transA bool, m, n int, ends []int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	k := 0
	for _, e := range ends {
		if e < k {
			panic("kernels: GemmSkipZeros: segment ends must not decrease")
		}
		k = e
	}
	checkGemm(transA, false, m, n, k, a, lda, b, ldb, c, ldc)
	if !hasAVX512 || gemmSkipDense || m == 0 || n == 0 || k == 0 || alpha == 0 || k > 1<<20 || (k-1)*ldb > (1<<29)-32 {
		GemmSegments(transA, false, m, n, ends, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	w := skipPool.Get().(*skipWork)
	defer skipPool.Put(w)
	w.run(transA, m, n, k, ends, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmSkipDense, set by tests, makes GemmSkipZeros call GemmSegments.
var gemmSkipDense = false

// skipMR and skipNR are the tile of gemmKernel12x32I; skipPad is the
// offsets it reads past its steps (it prefetches the rows of B that many
// steps ahead: gemm_asm_gen.go's skipAhead).
const skipMR, skipNR, skipPad = 12, 32, 16

type skipWork struct {
	blocks    []int     // ends of the blocks of p
	ap        []float32 // each panel's kept steps of op(A), ap[q*12+i] from panel offset q0
	off, offE []int32   // byte offsets of the kept steps' rows of B, and of the edge panel
	bounds    []int     // panel r's block j keeps steps [bounds[r*(nb+1)+j], bounds[r*(nb+1)+j+1])
	bedge     []float32 // B's last n%32 columns, padded to 32 (bedge[p*32+j])
	tile, ct  []float32
	rows      []int
	span      []int
}

var skipPool = sync.Pool{New: func() any { return new(skipWork) }}

// skipNC is the columns of B per block of the loop over p: a block of
// gemmKC steps of them (128 KiB) sits in L2 while the panels go by.
const skipNC = 16 * skipNR

func (w *skipWork) run(transA bool, m, n, k int, ends []int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// The blocks of p: each segment in blocks of gemmDepth of its length
	// (gemmSeg's), all added to C in order.
	w.blocks = w.blocks[:0]
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
	nb := len(w.blocks)
	np := (m + skipMR - 1) / skipMR
	w.ap = growF32(w.ap, np*skipMR*k)
	w.off = growI32(w.off, np*k+skipPad)
	w.offE = growI32(w.offE, np*k+skipPad)
	w.bounds = growInt(w.bounds, np*(nb+1))
	w.tile = growF32(w.tile, skipMR*skipNR)
	nfull := n / skipNR * skipNR
	if nfull < n {
		w.bedge = growF32(w.bedge, k*skipNR)
		for p := range k {
			d := w.bedge[p*skipNR : (p+1)*skipNR]
			copy(d, b[p*ldb+nfull:p*ldb+n])
			clear(d[n-nfull:])
		}
	}
	// The order of the rows of op(A): without transA by the span of their
	// nonzero columns, the product computed into ct (rows in that order,
	// padded to whole tiles) and copied to C at the end.
	w.rows = growInt(w.rows, m)
	for i := range w.rows {
		w.rows[i] = i
	}
	ct, ldt := c, ldc
	if !transA {
		w.span = growInt(w.span, m)
		for i := range m {
			row := a[i*lda : i*lda+k]
			lo, hi := 0, k
			for lo < k && row[lo] == 0 {
				lo++
			}
			for hi > lo && row[hi-1] == 0 {
				hi--
			}
			w.span[i] = hi - lo
		}
		slices.SortStableFunc(w.rows, func(x, y int) int { return w.span[x] - w.span[y] })
		ldt = (n+skipNR-1)/skipNR*skipNR + 16 // not a multiple of 4 KiB: the tile's rows in different L1 sets
		w.ct = growF32(w.ct, np*skipMR*ldt)
		ct = w.ct
		if beta != 0 {
			for ii, r := range w.rows {
				copy(ct[ii*ldt:ii*ldt+n], c[r*ldc:r*ldc+n])
			}
		}
	}
	for pi := range np {
		w.packPanel(pi, transA, w.rows[pi*skipMR:min((pi+1)*skipMR, m)], k, a, lda, ldb)
	}
	// tile runs block j of panel pi on the tile at column j0.
	tile := func(pi, j, j0 int, bt float32) {
		i0 := pi * skipMR
		rows := min(skipMR, m-i0)
		cols := min(skipNR, n-j0)
		bb, off := b[j0:], w.off[pi*k:]
		if cols < skipNR {
			bb, off = w.bedge, w.offE[pi*k:]
		}
		bo := w.bounds[pi*(nb+1):]
		q0, q1 := bo[j], bo[j+1]
		ap := w.ap[(pi*skipMR*k)+q0*skipMR:]
		if !transA || (rows == skipMR && cols == skipNR) {
			gemmSkipKernel(q1-q0, ap, bb, off[q0:], ct[i0*ldt+j0:], ldt, alpha, bt)
			return
		}
		t := w.tile
		if bt != 0 {
			for ii := range rows {
				copy(t[ii*skipNR:ii*skipNR+cols], ct[(i0+ii)*ldt+j0:][:cols])
			}
		}
		gemmSkipKernel(q1-q0, ap, bb, off[q0:], t, skipNR, alpha, bt)
		for ii := range rows {
			copy(ct[(i0+ii)*ldt+j0:][:cols], t[ii*skipNR:ii*skipNR+cols])
		}
	}
	if k*skipNC*4 <= 256<<10 {
		// All of p's rows of a block of columns fit in L2: each tile
		// stays in L1 over its blocks.
		for jc := 0; jc < n; jc += skipNC {
			for pi := range np {
				for j0 := jc; j0 < min(jc+skipNC, n); j0 += skipNR {
					bt := beta
					for j := range nb {
						tile(pi, j, j0, bt)
						bt = 1
					}
				}
			}
		}
	} else {
		// Each block of p in turn for a block of columns, as Gemm's
		// blocked loop.
		for jc := 0; jc < n; jc += skipNC {
			bt := beta
			for j := range nb {
				for pi := range np {
					for j0 := jc; j0 < min(jc+skipNC, n); j0 += skipNR {
						tile(pi, j, j0, bt)
					}
				}
				bt = 1
			}
		}
	}
	if !transA {
		for ii, r := range w.rows {
			copy(c[r*ldc:r*ldc+n], ct[ii*ldt:ii*ldt+n])
		}
	}
}

// packPanel packs panel pi, the rows of op(A) given: its kept steps into
// ap (rows past len(rows) zero), their rows' byte offsets in B (row stride
// ldb) into off and in the edge panel into offE, and each block's range of
// kept steps into bounds.
func (w *skipWork) packPanel(pi int, transA bool, rows []int, k int, a []float32, lda, ldb int) {
	ap := w.ap[pi*skipMR*k : (pi+1)*skipMR*k]
	off, offE := w.off[pi*k:(pi+1)*k], w.offE[pi*k:(pi+1)*k]
	bo := w.bounds[pi*(len(w.blocks)+1):]
	bo[0] = 0
	q, p := 0, 0
	consecutive := transA && rows[len(rows)-1]-rows[0] == len(rows)-1
	for j, e := range w.blocks {
		for ; p < e; p++ {
			d := ap[q*skipMR : (q+1)*skipMR]
			var nz bool
			switch {
			case consecutive:
				src := a[p*lda+rows[0] : p*lda+rows[0]+len(rows)]
				for _, v := range src {
					if v != 0 {
						nz = true
						break
					}
				}
				if nz {
					copy(d, src)
				}
			case transA:
				for i, r := range rows {
					v := a[p*lda+r]
					d[i] = v
					nz = nz || v != 0
				}
			default:
				for i, r := range rows {
					v := a[r*lda+p]
					d[i] = v
					nz = nz || v != 0
				}
			}
			if !nz {
				continue
			}
			clear(d[len(rows):])
			off[q] = int32(p * ldb * 4)
			offE[q] = int32(p * skipNR * 4)
			q++
		}
		bo[j+1] = q
	}
}

func growI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}
