//go:build !amd64

package kernels

func rowSum128AVX512(dst, w *float32, ldw int, idx *int32, nidx int, acc bool) {
	panic("kernels: no AVX-512")
}

func rowSum112AVX512(dst, w *float32, ldw int, idx *int32, nidx int, acc bool, masks *[8]uint16) {
	panic("kernels: no AVX-512")
}

func compressNonzeroAVX512(idx *int32, s *float32, n int) int { panic("kernels: no AVX-512") }

func countNonzeroAVX512(s *float32, n int) int { panic("kernels: no AVX-512") }

func countSpikesAVX512(s *float32, n int) (nnz, other int) { panic("kernels: no AVX-512") }

func rowSumNarrow16(y *float32, ldy int, w *float32, ldw int, ptr, idx *int32, rows int, acc bool, mask uint32) {
	panic("kernels: no AVX-512")
}

func rowSumNarrow32(y *float32, ldy int, w *float32, ldw int, ptr, idx *int32, rows int, acc bool, mask uint32) {
	panic("kernels: no AVX-512")
}

func scatterNarrow16(dw *float32, lddw int, delta *float32, ldd int, ptr, idx *int32, rows int, mask uint32) {
	panic("kernels: no AVX-512")
}

func scatterNarrow32(dw *float32, lddw int, delta *float32, ldd int, ptr, idx *int32, rows int, mask uint32) {
	panic("kernels: no AVX-512")
}
