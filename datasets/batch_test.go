package datasets

import (
	"slices"
	"testing"
)

func TestOrderDeterministicAndPermutation(t *testing.T) {
	a, b := Order(100, true, 7, 3), Order(100, true, 7, 3)
	if !slices.Equal(a, b) {
		t.Fatal("same seed and epoch gave different orders")
	}
	if slices.Equal(a, Order(100, true, 7, 4)) || slices.Equal(a, Order(100, true, 8, 3)) {
		t.Fatal("order does not change with epoch or seed")
	}
	s := slices.Clone(a)
	slices.Sort(s)
	if !slices.Equal(s, Order(100, false, 0, 0)) {
		t.Fatal("shuffled order is not a permutation")
	}
}

func TestBatches(t *testing.T) {
	order := Order(10, false, 0, 0)
	var sizes []int
	for _, b := range Batches(order, 4, true) {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{4, 4}) || NumBatches(10, 4, true) != 2 {
		t.Fatalf("dropLast sizes %v", sizes)
	}
	sizes = nil
	for _, b := range Batches(order, 4, false) {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{4, 4, 2}) || NumBatches(10, 4, false) != 3 {
		t.Fatalf("sizes %v", sizes)
	}
}

func TestFill(t *testing.T) {
	d := &Images{N: 2, Rows: 1, Cols: 2, Pixels: []uint8{0, 255, 51, 102}, Labels: []uint8{3, 7}, Classes: 10}
	x, y := make([]float32, 4), make([]int, 2)
	d.Fill(x, y, []int{1, 0})
	if x[0] != 0.2 || x[1] != 0.4 || x[2] != 0 || x[3] != 1 || y[0] != 7 || y[1] != 3 {
		t.Fatalf("x %v y %v", x, y)
	}
}
