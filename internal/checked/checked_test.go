package checked

import (
	"math"
	"testing"
)

func TestMul(t *testing.T) {
	for _, c := range []struct {
		a, b, limit, want int
		ok                bool
	}{
		{3, 4, 12, 12, true},
		{3, 4, 11, 0, false},
		{0, math.MaxInt, 10, 0, true},
		{-1, 2, 10, 0, false},
		{2, -1, 10, 0, false},
		{math.MaxInt/2 + 1, 2, math.MaxInt, 0, false}, // wraps to 0
		{math.MaxInt, math.MaxInt, math.MaxInt, 0, false},
		{math.MaxInt, 1, math.MaxInt, math.MaxInt, true},
	} {
		got, ok := Mul(c.a, c.b, c.limit)
		if got != c.want || ok != c.ok {
			t.Errorf("Mul(%d, %d, %d) = %d, %v; want %d, %v", c.a, c.b, c.limit, got, ok, c.want, c.ok)
		}
	}
	if _, ok := MulU64(1<<24, 1<<40, math.MaxUint64); ok {
		t.Error("MulU64 accepted a product that wraps to 0")
	}
	if n, ok := MulU64(1<<20, 1<<20, 1<<40); !ok || n != 1<<40 {
		t.Errorf("MulU64 = %d, %v", n, ok)
	}
}

func TestProduct(t *testing.T) {
	for _, c := range []struct {
		dims  []int
		limit int
		want  int
		ok    bool
	}{
		{nil, 10, 1, true},
		{[]int{2, 3, 4}, 24, 24, true},
		{[]int{2, 3, 4}, 23, 0, false},
		{[]int{0, 784}, 1 << 30, 0, true},
		{[]int{0, math.MaxInt, math.MaxInt}, math.MaxInt, 0, false}, // the other dimensions still count
		{[]int{math.MaxInt/2 + 1, 2}, math.MaxInt, 0, false},
		{[]int{math.MaxInt/2 + 1, 2, 0}, math.MaxInt, 0, false},
		{[]int{0, 1000, 1000}, 1 << 20, 0, true},
		{[]int{0, 1000, 2000}, 1 << 20, 0, false},
		{[]int{-1, -1}, 10, 0, false},
		{[]int{3, -2}, 10, 0, false},
	} {
		got, ok := Product(c.dims, c.limit)
		if got != c.want || ok != c.ok {
			t.Errorf("Product(%v, %d) = %d, %v; want %d, %v", c.dims, c.limit, got, ok, c.want, c.ok)
		}
	}
	if !Positive([]int{1, 2}) || Positive([]int{1, 0}) || Positive([]int{-3}) || !Positive(nil) {
		t.Error("Positive")
	}
}
