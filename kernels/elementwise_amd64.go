package kernels

// axpyAVX512 computes dst[i] += a*x[i] for i < n (fused multiply-add).
//
//go:noescape
func axpyAVX512(dst, x *float32, n int, a float32)

// addToAVX512 computes dst[i] += x[i] for i < n.
//
//go:noescape
func addToAVX512(dst, x *float32, n int)
