package kernels

// hhExpEulerAVX512 is HHExpEuler's loop over cnt neurons (a multiple of 8,
// at least 8) with the constant block c (hhConsts).
//
//go:noescape
func hhExpEulerAVX512(c *[hhConstCount]float64, v, m, h, n, a, b *float32, cnt int)
