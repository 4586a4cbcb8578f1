//go:build !amd64

package kernels

func fusedLIFForwardAVX512(o *float32, bits *int32, xp, w2b, u *float32, nb, steps, k int, beta, theta float32) {
	panic("kernels: no AVX-512")
}
func fusedLIFBackwardAVX512(a *fusedBwdArgs) { panic("kernels: no AVX-512") }
