package datasets

import (
	"iter"
	"math/rand/v2"
)

// Order returns the sample order of one epoch: 0..n-1, shuffled when
// shuffle is set by a permutation that depends only on (seed, epoch).
func Order(n int, shuffle bool, seed uint64, epoch int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if shuffle {
		r := rand.New(rand.NewPCG(seed, uint64(epoch)+0x5851f42d4c957f2d))
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	return idx
}

// Batches splits an epoch's order into batches of size bs; with dropLast a
// final partial batch is skipped (as the FMNIST-SNN protocol does).
func Batches(order []int, bs int, dropLast bool) iter.Seq2[int, []int] {
	return func(yield func(int, []int) bool) {
		for b, lo := 0, 0; lo < len(order); b, lo = b+1, lo+bs {
			hi := min(lo+bs, len(order))
			if hi-lo < bs && dropLast {
				return
			}
			if !yield(b, order[lo:hi]) {
				return
			}
		}
	}
}

// NumBatches is the number of batches Batches yields for n samples.
func NumBatches(n, bs int, dropLast bool) int {
	if dropLast {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Fill writes the images idx as rows of x (len(idx)·Features() values,
// pixels scaled to [0, 1]) and their labels into y.
func (d *Images) Fill(x []float32, y []int, idx []int) {
	f := d.Features()
	for r, i := range idx {
		row, px := x[r*f:(r+1)*f], d.Pixels[i*f:(i+1)*f]
		row = row[:len(px)]
		for j, p := range px {
			row[j] = pixelScale[p]
		}
		y[r] = int(d.Labels[i])
	}
}

// pixelScale[p] is float32(p) / 255, as torchvision's ToTensor scales a
// pixel: a table read instead of a division per pixel (the same bits).
var pixelScale = func() (t [256]float32) {
	for p := range t {
		t[p] = float32(p) / 255
	}
	return
}()
