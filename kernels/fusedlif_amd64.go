package kernels

// fusedLIFForwardAVX512 is FusedLIFForward's loop (nb, steps ≥ 1; 1 ≤ k ≤ FusedMaxOut).
//
//go:noescape
func fusedLIFForwardAVX512(o *float32, bits *int32, xp, w2b, u *float32, nb, steps, k int, beta, theta float32)

// fusedLIFBackwardAVX512 is FusedLIFBackward's loop (h, steps ≥ 1; 1 ≤ k ≤ FusedMaxOut).
//
//go:noescape
func fusedLIFBackwardAVX512(a *fusedBwdArgs)
