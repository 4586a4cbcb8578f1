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
