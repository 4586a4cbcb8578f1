//go:build !amd64

package kernels

const expAVX512 = false

func expAVX512Kernel(dst, x *float64, n int) int { panic("kernels: no AVX-512") }
