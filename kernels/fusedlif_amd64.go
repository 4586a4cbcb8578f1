package kernels

// fusedLIFForwardAVX512 is FusedLIFForward's loop (h, steps ≥ 1).
//
//go:noescape
func fusedLIFForwardAVX512(o *float32, bits *int32, x, w2p *float32, h, steps int, beta, theta float32)

// fusedLIFBackwardAVX512 is FusedLIFBackward's loop (h, steps, k ≥ 1).
//
//go:noescape
func fusedLIFBackwardAVX512(a *fusedBwdArgs)
