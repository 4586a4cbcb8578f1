package datasets

import (
	"math"
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

// TestFillEveryPixel checks Fill's table against the division it replaces
// (float32(p) / 255, torchvision's ToTensor) for every pixel value, bit for
// bit, computed here at run time.
func TestFillEveryPixel(t *testing.T) {
	d := &Images{N: 1, Rows: 16, Cols: 16, Pixels: make([]uint8, 256), Labels: []uint8{0}, Classes: 1}
	for p := range d.Pixels {
		d.Pixels[p] = uint8(255 - p)
	}
	x, y := make([]float32, 256), make([]int, 1)
	d.Fill(x, y, []int{0})
	div := float32(len(d.Pixels) - 1)
	for j, p := range d.Pixels {
		if want := float32(p) / div; math.Float32bits(x[j]) != math.Float32bits(want) {
			t.Fatalf("pixel %d: %v (%08x), want %v (%08x)", p, x[j], math.Float32bits(x[j]), want, math.Float32bits(want))
		}
	}
}

// BenchmarkFill fills a batch of 128 Fashion-MNIST-sized images.
func BenchmarkFill(b *testing.B) {
	const n, f = 1024, 784
	d := &Images{N: n, Rows: 28, Cols: 28, Pixels: make([]uint8, n*f), Labels: make([]uint8, n), Classes: 10}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(i * 7919 >> 3)
	}
	idx := make([]int, 128)
	for i := range idx {
		idx[i] = i * 7 % n
	}
	x, y := make([]float32, len(idx)*f), make([]int, len(idx))
	for b.Loop() {
		d.Fill(x, y, idx)
	}
}
