package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run gemm_bf16_asm_gen.go

// hasBF16 says GemmBF16's assembly can run: AVX-512 with AVX512_BF16.
var hasBF16 = hasAVX512 && cpu.X86.HasAVX512BF16

// The micro-kernels (gemm_bf16_amd64.s) set the 12×32 tile c (row stride
// ldc floats) to alpha·Σ_{q<kq} (A(i,2q)·B(2q,j) + A(i,2q+1)·B(2q+1,j)) +
// beta·c, reducing over the pairs q in order with one VDPBF16PS per step;
// beta == 0 overwrites c. a and b hold bf16 pairs, one per uint32 (the
// even step in the low half): B's pair (q, j) is b[q*sb+j]; A's pair (i, q)
// is a[q*sa+i] for the C variant and a[i*sa+q] for the R variant. kq >= 1.

//go:noescape
func gemmBF16Kernel12x32C(kq int, a *uint32, sa int, b *uint32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmBF16Kernel12x32R(kq int, a *uint32, sa int, b *uint32, sb int, c *float32, ldc int, alpha, beta float32)

// bf16Row sets dst[q] = bf16(src[2q]) | bf16(src[2q+1])<<16 for 2q+1 < n,
// and dst[n/2] = bf16(src[n-1]) when n is odd: n floats to ⌈n/2⌉ pairs.
//
//go:noescape
func bf16Row(dst *uint32, src *float32, n int)

// bf16Pairs sets dst[j] = bf16(r0[j]) | bf16(r1[j])<<16 for j < n and
// dst[j] = 0 for n <= j < width.
//
//go:noescape
func bf16Pairs(dst *uint32, r0, r1 *float32, n, width int)

// gemmPackT32 is gemmPackT on 32-bit pairs: the transpose moves bits.
func gemmPackT32(dst *uint32, ldd int, src *uint32, lds, n, cols, width int) {
	gemmPackT((*float32)(unsafe.Pointer(dst)), ldd, (*float32)(unsafe.Pointer(src)), lds, n, cols, width)
}
