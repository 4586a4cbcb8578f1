package kernels

import "math"

// Exp sets dst[i] = math.Exp(x[i]) for every i, to the bit: dst and x need
// the same length and may be the same slice. With AVX-512 it evaluates 8
// values at once by the operations of Go's math.Exp on amd64 (archExp's
// FMA path: Shibata's method, x = k·ln 2 + r with ln 2 in two parts, r/16
// through a Taylor polynomial, squared four times, times 2^k); a group of
// 8 holding a value outside [−700, 700] or NaN (where archExp may take its
// overflow, underflow or subnormal branches) is left to math.Exp, and so
// is every value without AVX-512.
func Exp(dst, x []float64) {
	if len(dst) != len(x) {
		panic("kernels: Exp: length mismatch")
	}
	if !expAVX512 {
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
		return
	}
	for i := 0; i < len(x); {
		i += expAVX512Kernel(&dst[i], &x[i], len(x)-i)
		for end := min(i+8, len(x)); i < end; i++ {
			dst[i] = math.Exp(x[i])
		}
	}
}
