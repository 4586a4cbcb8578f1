package kernels

// jitSkipsAVX512 is jitSkips's AVX-512 path.
//
//go:noescape
func jitSkipsAVX512(a *jitVecArgs)
