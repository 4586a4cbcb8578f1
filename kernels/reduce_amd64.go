package kernels

// sumAVX512 returns the sum of x[:n], n >= 1, in 4×16 partial sums.
//
//go:noescape
func sumAVX512(x *float32, n int) float32

// dotAVX512 returns Σ x[i]*y[i] over i < n, n >= 1, in 4×16 partial sums.
//
//go:noescape
func dotAVX512(x, y *float32, n int) float32
