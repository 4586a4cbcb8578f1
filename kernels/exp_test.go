package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExp checks Exp against math.Exp bit for bit: random values over
// math.Exp's whole range and the loss's (float32 differences at most 0),
// the special values and the bounds of the vector path, every length of
// the last group, in place and not, with AVX-512 and without.
func TestExp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var xs []float64
	for range 200000 {
		xs = append(xs, (r.Float64()*2-1)*760, -r.ExpFloat64()*20, float64(float32(-r.Float64()*30)), r.NormFloat64())
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 700, -700, math.Nextafter(700, 800), math.Nextafter(-700, -800),
		709.782712893384, 709.79, -708.39, -708.4, -745.13, -746, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
		0.5 * math.Ln2, 1.5 * math.Ln2, -0.5 * math.Ln2, 1e-300, -1e-300} {
		xs = append(xs, v)
	}
	// Ties of k = round(x·log2 e): x·log2 e at a half integer.
	for k := -1000; k < 1000; k++ {
		xs = append(xs, (float64(k)+0.5)/math.Log2E, math.Nextafter((float64(k)+0.5)/math.Log2E, 0))
	}
	check := func(name string, got, x []float64) {
		t.Helper()
		for i, v := range x {
			want := math.Exp(v)
			if math.Float64bits(got[i]) != math.Float64bits(want) && !(math.IsNaN(got[i]) && math.IsNaN(want)) {
				t.Fatalf("%s: Exp(%v) = %v (%#x), math.Exp %v (%#x)", name, v, got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
			}
		}
	}
	for _, vec := range []bool{false, true} {
		if vec && !expAVX512 {
			continue
		}
		func() {
			defer func(v bool) { expAVX512 = v }(expAVX512)
			expAVX512 = vec
			got := make([]float64, len(xs))
			Exp(got, xs)
			check("all", got, xs)
			for n := range 40 {
				for _, off := range []int{0, 3, len(xs) - 200} {
					x := xs[off : off+n]
					got := make([]float64, n)
					Exp(got, x)
					check("short", got, x)
					in := append([]float64(nil), x...)
					Exp(in, in)
					check("in place", in, x)
				}
			}
		}()
	}
}

func BenchmarkExp(b *testing.B) {
	x := make([]float64, 1280)
	for i := range x {
		x[i] = -float64(i%97) * 0.3
	}
	dst := make([]float64, len(x))
	b.Run("Exp", func(b *testing.B) {
		for b.Loop() {
			Exp(dst, x)
		}
	})
	b.Run("math.Exp", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = math.Exp(v)
			}
		}
	})
}
