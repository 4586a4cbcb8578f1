//go:build !amd64

package kernels

func jitSkipsAVX512(a *jitVecArgs) { panic("kernels: no AVX-512") }
