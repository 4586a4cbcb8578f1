//go:build !amd64

package kernels

// Off amd64 there is no AVX512_BF16: GemmBF16 refuses to run.
var hasBF16 = false

func gemmBF16Kernel12x32C(kq int, a *uint32, sa int, b *uint32, sb int, c *float32, ldc int, alpha, beta float32) {
	panic("kernels: no bf16 kernel off amd64")
}

func gemmBF16Kernel12x32R(kq int, a *uint32, sa int, b *uint32, sb int, c *float32, ldc int, alpha, beta float32) {
	panic("kernels: no bf16 kernel off amd64")
}

func bf16Row(dst *uint32, src *float32, n int) { panic("kernels: no bf16 kernel off amd64") }

func bf16Pairs(dst *uint32, r0, r1 *float32, n, width int) {
	panic("kernels: no bf16 kernel off amd64")
}

func gemmPackT32(dst *uint32, ldd int, src *uint32, lds, n, cols, width int) {
	panic("kernels: no bf16 kernel off amd64")
}
