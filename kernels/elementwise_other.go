//go:build !amd64

package kernels

func axpyAVX512(dst, x *float32, n int, a float32) { panic("kernels: no AVX-512") }
func addToAVX512(dst, x *float32, n int)           { panic("kernels: no AVX-512") }
