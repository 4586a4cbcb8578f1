//go:build !amd64

package kernels

func hhExpEulerAVX512(c *[hhConstCount]float64, v, m, h, n, a, b *float32, cnt int) {
	panic("kernels: no AVX-512")
}
