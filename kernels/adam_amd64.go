package kernels

// adamAVX512 is AdamStep's loop without AMSGrad over a.n ≥ 1 elements.
//
//go:noescape
func adamAVX512(a *adamArgs)
