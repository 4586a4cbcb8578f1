package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

const guardLen = 19

var guardVal = float32(math.Float32frombits(0x7fc0beef)) // a NaN with a payload

// guarded returns a slice of n+2·guardLen floats whose first and last
// guardLen elements hold a sentinel NaN; the kernel under test gets
// buf[guardLen:guardLen+n].
func guarded(n int) []float32 {
	b := make([]float32, n+2*guardLen)
	for i := range b {
		b[i] = guardVal
	}
	return b
}

// guardedCopy is guarded(len(x)) with x copied into the middle.
func guardedCopy(x []float32) []float32 {
	b := guarded(len(x))
	copy(b[guardLen:], x)
	return b
}

func checkGuards(t *testing.T, name string, b []float32, n int) {
	t.Helper()
	for i := 0; i < guardLen; i++ {
		if math.Float32bits(b[i]) != math.Float32bits(guardVal) || math.Float32bits(b[guardLen+n+i]) != math.Float32bits(guardVal) {
			t.Fatalf("%s: guard value overwritten", name)
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func closeRel(a, b, tol float32) bool {
	d := math.Abs(float64(a - b))
	return d <= float64(tol)*(1+math.Abs(float64(b)))
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// withPortable runs f once with the assembly paths enabled (where the CPU
// has them) and once with them off.
func withPortable(t *testing.T, f func(t *testing.T)) {
	t.Run("fast", f)
	if vecAVX512 {
		vecAVX512 = false
		defer func() { vecAVX512 = true }()
		t.Run("portable", f)
	}
}

var testSizes = []int{0, 1, 3, 15, 16, 17, 31, 33, 64, 100, 127, 128, 129, 1000, 1027}

func TestElementwise(t *testing.T) {
	withPortable(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range testSizes {
			a, b := randSlice(r, n), randSlice(r, n)
			alpha := float32(r.NormFloat64())
			for _, tc := range []struct {
				name  string
				fast  func(dst []float32)
				naive func(dst []float32)
				tol   float32
			}{
				{"Axpy", func(d []float32) { Axpy(d, alpha, b) }, func(d []float32) {
					for i := range d {
						d[i] += alpha * b[i]
					}
				}, 1e-6},
				{"AddTo", func(d []float32) { AddTo(d, b) }, func(d []float32) {
					for i := range d {
						d[i] += b[i]
					}
				}, 0},
				{"Scale", func(d []float32) { Scale(d, alpha) }, func(d []float32) {
					for i := range d {
						d[i] *= alpha
					}
				}, 0},
				{"Fill", func(d []float32) { Fill(d, alpha) }, func(d []float32) {
					for i := range d {
						d[i] = alpha
					}
				}, 0},
				{"Fill0", func(d []float32) { Fill(d, 0) }, func(d []float32) {
					for i := range d {
						d[i] = 0
					}
				}, 0},
				{"Add", func(d []float32) { Add(d, a, b) }, func(d []float32) {
					for i := range d {
						d[i] = a[i] + b[i]
					}
				}, 0},
				{"Sub", func(d []float32) { Sub(d, a, b) }, func(d []float32) {
					for i := range d {
						d[i] = a[i] - b[i]
					}
				}, 0},
				{"Mul", func(d []float32) { Mul(d, a, b) }, func(d []float32) {
					for i := range d {
						d[i] = a[i] * b[i]
					}
				}, 0},
				{"AddScaled", func(d []float32) { AddScaled(d, a, alpha, b) }, func(d []float32) {
					for i := range d {
						d[i] = a[i] + alpha*b[i]
					}
				}, 0},
			} {
				init := randSlice(r, n)
				got := guardedCopy(init)
				want := append([]float32(nil), init...)
				tc.fast(got[guardLen : guardLen+n])
				tc.naive(want)
				checkGuards(t, tc.name, got, n)
				for i := range want {
					if g := got[guardLen+i]; !closeRel(g, want[i], tc.tol) || (tc.tol == 0 && g != want[i]) {
						t.Fatalf("%s n=%d [%d] = %v, want %v", tc.name, n, i, g, want[i])
					}
				}
			}
		}
	})
}

func TestTranspose(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][2]int{{0, 5}, {1, 1}, {3, 7}, {33, 65}, {100, 31}, {300, 257}} {
		for _, th := range []int{1, 2} {
			prev := SetThreads(th)
			rows, cols := sz[0], sz[1]
			src := randSlice(r, rows*cols)
			dst := guarded(rows * cols)
			Transpose(dst[guardLen:guardLen+rows*cols], src, rows, cols)
			checkGuards(t, "Transpose", dst, rows*cols)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					if dst[guardLen+j*rows+i] != src[i*cols+j] {
						t.Fatalf("Transpose %v [%d,%d]", sz, i, j)
					}
				}
			}
			SetThreads(prev)
		}
	}
}

func BenchmarkAxpy(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		x, y := make([]float32, n), make([]float32, n)
		b.Run(fmtInt("naive/n=", n), func(b *testing.B) {
			for range b.N {
				axpyGo(y, 0.5, x)
			}
			b.ReportMetric(float64(12*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run(fmtInt("fast/n=", n), func(b *testing.B) {
			for range b.N {
				Axpy(y, 0.5, x)
			}
			b.ReportMetric(float64(12*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
