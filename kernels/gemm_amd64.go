package kernels

// gemmKernel12x32 is the AVX-512 micro-kernel: it sets the 12×32 tile c
// (row stride ldc floats) to alpha·Σ_{p<kc} a[p*12+i]·b[p*32+j] + beta·c,
// reducing over p in order with fused multiply-adds; beta == 0 overwrites c.
// kc >= 1.
//
//go:noescape
func gemmKernel12x32(kc int, a, b, c *float32, ldc int, alpha, beta float32)

func gemmKernelAVX512(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	_ = a[12*kc-1]
	_ = b[32*kc-1]
	_ = c[11*ldc+31]
	gemmKernel12x32(kc, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

// gemmAVX512 is the 12×32 AVX-512 implementation: 24 zmm accumulators, two
// zmm rows of B and a broadcast of A per step.
var gemmAVX512 = &gemmImpl{mr: 12, nr: 32, kernel: gemmKernelAVX512, mc: 768, ncw: 512}

// gemmArch returns the fastest implementation the CPU supports.
func gemmArch() *gemmImpl {
	if hasAVX512 {
		return gemmAVX512
	}
	return gemmGo
}
