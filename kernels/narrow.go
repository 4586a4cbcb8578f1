package kernels

//go:generate go run narrow_gen.go

// Narrow products: the three products of a layer with a narrow output (a
// readout of at most NarrowMax units) on a wide input,
//
//	forward       Y (m×n) = A (m×k) · W (k×n)      NarrowMatMul
//	input grad    Y (m×k) = D (m×n) · Wᵀ           NarrowInnerMatMul
//	weight grad   dW (k×n) += Aᵀ · D               NarrowGradMatMul
//
// with k large and n ≤ 16. Gemm's register tile is 32 (or 16) columns
// wide and it packs A for every call, so at n = 10 it runs these at a
// fraction of its speed; these kernels keep one 16-lane vector per output
// column in registers instead and run over A once. On a spiking readout's
// 128×1000×10, one thread, forward and input gradient run 1.8-1.9x Gemm
// and the weight gradient, its unpacking included, 1.0x
// (`braingo bench kernels --threads 1 --run narrow`; BENCHMARKS.md, "Narrow
// readout products"). W is given packed (PackNarrow), so the
// transposition is paid once per weight, not per product, and the tape
// sums a readout's weight gradients over time steps packed
// (NarrowGradPacked) and unpacks once.
//
// Each kernel has a Go implementation that sums in the same order (no
// fused multiply-adds), so results are the same bits with and without
// AVX-512 and for any Threads().

// NarrowMax is the widest output (n) the narrow products take.
const NarrowMax = 16

// NarrowPackLen is the length of the packed form of a k×n W.
func NarrowPackLen(k, n int) int { return (k + 15) / 16 * 16 * n }

// PackNarrow writes the k×n row-major w (row stride ldw, n ≤ NarrowMax)
// into p in chunks of 16 rows: p[(c·n+j)·16+l] = w[(16c+l)·ldw+j], zero
// where 16c+l ≥ k.
func PackNarrow(p, w []float32, ldw, k, n int) {
	checkNarrow("PackNarrow", n)
	checkStrided("PackNarrow", "W", w, k, n, ldw)
	checkLen("PackNarrow", NarrowPackLen(k, n), p)
	for c := 0; c < (k+15)/16; c++ {
		blk := p[c*n*16 : (c+1)*n*16]
		rows := min(16, k-16*c)
		if rows < 16 {
			clear(blk)
		}
		for l := 0; l < rows; l++ {
			for j, x := range w[(16*c+l)*ldw : (16*c+l)*ldw+n] {
				blk[j*16+l] = x
			}
		}
	}
}

func checkNarrow(name string, n int) {
	if n < 0 || n > NarrowMax {
		panic("kernels: " + name + ": output width out of range [0, 16]")
	}
}

// tailMask is the lane mask of the last, partial chunk of k (0 when k is a
// multiple of 16).
func tailMask(k int) uint32 { return uint32(1)<<uint(k%16) - 1 }

// NarrowMatMul computes Y = A·W (with accumulate, Y += A·W) for the m×k A
// (row stride lda), W packed by PackNarrow from k×n, and the m×n Y (row
// stride ldy). Order of the sums, for each output y[i][j]: sixteen lane
// sums s_l = Σ_c a[i][16c+l]·w[16c+l][j] in order of c (each product
// rounded, then added), combined as t_l = s_l + s_{l+8}, u_l = t_l + t_{l+4},
// v_l = u_l + u_{l+2}, then v_0 + v_1 (and y + that with accumulate).
func NarrowMatMul(y []float32, ldy int, a []float32, lda, m, k int, p []float32, n int, accumulate bool) {
	checkNarrow("NarrowMatMul", n)
	checkStrided("NarrowMatMul", "A", a, m, k, lda)
	checkStrided("NarrowMatMul", "Y", y, m, n, ldy)
	checkLen("NarrowMatMul", NarrowPackLen(k, n), p)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 { // an empty sum
		if !accumulate {
			clearRows(y, ldy, m, n)
		}
		return
	}
	if narrowSerial(m, k*n) {
		narrowDotRows(y, ldy, a, lda, k, p, n, accumulate, 0, m) // no closure to allocate
		return
	}
	Parallel(m, 1, func(r0, r1 int) { narrowDotRows(y, ldy, a, lda, k, p, n, accumulate, r0, r1) })
}

func narrowDotRows(y []float32, ldy int, a []float32, lda, k int, p []float32, n int, accumulate bool, r0, r1 int) {
	if vecAVX512 {
		narrowDotAVX512[n-1](&y[r0*ldy], ldy, &a[r0*lda], lda, &p[0], r1-r0, k, accumulate, tailMask(k))
		return
	}
	narrowDotGo(y[r0*ldy:], ldy, a[r0*lda:], lda, r1-r0, k, p, n, accumulate)
}

// clearRows zeroes the first n elements of m rows of y (row stride ldy).
func clearRows(y []float32, ldy, m, n int) {
	for i := 0; i < m; i++ {
		clear(y[i*ldy : i*ldy+n])
	}
}

// narrowSerial reports whether a product over m independent rows (m·work
// multiply-adds) runs on one goroutine: when it is too small to be worth
// splitting.
func narrowSerial(m, work int) bool {
	return m*work < 1<<23 || Threads() == 1 || m < 2
}

func narrowDotGo(y []float32, ldy int, a []float32, lda, m, k int, p []float32, n int, acc bool) {
	var s [NarrowMax][16]float32
	for i := 0; i < m; i++ {
		s = [NarrowMax][16]float32{}
		row := a[i*lda : i*lda+k]
		for c := 0; c*16 < k; c++ {
			ac := row[c*16 : min(c*16+16, k)]
			blk := p[c*n*16:]
			for j := 0; j < n; j++ {
				v, sj := blk[j*16:j*16+16], &s[j]
				for l, x := range ac {
					sj[l] += float32(x * v[l])
				}
			}
		}
		for j := 0; j < n; j++ {
			v := laneSum16(&s[j])
			if acc {
				v = y[i*ldy+j] + v
			}
			y[i*ldy+j] = v
		}
	}
}

// laneSum16 sums 16 lanes as the AVX-512 kernels do: halves, then
// quarters, then pairs.
func laneSum16(v *[16]float32) float32 {
	var t [8]float32
	for l := range 8 {
		t[l] = v[l] + v[l+8]
	}
	for l := range 4 {
		t[l] = t[l] + t[l+4]
	}
	for l := range 2 {
		t[l] = t[l] + t[l+2]
	}
	return t[0] + t[1]
}

// NarrowInnerMatMul computes Y = D·Wᵀ (with accumulate, Y += D·Wᵀ) for the
// m×n D (row stride ldd), W packed by PackNarrow from k×n, and the m×k Y
// (row stride ldy): the input gradient of NarrowMatMul. Each output is
// Σ_j d[i][j]·w[c][j] summed from zero in order of j, each product rounded
// (then y + that with accumulate).
func NarrowInnerMatMul(y []float32, ldy int, d []float32, ldd, m, n int, p []float32, k int, accumulate bool) {
	checkNarrow("NarrowInnerMatMul", n)
	checkStrided("NarrowInnerMatMul", "D", d, m, n, ldd)
	checkStrided("NarrowInnerMatMul", "Y", y, m, k, ldy)
	checkLen("NarrowInnerMatMul", NarrowPackLen(k, n), p)
	if m == 0 || k == 0 {
		return
	}
	if n == 0 { // an empty sum
		if !accumulate {
			clearRows(y, ldy, m, k)
		}
		return
	}
	if narrowSerial(m, k*n) {
		narrowInnerRows(y, ldy, d, ldd, n, p, k, accumulate, 0, m) // no closure to allocate
		return
	}
	Parallel(m, 1, func(r0, r1 int) { narrowInnerRows(y, ldy, d, ldd, n, p, k, accumulate, r0, r1) })
}

func narrowInnerRows(y []float32, ldy int, d []float32, ldd, n int, p []float32, k int, accumulate bool, r0, r1 int) {
	if vecAVX512 {
		narrowInnerAVX512[n-1](&y[r0*ldy], ldy, &d[r0*ldd], ldd, &p[0], r1-r0, k, accumulate, tailMask(k))
		return
	}
	narrowInnerGo(y[r0*ldy:], ldy, d[r0*ldd:], ldd, r1-r0, n, p, k, accumulate)
}

func narrowInnerGo(y []float32, ldy int, d []float32, ldd, m, n int, p []float32, k int, acc bool) {
	for i := 0; i < m; i++ {
		dr := d[i*ldd : i*ldd+n]
		yr := y[i*ldy : i*ldy+k]
		for c := 0; c*16 < k; c++ {
			blk := p[c*n*16:]
			for l := 0; l < min(16, k-16*c); l++ {
				var s float32
				for j, dj := range dr {
					s += float32(dj * blk[j*16+l])
				}
				if acc {
					s = yr[16*c+l] + s
				}
				yr[16*c+l] = s
			}
		}
	}
}

// NarrowGradMatMul accumulates dW += Aᵀ·D for the m×k A (row stride lda),
// the m×n D (row stride ldd) and the k×n dW (row stride lddw): the weight
// gradient of NarrowMatMul. It is NarrowGradPacked into a zeroed scratch
// (at least NarrowPackLen(k, n) long; nil allocates one), then
// NarrowUnpackAdd into dW.
func NarrowGradMatMul(dw []float32, lddw int, a []float32, lda, m, k int, d []float32, ldd, n int, scratch []float32) {
	checkNarrow("NarrowGradMatMul", n)
	checkStrided("NarrowGradMatMul", "dW", dw, k, n, lddw)
	if scratch == nil {
		scratch = make([]float32, NarrowPackLen(k, n))
	}
	checkLen("NarrowGradMatMul", NarrowPackLen(k, n), scratch)
	scratch = scratch[:NarrowPackLen(k, n)]
	clear(scratch)
	NarrowGradPacked(scratch, a, lda, m, k, d, ldd, n)
	NarrowUnpackAdd(dw, lddw, scratch, k, n)
}

// NarrowGradPacked accumulates Aᵀ·D into gp, a k×n matrix in PackNarrow's
// layout, for the m×k A (row stride lda) and the m×n D (row stride ldd):
// each element adds the products a[i][r]·d[i][j] (each rounded) to its
// value in order of the rows i. Summing several products into one gp and
// unpacking once (NarrowUnpackAdd) saves the transposition per product.
func NarrowGradPacked(gp []float32, a []float32, lda, m, k int, d []float32, ldd, n int) {
	checkNarrow("NarrowGradPacked", n)
	checkStrided("NarrowGradPacked", "A", a, m, k, lda)
	checkStrided("NarrowGradPacked", "D", d, m, n, ldd)
	checkLen("NarrowGradPacked", NarrowPackLen(k, n), gp)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	chunks := (k + 15) / 16
	if m*k*n < 1<<23 || Threads() == 1 || chunks < 2 {
		narrowGradChunks(gp, a, lda, m, k, d, ldd, n, 0, chunks) // no closure to allocate
		return
	}
	Parallel(chunks, 1, func(c0, c1 int) { narrowGradChunks(gp, a, lda, m, k, d, ldd, n, c0, c1) })
}

// narrowGradChunks is NarrowGradPacked over the chunks [c0, c1) of 16
// columns of A.
func narrowGradChunks(gp, a []float32, lda, m, k int, d []float32, ldd, n, c0, c1 int) {
	switch {
	case !vecAVX512:
		narrowGradGo(gp[c0*n*16:], a[c0*16:], lda, m, min(c1*16, k)-c0*16, d, ldd, n)
	case c1*16 <= k:
		narrowGradAVX512[n-1](&gp[c0*n*16], &a[c0*16], lda, &d[0], ldd, m, c1-c0, 0)
	default: // the last chunk is partial
		narrowGradAVX512[n-1](&gp[c0*n*16], &a[c0*16], lda, &d[0], ldd, m, c1-1-c0, tailMask(k))
	}
}

// narrowGradGo adds the chunk sums of columns [0, k) of a into pt.
func narrowGradGo(pt, a []float32, lda, m, k int, d []float32, ldd, n int) {
	for c := 0; c*16 < k; c++ {
		blk := pt[c*n*16 : (c+1)*n*16]
		w := min(16, k-16*c)
		for i := 0; i < m; i++ {
			ar := a[i*lda+16*c : i*lda+16*c+w]
			dr := d[i*ldd : i*ldd+n]
			for j, dj := range dr {
				v := blk[j*16 : j*16+16]
				for l, x := range ar {
					v[l] += float32(x * dj)
				}
			}
		}
	}
}

// NarrowUnpackAdd adds gp, a k×n matrix in PackNarrow's layout, to the
// k×n dW (row stride lddw).
func NarrowUnpackAdd(dw []float32, lddw int, gp []float32, k, n int) {
	checkNarrow("NarrowUnpackAdd", n)
	checkStrided("NarrowUnpackAdd", "dW", dw, k, n, lddw)
	checkLen("NarrowUnpackAdd", NarrowPackLen(k, n), gp)
	for c := 0; c*16 < k; c++ {
		blk := gp[c*n*16 : (c+1)*n*16]
		for l := 0; l < min(16, k-16*c); l++ {
			row := dw[(16*c+l)*lddw : (16*c+l)*lddw+n]
			for j := range row {
				row[j] += blk[j*16+l]
			}
		}
	}
}
