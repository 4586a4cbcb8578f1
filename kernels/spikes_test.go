package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCountSpikes: the AVX-512 count of nonzeros and of values other than
// 0 and 1 equals the loop's, at every length and tail.
func TestCountSpikes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, 2, float32(math.NaN()), float32(math.Inf(1))}
	for n := 0; n < 70; n++ {
		s := make([]float32, n)
		for i := range s {
			s[i] = vals[r.IntN(len(vals))]
		}
		var nnz, other int
		for _, v := range s {
			if v != 0 {
				nnz++
				if v != 1 {
					other++
				}
			}
		}
		for _, vec := range []bool{false, hasAVX512} {
			func() {
				defer func(v bool) { vecAVX512 = v }(vecAVX512)
				vecAVX512 = vec
				a, b := CountSpikes(s)
				if a != nnz || b != other {
					t.Errorf("n %d, AVX-512 %v: CountSpikes %d, %d; want %d, %d", n, vec, a, b, nnz, other)
				}
			}()
		}
	}
}

// TestSpikeMatMulGraded: a sparse matrix of values other than 1 (a
// current handed to an event-driven projection) gives s·W, not the sum of
// W's rows: the event path counts a nonzero as 1, so it must not run.
func TestSpikeMatMulGraded(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rows, cols, n := 8, 64, 40
	s := make([]float32, rows*cols)
	for i := 0; i < 6; i++ { // 6 of 512: far below the crossover
		s[r.IntN(len(s))] = 0.25 + r.Float32()
	}
	w := make([]float32, cols*n)
	for i := range w {
		w[i] = r.Float32() - 0.5
	}
	y := make([]float32, rows*n)
	var e Events
	if SpikeMatMul(y, n, s, rows, cols, w, n, n, false, &e) {
		t.Error("the event path ran on graded values")
	}
	for i := range rows {
		for j := range n {
			var want float64
			for k := range cols {
				want += float64(s[i*cols+k]) * float64(w[k*n+j])
			}
			if d := math.Abs(float64(y[i*n+j]) - want); d > 1e-5 {
				t.Fatalf("y[%d,%d] = %v, want %v", i, j, y[i*n+j], want)
			}
		}
	}
	// The same positions as spikes of 1 take the event path.
	for i, v := range s {
		if v != 0 {
			s[i] = 1
		}
	}
	if !SpikeMatMul(y, n, s, rows, cols, w, n, n, false, &e) {
		t.Error("the event path did not run on sparse spikes")
	}
}
