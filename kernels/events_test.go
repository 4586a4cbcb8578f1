package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randSpikes returns a rows×cols 0/1 matrix with the given density.
func randSpikes(r *rand.Rand, rows, cols int, density float64) []float32 {
	s := make([]float32, rows*cols)
	for i := range s {
		if r.Float64() < density {
			s[i] = 1
		}
	}
	return s
}

func TestEventsFromDense(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 1))
		var e Events // reused across shapes
		for _, sz := range [][2]int{{0, 0}, {1, 1}, {3, 5}, {2, 16}, {4, 17}, {5, 33}, {7, 100}, {2, 1000}} {
			for _, d := range []float64{0, 0.05, 0.5, 1} {
				rows, cols := sz[0], sz[1]
				s := randSpikes(r, rows, cols, d)
				if len(s) > 2 {
					s[0], s[len(s)-1] = -0.0, 2.5 // -0 is not a spike, any other value is
				}
				e.FromDense(s, rows, cols)
				e.check("test")
				nnz := 0
				for b := 0; b < rows; b++ {
					var want []int32
					for c := 0; c < cols; c++ {
						if s[b*cols+c] != 0 {
							want = append(want, int32(c))
						}
					}
					nnz += len(want)
					got := e.Row(b)
					if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
						t.Fatalf("%v d=%v row %d: %v, want %v", sz, d, b, got, want)
					}
				}
				if e.NNZ() != nnz || (rows*cols > 0 && e.Density() != float64(nnz)/float64(rows*cols)) {
					t.Fatalf("NNZ %d density %v, want %d", e.NNZ(), e.Density(), nnz)
				}
				dense := make([]float32, rows*cols)
				e.ToDense(dense)
				for i := range dense {
					if (dense[i] != 0) != (s[i] != 0) {
						t.Fatalf("ToDense mismatch at %d", i)
					}
				}
				var tr, back Events
				e.TransposeTo(&tr)
				tr.TransposeTo(&back)
				if fmt.Sprint(back.Ptr, back.Idx) != fmt.Sprint(e.Ptr, e.Idx) {
					t.Fatalf("transpose twice differs")
				}
			}
		}
	})
}

func TestEventsMalformedPanics(t *testing.T) {
	y, w := make([]float32, 4), make([]float32, 4)
	for name, e := range map[string]*Events{
		"index":    {Rows: 1, Cols: 2, Ptr: []int32{0, 1}, Idx: []int32{2}},
		"negative": {Rows: 1, Cols: 2, Ptr: []int32{0, 1}, Idx: []int32{-1}},
		"ptr":      {Rows: 1, Cols: 2, Ptr: []int32{0, 2}, Idx: []int32{0}},
		"rows":     {Rows: 2, Cols: 2, Ptr: []int32{0, 1}, Idx: []int32{0}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			EventMatMul(y, 2, e, w, 2, 2, false)
		}()
	}
}

// eventNaive is EventMatMul's reference loop; for n ≤ narrowEvent each
// row's inputs are dealt in turn to four partial sums, added as
// (s0+s1)+(s2+s3).
func eventNaive(y []float32, ldy int, e *Events, w []float32, ldw, n int, acc bool) {
	if n <= narrowEvent {
		for b := 0; b < e.Rows; b++ {
			s := make([][]float32, 4)
			for a := range s {
				s[a] = make([]float32, n)
			}
			for p, i := range e.Row(b) {
				for j := 0; j < n; j++ {
					s[p%4][j] += w[int(i)*ldw+j]
				}
			}
			for j := 0; j < n; j++ {
				v := (s[0][j] + s[1][j]) + (s[2][j] + s[3][j])
				if acc {
					v = y[b*ldy+j] + v
				}
				y[b*ldy+j] = v
			}
		}
		return
	}
	for b := 0; b < e.Rows; b++ {
		if !acc {
			clear(y[b*ldy : b*ldy+n])
		}
		for _, i := range e.Row(b) {
			for j := 0; j < n; j++ {
				y[b*ldy+j] += w[int(i)*ldw+j]
			}
		}
	}
}

// eventGradNaive is EventMatMulGrad's reference loop.
func eventGradNaive(dw []float32, lddw int, e *Events, delta []float32, ldd, n int) {
	for b := 0; b < e.Rows; b++ {
		for _, i := range e.Row(b) {
			for j := 0; j < n; j++ {
				dw[int(i)*lddw+j] += delta[b*ldd+j]
			}
		}
	}
}

func eventShapes() [][3]int {
	s := [][3]int{{0, 3, 4}, {1, 1, 1}, {3, 5, 7}, {4, 9, 16}, {5, 20, 113}, {2, 30, 127}, {3, 11, 128},
		{6, 40, 129}, {9, 50, 250}, {1, 300, 1000}, {33, 70, 300}, {40, 600, 17}, {50, 700, 10}, {7, 13, 31}}
	if !testing.Short() {
		s = append(s, [3]int{128, 200, 1000}, [3]int{64, 784, 100}, [3]int{128, 1000, 10}, [3]int{64, 500, 32}, [3]int{64, 500, 33})
	}
	return s
}

func TestEventMatMul(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(2, 2))
		for _, sh := range eventShapes() {
			for _, d := range []float64{0, 0.05, 0.3, 1} {
				for _, acc := range []bool{false, true} {
					bsz, k, n := sh[0], sh[1], sh[2]
					ldw, ldy := n+3, n+5
					var e Events
					e.FromDense(randSpikes(r, bsz, k, d), bsz, k)
					w := randSlice(r, max(0, (k-1)*ldw+n))
					ysz := max(0, (bsz-1)*ldy+n)
					init := randSlice(r, ysz)
					want := append([]float32(nil), init...)
					eventNaive(want, ldy, &e, w, ldw, n, acc)
					var first []float32
					for _, th := range []int{1, 2, 3} {
						prev := SetThreads(th)
						got := guardedCopy(init)
						EventMatMul(got[guardLen:guardLen+ysz], ldy, &e, w, ldw, n, acc)
						SetThreads(prev)
						checkGuards(t, "EventMatMul", got, ysz)
						got = got[guardLen : guardLen+ysz]
						if !sameBits(got, want) {
							t.Fatalf("EventMatMul %v d=%v acc=%v threads=%d differs from reference", sh, d, acc, th)
						}
						if first == nil {
							first = got
						}
					}
				}
			}
		}
	})
}

func TestEventMatMulGrad(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 3))
		var tr Events
		for _, sh := range eventShapes() {
			for _, d := range []float64{0, 0.05, 0.3, 1} {
				bsz, k, n := sh[0], sh[1], sh[2]
				ldd, lddw := n+1, n+2
				var e Events
				e.FromDense(randSpikes(r, bsz, k, d), bsz, k)
				delta := randSlice(r, max(0, (bsz-1)*ldd+n))
				sz := max(0, (k-1)*lddw+n)
				init := randSlice(r, sz)
				want := append([]float32(nil), init...)
				eventGradNaive(want, lddw, &e, delta, ldd, n)
				for _, th := range []int{1, 2} {
					prev := SetThreads(th)
					got := guardedCopy(init)
					EventMatMulGrad(got[guardLen:guardLen+sz], lddw, &e, delta, ldd, n, &tr)
					SetThreads(prev)
					checkGuards(t, "EventMatMulGrad", got, sz)
					if !sameBits(got[guardLen:guardLen+sz], want) {
						t.Fatalf("EventMatMulGrad %v d=%v threads=%d differs from reference", sh, d, th)
					}
				}
			}
		}
	})
}

func TestSpikeMatMulAuto(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	bsz, k, n := 7, 40, 33
	for _, d := range []float64{0.02, 0.1, 0.9} {
		s := randSpikes(r, bsz, k, d)
		w := randSlice(r, k*n)
		delta := randSlice(r, bsz*n)
		var e Events
		y := make([]float32, bsz*n)
		ev := SpikeMatMul(y, n, s, bsz, k, w, n, n, false, &e)
		if ev != (d < EventCrossover(n)) {
			t.Errorf("density %v: event path %v", d, ev)
		}
		want := make([]float32, bsz*n)
		gemmNaive(false, false, bsz, n, k, 1, s, k, w, n, 0, want, n)
		for i := range want {
			if !closeRel(y[i], want[i], 1e-5) {
				t.Fatalf("SpikeMatMul d=%v [%d] = %v, want %v", d, i, y[i], want[i])
			}
		}
		dw := make([]float32, k*n)
		SpikeMatMulGrad(dw, n, &e, s, delta, n, n, nil)
		wantDW := make([]float32, k*n)
		gemmNaive(true, false, k, n, bsz, 1, s, k, delta, n, 0, wantDW, n)
		for i := range wantDW {
			if !closeRel(dw[i], wantDW[i], 1e-5) {
				t.Fatalf("SpikeMatMulGrad d=%v [%d] = %v, want %v", d, i, dw[i], wantDW[i])
			}
		}
	}
}

func TestEventsNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	bsz, k, n := 16, 100, 200
	s := randSpikes(r, bsz, k, 0.1)
	w, y := randSlice(r, k*n), make([]float32, bsz*n)
	var e, tr Events
	e.FromDense(s, bsz, k)
	EventMatMulGrad(w, n, &e, y, n, n, &tr)
	prev := SetThreads(1)
	defer SetThreads(prev)
	if a := testing.AllocsPerRun(10, func() {
		e.FromDense(s, bsz, k)
		EventMatMul(y, n, &e, w, n, n, false)
		EventMatMulGrad(w, n, &e, y, n, n, &tr)
	}); a != 0 {
		t.Errorf("%v allocations per step", a)
	}
}

var benchDensities = []float64{0.01, 0.05, 0.1, 0.2, 0.5}

// BenchmarkEventMatMul compares, on the 128×1000×1000 training shape, the
// event-driven forward (given Events, and the automatic path from dense
// spikes) with Gemm on the same dense product. GFLOP/s counts 2·B·K·n (the
// dense product's work) so the figures compare directly.
func BenchmarkEventMatMul(b *testing.B) {
	bsz, k, n := 128, 1000, 1000
	r := rand.New(rand.NewPCG(6, 6))
	w := randSlice(r, k*n)
	y := make([]float32, bsz*n)
	flops := 2 * float64(bsz*k*n)
	report := func(b *testing.B) {
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	s := randSpikes(r, bsz, k, 0.05)
	b.Run("dense-gemm", func(b *testing.B) {
		for range b.N {
			Gemm(false, false, bsz, n, k, 1, s, k, w, n, 0, y, n)
		}
		report(b)
	})
	for _, d := range benchDensities {
		s := randSpikes(r, bsz, k, d)
		var e Events
		e.FromDense(s, bsz, k)
		b.Run(fmt.Sprintf("naive/d=%g", d), func(b *testing.B) {
			for range b.N {
				eventNaive(y, n, &e, w, n, n, false)
			}
			report(b)
		})
		b.Run(fmt.Sprintf("event/d=%g", d), func(b *testing.B) {
			for range b.N {
				EventMatMul(y, n, &e, w, n, n, false)
			}
			report(b)
		})
		b.Run(fmt.Sprintf("auto/d=%g", d), func(b *testing.B) {
			for range b.N {
				SpikeMatMul(y, n, s, bsz, k, w, n, n, false, &e)
			}
			report(b)
		})
	}
}

// BenchmarkEventMatMulGrad compares the event-driven weight gradient
// dW += Sᵀ·δ with Gemm's δᵀ·S-shaped product on 128×1000×1000.
func BenchmarkEventMatMulGrad(b *testing.B) {
	bsz, k, n := 128, 1000, 1000
	r := rand.New(rand.NewPCG(7, 7))
	delta := randSlice(r, bsz*n)
	dw := make([]float32, k*n)
	flops := 2 * float64(bsz*k*n)
	report := func(b *testing.B) {
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	s := randSpikes(r, bsz, k, 0.05)
	b.Run("dense-gemm", func(b *testing.B) {
		for range b.N {
			Gemm(true, false, k, n, bsz, 1, s, k, delta, n, 1, dw, n)
		}
		report(b)
	})
	for _, d := range benchDensities {
		var e, tr Events
		e.FromDense(randSpikes(r, bsz, k, d), bsz, k)
		b.Run(fmt.Sprintf("naive/d=%g", d), func(b *testing.B) {
			for range b.N {
				eventGradNaive(dw, n, &e, delta, n, n)
			}
			report(b)
		})
		b.Run(fmt.Sprintf("event/d=%g", d), func(b *testing.B) {
			for range b.N {
				EventMatMulGrad(dw, n, &e, delta, n, n, &tr)
			}
			report(b)
		})
	}
}

func BenchmarkEventsFromDense(b *testing.B) {
	bsz, k := 128, 1000
	r := rand.New(rand.NewPCG(8, 8))
	for _, d := range []float64{0.05, 0.5} {
		s := randSpikes(r, bsz, k, d)
		var e Events
		e.FromDense(s, bsz, k)
		b.Run(fmt.Sprintf("d=%g", d), func(b *testing.B) {
			for range b.N {
				e.FromDense(s, bsz, k)
			}
			b.ReportMetric(float64(4*bsz*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}

func TestCountNonzero(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 13))
		for _, n := range testSizes {
			s := randSpikes(r, 1, n, 0.3)
			if n > 3 {
				s[0], s[1], s[2] = float32(math.NaN()), float32(math.Copysign(0, -1)), -2
			}
			want := 0
			for _, v := range s {
				if v != 0 {
					want++
				}
			}
			if g := CountNonzero(s); g != want {
				t.Errorf("n=%d: %d, want %d", n, g, want)
			}
		}
	})
}

// BenchmarkEventNarrow compares, for a readout (n ≤ 32 outputs) of 1000
// inputs on 64 rows (a data-parallel worker's share), the event path
// (listing the spikes, forward and weight gradient) with the two GEMMs that
// compute the same: the measurements behind EventCrossover's narrow cases.
// Run it on one thread: -test.cpu 1.
func BenchmarkEventNarrow(b *testing.B) {
	rows, k := 64, 1000
	for _, n := range []int{10, 32} {
		for _, d := range []float64{0.05, 0.1, 0.2} {
			r := rand.New(rand.NewPCG(6, 6))
			w, delta := randSlice(r, k*n), randSlice(r, rows*n)
			s := randSpikes(r, rows, k, d)
			y, dw := make([]float32, rows*n), make([]float32, k*n)
			var e, t Events
			b.Run(fmt.Sprintf("n=%d/d=%g/gemm", n, d), func(b *testing.B) {
				for range b.N {
					Gemm(false, false, rows, n, k, 1, s, k, w, n, 0, y, n)
					Gemm(true, false, k, n, rows, 1, s, k, delta, n, 1, dw, n)
				}
			})
			b.Run(fmt.Sprintf("n=%d/d=%g/event", n, d), func(b *testing.B) {
				for range b.N {
					e.FromDense(s, rows, k)
					EventMatMul(y, n, &e, w, n, n, false)
					EventMatMulGrad(dw, n, &e, delta, n, n, &t)
				}
			})
		}
	}
}
