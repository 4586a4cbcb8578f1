// Package checked multiplies sizes without overflow: the product of a
// shape's dimensions, an element count times an element size, each held
// under a cap, so that a crafted file's dimensions (2^24 × 2^40, say,
// which wrap to 0 in 64 bits) cannot slip past a size check.
package checked

import "math/bits"

// Mul returns a·b and true when a and b are non-negative and a·b ≤ limit
// (limit ≥ 0); otherwise 0 and false. It never overflows.
func Mul(a, b, limit int) (int, bool) {
	if a < 0 || b < 0 || limit < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > uint64(limit) {
		return 0, false
	}
	return int(lo), true
}

// MulU64 returns a·b and true when a·b ≤ limit; otherwise 0 and false.
func MulU64(a, b, limit uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 || lo > limit {
		return 0, false
	}
	return lo, true
}

// Product returns the product of dims (1 for none) and true when every
// dimension is non-negative and the product of the non-zero dimensions is
// at most limit; otherwise 0 and false. A zero dimension gives 0, true
// (an empty array), but only when the other dimensions still fit under
// limit, so strides computed from any shape it accepts cannot overflow.
// Callers that need non-empty shapes check with Positive.
func Product(dims []int, limit int) (int, bool) {
	n, zero := 1, false
	for _, d := range dims {
		if d == 0 {
			zero = true
			continue
		}
		var ok bool
		if n, ok = Mul(n, d, limit); !ok {
			return 0, false
		}
	}
	if zero {
		return 0, true
	}
	return n, true
}

// Positive reports whether every dimension is at least 1.
func Positive(dims []int) bool {
	for _, d := range dims {
		if d < 1 {
			return false
		}
	}
	return true
}
