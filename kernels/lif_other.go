//go:build !amd64

package kernels

func lifForwardAVX512(uNew, s, u, in *float32, n int, beta, theta float32, reset int) {
	panic("kernels: no AVX-512")
}
func lifBackwardAVX512(a *lifBwdArgs) { panic("kernels: no AVX-512") }
