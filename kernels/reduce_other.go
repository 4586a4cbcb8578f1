//go:build !amd64

package kernels

func sumAVX512(x *float32, n int) float32    { panic("kernels: no AVX-512") }
func dotAVX512(x, y *float32, n int) float32 { panic("kernels: no AVX-512") }
