package kernels

//go:generate go run gemm_asm_gen.go

// The micro-kernels (gemm_amd64.s) set the 12×32 or 12×16 (AVX-512) or 6×16
// (AVX2) tile c
// (row stride ldc floats) to alpha·Σ_{p<kc} A(i,p)·b[p*sb+j] + beta·c,
// reducing over p in order with one fused multiply-add per step; beta == 0
// overwrites c. A(i,p) is a[p*sa+i] for the C variants (a packed panel, or a
// transposed matrix read in place) and a[i*sa+p] for the R variants (rows of
// a matrix read in place). kc >= 1.

//go:noescape
func gemmKernel12x32C(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel12x32R(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel12x16C(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel12x16R(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel6x16C(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel6x16R(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel6x32C(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel6x32R(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

// gemmCheckTile panics unless the kernel's reads and writes lie in a, b and
// c: the assembly does not check bounds.
func gemmCheckTile(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc, mr, nr int) {
	if aRows {
		_ = a[(mr-1)*sa+kc-1]
	} else {
		_ = a[(kc-1)*sa+mr-1]
	}
	_ = b[(kc-1)*sb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
}

func gemmKernelAVX512x32(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32) {
	gemmCheckTile(kc, a, sa, aRows, b, sb, c, ldc, 12, 32)
	if aRows {
		gemmKernel12x32R(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	} else {
		gemmKernel12x32C(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	}
}

func gemmKernelAVX512x32h(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32) {
	gemmCheckTile(kc, a, sa, aRows, b, sb, c, ldc, 6, 32)
	if aRows {
		gemmKernel6x32R(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	} else {
		gemmKernel6x32C(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	}
}

func gemmKernelAVX512x16(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32) {
	gemmCheckTile(kc, a, sa, aRows, b, sb, c, ldc, 12, 16)
	if aRows {
		gemmKernel12x16R(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	} else {
		gemmKernel12x16C(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	}
}

//go:noescape
func gemmPackT(dst *float32, ldd int, src *float32, lds, n, cols, width int)

func gemmKernelAVX2(kc int, a []float32, sa int, aRows bool, b []float32, sb int, c []float32, ldc int, alpha, beta float32) {
	gemmCheckTile(kc, a, sa, aRows, b, sb, c, ldc, 6, 16)
	if aRows {
		gemmKernel6x16R(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	} else {
		gemmKernel6x16C(kc, &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
	}
}

// gemmPackTAVX512 sets dst[p*ldd+j] = src[j*lds+p] for p < n and j < cols,
// and zero for cols <= j < width (width <= 16), by 16×16 transposes in
// registers; it reads src by whole rows, which keeps strides that are
// multiples of 4 KiB from thrashing L1.
func gemmPackTAVX512(dst []float32, ldd int, src []float32, lds, n, cols, width int) {
	n16 := n &^ 15
	if cols == 0 || n16 == 0 {
		gemmPackTGo(dst, ldd, src, lds, n, cols, width)
		return
	}
	_ = src[(cols-1)*lds+n-1]
	_ = dst[(n-1)*ldd+width-1]
	gemmPackT(&dst[0], ldd, &src[0], lds, n16, cols, width)
	if n16 < n {
		gemmPackTGo(dst[n16*ldd:], ldd, src[n16:], lds, n-n16, cols, width)
	}
}

// gemmAVX512 is the AVX-512 implementation: a 12×32 tile in 24 zmm
// accumulators (two zmm of B and one broadcast of A per step), a 6×32 one
// for a last panel of at most 6 rows, and a 12×16 one for outputs at most
// 16 wide.
var gemmAVX512 = &gemmImpl{mr: 12, nr: 32, kernel: gemmKernelAVX512x32, half: gemmKernelAVX512x32h, seg: gemmSegKernelAVX512x32, direct: true, packT: gemmPackTAVX512, mc: 768, ncw: 512,
	narrow: &gemmImpl{mr: 12, nr: 16, kernel: gemmKernelAVX512x16, direct: true, packT: gemmPackTAVX512, mc: 768, ncw: 512}}

// gemmAVX2 is the AVX2 implementation: a 6×16 tile in 12 ymm accumulators
// (two ymm of B and one broadcast of A per step), sized for 256 KiB L2.
var gemmAVX2 = &gemmImpl{mr: 6, nr: 16, kernel: gemmKernelAVX2, direct: true, packT: gemmPackTGo, mc: 384, ncw: 256}

// gemmArch returns the fastest implementation the CPU supports.
func gemmArch() *gemmImpl {
	switch {
	case hasAVX512:
		return gemmAVX512
	case hasAVX2:
		return gemmAVX2
	}
	return gemmGo
}

//go:noescape
func gemmKernel12x32CS(nseg int, lens *int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

// gemmSegKernelAVX512x32 runs gemmKernel12x32C over the consecutive
// segments of lens[s] steps of p in one call: the same arithmetic as a call
// per segment, beta for the first and 1 for the others.
func gemmSegKernelAVX512x32(lens []int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha, beta float32) {
	k := 0
	for _, l := range lens {
		if l < 0 {
			panic("kernels: gemmSegKernel: negative segment")
		}
		k += l
	}
	if len(lens) == 0 || k == 0 {
		panic("kernels: gemmSegKernel: no steps")
	}
	gemmCheckTile(k, a, sa, false, b, sb, c, ldc, 12, 32)
	gemmKernel12x32CS(len(lens), &lens[0], &a[0], sa, &b[0], sb, &c[0], ldc, alpha, beta)
}
