package kernels

import (
	"math"
	"sync"
)

// HasBF16 reports whether GemmBF16 can run on this CPU: it needs AVX-512
// with the AVX512_BF16 extension (VDPBF16PS, VCVTNEPS2BF16), on amd64.
func HasBF16() bool { return hasBF16 }

// GemmBF16 is Gemm in bfloat16 mixed precision: C = alpha·op(A)·op(B) +
// beta·C where every element of A and B is first rounded to bfloat16
// (round to nearest even; 8 bits of significand), the products are summed
// in float32, and C, alpha and beta stay float32. It is how autocast runs a
// matmul in bf16 (PyTorch's torch.autocast with dtype torch.bfloat16): half
// the bits of the inputs for twice the multiply rate of float32 on a CPU
// with AVX512_BF16. It panics unless HasBF16.
//
// Reference loop, with bf16 the rounding of a float32 to bfloat16 (BF16:
// denormal inputs become zeros; denormal results may be flushed to zero,
// as VDPBF16PS does):
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += bf16(opA(i, p)) * bf16(opB(p, j))
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//		}
//	}
//
// Each product of two bf16 values is exact in float32; the sums round as
// float32 ones do. Results are bit-identical for any Threads() setting: the
// sum over p is split into blocks of equal, even depth of at most 1,024
// steps (depending on k only), each summed pair by pair in order by VDPBF16PS,
// and the blocks are added to C in order as Gemm adds its blocks.
//
// Implementation: Gemm's structure (Goto/BLIS) with one micro-kernel, a
// 12×32 tile in 24 zmm accumulators. Panels are packed as bf16 pairs along
// p, one pair per 32-bit lane (p odd: padded with a zero): op(B)'s panels
// as pairs (p, p+1) of 32 columns, op(A)'s as rows of pairs when A is not
// transposed (a row of A converts in place into its pairs) and as pairs of
// 12 rows when it is. Packing converts while it copies, so each input is
// read once per block of the driver.
func GemmBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if !hasBF16 {
		panic("kernels: GemmBF16 needs a CPU with AVX512_BF16 (check HasBF16 first)")
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	gemmBF16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// BF16 rounds f to the nearest bfloat16 (ties to even) and returns it as a
// float32; NaNs stay NaN and denormals become zero of their sign. It is the
// rounding GemmBF16 applies to its inputs.
func BF16(f float32) float32 { return math.Float32frombits(uint32(bf16Bits(f)) << 16) }

// bf16Bits is the bfloat16 nearest f (ties to even), as VCVTNEPS2BF16
// rounds: a NaN becomes a quiet NaN, a denormal a zero of its sign (the
// instruction treats denormal inputs as zero).
func bf16Bits(f float32) uint16 {
	u := math.Float32bits(f)
	switch {
	case u&0x7fffffff > 0x7f800000:
		return uint16(u>>16) | 0x40
	case u&0x7f800000 == 0:
		return uint16(u>>16) & 0x8000
	}
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}

const (
	bf16MR = 12  // rows of the register tile
	bf16NR = 32  // columns of the register tile
	bf16MC = 384 // rows of op(A) packed at once (a multiple of bf16MR)
)

// bf16KC is the most steps of p per block (even), bf16NCW the columns of
// op(B) per worker in a block (a multiple of bf16NR): measured at the Open
// Neuromorphic benchmark's shapes (8,000×4,096×4,096, both products), 1,024
// and 2,048 beat 512 and 512 by about 10% in GFLOP per CPU second, the
// wider block because a transposed A is packed once per block of columns.
// Tests lower them to cover many blocks with small shapes; the depth of the
// blocks depends on k only, so results do not depend on bf16NCW.
var bf16KC, bf16NCW = 1024, 2048

// bf16Depth is the depth of GemmBF16's blocks of p: k split into
// ⌈k/bf16KC⌉ blocks of equal depth, rounded up to even so that no pair
// straddles two blocks (the last block may be shorter, and odd).
func bf16Depth(k int) int {
	nb := (k + bf16KC - 1) / bf16KC
	d := (k + nb - 1) / nb
	return d + d&1
}

// bf16Work holds the packing buffers of one GemmBF16 call.
type bf16Work struct {
	ap, bp, tmp []uint32
	rows        []uint32 // packARows' converted row pairs, mc per worker
	tiles       []float32
}

var bf16Pool = sync.Pool{New: func() any { return new(bf16Work) }}

func growU32(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n)
	}
	return s[:n]
}

// bf16Zero is the row of zeros that pads an odd depth.
var bf16Zero [bf16NR]float32

// bf16Block is one block of GemmBF16's driver: output rows [i0, i0+mc),
// columns [j0, j0+nc), summed over p in [p0, p0+kc).
type bf16Block struct {
	transA, transB         bool
	a, b, c                []float32
	lda, ldb, ldc          int
	alpha, beta            float32
	w                      *bf16Work
	i0, mc, j0, nc, p0, kc int
	kq                     int // pairs: ⌈kc/2⌉
	sa                     int // a packed A panel's row stride: bf16RowStride(kq), or kq when A is transposed
	mcMax                  int // the most rows of a block: each worker's share of w.rows
}

// bf16RowStride is the row stride, in pairs, of A panels packed as rows of
// kq pairs: kq rounded up to a whole cache line plus one line, so that the
// 12 rows of a panel fall into different L1 sets (rows 2 or 4 KiB apart
// would share one or two of its 64 sets).
func bf16RowStride(kq int) int { return (kq+15)&^15 + 16 }

func gemmBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	mr, nr := bf16MR, bf16NR
	mpad, npad := (m+mr-1)/mr*mr, (n+nr-1)/nr*nr
	threads := Threads()
	if float64(m)*float64(n)*float64(k) < float64(gemmMinParallel) || threads < 1 {
		threads = 1
	}
	if tiles := (mpad / mr) * (npad / nr); threads > tiles {
		threads = tiles
	}
	kd := bf16Depth(k)
	kqd := kd / 2
	mc, nc := min(bf16MC, mpad), min(bf16NCW*threads, npad)
	w := bf16Pool.Get().(*bf16Work)
	w.ap = growU32(w.ap, mc*bf16RowStride(kqd))
	w.bp = growU32(w.bp, nc*kqd)
	if transB {
		w.tmp = growU32(w.tmp, threads*nr*kqd)
	}
	if transA {
		w.rows = growU32(w.rows, threads*mc)
	}
	w.tiles = growF32(w.tiles, threads*mr*nr)
	g := bf16Block{transA: transA, transB: transB, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, w: w, mcMax: mc}
	for jc := 0; jc < n; jc += nc {
		g.j0, g.nc = jc, min(nc, n-jc)
		np := (g.nc + nr - 1) / nr
		for pc := 0; pc < k; pc += kd {
			g.p0, g.kc = pc, min(kd, k-pc)
			g.kq = (g.kc + 1) / 2
			g.sa = bf16RowStride(g.kq)
			if transA {
				g.sa = g.kq
			}
			g.beta = beta
			if pc > 0 {
				g.beta = 1
			}
			if g.transB {
				bf16Run(threads, np, g.kq*nr, func(wk, t int) { g.packB(wk, t) })
			} else { // by steps of p: each task reads whole rows of B
				bf16Run(threads, (g.kq+15)/16, 32*g.nc, func(_, t int) { g.packBRows(t*16, min(g.kq, t*16+16)) })
			}
			for ic := 0; ic < m; ic += mc {
				g.i0, g.mc = ic, min(mc, m-ic)
				mp := (g.mc + mr - 1) / mr
				if g.transA { // by steps of p: each task reads whole rows of A
					bf16Run(threads, (g.kq+15)/16, 32*g.mc, func(wk, t int) { g.packARows(wk, t*16, min(g.kq, t*16+16)) })
				} else {
					bf16Run(threads, mp, g.kq*mr, func(_, t int) { g.packA(t) })
				}
				// Strips of tiles along the longer side, about four per
				// goroutine, as Gemm's.
				if np >= mp {
					strip := max(1, np/(4*threads))
					bf16Run(threads, (np+strip-1)/strip, 1<<16, func(wk, t int) {
						g.compute(wk, 0, mp, t*strip, min(np, (t+1)*strip))
					})
				} else {
					strip := max(1, mp/(4*threads))
					bf16Run(threads, (mp+strip-1)/strip, 1<<16, func(wk, t int) {
						g.compute(wk, t*strip, min(mp, (t+1)*strip), 0, np)
					})
				}
			}
		}
	}
	bf16Pool.Put(w)
}

// bf16Run runs n tasks of about size units of work each on up to threads
// goroutines (gemmRun), on the calling one when they are too small to wake
// another for.
func bf16Run(threads, n, size int, fn func(wk, t int)) {
	if n*size < 1<<15 {
		threads = 1
	}
	gemmRun(threads, n, fn)
}

// packA packs rows [i0+t·12, +12) of op(A), columns [p0, p0+kc), into panel
// t as rows of pairs, ap[t·12·sa + i·sa + q], zero past the block's rows
// (A not transposed: each row converts in place).
func (g *bf16Block) packA(t int) {
	mr, kc, kq, sa := bf16MR, g.kc, g.kq, g.sa
	dst := g.w.ap[t*mr*sa : (t+1)*mr*sa]
	i0 := g.i0 + t*mr
	rows := min(mr, g.i0+g.mc-i0)
	for i := range rows { // op(A)(i, p) = a[i*lda+p]
		src := g.a[(i0+i)*g.lda+g.p0:][:kc]
		d := dst[i*sa : i*sa+kq]
		bf16Row(&d[0], &src[0], kc)
	}
	for i := rows; i < mr; i++ {
		clear(dst[i*sa : i*sa+kq])
	}
}

// packARows packs the pairs [q0, q1) of every panel of op(A) = Aᵀ, as pairs
// of 12 rows, ap[t·12·kq + q·12 + i], zero past the block's rows and past kc:
// pair q interleaves rows p0+2q and p0+2q+1 of A, converted whole into
// worker wk's row buffer, then cut into the panels 12 pairs at a time.
func (g *bf16Block) packARows(wk, q0, q1 int) {
	mr, kc, kq := bf16MR, g.kc, g.kq
	mp := (g.mc + mr - 1) / mr
	row := g.w.rows[wk*g.mcMax:][:mp*mr]
	for q := q0; q < q1; q++ {
		r0 := g.a[(g.p0+2*q)*g.lda+g.i0:][:g.mc]
		r1 := r0
		if 2*q+1 < kc {
			r1 = g.a[(g.p0+2*q+1)*g.lda+g.i0:][:g.mc]
		}
		bf16Pairs(&row[0], &r0[0], &r1[0], g.mc, mp*mr)
		if 2*q+1 >= kc { // an odd depth's last pair: no second row
			for i := range row {
				row[i] &= 0xffff
			}
		}
		for t := range mp {
			*(*[bf16MR]uint32)(g.w.ap[t*mr*kq+q*mr:]) = *(*[bf16MR]uint32)(row[t*mr:])
		}
	}
}

// packBRows packs the pairs [q0, q1) of every panel of op(B) = B, as pairs
// of rows of 32 columns, bp[t·32·kq + q·32 + j], zero past the block's
// columns and past kc: pair q interleaves rows p0+2q and p0+2q+1 of B.
func (g *bf16Block) packBRows(q0, q1 int) {
	nr, kc, kq := bf16NR, g.kc, g.kq
	np := (g.nc + nr - 1) / nr
	for q := q0; q < q1; q++ {
		row0 := g.b[(g.p0+2*q)*g.ldb+g.j0:][:g.nc]
		row1 := bf16Zero[:0]
		if 2*q+1 < kc {
			row1 = g.b[(g.p0+2*q+1)*g.ldb+g.j0:][:g.nc]
		}
		for t := range np {
			cols := min(nr, g.nc-t*nr)
			r0, r1 := row0[t*nr:][:cols], bf16Zero[:cols]
			if len(row1) > 0 {
				r1 = row1[t*nr:][:cols]
			}
			d := g.w.bp[t*nr*kq+q*nr:][:nr]
			bf16Pairs(&d[0], &r0[0], &r1[0], cols, nr)
		}
	}
}

// packB packs columns [j0+t·32, +32) of op(B) = Bᵀ, rows [p0, p0+kc), into
// panel t as pairs of rows, bp[q·32+j], zero past the block's columns and
// past kc: B's rows (columns of op(B)) convert into worker wk's scratch as
// rows of pairs, which are then transposed 16×16 at a time.
func (g *bf16Block) packB(wk, t int) {
	nr, kc, kq := bf16NR, g.kc, g.kq
	dst := g.w.bp[t*nr*kq : (t+1)*nr*kq]
	j0 := g.j0 + t*nr
	cols := min(nr, g.j0+g.nc-j0)
	// op(B)(p, j) = b[j*ldb+p]: rows of pairs tmp[j·kq+q], then transposed.
	tmp := g.w.tmp[wk*nr*kq : (wk+1)*nr*kq]
	for j := range cols {
		src := g.b[(j0+j)*g.ldb+g.p0:][:kc]
		d := tmp[j*kq : (j+1)*kq]
		bf16Row(&d[0], &src[0], kc)
	}
	q16 := kq &^ 15
	for h := 0; h < nr; h += 16 {
		c := min(16, max(0, cols-h))
		if c == 0 {
			for q := range kq {
				clear(dst[q*nr+h : q*nr+h+16])
			}
			continue
		}
		if q16 > 0 {
			_ = tmp[(h+c-1)*kq+q16-1]
			_ = dst[(q16-1)*nr+h+15]
			gemmPackT32(&dst[h], nr, &tmp[h*kq], kq, q16, c, 16)
		}
		for q := q16; q < kq; q++ {
			d := dst[q*nr+h : q*nr+h+16]
			for j := range c {
				d[j] = tmp[(h+j)*kq+q]
			}
			clear(d[c:])
		}
	}
}

// compute runs the micro-kernel over the tiles of row panels [r0, r1) and
// column panels [c0, c1) as worker wk. Full tiles are summed into C in
// place, edge tiles through worker wk's tile buffer, with the same
// arithmetic.
func (g *bf16Block) compute(wk, r0, r1, c0, c1 int) {
	mr, nr, kq := bf16MR, bf16NR, g.kq
	tile := g.w.tiles[wk*mr*nr : (wk+1)*mr*nr]
	for ip := r0; ip < r1; ip++ {
		i := g.i0 + ip*mr
		rows := min(mr, g.i0+g.mc-i)
		ap := g.w.ap[ip*mr*g.sa : (ip+1)*mr*g.sa]
		for jp := c0; jp < c1; jp++ {
			j := g.j0 + jp*nr
			cols := min(nr, g.j0+g.nc-j)
			bp := g.w.bp[jp*nr*kq : (jp+1)*nr*kq]
			if rows == mr && cols == nr {
				c := g.c[i*g.ldc+j:]
				_ = c[(mr-1)*g.ldc+nr-1]
				g.kernel(ap, bp, &c[0], g.ldc, g.beta)
				continue
			}
			if g.beta != 0 {
				for ii := range rows {
					copy(tile[ii*nr:ii*nr+cols], g.c[(i+ii)*g.ldc+j:])
				}
			}
			g.kernel(ap, bp, &tile[0], nr, g.beta)
			for ii := range rows {
				copy(g.c[(i+ii)*g.ldc+j:][:cols], tile[ii*nr:])
			}
		}
	}
}

// kernel sums one tile over the block's pairs: C = alpha·s + beta·C.
func (g *bf16Block) kernel(ap, bp []uint32, c *float32, ldc int, beta float32) {
	if g.transA {
		gemmBF16Kernel12x32C(g.kq, &ap[0], bf16MR, &bp[0], bf16NR, c, ldc, g.alpha, beta)
	} else {
		gemmBF16Kernel12x32R(g.kq, &ap[0], g.sa, &bp[0], bf16NR, c, ldc, g.alpha, beta)
	}
}
