//go:build !amd64

package kernels

func adamAVX512(a *adamArgs) { panic("kernels: no AVX-512") }
