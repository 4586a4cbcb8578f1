package kernels

// lifForwardAVX512 is LIFForward's loop over n ≥ 1 elements.
//
//go:noescape
func lifForwardAVX512(uNew, s, u, in *float32, n int, beta, theta float32, reset int)

// lifBackwardAVX512 is LIFBackward's loop (not SurrogateSigmoid) over
// a.n ≥ 1 elements.
//
//go:noescape
func lifBackwardAVX512(a *lifBwdArgs)
